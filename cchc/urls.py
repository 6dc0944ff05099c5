from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from cchc.core import api as core_api
from cchc.core import ratelimits
from cchc.core import views as core_views

api_v1 = [
    path("calendar/due", core_api.CalendarDueView.as_view(), name="calendar-due"),
    path("par/", include("cchc.parindex.api_urls")),
    path("procedures/", include("cchc.procedures.api_urls")),
    path("dossiers/", include("cchc.dossiers.api_urls")),
    path("feedback/", include("cchc.feedback.api_urls")),
    path("portal/", include("cchc.portal.api_urls")),
    path("plans/", include("cchc.plans.api_urls")),
    path("so-lieu-cchc/", include("cchc.records.api_urls")),
    path("reports/", include("cchc.reports.api_urls")),
    path("dvcqg/", include("cchc.nationalportal.api_urls")),
]

urlpatterns = [
    # The portal comes first: it owns the home page "/" when it is there.
    path("", include("cchc.portal.urls")),
    path("", include("cchc.core.urls")),
    path("chi-so-cchc/", include("cchc.parindex.urls")),
    path("thu-tuc/", include("cchc.procedures.urls")),
    path("ho-so/", include("cchc.dossiers.urls")),
    path("pakn/", include("cchc.feedback.urls")),
    path("ke-hoach/", include("cchc.plans.urls")),
    path("so-lieu-cchc/", include("cchc.records.urls")),
    path("bao-cao/", include("cchc.reports.urls")),
    path("lien-thong-dvcqg/", include("cchc.nationalportal.urls")),
    path("thanh-toan/", include("cchc.payments.urls")),
    path("chu-ky-so/", include("cchc.esign.urls")),
    path("du-lieu-mo/", include("cchc.opendata.urls")),
    path("open311/v2/", include("cchc.feedback.open311_urls")),
    path(
        "dang-nhap/", ratelimits.limit_post("login")(core_views.LoginView.as_view()), name="login"
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its start-up script as a file (no inline script); its stylesheet draws
    # icons as data: images, allowed on this page only.
    path(
        "api/docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="schema", template_name="cchc/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    # The admin's own sign-in form counts against the same per-address limit as ours.
    path("quan-tri/login/", ratelimits.limit_post("login")(admin.site.login), name="admin-login"),
    path("quan-tri/", admin.site.urls),
]

handler400 = "cchc.core.views.bad_request"  # Vietnamese page / API errors
# JSON errors under /api/ (the API's error shape), HTML pages elsewhere.
handler404 = "cchc.core.views.page_not_found"
handler500 = "cchc.core.views.server_error"
