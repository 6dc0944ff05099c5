from django.urls import path

from cchc.procedures import national_views, views

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
    # The mapping with the national public-service portal (DVCQG).
    path("lien-thong-dvcqg/", national_views.mapping_list, name="national-mapping"),
    path("lien-thong-dvcqg/nhap/", national_views.catalogue_import, name="national-import"),
    path("lien-thong-dvcqg/linh-vuc/", national_views.field_mapping, name="national-fields"),
    path("lien-thong-dvcqg/ma-danh-muc/", national_views.code_lists, name="national-codes"),
    path(
        "<int:pk>/lien-thong-dvcqg/",
        national_views.procedure_mapping,
        name="national-procedure",
    ),
]
