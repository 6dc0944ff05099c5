# API endpoints of this app, mounted at /api/v1/plans/ (URL names prefixed "plans-").
from django.urls import path

from cchc.plans import api

urlpatterns = [
    path("", api.PlanListApi.as_view(), name="plans-plan-list"),
    path("<int:pk>/", api.PlanDetailApi.as_view(), name="plans-plan-detail"),
    path("<int:plan_pk>/tasks/", api.TaskListApi.as_view(), name="plans-task-list"),
    path("<int:plan_pk>/tasks/import/", api.TaskImportApi.as_view(), name="plans-task-import"),
    path("tasks/<int:pk>/", api.TaskDetailApi.as_view(), name="plans-task-detail"),
    path(
        "tasks/<int:pk>/actions/<slug:action>/",
        api.TaskActionApi.as_view(),
        name="plans-task-action",
    ),
    path("legal-reviews/", api.LegalReviewApi.as_view(), name="plans-legal-review-list"),
    path(
        "procedure-reviews/", api.ProcedureReviewApi.as_view(), name="plans-procedure-review-list"
    ),
    path("quality-records/", api.QualityRecordApi.as_view(), name="plans-quality-record-list"),
    path("regulations/", api.RegulationApi.as_view(), name="plans-regulation-list"),
    path(
        "legal-reviews/<int:pk>/",
        api.LegalReviewDetailApi.as_view(),
        name="plans-legal-review-detail",
    ),
    path(
        "procedure-reviews/<int:pk>/",
        api.ProcedureReviewDetailApi.as_view(),
        name="plans-procedure-review-detail",
    ),
    path(
        "quality-records/<int:pk>/",
        api.QualityRecordDetailApi.as_view(),
        name="plans-quality-record-detail",
    ),
    path(
        "regulations/<int:pk>/", api.RegulationDetailApi.as_view(), name="plans-regulation-detail"
    ),
]
