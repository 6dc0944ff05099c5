from django.urls import path

from cchc.esign import views

app_name = "esign"
urlpatterns = [
    path("kiem-tra/", views.signature_verify, name="signature-verify"),
    path("ho-so/<str:code>/", views.dossier_signatures, name="dossier-signatures"),
]
