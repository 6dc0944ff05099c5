from django.urls import path

from cchc.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("tu-viet-tat/", views.glossary, name="glossary"),
    path("tinh-han/", views.due_calculator, name="calendar"),
    path("dang-nhap/xac-thuc/", views.otp_verify, name="otp_verify"),
    path("dang-nhap/thiet-lap-xac-thuc/", views.otp_enrol, name="otp_enrol"),
    path("tai-khoan/xac-thuc-hai-buoc/", views.otp_devices, name="otp_devices"),
]
