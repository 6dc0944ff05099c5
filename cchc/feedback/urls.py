from django.urls import path

from cchc.feedback import views

app_name = "feedback"
urlpatterns = [
    path("gui/", views.petition_create, name="petition-create"),
    path("tra-cuu/", views.petition_lookup, name="lookup"),
    path("tra-loi/", views.answer_list, name="answer-list"),
    path("tra-loi/<str:code>/", views.answer_detail, name="answer-detail"),
    path("cach-tinh/", views.counting_rule, name="counting-rule"),
    path("xu-ly/", views.staff_queue, name="staff-queue"),
    path("xu-ly/<str:code>/", views.staff_detail, name="staff-detail"),
    path(
        "xu-ly/<str:code>/tep/<int:attachment_pk>/",
        views.staff_attachment_download,
        name="staff-attachment-download",
    ),
    path("xu-ly/<str:code>/<str:action>/", views.staff_action, name="staff-action"),
]
