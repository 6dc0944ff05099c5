from django.urls import path

from cchc.dossiers import citizen_views, rating_views, views

app_name = "dossiers"
urlpatterns = [
    path("", views.dossier_queue, name="dossier-queue"),
    path("nop/<int:procedure_pk>/", views.dossier_file, name="dossier-file"),
    path("da-nop/", views.dossier_filed, name="dossier-filed"),
    path("tra-cuu/", views.dossier_lookup, name="dossier-lookup"),
    path("danh-gia/", rating_views.dossier_rate, name="dossier-rate"),
    path("tiep-nhan/", views.dossier_receive, name="dossier-receive"),
    path("tai-xu-ly/", views.unit_load, name="unit-load"),
    path("thong-ke/", views.statistics_page, name="statistics"),
    path("thong-ke/excel/", views.statistics_excel, name="statistics-excel"),
    path("thong-ke/hai-long/", rating_views.satisfaction_page, name="satisfaction"),
    path("so-theo-doi/", views.tracking_book, name="tracking-book"),
    path("cua-toi/", citizen_views.my_dossiers, name="my-dossiers"),
    path("cua-toi/<str:code>/", citizen_views.my_dossier, name="my-dossier"),
    path(
        "cua-toi/<str:code>/mau/<slug:form_code>.<str:fmt>",
        citizen_views.my_dossier_form,
        name="my-dossier-form",
    ),
    path("<str:code>/", views.dossier_detail, name="dossier-detail"),
    path("<str:code>/bo-sung/", views.dossier_resubmit, name="dossier-resubmit"),
    path(
        "<str:code>/tep/<int:file_pk>/", views.dossier_file_download, name="dossier-file-download"
    ),
    path("<str:code>/thao-tac/<slug:action>/", views.dossier_action, name="dossier-action"),
    path("<str:code>/mau/<slug:form_code>.<str:fmt>", views.dossier_form, name="dossier-form"),
]
