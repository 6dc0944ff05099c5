"""Legal reviews, procedure reviews, ISO records (and regulations) are edited from their page and
the API by the agency-wide roles of their agency, with an audit entry; an ISO record's status is
derived from its dates (issue 11, point 4.6)."""

import datetime as dt
import zoneinfo

import time_machine
from django.urls import reverse

from cchc.core.models import AuditEntry
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.plans import selectors
from cchc.plans.models import LegalReview, ProcedureReview, QualityRecord, Regulation

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(year, month, day):
    return time_machine.travel(dt.datetime(year, month, day, 10, tzinfo=HCM), tick=False)


class RecordEditTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # The same agency-wide role in another agency: must be refused everywhere.
        cls.other_leader = make_user("other_leader", cls.other_unit, [Role.AGENCY_LEADER])

    def setUp(self):
        self.legal = LegalReview.objects.create(
            agency=self.agency,
            review_year=2024,
            doc_type="Quyết định",
            title="Văn bản cần sửa",
            issuer="UBND",
            result="amend",
            follow_up="proposed",
        )
        self.procedure = ProcedureReview.objects.create(
            agency=self.agency, review_year=2024, procedure_name="Thủ tục X", proposal="simplify"
        )
        self.quality = QualityRecord.objects.create(
            agency=self.agency,
            body_name="Sở Tư pháp",
            body_type="provincial_department",
            standard="2015",
            certified_on=dt.date(2023, 1, 10),
            expires_on=dt.date(2026, 1, 10),
        )
        self.regulation = Regulation.objects.create(
            agency=self.agency,
            kind="working_rules",
            number="01/QC",
            title="Quy chế làm việc",
            issued_on=dt.date(2024, 1, 2),
            valid_from=dt.date(2024, 1, 2),
        )

    def legal_data(self, **changes):
        data = {
            "review_year": 2024,
            "doc_number": "",
            "doc_type": "Quyết định",
            "title": "Văn bản cần sửa",
            "issuer": "UBND",
            "in_force": "on",
            "result": "amend",
            "note": "",
            "follow_up": "proposed",
        }
        return {**data, **changes}

    def test_a_follow_up_moves_from_proposed_to_done_on_the_page_with_an_audit_entry(self):
        url = reverse("plans:legal-review-edit", args=[self.legal.pk])
        self.login_as("agency_leader")
        self.assertContains(self.client.get(url), "Văn bản cần sửa")
        response = self.client.post(url, self.legal_data(follow_up="done", note="Đã sửa"))
        self.assertRedirects(response, reverse("plans:legal-review-list"))
        self.legal.refresh_from_db()
        self.assertEqual((self.legal.follow_up, self.legal.note), ("done", "Đã sửa"))
        entry = AuditEntry.objects.get(action="legal_review_update")
        self.assertEqual(
            (entry.object_id, entry.actor, entry.from_state, entry.to_state),
            (str(self.legal.pk), self.agency_leader, "proposed", "done"),
        )
        # The list page links each record to its edit page for those who may edit.
        self.assertContains(self.client.get(reverse("plans:legal-review-list")), url)

    def test_bad_input_on_the_edit_page_is_explained_and_changes_nothing(self):
        url = reverse("plans:legal-review-edit", args=[self.legal.pk])
        self.login_as("agency_leader")
        response = self.client.post(url, self.legal_data(review_year=1999, follow_up="done"))
        self.assertEqual(response.status_code, 400)
        self.assertIn("2000", " ".join(response.context["form"].errors["review_year"]))
        self.legal.refresh_from_db()
        self.assertEqual(self.legal.follow_up, "proposed")
        self.assertFalse(AuditEntry.objects.filter(action="legal_review_update").exists())

    def test_only_the_agency_wide_roles_of_the_agency_edit_others_get_404(self):
        pages = [
            (reverse("plans:legal-review-edit", args=[self.legal.pk]), self.legal_data()),
            (
                reverse("plans:procedure-review-edit", args=[self.procedure.pk]),
                {"review_year": 2024, "procedure_name": "Y", "proposal": "abolish"},
            ),
            (
                reverse("plans:quality-edit", args=[self.quality.pk]),
                {"body_name": "Z", "body_type": "other", "standard": "2015"},
            ),
            (
                reverse("plans:regulation-edit", args=[self.regulation.pk]),
                {
                    "kind": "other",
                    "number": "02",
                    "title": "Y",
                    "issued_on": "2024-01-02",
                    "valid_from": "2024-01-02",
                },
            ),
        ]
        for persona in ("officer_a", "leader_a", "outsider", "other_leader", "citizen"):
            self.login_as(persona)
            for url, data in pages:
                self.assertEqual(self.client.get(url).status_code, 404, (persona, url))
                self.assertEqual(self.client.post(url, data).status_code, 404, (persona, url))
        self.client.logout()
        self.assertEqual(self.client.get(pages[0][0]).status_code, 302)
        self.legal.refresh_from_db()
        self.procedure.refresh_from_db()
        self.quality.refresh_from_db()
        self.regulation.refresh_from_db()
        self.assertEqual(
            (self.procedure.procedure_name, self.quality.body_name, self.regulation.number),
            ("Thủ tục X", "Sở Tư pháp", "01/QC"),
        )
        self.assertFalse(AuditEntry.objects.exists())

    def test_the_api_patches_a_procedure_review_within_the_agency_only(self):
        url = reverse("api:plans-procedure-review-detail", args=[self.procedure.pk])
        for persona in ("officer_a", "outsider", "other_leader"):
            self.login_as(persona)
            response = self.client.patch(
                url, {"status": "accepted"}, content_type="application/json"
            )
            self.assertEqual(response.status_code, 404, persona)
        self.login_as("other_leader")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login_as("agency_leader")
        response = self.client.patch(url, {"status": "nope"}, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "status")
        response = self.client.patch(url, {"status": "accepted"}, content_type="application/json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "accepted")
        self.procedure.refresh_from_db()
        self.assertEqual(self.procedure.status, "accepted")
        entry = AuditEntry.objects.get(action="procedure_review_update")
        self.assertEqual((entry.from_state, entry.to_state), ("proposed", "accepted"))
        self.login_as("officer_a")
        self.assertEqual(self.client.get(url).json()["status"], "accepted")

    def test_the_api_patches_a_legal_review_and_a_regulation(self):
        self.login_as("agency_leader")
        response = self.client.patch(
            reverse("api:plans-legal-review-detail", args=[self.legal.pk]),
            {"follow_up": "done"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["follow_up"], "done")
        response = self.client.patch(
            reverse("api:plans-regulation-detail", args=[self.regulation.pk]),
            {"valid_until": "2023-01-01"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.regulation.refresh_from_db()
        self.assertIsNone(self.regulation.valid_until)
        response = self.client.patch(
            reverse("api:plans-regulation-detail", args=[self.regulation.pk]),
            {"valid_until": "2030-01-01"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertTrue(AuditEntry.objects.filter(action="regulation_update").exists())


class QualityStatusTests(PersonaTestCase):
    def setUp(self):
        self.record = QualityRecord.objects.create(
            agency=self.agency,
            body_name="Sở Tư pháp",
            body_type="provincial_department",
            standard="2015",
            certified_on=dt.date(2023, 1, 10),
            expires_on=dt.date(2026, 1, 10),
        )
        QualityRecord.objects.create(
            agency=self.agency, body_name="UBND huyện A", body_type="district_body", standard="2015"
        )

    def test_the_status_is_derived_from_the_dates_on_the_page_and_in_the_api(self):
        self.login_as("officer_a")
        expected = [
            ((2025, 6, 1), "valid", "Còn hiệu lực"),
            ((2025, 11, 1), "expiring", "Sắp hết hạn"),
            ((2026, 1, 10), "expiring", "Sắp hết hạn"),
            ((2026, 1, 11), "expired", "Hết hiệu lực"),
        ]
        for day, code, label in expected:
            with at(*day):
                api = self.client.get(reverse("api:plans-quality-record-list")).json()
                self.assertEqual(
                    {r["body_name"]: r["status"] for r in api},
                    {"Sở Tư pháp": code, "UBND huyện A": "building"},
                    day,
                )
                page = self.client.get(reverse("plans:quality-list"), {"status": code})
                self.assertEqual([r.body_name for r in page.context["items"]], ["Sở Tư pháp"])
                self.assertContains(page, label)

    def test_a_certificate_is_renewed_through_the_api_and_becomes_valid(self):
        url = reverse("api:plans-quality-record-detail", args=[self.record.pk])
        with at(2026, 3, 1):
            self.login_as("agency_leader")
            self.assertEqual(self.client.get(url).json()["status"], "expired")
            response = self.client.patch(
                url,
                {"certified_on": "2026-02-20", "expires_on": "2029-02-20"},
                content_type="application/json",
            )
            self.assertEqual(response.status_code, 200, response.content)
            self.assertEqual(response.json()["status"], "valid")
            entry = AuditEntry.objects.get(action="quality_record_update")
            self.assertEqual((entry.from_state, entry.to_state), ("expired", "valid"))
            # A typed status is not accepted any more: it is read-only, derived from the dates.
            response = self.client.patch(
                url, {"status": "expired"}, content_type="application/json"
            )
            self.assertEqual(response.json()["status"], "valid")

    def test_an_expiry_before_the_certification_is_refused_at_the_field(self):
        self.login_as("agency_leader")
        response = self.client.post(
            reverse("plans:quality-edit", args=[self.record.pk]),
            {
                "body_name": "Sở Tư pháp",
                "body_type": "provincial_department",
                "standard": "2015",
                "certified_on": "2026-02-20",
                "expires_on": "2025-02-20",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("expires_on", response.context["form"].errors)
        response = self.client.patch(
            reverse("api:plans-quality-record-detail", args=[self.record.pk]),
            {"expires_on": "2020-01-01"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "expires_on")
        self.record.refresh_from_db()
        self.assertEqual(self.record.expires_on, dt.date(2026, 1, 10))

    def test_counts_for_the_report_use_the_derived_status_at_the_report_date(self):
        counts = selectors.quality_counts(self.agency, dt.date(2025, 11, 1))
        by_status = {row["code"]: row["count"] for row in counts["by_status"]}
        self.assertEqual(by_status, {"building": 1, "valid": 0, "expiring": 1, "expired": 0})
        self.assertEqual(counts["expiring_ids"], [self.record.pk])
        counts = selectors.quality_counts(self.agency, dt.date(2026, 2, 1))
        self.assertEqual({r["code"]: r["count"] for r in counts["by_status"]}["expired"], 1)
