import datetime as dt

from django.urls import reverse

from cchc.core.models import AuditEntry
from cchc.core.testing import PersonaTestCase
from cchc.records import models as m
from cchc.records.kinds import KINDS
from cchc.records.tests import factories as f


class PageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.record = f.staffing(cls.unit_a, 2025)
        cls.other = f.staffing(cls.other_unit, 2025, quota=99)

    def pages(self):
        slug = "bien-che"
        return [
            reverse("records:overview"),
            reverse("records:list", args=[slug]),
            reverse("records:template", args=[slug]),
        ]

    def manager_pages(self):
        slug = "bien-che"
        return [
            reverse("records:create", args=[slug]),
            reverse("records:edit", args=[slug, self.record.pk]),
            reverse("records:delete", args=[slug, self.record.pk]),
        ]

    def test_anonymous_is_sent_to_the_login_page(self):
        for url in self.pages() + self.manager_pages():
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            self.assertIn(reverse("login"), response["Location"])

    def test_a_citizen_gets_404(self):
        self.login_as("citizen")
        for url in self.pages() + self.manager_pages():
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_staff_read_every_list_but_do_not_manage(self):
        self.login_as("officer_a")
        for url in self.pages():
            self.assertEqual(self.client.get(url).status_code, 200, url)
        for kind in KINDS:
            response = self.client.get(reverse("records:list", args=[kind.slug]))
            self.assertEqual(response.status_code, 200, kind.slug)
            self.assertFalse(response.context["may_manage"])
        for url in self.manager_pages():
            self.assertEqual(self.client.get(url).status_code, 404, url)
        response = self.client.post(reverse("records:delete", args=["bien-che", self.record.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertTrue(m.UnitStaffing.objects.filter(pk=self.record.pk).exists())

    def test_the_list_shows_only_the_agency_records_and_filters(self):
        f.staffing(self.unit_b, 2025)
        f.staffing(self.unit_a, 2026)
        self.login_as("officer_a")
        url = reverse("records:list", args=["bien-che"])
        rows = lambda r: [record.pk for record, _cells in r.context["rows"]]  # noqa: E731
        response = self.client.get(url)
        self.assertNotIn(self.other.pk, rows(response))
        self.assertEqual(len(rows(response)), 3)
        self.assertEqual(len(rows(self.client.get(url, {"year": 2025}))), 2)
        self.assertEqual(len(rows(self.client.get(url, {"unit": self.unit_b.pk}))), 1)
        ids = f"{self.record.pk},{self.other.pk}"
        self.assertEqual(rows(self.client.get(url, {"ids": ids})), [self.record.pk])
        overview = self.client.get(reverse("records:overview"))
        counts = {
            k["kind"].slug: k["count"] for fld in overview.context["fields"] for k in fld["kinds"]
        }
        self.assertEqual(counts["bien-che"], 3)

    def test_the_same_role_in_another_agency_gets_404_for_this_agency_records(self):
        self.login_as("outsider_chief")
        for url in self.manager_pages()[1:]:
            self.assertEqual(self.client.get(url).status_code, 404, url)
        response = self.client.post(
            reverse("records:edit", args=["bien-che", self.record.pk]),
            {"unit": self.other_unit.pk, "year": 2025},
        )
        self.assertEqual(response.status_code, 404)
        response = self.client.get(reverse("records:list", args=["bien-che"]))
        self.assertEqual([r.pk for r, _c in response.context["rows"]], [self.other.pk])

    def test_a_manager_adds_edits_and_deletes_with_audit(self):
        self.login_as("agency_leader")
        data = {
            "unit": self.unit_b.pk,
            "year": 2025,
            "functions_decision": "15/QĐ-SKHCN",
            "functions_decided_on": "2025-02-01",
            "staffing_quota": 8,
            "headcount": 9,
            "deputy_heads": 1,
        }
        response = self.client.post(reverse("records:create", args=["bien-che"]), data)
        self.assertEqual(response.status_code, 302)
        created = m.UnitStaffing.objects.get(unit=self.unit_b)
        self.assertFalse(created.within_quota)
        response = self.client.post(
            reverse("records:edit", args=["bien-che", created.pk]), {**data, "headcount": 7}
        )
        self.assertEqual(response.status_code, 302)
        created.refresh_from_db()
        self.assertEqual(created.headcount, 7)
        response = self.client.get(reverse("records:delete", args=["bien-che", created.pk]))
        self.assertContains(response, "Xóa")
        response = self.client.post(reverse("records:delete", args=["bien-che", created.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(m.UnitStaffing.objects.filter(pk=created.pk).exists())
        actions = list(
            AuditEntry.objects.filter(agency=self.agency).values_list("action", flat=True)
        )
        for action in ("bien_che_create", "bien_che_update", "bien_che_delete"):
            self.assertIn(action, actions)

    def test_bad_input_shows_vietnamese_errors_and_writes_nothing(self):
        self.login_as("agency_leader")
        response = self.client.post(
            reverse("records:create", args=["bien-che"]),
            {"unit": self.unit_a.pk, "year": 2025, "staffing_quota": -1, "headcount": "x"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Có lỗi cần sửa", status_code=400)
        self.assertEqual(m.UnitStaffing.objects.filter(unit=self.unit_a).count(), 1)
        # the unique key: unit A already has 2025
        response = self.client.post(
            reverse("records:create", args=["bien-che"]),
            {
                "unit": self.unit_a.pk,
                "year": 2025,
                "staffing_quota": 1,
                "headcount": 1,
                "deputy_heads": 0,
            },
        )
        self.assertContains(response, "Đơn vị đã có số liệu biên chế của năm này.", status_code=400)
        # a unit of another agency is not a choice
        response = self.client.post(
            reverse("records:create", args=["bien-che"]),
            {
                "unit": self.other_unit.pk,
                "year": 2024,
                "staffing_quota": 1,
                "headcount": 1,
                "deputy_heads": 0,
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(m.UnitStaffing.objects.filter(year=2024).exists())

    def test_every_kind_has_working_add_and_edit_forms(self):
        self.login_as("agency_leader")
        for kind in KINDS:
            response = self.client.get(reverse("records:create", args=[kind.slug]))
            self.assertEqual(response.status_code, 200, kind.slug)

    def test_a_month_is_entered_as_year_and_month(self):
        self.login_as("agency_leader")
        response = self.client.post(
            reverse("records:create", args=["chinh-phu-so"]),
            {
                "unit": self.unit_a.pk,
                "month": "2026-03",
                "staff_total": 10,
                "staff_with_email": 10,
                "docs_out_electronic": 5,
                "docs_out_paper": 0,
                "docs_in_electronic": 5,
                "docs_in_paper": 0,
                "docs_signed_digitally": 5,
                "dossiers_reusing_data": 0,
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(m.DigitalMonth.objects.get().month, dt.date(2026, 3, 1))

    def test_unknown_kind_is_404(self):
        self.login_as("agency_leader")
        self.assertEqual(self.client.get("/so-lieu-cchc/khong-co/").status_code, 404)

    def test_the_nav_entry_is_for_staff_only(self):
        self.login_as("officer_a")
        self.assertContains(self.client.get(reverse("records:overview")), 'href="/so-lieu-cchc/"')
        self.login_as("citizen")
        response = self.client.get("/")
        self.assertNotContains(response, 'href="/so-lieu-cchc/"', status_code=response.status_code)
