from django.urls import path

from cchc.nationalportal import api

urlpatterns = [
    path("ho-so", api.InboundDossierView.as_view(), name="dvcqg-inbound"),
]
