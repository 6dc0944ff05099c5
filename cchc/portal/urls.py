from django.urls import path
from django.views.decorators.http import require_safe

from cchc.portal import feeds, sitemaps, staff_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tin-tuc/", views.article_list, name="article-list"),
    path("tin-tuc/<slug:slug>/", views.article_detail, name="article-detail"),
    path("tin-tuc/<slug:slug>/y-kien/", views.comment_create, name="comment-create"),
    path("chuyen-muc/<slug:slug>/", views.category_detail, name="category-detail"),
    path("the/<slug:slug>/", views.tag_detail, name="tag-detail"),
    path("tim-kiem/", views.search_view, name="search"),
    path("lich-tiep-cong-dan/", views.schedule, name="schedule"),
    path("nhiem-vu-khcn/", views.science_in_progress, name="science-list"),
    path("ket-qua-khcn/", views.science_results, name="science-results"),
    path("nhiem-vu-khcn/<str:code>/", views.science_detail, name="science-detail"),
    path("nhiem-vu-khcn/<str:code>/tep/<int:pk>/", views.science_file, name="science-file"),
    path("anh/<str:name>", views.cover_image, name="cover-image"),
    path("trang/<slug:slug>/", views.page_detail, name="page"),
    path("so-do-to-chuc/", views.organisation, name="organisation"),
    path("lien-ket/", views.links, name="links"),
    path("rss/", require_safe(feeds.LatestFeed()), name="feed"),
    path("rss/<slug:slug>/", require_safe(feeds.CategoryFeed()), name="category-feed"),
    path("sitemap.xml", sitemaps.sitemap, name="sitemap"),
    path("robots.txt", views.robots, name="robots"),
    path("quan-ly/tin-tuc/", staff_views.article_queue, name="staff-articles"),
    path("quan-ly/tin-tuc/moi/", staff_views.article_edit, name="staff-article-new"),
    path("quan-ly/tin-tuc/<int:pk>/", staff_views.article_review, name="staff-article"),
    path("quan-ly/tin-tuc/<int:pk>/sua/", staff_views.article_edit, name="staff-article-edit"),
    path(
        "quan-ly/tin-tuc/<int:pk>/<str:action>/",
        staff_views.article_action,
        name="staff-article-action",
    ),
    path(
        "quan-ly/nhiem-vu-khcn/<str:code>/tep/",
        staff_views.science_file_upload,
        name="staff-science-file",
    ),
    path("quan-ly/y-kien/", staff_views.comment_queue, name="staff-comments"),
    path("quan-ly/lich-tiep/", staff_views.schedule_manage, name="staff-schedule"),
    path("quan-ly/so-tiep-cong-dan/", staff_views.visit_register, name="staff-visits"),
]
