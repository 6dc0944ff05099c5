from django.urls import path

from cchc.parindex import views

app_name = "parindex"
urlpatterns = [
    path("", views.home, name="home"),
    path("bo-tieu-chi/", views.framework_list, name="framework-list"),
    path("bo-tieu-chi/nhap/", views.framework_import_page, name="framework-import"),
    path("bo-tieu-chi/<int:pk>/", views.framework_detail, name="framework-detail"),
    path("bo-tieu-chi/<int:pk>/sao-chep/", views.framework_copy, name="framework-copy"),
    path("ky/moi/", views.period_new, name="period-new"),
    path("ky/<int:pk>/", views.period_detail, name="period"),
    path("ky/<int:pk>/diem.xlsx", views.period_export, name="period-export"),
    path("ky/<int:pk>/dieu-tra/", views.survey_import_page, name="survey-import"),
    path("danh-gia/<int:pk>/", views.assessment_detail, name="assessment"),
    path("danh-gia/<int:pk>/thao-tac/", views.assessment_action, name="assessment-action"),
    path("danh-gia/<int:pk>/so-lieu/", views.metrics_refresh, name="metrics-refresh"),
    path("danh-gia/<int:pk>/con-thieu/", views.missing_page, name="missing"),
    path("danh-gia/<int:pk>/phan-cong/", views.assignments_page, name="assignments"),
    path("danh-gia/<int:pk>/ket-qua/", views.result_page, name="result"),
    path("danh-gia/<int:pk>/ket-qua.pdf", views.result_pdf, name="result-pdf"),
    path("danh-gia/<int:pk>/linh-vuc/<str:code>/", views.field_page, name="field"),
    path("danh-gia/<int:pk>/diem/<int:score_id>/", views.score_save, name="score-save"),
    path(
        "danh-gia/<int:pk>/diem/<int:score_id>/tai-lieu/",
        views.evidence_upload,
        name="evidence-upload",
    ),
    path(
        "danh-gia/<int:pk>/diem/<int:score_id>/lich-su/",
        views.score_history,
        name="score-history",
    ),
    path(
        "danh-gia/<int:pk>/tai-lieu/<int:evidence_id>/",
        views.evidence_download,
        name="evidence-download",
    ),
]
