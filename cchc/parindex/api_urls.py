# API endpoints of this app, mounted at /api/v1/par/ (URL names prefixed "par-").
from django.urls import path

from cchc.parindex import api

urlpatterns = [
    path("periods/", api.PeriodListApi.as_view(), name="par-period-list"),
    path("periods/<int:pk>/survey", api.SurveyImportApi.as_view(), name="par-survey-import"),
    path("frameworks/import", api.FrameworkImportApi.as_view(), name="par-framework-import"),
    path("assessments/<int:pk>/", api.AssessmentDetailApi.as_view(), name="par-assessment-detail"),
    path("assessments/<int:pk>/result", api.ResultApi.as_view(), name="par-assessment-result"),
    path("assessments/<int:pk>/whatif", api.WhatIfApi.as_view(), name="par-assessment-whatif"),
    path(
        "assessments/<int:pk>/actions",
        api.AssessmentActionApi.as_view(),
        name="par-assessment-action",
    ),
    path("scores/<int:pk>/", api.ScoreUpdateApi.as_view(), name="par-score-update"),
]
