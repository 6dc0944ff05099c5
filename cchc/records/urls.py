from django.urls import path

from cchc.records import views

app_name = "records"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:kind>/", views.record_list, name="list"),
    path("<slug:kind>/them/", views.record_create, name="create"),
    path("<slug:kind>/mau-excel/", views.import_template, name="template"),
    path("<slug:kind>/nhap-excel/", views.record_import, name="import"),
    path("<slug:kind>/<int:pk>/sua/", views.record_edit, name="edit"),
    path("<slug:kind>/<int:pk>/xoa/", views.record_delete, name="delete"),
]
