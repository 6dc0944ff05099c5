# API endpoints of this app, mounted at /api/v1/reports/ (URL names prefixed "reports-").
from django.urls import path

from cchc.reports import api

urlpatterns = [
    path("dashboard/", api.DashboardApi.as_view(), name="reports-dashboard"),
    path("", api.ReportListApi.as_view(), name="reports-report-list"),
    path("<int:pk>/", api.ReportDetailApi.as_view(), name="reports-report-detail"),
    path("<int:pk>/generate/", api.ReportGenerateApi.as_view(), name="reports-report-generate"),
    path(
        "<int:pk>/download/<str:fmt>/",
        api.ReportDownloadApi.as_view(),
        name="reports-report-download",
    ),
]
