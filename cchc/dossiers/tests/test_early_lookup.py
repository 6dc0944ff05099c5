"""Lookups already answered are served before the middleware stack (cchc/dossiers/middleware.py)
with the same body, limit and headers as the whole stack gives."""

from django.core.cache import cache
from django.test import override_settings

from cchc.dossiers import services
from cchc.dossiers.middleware import HIT_HEADER
from cchc.dossiers.tests.helpers import DeskTestCase, at

URL = "/api/v1/dossiers/lookup"


class EarlyLookupTests(DeskTestCase):
    def setUp(self):
        cache.clear()
        self.dossier, self.secret = self.file_online(at(2026, 3, 2, 8))

    def test_a_repeated_lookup_is_answered_before_sessions_with_the_same_headers(self):
        first = self.client.get(URL, {"code": self.dossier.code})
        # The first answer of this process may already be early; ask until it is.
        second = self.client.get(URL, {"code": self.dossier.code})
        third = self.client.get(URL, {"code": self.dossier.code})
        self.assertEqual(third.get(HIT_HEADER), "hit")
        self.assertFalse(hasattr(third.wsgi_request, "session"))
        self.assertEqual(third.json(), first.json())
        self.assertEqual(second.json(), first.json())
        for header in ("Content-Security-Policy", "X-Content-Type-Options", "Content-Type"):
            self.assertEqual(third[header], first[header])
        self.assertNotEqual(third["X-Request-ID"], first["X-Request-ID"])

    def test_details_only_with_the_matching_secret(self):
        for _ in range(3):
            self.client.get(URL, {"code": self.dossier.code, "secret": self.secret})
        good = self.client.get(URL, {"code": self.dossier.code, "secret": self.secret})
        self.assertEqual(good.get(HIT_HEADER), "hit")
        self.assertEqual(good.json()["applicant_name"], "Nguyễn Văn An")
        wrong = self.client.get(URL, {"code": self.dossier.code, "secret": "WRONG123"})
        self.assertIsNone(wrong.get(HIT_HEADER))
        self.assertEqual(wrong.status_code, 403)
        self.assertNotIn("Nguyễn Văn An", wrong.content.decode())

    @override_settings(RATE_LIMITS={"dossier-lookup": "4/h"})
    def test_early_answers_count_against_the_lookup_limit(self):
        statuses = [self.client.get(URL, {"code": self.dossier.code}).status_code for _ in range(6)]
        self.assertEqual(statuses, [200, 200, 200, 200, 429, 429])

    def test_a_transition_is_seen_at_once(self):
        for _ in range(3):
            before = self.client.get(URL, {"code": self.dossier.code})
        self.assertEqual(before.get(HIT_HEADER), "hit")
        with self.captureOnCommitCallbacks(execute=True):  # the cache is cleared on commit
            services.dossier_accept(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 9))
        after = self.client.get(URL, {"code": self.dossier.code})
        self.assertIsNone(after.get(HIT_HEADER))
        self.assertNotEqual(after.json()["status"], before.json()["status"])

    def test_the_headers_are_learned_per_scheme(self):
        for _ in range(3):
            self.client.get(URL, {"code": self.dossier.code})
        over_https = self.client.get(URL, {"code": self.dossier.code}, secure=True)
        # Never an http answer's headers on https (HSTS, redirects): the whole stack answers.
        self.assertIsNone(over_https.get(HIT_HEADER))
