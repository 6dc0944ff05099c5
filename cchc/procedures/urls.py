from django.urls import path

from cchc.procedures import views

app_name = "procedures"
urlpatterns = [
    path("", views.procedure_list, name="procedure-list"),
    path("<int:pk>/", views.procedure_detail, name="procedure-detail"),
    path("<int:pk>/sua/", views.procedure_edit, name="procedure-edit"),
    path("<int:pk>/can-cu/", views.procedure_legal_bases, name="procedure-legal-bases"),
    path("<int:pk>/thanh-phan/", views.procedure_components, name="procedure-components"),
    path(
        "<int:pk>/thanh-phan/<int:component_pk>/mau/",
        views.component_template,
        name="component-template",
    ),
    path("<int:pk>/quy-trinh/", views.procedure_steps, name="procedure-steps"),
]
