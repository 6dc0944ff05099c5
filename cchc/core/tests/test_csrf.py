"""CSRF everywhere: every URL pattern refuses a POST without the token from a signed-in browser.

The walk covers every pattern of the URL configuration (pages, forms, admin, API). A POST
without a CSRF token must get 403 before any view code runs: Django's CsrfViewMiddleware for
pages, DRF's SessionAuthentication for the API. The only patterns left out are API views that
never read the session (``authentication_classes`` without SessionAuthentication): a forged
request gains nothing there that an attacker could not send himself.
"""

import re
import uuid

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView

from cchc.core.models import User
from cchc.core.testing import PersonaTestCase
from cchc.feedback.open311_urls import FormatConverter
from cchc.opendata.urls import AgencyCodeConverter, DataFormatConverter

SAMPLES = {
    IntConverter: "1",
    StringConverter: "x",
    SlugConverter: "x",
    PathConverter: "x",
    UUIDConverter: str(uuid.UUID(int=1)),
    FormatConverter: "json",
    AgencyCodeConverter: "X",
    DataFormatConverter: "csv",
}
# Public endpoints outside /api/v1/ that never read the session, so a forged request gains
# nothing an attacker could not send himself; each with the reason.
CSRF_EXEMPT = {
    "/open311/v2/requests.json": "Open311 filing: anonymous and rate-limited, as the form",
    "/thanh-toan/ket-qua/": "the payment platform's callback: no cookie, signed by MaXacThuc",
}
PAGE_CSRF_TEXT = "thiếu mã bảo vệ (CSRF)"
API_CSRF_TEXT = "Thiếu hoặc sai mã bảo vệ CSRF."


def _route_sample(route: str, converters) -> str:
    def sample(match):
        name = match.group(2)
        return SAMPLES.get(type(converters[name]), "x")

    return re.sub(r"<(?:(\w+):)?(\w+)>", sample, route)


def _regex_sample(regex: str) -> str:
    def group(match):
        body = match.group(2)
        return body.split("|")[0] if "|" in body else "x"

    text = re.sub(r"\(\?P<(\w+)>([^)]*)\)", group, regex)
    return text.replace("^", "").replace("$", "").replace("\\", "")


def _sample(pattern) -> str:
    if hasattr(pattern, "_route"):
        return _route_sample(pattern._route, pattern.converters)
    return _regex_sample(pattern.regex.pattern)


def walk(patterns=None, prefix="/"):
    """(sample URL, pattern) for every URL pattern of the project."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + _sample(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + _sample(entry.pattern), entry


def api_view_class(callback):
    cls = getattr(callback, "cls", None)
    return cls if isinstance(cls, type) and issubclass(cls, APIView) else None


def uses_session(cls) -> bool:
    return any(issubclass(a, SessionAuthentication) for a in cls.authentication_classes)


class CsrfWalkTests(PersonaTestCase):
    def setUp(self):
        super().setUp()
        self.admin = User.objects.create_superuser("quantri", password="pw-quantri")
        self.browser = self.client_class(enforce_csrf_checks=True)
        self.browser.force_login(self.admin)

    def test_every_pattern_refuses_a_post_without_the_token(self):
        checked, sessionless, problems, seen = 0, [], [], set()
        for url, _pattern in walk():
            if url in seen:
                continue
            seen.add(url)
            if url in CSRF_EXEMPT:
                continue
            # The pattern that really answers (an earlier one may shadow it, e.g. "/").
            callback = resolve(url).func
            cls = api_view_class(callback)
            if cls is not None and not uses_session(cls):
                sessionless.append(url)
                continue
            response = self.browser.post(url, {"title": "x"})
            checked += 1
            text = response.content.decode(errors="replace")
            if cls is None:
                refused = PAGE_CSRF_TEXT in text
            elif response["Content-Type"].startswith("application/json"):
                refused = API_CSRF_TEXT in text
            else:  # an API view rendering HTML (the Swagger page): DRF's 403 page
                refused = True
            if response.status_code != 403 or not refused:
                problems.append(f"{url}: {response.status_code} (expected a CSRF 403)")
        self.assertEqual(problems, [])
        self.assertGreater(checked, 100)
        # Only public API views that never read the session: lookup, supplement, filing.
        self.assertTrue(all(url.startswith("/api/v1/") for url in sessionless), sessionless)
        self.assertLessEqual(len(sessionless), 4, sessionless)
        # The user is still signed in: no POST got through (logout included).
        self.assertEqual(int(self.browser.session["_auth_user_id"]), self.admin.pk)

    def test_no_view_is_marked_csrf_exempt_except_sessionless_api(self):
        for url, pattern in walk():
            if getattr(pattern.callback, "csrf_exempt", False) and url not in CSRF_EXEMPT:
                cls = api_view_class(pattern.callback)
                self.assertIsNotNone(cls, f"{url} is csrf_exempt outside the API")


class CsrfTokenWorksTests(PersonaTestCase):
    def setUp(self):
        super().setUp()
        self.browser = self.client_class(enforce_csrf_checks=True)

    def token(self, url):
        self.browser.get(url)
        return self.browser.cookies["csrftoken"].value

    def test_the_login_form_works_with_its_token(self):
        data = {"username": "officer_a", "password": "pw-officer_a"}
        refused = self.browser.post("/dang-nhap/", data)
        self.assertContains(refused, PAGE_CSRF_TEXT, status_code=403)
        self.assertNotIn("_auth_user_id", self.browser.session)
        token = self.token("/dang-nhap/")
        ok = self.browser.post("/dang-nhap/", {**data, "csrfmiddlewaretoken": token})
        self.assertEqual(ok.status_code, 302)
        self.assertEqual(int(self.browser.session["_auth_user_id"]), self.officer_a.pk)

    def test_the_password_change_form_works_with_its_token(self):
        self.browser.force_login(self.officer_a)
        data = {
            "old_password": "pw-officer_a",
            "new_password1": "Mat-khau-moi-2026",
            "new_password2": "Mat-khau-moi-2026",
        }
        self.assertEqual(self.browser.post("/doi-mat-khau/", data).status_code, 403)
        self.officer_a.refresh_from_db()
        self.assertTrue(self.officer_a.check_password("pw-officer_a"))
        token = self.token("/doi-mat-khau/")
        ok = self.browser.post("/doi-mat-khau/", {**data, "csrfmiddlewaretoken": token})
        self.assertRedirects(ok, "/doi-mat-khau/xong/", fetch_redirect_response=False)
        self.officer_a.refresh_from_db()
        self.assertTrue(self.officer_a.check_password("Mat-khau-moi-2026"))

    def test_session_api_writes_need_the_token_and_token_clients_do_not(self):
        url = "/api/v1/dossiers/queue"  # GET only: a POST that passes CSRF gets 405
        self.browser.force_login(self.officer_a)
        refused = self.browser.post(url, {}, content_type="application/json")
        self.assertEqual(refused.status_code, 403)
        self.assertIn(API_CSRF_TEXT, refused.json()["errors"][0]["message"])
        token = self.token("/")
        passed = self.browser.post(url, {}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
        self.assertEqual(passed.status_code, 405)

        api_token = Token.objects.create(user=self.officer_b)
        machine = Client(enforce_csrf_checks=True)
        response = machine.post(
            url, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {api_token.key}"
        )
        self.assertEqual(response.status_code, 405)
