from django.urls import path

from cchc.payments import views

app_name = "payments"
urlpatterns = [
    path("bat-dau/", views.payment_start, name="payment-start"),
    path("ket-qua/", views.payment_callback, name="payment-callback"),
    path("tro-ve/<str:reference>/", views.payment_return, name="payment-return"),
]
