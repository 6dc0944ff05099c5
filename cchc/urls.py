from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from cchc.core import api as core_api
from cchc.core import views as core_views

api_v1 = [
    path("calendar/due", core_api.CalendarDueView.as_view(), name="calendar-due"),
]

urlpatterns = [
    path("", include("cchc.core.urls")),
    path("dang-nhap/", core_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("quan-tri/", admin.site.urls),
]
