import datetime as dt

from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from cchc.core.models import AuditEntry
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.feedback import services
from cchc.feedback.models import Petition, PetitionAttachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form_data(**extra):
    data = {
        "sender_name": "Nguyễn Văn An",
        "sender_phone": "0912345678",
        "sender_email": "an@example.vn",
        "subject": "Thời gian cấp phép quá lâu",
        "content": "Hồ sơ của tôi chưa được trả kết quả.",
        "consent_to_publish": "on",
    }
    data.update(extra)
    return data


@override_settings(SITE_AGENCY_CODE="TEST")
class SubmitTests(PersonaTestCase):
    def setUp(self):
        cache.clear()

    def test_a_citizen_files_a_petition_and_gets_a_code_to_follow_it(self):
        upload = SimpleUploadedFile("giay-to.pdf", PDF, content_type="application/pdf")
        response = self.client.post("/pakn/gui/", {**form_data(), "attachments": [upload]})
        petition = Petition.objects.get()
        self.assertContains(response, petition.code)
        self.assertRegex(petition.code, r"^PAKN-\d{6}-0001-[A-Z2-9]{4}$")
        self.assertEqual(petition.status, Petition.Status.RECEIVED)
        self.assertEqual(petition.agency, self.agency)
        self.assertEqual(PetitionAttachment.objects.get().mime, "application/pdf")
        self.assertGreater(petition.due_at, petition.triage_due_at)
        lookup = self.client.get("/pakn/tra-cuu/", {"code": petition.code})
        self.assertContains(lookup, "Đã tiếp nhận")

    def test_a_disguised_attachment_is_refused_and_nothing_is_stored(self):
        fake = SimpleUploadedFile(
            "anh.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
        )
        response = self.client.post("/pakn/gui/", {**form_data(), "attachments": [fake]})
        self.assertContains(response, "không đúng loại cho phép")
        self.assertFalse(Petition.objects.exists())

    def test_an_oversized_attachment_is_refused(self):
        big = SimpleUploadedFile("lon.pdf", PDF + b"0" * (6 * 1024 * 1024))
        response = self.client.post("/pakn/gui/", {**form_data(), "attachments": [big]})
        self.assertContains(response, "quá lớn")
        self.assertFalse(Petition.objects.exists())

    def test_it_needs_a_way_to_answer(self):
        response = self.client.post("/pakn/gui/", form_data(sender_phone="", sender_email=""))
        self.assertContains(response, "Cần ít nhất số điện thoại hoặc thư điện tử")
        self.assertFalse(Petition.objects.exists())

    def test_the_honeypot_stores_nothing(self):
        response = self.client.post("/pakn/gui/", form_data(website="http://spam"))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Petition.objects.exists())

    def test_a_flood_from_one_address_is_stopped_with_429(self):
        for _ in range(5):
            self.client.post("/pakn/gui/", form_data(), REMOTE_ADDR="10.1.1.1")
        response = self.client.post("/pakn/gui/", form_data(), REMOTE_ADDR="10.1.1.1")
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "quá nhiều", status_code=429)
        self.assertEqual(Petition.objects.count(), 5)
        other = self.client.post("/pakn/gui/", form_data(), REMOTE_ADDR="10.1.1.2")
        self.assertEqual(other.status_code, 200)

    def test_script_in_text_is_shown_escaped(self):
        self.client.post("/pakn/gui/", form_data(subject="<script>alert(1)</script>"))
        petition = Petition.objects.get()
        self.client.force_login(make_user("handler", self.unit_a, [Role.PETITION_HANDLER]))
        html = self.client.get(f"/pakn/xu-ly/{petition.code}/").content.decode()
        self.assertNotIn("<script>alert(1)</script>", html)
        self.assertIn("&lt;script&gt;", html)


class TriageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.handler = make_user("handler", cls.leadership, [Role.PETITION_HANDLER])

    def _petition(self, **extra):
        return services.petition_submit(
            agency=self.agency,
            sender_name="Trần Thị Bình",
            sender_email="binh@example.vn",
            subject="Đề nghị hướng dẫn",
            content="Nội dung",
            consent_to_publish=True,
            **extra,
        )

    def test_accept_assign_answer_publish_with_mails_and_audit(self):
        petition = self._petition()
        services.petition_accept(actor=self.handler, petition=petition)
        services.petition_assign(actor=self.handler, petition=petition, unit=self.unit_a)
        with self.captureOnCommitCallbacks(execute=True):
            services.petition_answer(actor=self.officer_a, petition=petition, answer="Trả lời")
        published = services.petition_publish(actor=self.handler, petition=petition)
        self.assertEqual(published.status, Petition.Status.PUBLISHED)
        self.assertEqual(mail.outbox[-1].to, ["binh@example.vn"])
        self.assertIn("Trả lời", mail.outbox[-1].body)
        actions = AuditEntry.objects.filter(object_id=str(petition.pk)).values_list(
            "action", flat=True
        )
        self.assertEqual(set(actions), {"receive", "accept", "assign", "answer", "publish"})
        self.assertContains(self.client.get(f"/pakn/tra-loi/{petition.code}/"), "Trả lời")

    def test_refusal_needs_a_reason_and_mails_it(self):
        petition = self._petition()
        with self.assertRaises(ValidationError):
            services.petition_refuse(actor=self.handler, petition=petition, reason="  ")
        with self.captureOnCommitCallbacks(execute=True):
            services.petition_refuse(actor=self.handler, petition=petition, reason="Nặc danh")
        self.assertIn("Nặc danh", mail.outbox[0].body)
        petition.refresh_from_db()
        self.assertEqual(petition.status, Petition.Status.REFUSED)

    def test_forwarding_after_five_working_days_needs_a_reason(self):
        petition = self._petition()
        Petition.objects.filter(pk=petition.pk).update(
            triage_due_at=timezone.now() - dt.timedelta(hours=1)
        )
        petition.refresh_from_db()
        with self.assertRaises(ValidationError) as caught:
            services.petition_forward(actor=self.handler, petition=petition, to="Sở Y tế")
        self.assertIn("5 ngày làm việc", str(caught.exception))
        self.assertEqual(Petition.objects.get(pk=petition.pk).status, Petition.Status.RECEIVED)
        services.petition_forward(
            actor=self.handler, petition=petition, to="Sở Y tế", late_reason="Chờ xác minh"
        )
        self.assertEqual(Petition.objects.get(pk=petition.pk).status, Petition.Status.FORWARDED)

    def test_publishing_without_consent_is_refused(self):
        petition = self._petition()
        Petition.objects.filter(pk=petition.pk).update(consent_to_publish=False)
        petition.refresh_from_db()
        services.petition_accept(actor=self.handler, petition=petition)
        services.petition_answer(actor=self.handler, petition=petition, answer="Đã xử lý")
        petition.refresh_from_db()
        with self.assertRaises(ValidationError):
            services.petition_publish(actor=self.handler, petition=petition)
        self.assertEqual(self.client.get(f"/pakn/tra-loi/{petition.code}/").status_code, 404)

    def test_who_sees_the_staff_pages(self):
        petition = self._petition()
        url = f"/pakn/xu-ly/{petition.code}/"
        expected = {
            "officer_a": 404,  # not assigned to their unit yet
            "leader_a": 404,
            "officer_b": 404,
            "agency_leader": 200,
            "outsider": 404,
            "citizen": 404,
        }
        for name, status in expected.items():
            self.login_as(name)
            self.assertEqual(self.client.get(url).status_code, status, name)
        self.login_as("anonymous")
        self.assertEqual(self.client.get(url).status_code, 302)
        services.petition_accept(actor=self.handler, petition=petition, unit=self.unit_a)
        self.login_as("officer_a")
        self.assertEqual(self.client.get(url).status_code, 200)
        # A unit officer may answer but not triage (refused with the reason, like dossiers).
        response = self.client.post(url + "refuse/", {"reason": "x"})
        self.assertContains(response, "cán bộ xử lý PAKN", status_code=403)
        self.assertEqual(Petition.objects.get(pk=petition.pk).status, Petition.Status.ACCEPTED)
        response = self.client.post(url + "answer/", {"answer": "Đã xử lý xong"})
        self.assertEqual(Petition.objects.get(pk=petition.pk).status, Petition.Status.ANSWERED)
        self.assertEqual(response.status_code, 302)

    def test_the_queue_and_every_action_are_enforced_for_every_persona(self):
        petition = self._petition()
        services.petition_accept(actor=self.handler, petition=petition, unit=self.unit_a)
        editor = make_user("editor", self.unit_b, [Role.EDITOR])
        queue = {  # persona: status of the queue, petition listed
            "officer_a": (200, True),
            "leader_a": (200, True),
            "officer_b": (200, False),
            "agency_leader": (200, True),
            "outsider": (200, False),
            "citizen": (404, False),
        }
        for name, (status, listed) in queue.items():
            self.login_as(name)
            response = self.client.get("/pakn/xu-ly/")
            self.assertEqual(response.status_code, status, name)
            self.assertEqual(petition.code in response.content.decode(), listed, name)
        self.client.force_login(editor)
        self.assertNotContains(self.client.get("/pakn/xu-ly/"), petition.code)
        self.client.force_login(self.handler)
        self.assertContains(self.client.get("/pakn/xu-ly/"), petition.code)
        self.login_as("anonymous")
        self.assertEqual(self.client.get("/pakn/xu-ly/").status_code, 302)
        # Actions: those who cannot see the petition get 404, and nothing changes.
        url = f"/pakn/xu-ly/{petition.code}/"
        for name in ("officer_b", "outsider", "citizen"):
            self.login_as(name)
            for action, data in (("answer", {"answer": "x"}), ("refuse", {"reason": "x"})):
                response = self.client.post(url + action + "/", data)
                self.assertEqual(response.status_code, 404, (name, action))
        self.client.force_login(editor)
        self.assertEqual(self.client.post(url + "answer/", {"answer": "x"}).status_code, 404)
        self.login_as("anonymous")
        self.assertEqual(self.client.post(url + "answer/", {"answer": "x"}).status_code, 302)
        self.assertEqual(Petition.objects.get(pk=petition.pk).status, Petition.Status.ACCEPTED)
        # The unit answers; only a handler publishes.
        self.login_as("officer_a")
        self.client.post(url + "answer/", {"answer": "Đã xử lý"})
        self.client.post(url + "publish/")
        self.assertEqual(Petition.objects.get(pk=petition.pk).status, Petition.Status.ANSWERED)
        self.client.force_login(self.handler)
        self.client.post(url + "publish/")
        self.assertEqual(Petition.objects.get(pk=petition.pk).status, Petition.Status.PUBLISHED)
        self.assertEqual(self.client.post(url + "unknown/").status_code, 404)

    def test_the_queue_highlights_overdue_petitions(self):
        petition = self._petition()
        Petition.objects.filter(pk=petition.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
        self.client.force_login(self.handler)
        self.assertContains(self.client.get("/pakn/xu-ly/"), "quá hạn")


class LookupTests(PersonaTestCase):
    def test_lookups_are_limited_per_address(self):
        cache.clear()
        for _ in range(30):
            self.client.get("/pakn/tra-cuu/", {"code": "PAKN-000000-0001-AAAA"})
        response = self.client.get("/pakn/tra-cuu/", {"code": "PAKN-000000-0001-AAAB"})
        self.assertEqual(response.status_code, 429)


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
class AttachmentDownloadTests(PersonaTestCase):
    """Staff who may see the petition download its attachments, like dossier files."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.handler = make_user("handler", cls.leadership, [Role.PETITION_HANDLER])
        cls.other_handler = make_user("other_handler", cls.other_unit, [Role.PETITION_HANDLER])

    def setUp(self):
        self.petition = services.petition_submit(
            agency=self.agency,
            sender_name="Trần Thị Bình",
            sender_email="binh@example.vn",
            subject="Đề nghị hướng dẫn",
            content="Nội dung",
            attachments=[SimpleUploadedFile("giấy tờ.pdf", PDF, content_type="text/html")],
        )
        self.attachment = self.petition.attachments.get()
        self.url = f"/pakn/xu-ly/{self.petition.code}/tep/{self.attachment.pk}/"

    def test_those_who_see_the_petition_download_it_as_an_attachment(self):
        self.client.force_login(self.handler)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertIn("filename*=utf-8''gi%E1%BA%A5y", response["Content-Disposition"])
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Type"], "application/pdf")  # sniffed, not as sent
        self.assertEqual(b"".join(response.streaming_content), PDF)
        detail = self.client.get(f"/pakn/xu-ly/{self.petition.code}/")
        self.assertContains(detail, f'href="{self.url}"')
        self.assertEqual(self.client.head(self.url).status_code, 200)

    def test_everyone_else_gets_404_including_the_other_agencys_handler(self):
        expected = {
            "agency_leader": 200,
            "officer_a": 404,  # not assigned to their unit
            "officer_b": 404,
            "outsider": 404,
            "citizen": 404,
        }
        for name, status in expected.items():
            self.login_as(name)
            self.assertEqual(self.client.get(self.url).status_code, status, name)
        self.client.force_login(self.other_handler)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.get(f"/pakn/xu-ly/{self.petition.code}/").status_code, 404)
        self.login_as("anonymous")
        self.assertEqual(self.client.get(self.url).status_code, 302)
        # Once assigned to unit A, its officer sees the petition and so its file.
        services.petition_accept(actor=self.handler, petition=self.petition, unit=self.unit_a)
        self.login_as("officer_a")
        self.assertEqual(self.client.get(self.url).status_code, 200)
        self.assertEqual(self.client.post(self.url).status_code, 405)

    def test_an_attachment_of_another_petition_is_not_reached_through_this_one(self):
        other = services.petition_submit(
            agency=self.agency,
            sender_name="Lê Văn Cường",
            sender_email="cuong@example.vn",
            subject="Khác",
            content="Nội dung",
            attachments=[SimpleUploadedFile("khac.pdf", PDF)],
        )
        self.client.force_login(self.handler)
        item = other.attachments.get()
        url = f"/pakn/xu-ly/{self.petition.code}/tep/{item.pk}/"
        self.assertEqual(self.client.get(url).status_code, 404)
