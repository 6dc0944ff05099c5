from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Rss201rev2Feed

from cchc.portal.models import Category
from cchc.portal.selectors import category_articles, public_articles


class LatestFeed(Feed):
    feed_type = Rss201rev2Feed
    title = "Tin tức"
    link = "/tin-tuc/"
    description = "Tin mới đăng trên cổng thông tin"

    def items(self):
        return public_articles().select_related("category").order_by("-published_at")[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_categories(self, item):
        return [item.category.name]


class CategoryFeed(LatestFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, obj):
        return obj.name

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return obj.description or obj.name

    def items(self, obj):
        return category_articles(obj).select_related("category")[:30]
