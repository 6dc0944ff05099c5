# API endpoints of this app, mounted at /api/v1/dossiers/ (URL names prefixed "dossiers-").
from django.urls import path

from cchc.dossiers import api

urlpatterns = [
    path("", api.DossierFileApi.as_view(), name="dossiers-file"),
    path("queue", api.DossierListApi.as_view(), name="dossiers-queue"),
    path("lookup", api.lookup_view, name="dossiers-lookup"),
    path("mine", api.MyDossiersApi.as_view(), name="dossiers-mine"),
    path("statistics", api.StatisticsApi.as_view(), name="dossiers-statistics"),
    path("<str:code>", api.DossierDetailApi.as_view(), name="dossiers-detail"),
    path("<str:code>/supplement", api.DossierSupplementApi.as_view(), name="dossiers-supplement"),
    path("<str:code>/<slug:action>", api.DossierActionApi.as_view(), name="dossiers-action"),
]
