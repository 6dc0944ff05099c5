import re

from django.core.cache import cache
from django.test import override_settings

from cchc.core import ratelimits
from cchc.dossiers import services
from cchc.dossiers.models import Status
from cchc.dossiers.tests.helpers import DeskTestCase, at, pdf_upload


class LookupTests(DeskTestCase):
    def setUp(self):
        cache.clear()
        self.dossier, self.secret = self.file_online(at(2026, 3, 2, 8))
        services.dossier_accept(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 9))

    def test_with_only_the_code_it_shows_status_and_dates_but_no_personal_data(self):
        page = self.client.get("/ho-so/tra-cuu/", {"code": self.dossier.code}).content.decode()
        self.assertIn("Đã tiếp nhận", page)
        self.assertNotIn("Nguyễn Văn An", page)
        self.assertIn("Cách tính hạn", page)
        body = self.client.get("/api/v1/dossiers/lookup", {"code": self.dossier.code}).json()
        self.assertFalse(body["details"])
        self.assertNotIn("applicant_name", body)
        self.assertTrue(body["due_explanation"])
        self.assertNotIn("Nguyễn Văn An", str(body))

    def test_with_the_secret_or_the_phone_it_shows_the_timeline(self):
        for value in (self.secret, self.secret.lower(), "0912345678"):
            body = self.client.get(
                "/api/v1/dossiers/lookup", {"code": self.dossier.code, "secret": value}
            ).json()
            self.assertTrue(body["details"], value)
            self.assertEqual(body["applicant_name"], "Nguyễn Văn An")
            self.assertEqual([t["action"] for t in body["timeline"]], ["file_online", "accept"])

    def test_a_wrong_secret_is_refused(self):
        response = self.client.get(
            "/api/v1/dossiers/lookup", {"code": self.dossier.code, "secret": "WRONG123"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertIn("không khớp", response.json()["errors"][0]["message"])
        page = self.client.get(
            "/ho-so/tra-cuu/", {"code": self.dossier.code, "secret": "WRONG123"}
        ).content.decode()
        self.assertNotIn("Nguyễn Văn An", page)

    def test_repeated_failures_are_rate_limited(self):
        for _ in range(ratelimits.rate("dossier-lookup")[0]):
            self.client.get("/api/v1/dossiers/lookup", {"code": "SKHCN-000000-0000"})
        response = self.client.get(
            "/api/v1/dossiers/lookup", {"code": self.dossier.code, "secret": self.secret}
        )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(
            self.client.get("/ho-so/tra-cuu/", {"code": self.dossier.code}).status_code, 429
        )

    @override_settings(RATE_LIMITS={"dossier-lookup": "4/h"})
    def test_successful_lookups_count_too_cached_or_not(self):
        # Codes are sequential: counting only misses let anyone read a whole day's dossiers.
        url = "/api/v1/dossiers/lookup"
        for _ in range(3):  # the second and third are served from the cache
            self.assertEqual(self.client.get(url, {"code": self.dossier.code}).status_code, 200)
        page = self.client.get("/ho-so/tra-cuu/", {"code": self.dossier.code})
        self.assertContains(page, "Đã tiếp nhận")
        self.assertEqual(self.client.get(url, {"code": self.dossier.code}).status_code, 429)
        self.assertEqual(
            self.client.get("/ho-so/tra-cuu/", {"code": self.dossier.code}).status_code, 429
        )

    def test_a_code_only_lookup_needs_the_exact_code(self):
        near = self.dossier.code[:-1]
        page = self.client.get("/ho-so/tra-cuu/", {"code": near})
        self.assertContains(page, "Không tìm thấy hồ sơ")
        self.assertNotContains(page, "Đã tiếp nhận")
        self.assertEqual(
            self.client.get("/api/v1/dossiers/lookup", {"code": near}).status_code, 404
        )

    def test_the_timeline_names_every_step_and_status_in_vietnamese(self):
        with self.captureOnCommitCallbacks(execute=True):
            services.dossier_hand_over(actor=self.desk, dossier=self.dossier)
        page = self.client.get(
            "/ho-so/tra-cuu/", {"code": self.dossier.code, "secret": self.secret}
        ).content.decode()
        timeline = page.split('id="lookup-timeline"', 1)[1].split("</ol>", 1)[0]
        entries = timeline.split("<li>")[1:]
        self.assertEqual(len(entries), 3)
        self.assertIn("Nộp hồ sơ trực tuyến — Mới nộp trực tuyến", entries[0])
        self.assertIn("Tiếp nhận hồ sơ nộp trực tuyến — Đã tiếp nhận", entries[1])
        self.assertIn("Chuyển bước xử lý: ", entries[2])
        self.assertIn("Thẩm định", entries[2])
        self.assertIn("— Đang xử lý", entries[2])
        for raw in ("file_online", "accept", "hand_over", "— </li>"):
            self.assertNotIn(raw, timeline)
        body = self.client.get(
            "/api/v1/dossiers/lookup", {"code": self.dossier.code, "secret": self.secret}
        ).json()
        self.assertEqual(
            [(t["label"], t["status_label"]) for t in body["timeline"][:2]],
            [
                ("Nộp hồ sơ trực tuyến", "Mới nộp trực tuyến"),
                ("Tiếp nhận hồ sơ nộp trực tuyến", "Đã tiếp nhận"),
            ],
        )

    def test_the_cached_public_status_follows_every_transition(self):
        url = "/api/v1/dossiers/lookup"
        self.assertEqual(self.client.get(url, {"code": self.dossier.code}).json()["status"], 2)
        self.assertEqual(self.client.get(url, {"code": self.dossier.code}).json()["status"], 2)
        with self.captureOnCommitCallbacks(execute=True):
            services.dossier_hand_over(actor=self.desk, dossier=self.dossier)
        self.assertEqual(self.client.get(url, {"code": self.dossier.code}).json()["status"], 4)

    def test_cached_details_need_the_secret_and_follow_transitions(self):
        url = "/api/v1/dossiers/lookup"
        first = self.client.get(url, {"code": self.dossier.code, "secret": self.secret}).json()
        again = self.client.get(url, {"code": self.dossier.code, "secret": "0912345678"}).json()
        self.assertEqual(first, again)
        self.assertEqual(
            self.client.get(url, {"code": self.dossier.code, "secret": "WRONG123"}).status_code, 403
        )
        with self.captureOnCommitCallbacks(execute=True):
            services.dossier_hand_over(actor=self.desk, dossier=self.dossier)
        body = self.client.get(url, {"code": self.dossier.code, "secret": self.secret}).json()
        self.assertEqual(body["status"], 4)
        self.assertEqual(len(body["timeline"]), 3)


def _page(response, code: str) -> str:
    """The page without what differs between any two requests (code, CSRF token, nonces)."""
    text = response.content.decode().replace(code, "CODE")
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', r"\1=''", text)


class ResubmitTests(DeskTestCase):
    ITEMS = "Bản sao hợp đồng có chứng thực của ông Nguyễn Văn An"

    def setUp(self):
        cache.clear()
        self.dossier, self.secret = self.file_online(at(2026, 3, 2, 8))
        services.dossier_request_supplement(
            actor=self.desk, dossier=self.dossier, items=self.ITEMS, at=at(2026, 3, 2, 9)
        )
        self.url = f"/ho-so/{self.dossier.code}/bo-sung/"

    def snapshot(self):
        self.dossier.refresh_from_db()
        return self.dossier.status, self.dossier.files.count(), self.dossier.handovers.count()

    def test_what_is_asked_for_is_shown_only_with_the_secret(self):
        self.assertNotContains(self.client.get(self.url), "Nguyễn Văn An")
        lookup = "/ho-so/tra-cuu/"
        self.assertNotContains(self.client.get(lookup, {"code": self.dossier.code}), "hợp đồng")
        self.assertContains(
            self.client.get(lookup, {"code": self.dossier.code, "secret": self.secret}), self.ITEMS
        )

    def test_without_the_secret_the_page_does_not_tell_whether_a_code_exists(self):
        unknown = "TEST-20260302-9999"
        other = self.client.get(f"/ho-so/{unknown}/bo-sung/")
        mine = self.client.get(self.url)
        self.assertEqual((mine.status_code, other.status_code), (200, 200))
        self.assertEqual(_page(mine, self.dossier.code), _page(other, unknown))
        component = self.procedure.components.first()
        self.assertNotContains(mine, component.name)
        wrong = self.client.post(self.url, {"secret": "WRONG123"})
        missing = self.client.post(f"/ho-so/{unknown}/bo-sung/", {"secret": "WRONG123"})
        self.assertEqual((wrong.status_code, missing.status_code), (400, 400))
        self.assertEqual(_page(wrong, self.dossier.code), _page(missing, unknown))
        self.assertNotContains(wrong, component.name, status_code=400)
        # With the secret: what is asked for and the components.
        right = self.client.post(self.url, {"secret": self.secret})
        self.assertContains(right, self.ITEMS)
        self.assertContains(right, component.name)
        self.assertEqual(self.dossier.files.count(), 1)

    def test_the_api_answers_the_same_for_an_unknown_code_and_a_wrong_secret(self):
        unknown = self.client.post(
            "/api/v1/dossiers/TEST-20260302-9999/supplement", {"secret": "WRONG123"}
        )
        wrong = self.client.post(
            f"/api/v1/dossiers/{self.dossier.code}/supplement", {"secret": "WRONG123"}
        )
        self.assertEqual(unknown.status_code, wrong.status_code)
        self.assertEqual(unknown.json(), wrong.json())

    def test_a_wrong_secret_or_a_disguised_file_changes_nothing(self):
        component = self.procedure.components.first()
        before = self.snapshot()
        exe = pdf_upload("ban-sao.pdf", b"MZ\x90\x00" + b"\x00" * 200)
        response = self.client.post(
            self.url, {"secret": "WRONG123", f"component_{component.pk}": pdf_upload()}
        )
        self.assertContains(response, "mã tra cứu không đúng", status_code=400)
        response = self.client.post(
            self.url, {"secret": self.secret, f"component_{component.pk}": exe}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.snapshot(), before)
        response = self.client.post(
            self.url, {"secret": self.secret, f"component_{component.pk}": pdf_upload()}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.snapshot()[:2], (Status.SUBMITTED, before[1] + 1))

    def test_the_api_takes_the_supplement_with_the_secret_only(self):
        component = self.procedure.components.first()
        url = f"/api/v1/dossiers/{self.dossier.code}/supplement"
        before = self.snapshot()
        field = f"component_{component.pk}"
        response = self.client.post(url, {"secret": "WRONG123", field: pdf_upload()})
        self.assertEqual(response.status_code, 403)
        exe = pdf_upload("ban-sao.pdf", b"MZ\x90\x00" + b"\x00" * 200)
        response = self.client.post(url, {"secret": self.secret, field: exe})
        self.assertEqual(response.status_code, 400)
        self.assertIn("không đúng loại", response.json()["errors"][0]["message"])
        self.assertEqual(self.client.post(url, {"secret": self.secret}).status_code, 400)
        self.assertEqual(self.snapshot(), before)
        response = self.client.post(url, {"secret": self.secret, field: pdf_upload()})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], Status.SUBMITTED)
        self.assertNotIn("applicant_name", response.json())
        self.assertEqual(self.snapshot()[1], before[1] + 1)
        response = self.client.post(url, {"secret": self.secret, field: pdf_upload()})
        self.assertEqual(response.status_code, 404)
