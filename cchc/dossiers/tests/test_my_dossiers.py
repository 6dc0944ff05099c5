"""\"My dossiers\": a signed-in citizen's own dossiers (filed online while signed in, or claimed
with the code and the lookup secret), what is asked of them and the forms they may download.
Nobody else, citizen or staff of any agency, sees anything of them through these pages."""

import threading
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext

from cchc.core.models import AuditEntry, Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, Status
from cchc.dossiers.tests.helpers import (
    APPLICANT,
    VN,
    DeskTestCase,
    at,
    make_procedure,
    pdf_upload,
)

MINE = "/ho-so/cua-toi/"
API = "/api/v1/dossiers/mine"
WRONG = "Mã hồ sơ hoặc mã tra cứu không đúng."


@override_settings(SITE_AGENCY_CODE="TEST")
class MyDossiersTestCase(DeskTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.citizen_b = make_user("citizen_b", None)
        cls.other_desk = make_user("other_desk", cls.other_unit, [Role.ONE_STOP_OFFICER])

    def setUp(self):
        cache.clear()

    def receive_paper(self, moment=None):
        return services.dossier_receive_paper(
            actor=self.desk,
            procedure=self.procedure,
            applicant=APPLICANT,
            at=moment or at(2026, 3, 3),
        )

    def claim(self, code, secret, **extra):
        return self.client.post(MINE, {"code": code, "secret": secret}, **extra)


class FiledWhileSignedInTests(MyDossiersTestCase):
    def filing(self):
        component = self.procedure.components.get()
        return {
            "applicant_kind": "person",
            "name": "Trần Thị Bình",
            "id_number": "001203004567",
            "phone": "0912345678",
            "address": "Phú Thọ",
            f"component_{component.pk}": pdf_upload(),
        }

    def test_a_dossier_filed_on_the_page_while_signed_in_is_in_the_filers_list(self):
        self.login_as("citizen")
        filed = self.client.post(f"/ho-so/nop/{self.procedure.pk}/", self.filing(), follow=True)
        self.assertContains(filed, f'href="{MINE}"')
        dossier = Dossier.objects.get()
        self.assertEqual(dossier.owner, self.citizen)
        page = self.client.get(MINE)
        self.assertContains(page, dossier.code)
        self.assertContains(page, "Mới nộp trực tuyến")
        self.assertContains(page, f"{MINE}{dossier.code}/")
        self.login_as("citizen_b")
        self.assertNotContains(self.client.get(MINE), dossier.code)

    def test_a_dossier_filed_through_the_api_while_signed_in_is_in_the_api_list(self):
        self.login_as("citizen")
        data = self.filing() | {"procedure": self.procedure.pk}
        self.assertEqual(self.client.post("/api/v1/dossiers/", data).status_code, 201)
        code = Dossier.objects.get().code
        rows = self.client.get(API).json()
        self.assertEqual([r["code"] for r in rows], [code])
        self.assertEqual(rows[0]["status_label"], "Mới nộp trực tuyến")
        self.assertEqual(rows[0]["forms"], [])  # nothing received yet: no receipt
        self.login_as("citizen_b")
        self.assertEqual(self.client.get(API).json(), [])

    def test_an_anonymous_filing_has_no_owner_and_the_pages_ask_to_sign_in(self):
        self.login_as("anonymous")
        self.client.post(f"/ho-so/nop/{self.procedure.pk}/", self.filing())
        self.assertIsNone(Dossier.objects.get().owner)
        response = self.client.get(MINE)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/dang-nhap/", response["Location"])
        self.assertEqual(self.client.get(API).status_code, 401)


class PrivacyTests(MyDossiersTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, _ = self.file_online(at(2026, 3, 2, 8), owner=self.citizen)
        services.dossier_accept(actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 9))
        code = self.dossier.code
        self.urls = (f"{MINE}{code}/", f"{MINE}{code}/mau/bm01.pdf", f"{MINE}{code}/mau/bm01.html")

    def test_the_owner_sees_the_dossier_and_downloads_the_receipt(self):
        self.login_as("citizen")
        detail = self.client.get(self.urls[0])
        self.assertContains(detail, self.dossier.code)
        self.assertContains(detail, "Đã tiếp nhận")
        self.assertContains(detail, self.urls[1])
        pdf = self.client.get(self.urls[1])
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        html = self.client.get(self.urls[2])
        self.assertContains(html, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ")
        self.assertNotContains(html, f'/ho-so/{self.dossier.code}/"')  # no staff link

    def test_another_citizen_and_staff_of_any_agency_see_nothing(self):
        for persona in (
            "citizen_b",
            "outsider",
            "other_desk",
            "officer_a",
            "desk",
            "agency_leader",
        ):
            self.client.logout()
            self.client.force_login(getattr(self, persona))
            for url in self.urls:
                self.assertEqual(self.client.get(url).status_code, 404, (persona, url))
            self.assertNotContains(self.client.get(MINE), self.dossier.code)
            self.assertNotIn(self.dossier.code, self.client.get(API).content.decode())
        self.client.logout()
        for url in self.urls:
            self.assertIn("/dang-nhap/", self.client.get(url)["Location"])

    def test_internal_forms_and_forms_whose_event_did_not_happen_are_not_served(self):
        self.login_as("citizen")
        code = self.dossier.code
        # BM.05 is the agency's internal slip; BM.02-BM.04 only once their event happened.
        for form_code in ("bm05", "bm02", "bm03", "bm04", "bm99"):
            for fmt in ("pdf", "html"):
                url = f"{MINE}{code}/mau/{form_code}.{fmt}"
                self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.get(f"{MINE}{code}/mau/bm01.docx").status_code, 404)


class AskedOfThemTests(MyDossiersTestCase):
    def test_a_supplement_request_shows_what_is_asked_and_the_form(self):
        dossier, _ = self.file_online(at(2026, 3, 2, 8), owner=self.citizen)
        services.dossier_request_supplement(
            actor=self.desk, dossier=dossier, items="Bản sao hợp đồng có chứng thực"
        )
        self.login_as("citizen")
        page = self.client.get(MINE)
        self.assertContains(page, "Chờ bổ sung")
        self.assertContains(page, "Bản sao hợp đồng có chứng thực")
        self.assertContains(page, f"/ho-so/{dossier.code}/bo-sung/")
        self.assertContains(page, f"{MINE}{dossier.code}/mau/bm02.pdf")
        row = self.client.get(API).json()[0]
        self.assertEqual(row["asks"][0]["kind"], "supplement")
        self.assertIn("Bản sao hợp đồng", row["asks"][0]["text"])
        self.assertEqual([f["code"] for f in row["forms"]], ["bm02"])

    def test_fees_due_and_the_due_date_are_shown(self):
        dossier, _ = self.receive_paper()
        Dossier.objects.filter(pk=dossier.pk).update(
            owner=self.citizen, status=Status.FEES, fee_amount=Decimal("500000")
        )
        dossier.refresh_from_db()
        self.login_as("citizen")
        page = self.client.get(MINE)
        self.assertContains(page, "Chờ nộp phí, lệ phí")
        self.assertContains(page, "500.000")
        self.assertContains(page, f"{dossier.effective_due.astimezone(VN):%d/%m/%Y}")
        row = self.client.get(API).json()[0]
        self.assertEqual(row["asks"], [{"kind": "fees", "text": row["asks"][0]["text"]}])
        self.assertIn("500.000", row["asks"][0]["text"])
        self.assertEqual([f["code"] for f in row["forms"]], ["bm01"])

    def test_the_list_does_not_query_per_row(self):
        def count():
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(MINE).status_code, 200)
            return len(queries)

        self.login_as("citizen")
        first, _ = self.file_online(at(2026, 3, 2, 8), owner=self.citizen)
        services.dossier_request_supplement(actor=self.desk, dossier=first, items="Bản chụp")
        one = count()
        for hour in (9, 10, 11):
            dossier, _ = self.file_online(at(2026, 3, 2, hour), owner=self.citizen)
            services.dossier_request_supplement(actor=self.desk, dossier=dossier, items="Bản")
        self.assertLessEqual(count(), one)


class ClaimTests(MyDossiersTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.secret = self.receive_paper()

    def test_a_paper_dossier_is_claimed_with_its_code_and_secret(self):
        self.login_as("citizen")
        page = self.claim(self.dossier.code.lower(), self.secret.lower(), follow=True)
        self.assertRedirects(page, MINE)
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.owner, self.citizen)
        self.assertContains(page, "Đã thêm hồ sơ")
        self.assertContains(page, self.dossier.code)
        entry = AuditEntry.objects.get(action="dossier.claim")
        self.assertEqual((entry.actor, entry.object_id), (self.citizen, str(self.dossier.pk)))

    def test_claiming_twice_is_harmless(self):
        self.login_as("citizen")
        self.claim(self.dossier.code, self.secret)
        page = self.claim(self.dossier.code, self.secret, follow=True)
        self.assertRedirects(page, MINE)
        self.assertContains(page, "đã có trong danh sách")
        self.assertEqual(AuditEntry.objects.filter(action="dossier.claim").count(), 1)
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.owner, self.citizen)

    def test_a_wrong_secret_claims_nothing_and_says_the_same_as_an_unknown_code(self):
        self.login_as("citizen")
        wrong = self.claim(self.dossier.code, "WRONG123")
        unknown = self.claim("TEST-260303-9999", self.secret)
        for response in (wrong, unknown):
            self.assertContains(response, WRONG, status_code=400)
        self.assertEqual(wrong.context["form"].errors, unknown.context["form"].errors)
        self.dossier.refresh_from_db()
        self.assertIsNone(self.dossier.owner)
        self.assertFalse(AuditEntry.objects.filter(action="dossier.claim").exists())

    def test_a_phone_number_does_not_claim(self):
        self.login_as("citizen")
        self.assertContains(self.claim(self.dossier.code, APPLICANT.phone), WRONG, status_code=400)
        self.dossier.refresh_from_db()
        self.assertIsNone(self.dossier.owner)

    def test_a_dossier_claimed_by_someone_else_cannot_be_claimed_again(self):
        self.login_as("citizen")
        self.claim(self.dossier.code, self.secret)
        self.login_as("citizen_b")
        response = self.claim(self.dossier.code, self.secret)
        self.assertContains(response, "đã gắn với một tài khoản khác", status_code=400)
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.owner, self.citizen)
        self.assertNotContains(self.client.get(MINE), self.dossier.code)

    def test_an_empty_form_gets_vietnamese_field_messages(self):
        self.login_as("citizen")
        response = self.claim("", "")
        self.assertContains(response, "Trường này là bắt buộc", status_code=400)

    def test_the_api_claims_and_answers_like_the_page(self):
        self.login_as("citizen_b")
        wrong = self.client.post(API, {"code": self.dossier.code, "secret": "WRONG123"})
        unknown = self.client.post(API, {"code": "TEST-260303-9999", "secret": self.secret})
        self.assertEqual(wrong.status_code, 403)
        self.assertEqual(wrong.json(), unknown.json())
        self.assertEqual(wrong.json()["errors"][0]["message"], WRONG)
        empty = self.client.post(API, {})
        self.assertEqual(empty.status_code, 400)
        self.assertEqual({e["field"] for e in empty.json()["errors"]}, {"code", "secret"})
        ok = self.client.post(API, {"code": self.dossier.code, "secret": self.secret})
        self.assertEqual(ok.status_code, 200)
        self.assertEqual(ok.json()["code"], self.dossier.code)
        again = self.client.post(API, {"code": self.dossier.code, "secret": self.secret})
        self.assertEqual(again.status_code, 200)
        self.login_as("citizen")
        taken = self.client.post(API, {"code": self.dossier.code, "secret": self.secret})
        self.assertEqual(taken.status_code, 409)
        self.assertIn("tài khoản khác", taken.json()["errors"][0]["message"])
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.owner, self.citizen_b)

    @override_settings(RATE_LIMITS={"dossier-claim": "3/h", "dossier-lookup": "1000/h"})
    def test_claims_are_rate_limited_per_address_and_per_account(self):
        self.login_as("citizen")
        for _ in range(3):
            self.assertEqual(self.claim(self.dossier.code, "WRONG123").status_code, 400)
        refused = self.claim(self.dossier.code, self.secret)
        self.assertContains(refused, "quá nhiều", status_code=429)
        self.dossier.refresh_from_db()
        self.assertIsNone(self.dossier.owner)
        # The same account from another address is refused too (counted per account).
        other = self.claim(self.dossier.code, self.secret, REMOTE_ADDR="10.9.9.9")
        self.assertEqual(other.status_code, 429)
        # Another account from another address is not.
        self.login_as("citizen_b")
        ok = self.claim(self.dossier.code, self.secret, REMOTE_ADDR="10.9.9.8")
        self.assertEqual(ok.status_code, 302)


class HeaderLinkTests(MyDossiersTestCase):
    def test_the_header_links_my_dossiers_for_signed_in_citizens_only(self):
        link = f'<a href="{MINE}">Hồ sơ của tôi</a>'
        self.login_as("citizen")
        self.assertContains(self.client.get("/ho-so/tra-cuu/"), link, html=True)
        for persona in ("anonymous", "officer_a", "agency_leader"):
            self.login_as(persona)
            self.assertNotContains(self.client.get("/ho-so/tra-cuu/"), "Hồ sơ của tôi")


class SchemaTests(MyDossiersTestCase):
    def test_the_api_is_in_the_openapi_schema_with_its_errors(self):
        schema = self.client.get("/api/schema/", {"format": "json"}).json()
        path = schema["paths"]["/api/v1/dossiers/mine"]
        self.assertEqual(set(path), {"get", "post"})
        self.assertLessEqual({"200", "400", "403", "409", "429"}, set(path["post"]["responses"]))


class ConcurrentClaimTests(TransactionTestCase):
    def test_of_two_accounts_claiming_at_once_exactly_one_gets_it(self):
        from django.core.exceptions import PermissionDenied, ValidationError

        agency = make_agency()
        unit = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
        desk = make_user("desk", unit, [Role.ONE_STOP_OFFICER])
        dossier, secret = services.dossier_receive_paper(
            actor=desk, procedure=make_procedure(), applicant=APPLICANT, at=at(2026, 3, 2, 9)
        )
        people = [make_user(f"citizen_{i}", None) for i in range(4)]
        barrier, added, refused = threading.Barrier(len(people)), [], []

        def work(person):
            try:
                barrier.wait(timeout=10)
                added.append(services.dossier_claim(user=person, code=dossier.code, secret=secret))
            except (ValidationError, PermissionDenied) as error:
                refused.append(error)
            finally:
                connection.close()

        pool = [threading.Thread(target=work, args=(p,)) for p in people]
        for t in pool:
            t.start()
        for t in pool:
            t.join(timeout=60)
        self.assertEqual((len(added), len(refused)), (1, 3))
        self.assertTrue(all(isinstance(e, services.AlreadyClaimed) for e in refused))
        dossier.refresh_from_db()
        self.assertEqual(dossier.owner, added[0][0].owner)
        self.assertEqual(AuditEntry.objects.filter(action="dossier.claim").count(), 1)
