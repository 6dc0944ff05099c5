from django.urls import path, re_path

from cchc.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("data.json", views.catalogue, name="catalogue"),
    re_path(r"^(?P<agency>[A-Z0-9.]+)/$", views.index, name="agency-index"),
    re_path(r"^(?P<agency>[A-Z0-9.]+)/data\.json$", views.catalogue, name="agency-catalogue"),
    re_path(
        r"^(?P<agency>[A-Z0-9.]+)/(?P<dataset>[a-z0-9-]+)\.(?P<fmt>csv|json)$",
        views.dataset,
        name="dataset",
    ),
]
