"""The news queue's filters (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cchc.core.filters import FilterSet, invalid
from cchc.portal.models import Article

PAGE_SIZE = 30


class ArticleQueueFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Article.Status.choices,
        label=_("Trạng thái"),
        error_messages=invalid(_("Trạng thái không hợp lệ.")),
    )

    class Meta:
        model = Article
        fields = ["status"]
