"""The citizen forms (online filing, supplement, petition, article comment) as GOV.UK-style
question pages: optional fields marked, an error summary whose links reach their fields, keyboard
and autofill hints, required file inputs, and confirmation pages that say what happens next."""

from html.parser import HTMLParser

from django.core.cache import cache
from django.test import override_settings

from cchc.dossiers import services as dossier_services
from cchc.dossiers.models import Dossier
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at, pdf_upload
from cchc.feedback.models import Petition
from cchc.portal.models import Comment
from cchc.portal.tests import factories
from cchc.procedures.models import Component

OPTIONAL = "(không bắt buộc)"
RULE = "Mọi mục đều phải điền, trừ các mục ghi “(không bắt buộc)”."


class Page(HTMLParser):
    """The elements of a page by id, the text of each label by its `for`, and the title."""

    def __init__(self, html: str):
        super().__init__()
        self.by_id, self.labels, self.elements = {}, {}, []
        self.title, self._label, self._in_title = "", None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v if v is not None else "" for k, v in attrs}
        self.elements.append((tag, attrs))
        if "id" in attrs:
            self.by_id[attrs["id"]] = (tag, attrs)
        if tag == "label" and "for" in attrs:
            self._label = attrs["for"]
            self.labels[self._label] = ""
        self._in_title = self._in_title or tag == "title"

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._label:
            self.labels[self._label] += data
        if self._in_title:
            self.title += data

    def label(self, field_id: str) -> str:
        return " ".join(self.labels[field_id].split())

    def summary_links(self) -> list[str]:
        """The targets of the error summary's links, in order."""
        inside, links = False, []
        for tag, attrs in self.elements:
            if "data-error-summary" in attrs:
                inside = True
            elif inside and tag == "a":
                links.append(attrs["href"])
            elif inside and tag in ("h1", "form"):
                break
        return links

    def summary(self):
        return next((a for _t, a in self.elements if "data-error-summary" in a), None)


class CitizenFormAsserts:
    def assertMarked(self, page: Page, required: list[str], optional: list[str]):
        for field_id in required:
            self.assertIn(field_id, page.labels, field_id)
            self.assertNotIn(OPTIONAL, page.label(field_id), field_id)
        for field_id in optional:
            self.assertTrue(page.label(field_id).endswith(OPTIONAL), page.label(field_id))

    def assertSummaryReachesFields(self, page: Page, expected: list[str]):
        """Each link of the summary names an element of the page, and that element's
        aria-describedby names its error message, which exists."""
        summary = page.summary()
        self.assertIsNotNone(summary, "no error summary")
        self.assertEqual(summary["role"], "alert")
        self.assertEqual(summary["tabindex"], "-1")
        self.assertTrue(page.title.startswith("Lỗi: "), page.title)
        links = page.summary_links()
        self.assertEqual([link.removeprefix("#") for link in links], expected)
        for link in links:
            tag, attrs = page.by_id[link.removeprefix("#")]
            self.assertIn(tag, ("input", "select", "textarea"))
            described = attrs.get("aria-describedby", "").split()
            errors = [i for i in described if i.endswith("_error")]
            self.assertTrue(errors, (link, attrs))
            self.assertTrue(all(i in page.by_id for i in errors), (link, described))
            self.assertEqual(attrs.get("aria-invalid"), "true", link)


@override_settings(SITE_AGENCY_CODE="TEST")
class FilingFormTests(CitizenFormAsserts, DeskTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.required_part = cls.procedure.components.get()
        cls.optional_part = Component.objects.create(
            procedure=cls.procedure, order=2, name="Giấy ủy quyền", required=False
        )
        cls.url = f"/ho-so/nop/{cls.procedure.pk}/"

    def setUp(self):
        cache.clear()

    def fields(self, **overrides):
        data = {
            "applicant_kind": "person",
            "name": "Trần Thị Bình",
            "id_number": "001203004567",
            "phone": "0912345678",
            "email": "binh@example.vn",
            "address": "Phú Thọ",
            f"component_{self.required_part.pk}": pdf_upload(),
        }
        data.update(overrides)
        return {k: v for k, v in data.items() if v is not None}

    def test_it_marks_the_optional_fields_and_states_the_rule_once(self):
        body = self.client.get(self.url).content.decode()
        page = Page(body)
        self.assertEqual(body.count(RULE), 1)
        self.assertMarked(
            page,
            required=["id_applicant_kind", "id_name", "id_id_number", "id_phone", "id_address"],
            optional=["id_email", "id_representative_name", "id_representative_phone"],
        )
        self.assertMarked(
            page,
            required=[f"id_component_{self.required_part.pk}"],
            optional=[f"id_component_{self.optional_part.pk}"],
        )
        self.assertNotIn("(bắt buộc)", body)

    def test_personal_fields_bring_the_right_keyboard_and_autofill(self):
        page = Page(self.client.get(self.url).content.decode())
        expected = {
            "id_name": {"autocomplete": "name"},
            "id_phone": {"type": "tel", "inputmode": "tel", "autocomplete": "tel"},
            "id_id_number": {"inputmode": "numeric"},
            "id_email": {"type": "email", "autocomplete": "email"},
            "id_address": {"autocomplete": "street-address"},
            "id_representative_phone": {"type": "tel", "inputmode": "tel"},
        }
        for field_id, attrs in expected.items():
            _tag, found = page.by_id[field_id]
            self.assertEqual({k: found.get(k) for k in attrs}, attrs, field_id)

    def test_file_inputs_are_required_as_their_component_and_accept_the_allowed_kinds(self):
        page = Page(self.client.get(self.url).content.decode())
        _tag, required = page.by_id[f"id_component_{self.required_part.pk}"]
        _tag, optional = page.by_id[f"id_component_{self.optional_part.pk}"]
        self.assertIn("required", required)
        self.assertNotIn("required", optional)
        for attrs in (required, optional):
            self.assertEqual(attrs["type"], "file")
            kinds = attrs["accept"].split(",")
            self.assertTrue({".pdf", ".jpg", ".png", ".docx", ".xlsx"} <= set(kinds), kinds)
            self.assertNotIn(".exe", kinds)

    def test_errors_are_summed_up_with_links_to_each_field_and_nothing_is_saved(self):
        data = self.fields(name="", phone="12ab", **{f"component_{self.required_part.pk}": None})
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 200)
        page = Page(response.content.decode())
        self.assertSummaryReachesFields(
            page, ["id_name", "id_phone", f"id_component_{self.required_part.pk}"]
        )
        self.assertFalse(Dossier.objects.exists())

    def test_the_server_still_refuses_a_missing_required_file(self):
        data = self.fields(**{f"component_{self.required_part.pk}": None})
        body = self.client.post(self.url, data).content.decode()
        self.assertIn("Thiếu “Đơn đề nghị”", body)
        self.assertFalse(Dossier.objects.exists())

    def test_the_secret_is_shown_once_on_a_page_no_cache_keeps(self):
        response = self.client.post(self.url, self.fields())
        self.assertRedirects(response, "/ho-so/da-nop/", fetch_redirect_response=False)
        dossier = Dossier.objects.get()
        secret = self.client.session["filed"]["secret"]
        shown = self.client.get("/ho-so/da-nop/")
        self.assertContains(shown, secret)
        self.assertIn("no-store", shown["Cache-Control"])
        self.assertContains(shown, "chỉ hiển thị một lần")
        self.assertContains(shown, f"/ho-so/tra-cuu/?code={dossier.code}")
        self.assertContains(shown, "In biên nhận")
        again = self.client.get("/ho-so/da-nop/")
        self.assertEqual(again.status_code, 302)
        self.assertNotContains(self.client.get(again["Location"]), secret)
        self.assertTrue(dossier.secret_matches(secret))

    def test_another_visitor_never_sees_someone_elses_secret(self):
        self.client.post(self.url, self.fields())
        secret = self.client.session["filed"]["secret"]
        for person in (None, self.outsider, self.desk):
            other = self.client_class()
            if person:
                other.force_login(person)
            response = other.get("/ho-so/da-nop/", follow=True)
            self.assertNotContains(response, secret)

    def test_the_confirmation_says_what_happens_next_from_the_dossiers_own_dates(self):
        # Filed on Friday 13/11/2026 at 09:00: the desk asks for any supplement within 3
        # working days, by Wednesday 18/11/2026.
        dossier, secret = self.file_online(at(2026, 11, 13, 9))
        session = self.client.session
        session["filed"] = {"code": dossier.code, "secret": secret}
        session.save()
        body = self.client.get("/ho-so/da-nop/").content.decode()
        self.assertIn("trong 3 ngày làm việc, chậm nhất ngày 18/11/2026", body)
        self.assertIn("thời hạn giải quyết 5 ngày làm việc", body)
        self.assertIn("09:00 13/11/2026", body)
        self.assertIn(APPLICANT.name, body)


@override_settings(SITE_AGENCY_CODE="TEST")
class SupplementFormTests(CitizenFormAsserts, DeskTestCase):
    def setUp(self):
        cache.clear()
        self.dossier, self.secret = self.file_online(at(2026, 3, 2, 8))
        dossier_services.dossier_request_supplement(
            actor=self.desk, dossier=self.dossier, items="Bản sao hợp đồng", at=at(2026, 3, 2, 9)
        )
        self.url = f"/ho-so/{self.dossier.code}/bo-sung/"

    def test_a_wrong_secret_is_summed_up_with_a_link_to_the_secret_field(self):
        response = self.client.post(self.url, {"secret": "WRONG123"})
        self.assertEqual(response.status_code, 400)
        self.assertSummaryReachesFields(Page(response.content.decode()), ["secret"])

    def test_sending_without_a_file_is_refused_beside_the_files(self):
        response = self.client.post(self.url, {"secret": self.secret, "step": "send"})
        self.assertEqual(response.status_code, 400)
        page = Page(response.content.decode())
        component = self.procedure.components.first()
        self.assertSummaryReachesFields(page, [f"component_{component.pk}"])
        self.assertIn("ít nhất một tệp", response.content.decode())
        self.assertEqual(self.dossier.files.count(), 1)
        _tag, attrs = page.by_id[f"component_{component.pk}"]
        self.assertIn(".pdf", attrs["accept"])
        self.assertTrue(page.label(f"component_{component.pk}").endswith(OPTIONAL))


@override_settings(SITE_AGENCY_CODE="TEST")
class PetitionFormTests(CitizenFormAsserts, DeskTestCase):
    url = "/pakn/gui/"

    def setUp(self):
        cache.clear()

    def test_it_marks_the_optional_fields_and_hints_the_keyboard(self):
        page = Page(self.client.get(self.url).content.decode())
        self.assertMarked(
            page,
            required=["id_sender_name", "id_subject", "id_content"],
            optional=["id_sender_phone", "id_sender_email", "id_sender_address"],
        )
        expected = {
            "id_sender_name": {"autocomplete": "name"},
            "id_sender_phone": {"inputmode": "tel", "autocomplete": "tel"},
            "id_sender_email": {"type": "email", "autocomplete": "email"},
            "id_sender_address": {"autocomplete": "street-address"},
        }
        for field_id, attrs in expected.items():
            _tag, found = page.by_id[field_id]
            self.assertEqual({k: found.get(k) for k in attrs}, attrs, field_id)
        _tag, files = page.by_id["id_attachments"]
        self.assertIn(".pdf", files["accept"])
        self.assertNotIn("required", files)

    def test_errors_are_summed_up_with_links_to_each_field(self):
        response = self.client.post(self.url, {"sender_name": "", "subject": "Chậm"})
        page = Page(response.content.decode())
        self.assertSummaryReachesFields(page, ["id_sender_name", "id_sender_email", "id_content"])
        self.assertFalse(Petition.objects.exists())

    def test_the_confirmation_gives_the_code_the_deadlines_and_the_lookup(self):
        response = self.client.post(
            self.url,
            {"sender_name": "An", "sender_phone": "0912345678", "subject": "S", "content": "C"},
        )
        petition = Petition.objects.get()
        self.assertContains(response, petition.code)
        self.assertContains(response, "Việc tiếp theo")
        self.assertContains(response, petition.triage_due_at.astimezone().strftime("%d/%m/%Y"))
        self.assertContains(response, f"/pakn/tra-cuu/?code={petition.code}")


class CommentFormTests(CitizenFormAsserts, DeskTestCase):
    def setUp(self):
        cache.clear()
        self.article = factories.article(factories.category(), "Bài có ý kiến")
        self.url = self.article.get_absolute_url() + "y-kien/"

    def test_every_field_is_required_and_hints_autofill(self):
        body = self.client.get(self.url).content.decode()
        page = Page(body)
        self.assertIn(RULE, body)
        self.assertMarked(page, required=["id_name", "id_email", "id_text"], optional=[])
        self.assertEqual(page.by_id["id_name"][1].get("autocomplete"), "name")
        self.assertEqual(page.by_id["id_email"][1].get("autocomplete"), "email")

    def test_errors_are_summed_up_with_links_to_each_field(self):
        response = self.client.post(self.url, {"name": "", "email": "x@", "text": ""})
        self.assertEqual(response.status_code, 200)
        page = Page(response.content.decode())
        self.assertSummaryReachesFields(page, ["id_name", "id_email", "id_text"])
        self.assertFalse(Comment.objects.exists())

    def test_a_sent_comment_says_it_awaits_moderation(self):
        response = self.client.post(self.url, {"name": "An", "email": "a@b.vn", "text": "Hay"})
        self.assertContains(response, "chờ kiểm duyệt")
        self.assertContains(response, self.article.get_absolute_url())
        self.assertEqual(Comment.objects.get().text, "Hay")
