from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cchc.dossiers.models import Dossier
from cchc.dossiers.tests.helpers import DeskTestCase, pdf_upload


@override_settings(SITE_AGENCY_CODE="TEST")
class OnlineFilingTests(DeskTestCase):
    def setUp(self):
        cache.clear()  # the filing rate limit counts per address in the cache

    def post(self, **overrides):
        component = self.procedure.components.first()
        data = {
            "applicant_kind": "person",
            "name": "Trần Thị Bình",
            "id_number": "001203004567",
            "phone": "0912 345 678",
            "email": "binh@example.vn",
            "address": "Phú Thọ",
            f"component_{component.pk}": pdf_upload(),
        }
        data.update(overrides)
        return self.client.post(f"/ho-so/nop/{self.procedure.pk}/", data)

    def test_filing_gives_a_code_and_a_secret(self):
        response = self.post()
        self.assertRedirects(response, "/ho-so/da-nop/", fetch_redirect_response=False)
        page = self.client.get("/ho-so/da-nop/").content.decode()
        dossier = Dossier.objects.get()
        self.assertIn(dossier.code, page)
        self.assertTrue(dossier.code.startswith("TEST-"))
        self.assertEqual(dossier.status, 1)
        self.assertEqual(dossier.applicant_phone, "0912345678")
        self.assertEqual(dossier.files.count(), 1)

    def test_bad_fields_are_refused_in_vietnamese_and_nothing_is_saved(self):
        response = self.post(id_number="12345", phone="12ab", email="x@")
        page = response.content.decode()
        self.assertIn("12 chữ số", page)
        self.assertIn("Số điện thoại không hợp lệ", page)
        self.assertFalse(Dossier.objects.exists())

    def test_an_organisation_needs_a_tax_code(self):
        response = self.post(applicant_kind="organisation", id_number="001203004567")
        self.assertIn("Mã số thuế", response.content.decode())
        self.assertFalse(Dossier.objects.exists())

    def test_a_missing_or_disguised_component_is_refused(self):
        component = self.procedure.components.first()
        response = self.post(
            **{
                f"component_{component.pk}": SimpleUploadedFile(
                    "hop-dong.pdf", b"MZ\x90\x00 not a pdf"
                )
            }
        )
        self.assertIn("không đúng loại", response.content.decode())
        data = {
            "applicant_kind": "person",
            "name": "A",
            "id_number": "001203004567",
            "phone": "0912345678",
            "address": "x",
        }
        response = self.client.post(f"/ho-so/nop/{self.procedure.pk}/", data)
        self.assertIn("Thiếu", response.content.decode())
        self.assertFalse(Dossier.objects.exists())

    def test_an_oversized_component_is_refused(self):
        component = self.procedure.components.first()
        big = pdf_upload(content=b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 10))
        response = self.post(**{f"component_{component.pk}": big})
        self.assertIn("quá lớn", response.content.decode())
        self.assertFalse(Dossier.objects.exists())

    def test_the_api_files_a_dossier_and_reports_errors_as_json(self):
        component = self.procedure.components.first()
        data = {
            "procedure": self.procedure.pk,
            "applicant_kind": "person",
            "name": "Lê Văn C",
            "id_number": "001203004567",
            "phone": "0987654321",
            "address": "Phú Thọ",
            f"component_{component.pk}": pdf_upload(),
        }
        response = self.client.post("/api/v1/dossiers/", data)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(len(response.json()["secret"]), 8)
        data[f"component_{component.pk}"] = SimpleUploadedFile("a.pdf", b"plain text")
        data["phone"] = "abc"
        response = self.client.post("/api/v1/dossiers/", data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("phone", [e["field"] for e in response.json()["errors"]])
        self.assertEqual(Dossier.objects.count(), 1)

    def test_filings_from_one_address_are_rate_limited(self):
        for _ in range(20):  # 20 an hour
            self.assertEqual(self.post().status_code, 302)
        response = self.post()
        self.assertContains(response, "quá nhiều hồ sơ", status_code=429)
        component = self.procedure.components.first()
        api = self.client.post(
            "/api/v1/dossiers/",
            {
                "procedure": self.procedure.pk,
                "applicant_kind": "person",
                "name": "Lê Văn C",
                "id_number": "001203004567",
                "phone": "0987654321",
                "address": "Phú Thọ",
                f"component_{component.pk}": pdf_upload(),
            },
        )
        self.assertEqual(api.status_code, 429)
        self.assertEqual(Dossier.objects.count(), 20)
