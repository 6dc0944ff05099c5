# API endpoints of this app, mounted at /api/v1/feedback/ (URL names prefixed "feedback-").
from django.urls import path

from cchc.feedback import api

urlpatterns = [
    path("petitions/", api.PetitionCreate.as_view(), name="feedback-petition-create"),
    path("petitions/<str:code>/", api.StaffPetitionDetail.as_view(), name="feedback-petition"),
    path(
        "petitions/<str:code>/<slug:action>/",
        api.StaffPetitionAction.as_view(),
        name="feedback-petition-action",
    ),
    path("answers/", api.AnswerList.as_view(), name="feedback-answer-list"),
    path("counters/", api.Counters.as_view(), name="feedback-counters"),
]
