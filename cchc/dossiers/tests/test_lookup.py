from django.core.cache import cache

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
        for _ in range(11):
            self.client.get("/api/v1/dossiers/lookup", {"code": "SKHCN-000000-0000"})
        response = self.client.get(
            "/api/v1/dossiers/lookup", {"code": self.dossier.code, "secret": self.secret}
        )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(
            self.client.get("/ho-so/tra-cuu/", {"code": self.dossier.code}).status_code, 429
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

    def test_a_wrong_secret_or_a_disguised_file_changes_nothing(self):
        component = self.procedure.components.first()
        before = self.snapshot()
        exe = pdf_upload("ban-sao.pdf", b"MZ\x90\x00" + b"\x00" * 200)
        response = self.client.post(
            self.url, {"secret": "WRONG123", f"component_{component.pk}": pdf_upload()}
        )
        self.assertContains(response, "Mã tra cứu không đúng", status_code=400)
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
