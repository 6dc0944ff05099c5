from django.urls import path

from cchc.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("tu-viet-tat/", views.glossary, name="glossary"),
    path("tinh-han/", views.due_calculator, name="calendar"),
]
