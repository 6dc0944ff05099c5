# API endpoints of this app, mounted at /api/v1/procedures/ (URL names prefixed "procedures-").
from django.urls import path

from cchc.procedures import api

urlpatterns = [
    path("", api.ProcedureListApi.as_view(), name="procedures-list"),
    path("<int:pk>", api.ProcedureDetailApi.as_view(), name="procedures-detail"),
]
