"""Every POST an anonymous visitor can make is rate limited (cchc.core.ratelimits).

The walk below posts anonymously to every URL pattern and API endpoint. Whatever accepts the
POST must have a row in PUBLIC_POSTS (its limit is then exercised: 429 once over it, the
database unchanged by the refused request) or in NOT_LIMITED with the reason. A new
anonymous-POST endpoint without a row fails ``test_every_anonymous_post_has_a_row``.
"""

import re

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from cchc.core import ratelimits
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.dossiers import services as dossier_services
from cchc.dossiers.models import Status
from cchc.dossiers.ratings import rating_token
from cchc.dossiers.tests.helpers import APPLICANT, make_procedure, pdf_upload
from cchc.portal.tests import factories

# route -> (limit name, "page" or "api")
PUBLIC_POSTS = {
    "dang-nhap/": ("login", "page"),
    "quan-tri/login/": ("login", "page"),
    "pakn/gui/": ("petition", "page"),
    "tin-tuc/<slug:slug>/y-kien/": ("comment", "page"),
    "ho-so/nop/<int:procedure_pk>/": ("dossier-file", "page"),
    "ho-so/<str:code>/bo-sung/": ("dossier-resubmit", "page"),
    "api/v1/feedback/petitions/": ("petition", "api"),
    "api/v1/portal/articles/<slug:slug>/comments/": ("comment", "api"),
    "api/v1/dossiers/": ("dossier-file", "api"),
    "api/v1/dossiers/<str:code>/supplement": ("dossier-resubmit", "api"),
    "ho-so/danh-gia/": ("dossier-rate", "page"),
    "open311/v2/requests.<open311fmt:fmt>": ("petition", "open311"),
}
# route -> why an anonymous POST there needs no limit
GET_PAGE = "a page read with GET: a POST is answered like a GET and changes nothing"
NOT_LIMITED = {
    "dang-xuat/": "signing out a visitor who is not signed in changes nothing",
    "quan-tri/logout/": "signing out a visitor who is not signed in changes nothing",
}
# route -> where its own limit (or signature) is tested: posts that are not a public form.
LIMITED_ELSEWHERE = {
    "chu-ky-so/kiem-tra/": "limit 'signature-verify' (esign/tests/test_verify_page.py)",
    "thanh-toan/bat-dau/": "counted with the dossier lookups (payments/tests/test_start.py)",
    "thanh-toan/ket-qua/": "the payment platform's callback: refused unless signed (MaXacThuc)",
    "api/v1/dvcqg/ho-so": "the national portal's push: HMAC-signed, limit 'dvcqg-inbound' "
    "(nationalportal/tests/test_inbound.py)",
}
SKIP = ("static/", "media/")
LIMIT = 2
SMALL = dict.fromkeys(("login", "petition", "comment", "dossier-file"), f"{LIMIT}/h") | {
    "dossier-resubmit": f"{LIMIT}/h",
    "dossier-rate": f"{LIMIT}/h",
    "dossier-lookup": "1000/h",  # so that wrong secrets do not trip the other limit first
    "petition-lookup": "1000/h",
}


def routes(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and not route.startswith(SKIP):
            yield route


def snapshot() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@override_settings(SITE_AGENCY_CODE="TEST", RATE_LIMIT_SCALE=1)
class PublicPostTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.officer_a.is_staff = True
        cls.officer_a.save()
        cls.procedure = make_procedure()
        cls.component = cls.procedure.components.get()
        cls.article = factories.article(factories.category(), "Bài có ý kiến")
        dossier, cls.secret = dossier_services.dossier_file_online(
            procedure=cls.procedure,
            applicant=APPLICANT,
            files={f"component_{cls.component.pk}": pdf_upload()},
            agency=cls.agency,
        )
        desk = make_user("desk", cls.leadership, [Role.ONE_STOP_OFFICER])
        dossier_services.dossier_request_supplement(
            actor=desk, dossier=dossier, items="Bản chụp rõ hơn"
        )
        cls.dossier = dossier
        # A returned dossier, for the satisfaction rating.
        cls.returned, _secret = dossier_services.dossier_file_online(
            procedure=cls.procedure,
            applicant=APPLICANT,
            files={f"component_{cls.component.pk}": pdf_upload()},
            agency=cls.agency,
        )
        type(dossier).objects.filter(pk=cls.returned.pk).update(status=Status.RETURNED)

    def setUp(self):
        cache.clear()

    def tearDown(self):
        cache.clear()

    def fill(self, route: str) -> str:
        values = {
            "procedure_pk": self.procedure.pk,
            "slug": self.article.slug,
            "code": self.dossier.code,
            "fmt": "json",
        }

        def value(match):
            name = match.group(2)
            return str(values.get(name, 1 if match.group(1) == "int" else "x"))

        path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: value(m), route)
        return "/" + path.replace("^", "").replace("$", "").replace("\\Z", "")

    # -- the walk --------------------------------------------------------------------------

    def accepts_anonymous_post(self, route: str) -> bool:
        if "(?P" in route:
            # Only the admin has regular-expression routes; they all redirect to its sign-in.
            self.assertTrue(route.startswith("quan-tri/"), route)
            route = re.sub(r"\(\?P<\w+>[^)]*\)", "x", route)
        response = self.client.post(self.fill(route), {})
        if response.status_code in (401, 403, 404, 405):
            return False
        location = response.headers.get("Location", "")
        return not (
            response.status_code == 302 and ("dang-nhap" in location or "login" in location)
        )

    def test_every_anonymous_post_has_a_row(self):
        found = set()
        with override_settings(RATE_LIMITS=dict.fromkeys(settings.RATE_LIMITS, "100000/h")):
            for route in sorted(set(routes())):
                self.client.logout()
                if self.accepts_anonymous_post(route):
                    found.add(route)
        self.assertIn("pakn/gui/", found)  # the walk sees a known public form
        self.assertEqual(
            sorted(found - set(PUBLIC_POSTS) - set(NOT_LIMITED) - set(LIMITED_ELSEWHERE)),
            [],
            "anonymous POST accepted without a rate limit row",
        )
        listed = set(PUBLIC_POSTS) | set(NOT_LIMITED) | set(LIMITED_ELSEWHERE)
        self.assertEqual(sorted(listed - found), [], "stale rows")

    # -- each limit ------------------------------------------------------------------------

    def request(self, route: str, data: dict, **extra):
        return self.client.post(self.fill(route), data, **extra)

    def filing(self):
        return {
            "procedure": self.procedure.pk,
            "applicant_kind": "person",
            "name": "Trần Thị Bình",
            "id_number": "001203004567",
            "phone": "0912345678",
            "address": "Phú Thọ",
            f"component_{self.component.pk}": pdf_upload(),
        }

    def cases(self, route: str):
        """(data for the requests up to the limit, data for the refused one): the refused
        request is a valid one, so that it would change the database if it got through."""
        login = {"username": "officer_a", "password": "pw-officer_a"}
        wrong = {"username": "officer_a", "password": "wrong"}
        petition = {
            "sender_name": "Nguyễn Văn An",
            "sender_phone": "0912345678",
            "subject": "Thời gian cấp phép quá lâu",
            "content": "Hồ sơ của tôi chưa được trả kết quả.",
        }
        open311 = {"service_code": "PAKN", "description": "Chậm trả kết quả", "phone": "0912345678"}
        open311["first_name"] = "An"
        comment = {"name": "Bạn đọc", "email": "a@b.vn", "text": "Bài viết hữu ích."}
        supplement = {"secret": self.secret, f"component_{self.component.pk}": pdf_upload()}
        rating = {"t": rating_token(self.returned), "level": "3"}
        return {
            "dang-nhap/": (lambda: wrong, lambda: login),
            "quan-tri/login/": (lambda: wrong, lambda: login),
            "pakn/gui/": (lambda: petition, lambda: petition),
            "api/v1/feedback/petitions/": (lambda: petition, lambda: petition),
            "open311/v2/requests.<open311fmt:fmt>": (lambda: open311, lambda: open311),
            "tin-tuc/<slug:slug>/y-kien/": (lambda: comment, lambda: comment),
            "api/v1/portal/articles/<slug:slug>/comments/": (lambda: comment, lambda: comment),
            "ho-so/nop/<int:procedure_pk>/": (self.filing, self.filing),
            "api/v1/dossiers/": (self.filing, self.filing),
            "ho-so/<str:code>/bo-sung/": (lambda: {"secret": "WRONG123"}, lambda: supplement),
            "api/v1/dossiers/<str:code>/supplement": (
                lambda: {"secret": "WRONG123"},
                lambda: supplement,
            ),
            "ho-so/danh-gia/": (lambda: {"t": "forged", "level": "3"}, lambda: rating),
        }[route]

    def test_every_public_post_answers_429_over_its_limit_and_changes_nothing(self):
        for route, (name, kind) in PUBLIC_POSTS.items():
            with self.subTest(route=route), override_settings(RATE_LIMITS=SMALL):
                cache.clear()
                self.client.logout()
                allowed, refused = self.cases(route)
                self.assertEqual(ratelimits.rate(name), (LIMIT, 3600))
                for _ in range(LIMIT):
                    self.assertLess(self.request(route, allowed()).status_code, 429, route)
                self.client.logout()
                before = snapshot()
                response = self.request(route, refused())
                self.assertEqual(response.status_code, 429, route)
                self.assertEqual(snapshot(), before, f"{route}: refused request changed data")
                if kind == "open311":  # the GeoReport v2 error format
                    self.assertEqual(response.json()[0]["code"], 429)
                    self.assertIn("quá nhiều", response.json()[0]["description"])
                elif kind == "api":
                    self.assertEqual(response["Content-Type"], "application/json")
                    errors = response.json()["errors"]
                    self.assertEqual(errors[0]["field"], None)
                    self.assertIn("quá nhiều", errors[0]["message"])
                else:
                    self.assertContains(response, "quá nhiều", status_code=429)
                    self.assertContains(response, 'lang="vi"', status_code=429)
                self.assertNotIn("_auth_user_id", self.client.session)
                # Another address is not affected.
                other = self.request(route, allowed(), REMOTE_ADDR="10.9.9.9")
                self.assertLess(other.status_code, 429, route)
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.status, Status.SUPPLEMENT)

    def test_htmx_gets_the_message_alone(self):
        with override_settings(RATE_LIMITS=SMALL):
            for _ in range(LIMIT):
                self.request("pakn/gui/", {})
            response = self.request("pakn/gui/", {}, HTTP_HX_REQUEST="true")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, 'role="alert"', status_code=429)
        self.assertNotContains(response, "<html", status_code=429)

    def test_rates_are_scaled_and_overridable(self):
        with override_settings(RATE_LIMITS={"login": "30/10m"}, RATE_LIMIT_SCALE=100):
            self.assertEqual(ratelimits.rate("login"), (3000, 600))
        with override_settings(RATE_LIMITS={"login": "thirty"}):
            from django.core.exceptions import ImproperlyConfigured

            with self.assertRaises(ImproperlyConfigured):
                ratelimits.rate("login")

    def test_a_client_behind_the_trusted_proxy_is_counted_by_its_own_address(self):
        open311 = {"service_code": "PAKN", "description": "Chậm trả kết quả", "phone": "0912345678"}
        open311["first_name"] = "An"
        comment = {"name": "Bạn đọc", "email": "a@b.vn", "text": "Bài viết hữu ích."}
        route = "tin-tuc/<slug:slug>/y-kien/"
        with override_settings(RATE_LIMITS=SMALL, TRUSTED_PROXIES=["127.0.0.1"]):
            for _ in range(LIMIT):
                self.request(route, comment, HTTP_X_FORWARDED_FOR="203.0.113.5")
            refused = self.request(route, comment, HTTP_X_FORWARDED_FOR="203.0.113.5")
            other = self.request(route, comment, HTTP_X_FORWARDED_FOR="203.0.113.6")
        self.assertEqual(refused.status_code, 429)
        self.assertLess(other.status_code, 429)


# Anonymous GETs that read a record by its code: every one is counted, found or not (codes of
# dossiers are sequential per day, so counting only misses let anyone read a whole day).
PUBLIC_LOOKUPS = {
    "ho-so/tra-cuu/": ("dossier-lookup", "page"),
    "api/v1/dossiers/lookup": ("dossier-lookup", "api"),
    "pakn/tra-cuu/": ("petition-lookup", "page"),
}


@override_settings(SITE_AGENCY_CODE="TEST", RATE_LIMIT_SCALE=1)
class PublicLookupTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        procedure = make_procedure()
        cls.dossier, cls.secret = dossier_services.dossier_file_online(
            procedure=procedure,
            applicant=APPLICANT,
            files={f"component_{procedure.components.get().pk}": pdf_upload()},
            agency=cls.agency,
        )
        from cchc.feedback import services as feedback_services

        cls.petition = feedback_services.petition_submit(
            agency=cls.agency,
            sender_name="Nguyễn Văn An",
            sender_phone="0912345678",
            subject="Thời gian cấp phép quá lâu",
            content="Hồ sơ của tôi chưa được trả kết quả.",
        )

    def setUp(self):
        cache.clear()

    def tearDown(self):
        cache.clear()

    def test_every_lookup_counts_successful_ones_too(self):
        codes = {"dossier-lookup": self.dossier.code, "petition-lookup": self.petition.code}
        for route, (name, kind) in PUBLIC_LOOKUPS.items():
            with self.subTest(route=route), override_settings(RATE_LIMITS={name: f"{LIMIT}/h"}):
                cache.clear()
                for _ in range(LIMIT):
                    found = self.client.get(f"/{route}", {"code": codes[name]})
                    self.assertEqual(found.status_code, 200, route)
                    self.assertContains(found, codes[name])
                refused = self.client.get(f"/{route}", {"code": codes[name]})
                self.assertEqual(refused.status_code, 429, route)
                if kind == "api":
                    self.assertIn("quá nhiều", refused.json()["errors"][0]["message"])
                else:
                    self.assertContains(refused, "quá nhiều", status_code=429)
                other = self.client.get(f"/{route}", {"code": codes[name]}, REMOTE_ADDR="10.9.9.9")
                self.assertEqual(other.status_code, 200, route)


# POSTs of signed-in people that try a dossier's lookup secret ("my dossiers": adding a dossier
# with its code and secret). Anonymous visitors are sent to sign in, so the walk above does not
# see them: each is limited per address AND per account, and counts towards the lookup limit.
SIGNED_IN_POSTS = {
    "ho-so/cua-toi/": ("dossier-claim", "page"),
    "api/v1/dossiers/mine": ("dossier-claim", "api"),
}


@override_settings(SITE_AGENCY_CODE="TEST", RATE_LIMIT_SCALE=1)
class SignedInSecretPostTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.citizen_b = make_user("citizen_b", None)
        desk = make_user("desk", cls.leadership, [Role.ONE_STOP_OFFICER])
        cls.dossier, cls.secret = dossier_services.dossier_receive_paper(
            actor=desk, procedure=make_procedure(), applicant=APPLICANT
        )

    def setUp(self):
        cache.clear()

    def tearDown(self):
        cache.clear()

    def test_the_routes_exist_and_refuse_anonymous_visitors(self):
        known = set(routes())
        for route in SIGNED_IN_POSTS:
            self.assertIn(route, known)
            self.assertIn(self.client.post(f"/{route}", {}).status_code, (302, 401), route)

    def test_each_answers_429_over_its_limit_per_address_and_per_account(self):
        wrong = {"code": self.dossier.code, "secret": "WRONG123"}
        right = {"code": self.dossier.code, "secret": self.secret}
        limits = {"dossier-claim": f"{LIMIT}/h", "dossier-lookup": "1000/h"}
        for route, (name, kind) in SIGNED_IN_POSTS.items():
            with self.subTest(route=route), override_settings(RATE_LIMITS=limits):
                cache.clear()
                self.assertEqual(ratelimits.rate(name), (LIMIT, 3600))
                self.login_as("citizen")
                for _ in range(LIMIT):
                    self.assertLess(self.client.post(f"/{route}", wrong).status_code, 429)
                before = snapshot()
                refused = self.client.post(f"/{route}", right)
                self.assertEqual(refused.status_code, 429, route)
                if kind == "api":
                    self.assertIn("quá nhiều", refused.json()["errors"][0]["message"])
                else:
                    self.assertContains(refused, "quá nhiều", status_code=429)
                # The same account from another address: still refused (counted per account).
                moved = self.client.post(f"/{route}", right, REMOTE_ADDR="10.9.9.9")
                self.assertEqual(moved.status_code, 429, route)
                self.assertEqual(snapshot(), before)
                self.dossier.refresh_from_db()
                self.assertIsNone(self.dossier.owner, route)
                # Another account from another address is not affected.
                self.login_as("citizen_b")
                other = self.client.post(f"/{route}", wrong, REMOTE_ADDR="10.9.9.8")
                self.assertLess(other.status_code, 429, route)
