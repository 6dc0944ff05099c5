from django.urls import path

from cchc.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="report-list"),
    path("tong-quan/", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.report_detail, name="report-detail"),
    path("<int:pk>/tao-tep/", views.report_generate, name="report-generate"),
    path("<int:pk>/tien-do/", views.report_progress, name="report-progress"),
    path("<int:pk>/tai/<str:fmt>/", views.report_download, name="report-download"),
]
