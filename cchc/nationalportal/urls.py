from django.urls import path

from cchc.nationalportal import views

app_name = "nationalportal"
urlpatterns = [
    path("ho-so/<str:code>/nhat-ky/", views.dossier_sync_log, name="dossier-sync-log"),
    path("loi-dong-bo/", views.failures, name="failures"),
    path("loi-dong-bo/<int:pk>/gui-lai/", views.retry, name="retry"),
    path("tep/<str:token>/", views.public_file, name="public-file"),
]
