# API endpoints of this app, mounted at /api/v1/so-lieu-cchc/ (URL names prefixed "records-").
from django.urls import path

from cchc.records.api import APIS

urlpatterns = []
for slug, (list_api, detail_api, import_api) in APIS.items():
    urlpatterns += [
        path(f"{slug}/", list_api.as_view(), name=f"records-{slug}-list"),
        path(f"{slug}/nhap-excel/", import_api.as_view(), name=f"records-{slug}-import"),
        path(f"{slug}/<int:pk>/", detail_api.as_view(), name=f"records-{slug}-detail"),
    ]
