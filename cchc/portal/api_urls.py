# API endpoints of this app, mounted at /api/v1/portal/ (URL names prefixed "portal-").
from django.urls import path

from cchc.portal import api

urlpatterns = [
    path("categories/", api.CategoryList.as_view(), name="portal-category-list"),
    path("articles/", api.ArticleList.as_view(), name="portal-article-list"),
    path("articles/<slug:slug>/", api.ArticleDetail.as_view(), name="portal-article-detail"),
    path(
        "articles/<slug:slug>/comments/",
        api.CommentCreate.as_view(),
        name="portal-comment-create",
    ),
    path("schedule/", api.ScheduleList.as_view(), name="portal-schedule-list"),
    path("science-tasks/", api.ScienceTaskList.as_view(), name="portal-science-list"),
]
