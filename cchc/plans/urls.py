from django.urls import path

from cchc.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("<int:pk>/", views.plan_detail, name="plan-detail"),
    path("<int:pk>/xuat-excel/", views.plan_export, name="plan-export"),
    path("<int:pk>/nhap-excel/", views.plan_import, name="plan-import"),
    path("<int:pk>/them-nhiem-vu/", views.task_create, name="task-create"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task-detail"),
    path("nhiem-vu/<int:pk>/thao-tac/<slug:action>/", views.task_action, name="task-action"),
    path("nhiem-vu/<int:pk>/kiem-chung/", views.task_evidence_upload, name="task-evidence"),
    path(
        "nhiem-vu/<int:pk>/kiem-chung/<int:evidence_pk>/",
        views.task_evidence_download,
        name="task-evidence-download",
    ),
    path("quy-che/", views.regulation_list, name="regulation-list"),
    path("quy-che/<int:pk>/tep/", views.regulation_download, name="regulation-download"),
    path("ra-soat-van-ban/", views.legal_review_list, name="legal-review-list"),
    path("ra-soat-thu-tuc/", views.procedure_review_list, name="procedure-review-list"),
    path("iso/", views.quality_list, name="quality-list"),
    path(
        "quy-che/<int:pk>/sua/",
        views.record_edit,
        {"kind": "regulation"},
        name="regulation-edit",
    ),
    path(
        "ra-soat-van-ban/<int:pk>/sua/",
        views.record_edit,
        {"kind": "legal_review"},
        name="legal-review-edit",
    ),
    path(
        "ra-soat-thu-tuc/<int:pk>/sua/",
        views.record_edit,
        {"kind": "procedure_review"},
        name="procedure-review-edit",
    ),
    path("iso/<int:pk>/sua/", views.record_edit, {"kind": "quality"}, name="quality-edit"),
]
