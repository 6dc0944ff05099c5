# API endpoints of this app, mounted at /api/v1/so-lieu-cchc/ (URL names prefixed "records-").
from django.urls import path

from cchc.records import api

urlpatterns = [
    path("<slug:kind>/", api.RecordListApi.as_view(), name="records-list"),
    path("<slug:kind>/nhap-excel/", api.RecordImportApi.as_view(), name="records-import"),
    path("<slug:kind>/<int:pk>/", api.RecordDetailApi.as_view(), name="records-detail"),
]
