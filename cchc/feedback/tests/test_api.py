from django.core.cache import cache
from django.test import override_settings

from cchc.core.testing import PersonaTestCase
from cchc.feedback.models import Petition


@override_settings(SITE_AGENCY_CODE="TEST")
class FeedbackApiTests(PersonaTestCase):
    def setUp(self):
        cache.clear()

    def _post(self, **extra):
        data = {
            "sender_name": "Phạm Văn D",
            "sender_email": "d@example.vn",
            "subject": "Kiến nghị",
            "content": "<b>Nội dung</b>",
        }
        data.update(extra)
        return self.client.post(
            "/api/v1/feedback/petitions/", data, content_type="application/json"
        )

    def test_a_petition_is_filed_through_the_api(self):
        response = self._post()
        self.assertEqual(response.status_code, 201)
        petition = Petition.objects.get()
        self.assertEqual(response.json()["code"], petition.code)
        self.assertEqual(petition.channel, Petition.Channel.API)

    def test_bad_input_gives_vietnamese_errors_and_stores_nothing(self):
        response = self._post(subject="", sender_email="")
        self.assertEqual(response.status_code, 400)
        fields = {e["field"] for e in response.json()["errors"]}
        self.assertIn("subject", fields)
        self.assertFalse(Petition.objects.exists())
        response = self._post(sender_email="")
        self.assertEqual(response.status_code, 400)
        self.assertIn("điện thoại", response.json()["errors"][0]["message"])

    def test_a_flood_gets_429(self):
        for _ in range(5):
            self._post()
        response = self._post()
        self.assertEqual(response.status_code, 429)
        self.assertEqual(Petition.objects.count(), 5)

    def test_counters_and_answers_are_public(self):
        self._post()
        counters = self.client.get("/api/v1/feedback/counters/").json()
        self.assertEqual(counters["in_process"], 1)
        self.assertIn("Đã trả lời", counters["rule"])
        self.assertEqual(self.client.get("/api/v1/feedback/answers/").json()["count"], 0)


@override_settings(SITE_AGENCY_CODE="TEST")
class FeedbackApiUploadTests(PersonaTestCase):
    def test_attachments_come_as_multipart_and_are_checked(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        cache.clear()
        data = {
            "sender_name": "A",
            "sender_phone": "0912",
            "subject": "Có tệp",
            "content": "Nội dung",
        }
        bad = self.client.post(
            "/api/v1/feedback/petitions/",
            {**data, "attachments": [SimpleUploadedFile("a.pdf", b"not a pdf")]},
        )
        self.assertEqual(bad.status_code, 400)
        self.assertIn("không đúng loại", bad.json()["errors"][0]["message"])
        self.assertFalse(Petition.objects.exists())
        good = self.client.post(
            "/api/v1/feedback/petitions/",
            {**data, "attachments": [SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")]},
        )
        self.assertEqual(good.status_code, 201)
        self.assertEqual(Petition.objects.get().attachments.count(), 1)
