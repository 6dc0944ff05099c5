from django.conf import settings
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


@override_settings(SITE_AGENCY_CODE="TEST", RATE_LIMIT_SCALE=1)
class FilingNoticeTests(DeskTestCase):
    """The filing notice goes to whatever address an anonymous filer types: it is limited per
    sender address and per recipient, and its subject carries no text the filer typed."""

    def setUp(self):
        cache.clear()

    def tearDown(self):
        cache.clear()

    def post(self, email, remote="10.0.0.1", name="Trần Thị Bình", api=False):
        component = self.procedure.components.first()
        data = {
            "procedure": self.procedure.pk,
            "applicant_kind": "person",
            "name": name,
            "id_number": "001203004567",
            "phone": "0912345678",
            "email": email,
            "address": "Phú Thọ",
            f"component_{component.pk}": pdf_upload(),
        }
        url = "/api/v1/dossiers/" if api else f"/ho-so/nop/{self.procedure.pk}/"
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, data, REMOTE_ADDR=remote)
        self.assertEqual(response.status_code, 201 if api else 302)
        return response

    @override_settings(
        RATE_LIMITS=settings.RATE_LIMITS | {"filing-mail": "100/h", "filing-mail-recipient": "2/d"}
    )
    def test_notices_to_one_recipient_are_limited_whoever_sends(self):
        from django.core import mail

        for n, api in enumerate((False, True, False, True)):
            self.post(
                "Nan.Nhan@Example.vn" if n % 2 else "nan.nhan@example.vn", f"10.0.1.{n}", api=api
            )
        self.assertEqual(Dossier.objects.count(), 4)  # filed all the same
        self.assertEqual(len(mail.outbox), 2)
        self.post("khac@example.vn", "10.0.1.9")
        self.assertEqual(len(mail.outbox), 3)

    @override_settings(
        RATE_LIMITS=settings.RATE_LIMITS | {"filing-mail": "2/h", "filing-mail-recipient": "100/d"}
    )
    def test_notices_from_one_sender_are_limited(self):
        from django.core import mail

        for n, api in enumerate((False, True, False)):
            self.post(f"nguoi{n}@example.vn", api=api)
        self.assertEqual(Dossier.objects.count(), 3)
        self.assertEqual(len(mail.outbox), 2)

    @override_settings(
        RATE_LIMITS=settings.RATE_LIMITS | {"filing-mail": "10/h", "filing-mail-recipient": "10/d"}
    )
    def test_the_subject_holds_no_text_the_filer_typed(self):
        from django.core import mail

        self.post("a@example.vn", name="Nhận thưởng 10 triệu tại http://lua-dao.example")
        dossier = Dossier.objects.get()
        (message,) = mail.outbox
        self.assertNotIn("lua-dao", message.subject)
        self.assertNotIn("thưởng", message.subject)
        self.assertIn(dossier.code, message.subject)
        self.assertIn(self.procedure.name, message.subject)


class NoticeTimeZoneTests(DeskTestCase):
    """E-mails give times as the agency reads them (settings.TIME_ZONE), not in UTC."""

    def test_a_dossier_received_at_0130_utc_is_received_at_0830_in_the_mail(self):
        import datetime as dt

        from django.core import mail

        from cchc.dossiers import services

        utc = dt.UTC
        with self.captureOnCommitCallbacks(execute=True):
            dossier, _secret = self.file_online(dt.datetime(2026, 3, 2, 1, 0, tzinfo=utc))
        with self.captureOnCommitCallbacks(execute=True):
            services.dossier_accept(
                actor=self.desk, dossier=dossier, at=dt.datetime(2026, 3, 2, 1, 30, tzinfo=utc)
            )
        submitted, received = mail.outbox
        self.assertIn("08:00 thứ Hai 02/03/2026", submitted.body)
        self.assertIn("Tiếp nhận lúc: 08:30 thứ Hai 02/03/2026", received.body)
        dossier.refresh_from_db()
        local_due = dossier.due_at.astimezone(dt.timezone(dt.timedelta(hours=7)))
        self.assertIn(f"Hẹn trả kết quả: {local_due:%H:%M}", received.body)
        self.assertNotIn("01:30", received.body)
