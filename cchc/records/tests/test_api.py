from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.core.models import AuditEntry
from cchc.core.testing import PersonaTestCase
from cchc.records import models as m
from cchc.records.kinds import BY_SLUG
from cchc.records.tests import factories as f
from cchc.records.tests.test_excel import book

BASE = "/api/v1/so-lieu-cchc/bien-che/"


class ApiTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.record = f.staffing(cls.unit_a, 2025)
        cls.other = f.staffing(cls.other_unit, 2025)

    def test_list_is_scoped_to_the_agency_and_filtered(self):
        later = f.staffing(self.unit_b, 2026)
        self.login_as("officer_a")
        response = self.client.get(BASE)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(sorted(r["id"] for r in response.json()), [self.record.pk, later.pk])
        self.assertEqual(
            [r["id"] for r in self.client.get(BASE, {"year": 2025}).json()], [self.record.pk]
        )
        self.assertEqual(len(self.client.get(BASE, {"unit": self.unit_b.pk}).json()), 1)
        for bad in ({"year": "abc"}, {"year": "1999"}, {"unit": "x"}, {"ids": "1,a"}):
            response = self.client.get(BASE, bad)
            self.assertEqual(response.status_code, 400, bad)
            self.assertEqual(response.json()["errors"][0]["field"], next(iter(bad)))
        self.assertEqual(self.client.get("/api/v1/so-lieu-cchc/khong-co/").status_code, 404)

    def test_anonymous_and_citizens_get_nothing(self):
        self.assertIn(self.client.get(BASE).status_code, (401, 403))
        self.login_as("citizen")
        self.assertEqual(self.client.get(BASE).status_code, 404)

    def test_crud_by_a_manager_is_audited(self):
        self.login_as("agency_leader")
        response = self.client.post(
            BASE,
            {"unit": self.unit_b.pk, "year": 2025, "staffing_quota": 6, "headcount": 5},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        pk = response.json()["id"]
        response = self.client.patch(
            f"{BASE}{pk}/", {"headcount": 7}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["headcount"], 7)
        self.assertEqual(self.client.get(f"{BASE}{pk}/").json()["staffing_quota"], 6)
        self.assertEqual(self.client.delete(f"{BASE}{pk}/").status_code, 204)
        self.assertFalse(m.UnitStaffing.objects.filter(pk=pk).exists())
        self.assertEqual(
            AuditEntry.objects.filter(object_id=str(pk), action__startswith="bien_che_").count(), 3
        )

    def test_validation_errors_are_vietnamese_json(self):
        self.login_as("agency_leader")
        response = self.client.post(
            BASE,
            {"unit": self.unit_a.pk, "year": 2025, "staffing_quota": 1, "headcount": 1},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        errors = response.json()["errors"]
        self.assertIn("Đơn vị đã có số liệu biên chế của năm này.", [e["message"] for e in errors])
        response = self.client.post(
            BASE,
            {"unit": self.other_unit.pk, "year": 1999, "staffing_quota": -1},
            content_type="application/json",
        )
        fields = {e["field"] for e in response.json()["errors"]}
        self.assertTrue({"unit", "year", "staffing_quota"} <= fields, fields)
        response = self.client.patch(
            f"{BASE}{self.record.pk}/",
            {"headcount": "nhiều"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "headcount")
        digital = "/api/v1/so-lieu-cchc/chinh-phu-so/"
        response = self.client.post(
            digital,
            {
                "unit": self.unit_a.pk,
                "month": "2026-01-01",
                "staff_total": 3,
                "staff_with_email": 4,
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("không được vượt tổng số CCVC", response.content.decode())

    def test_staff_read_but_do_not_write(self):
        self.login_as("officer_a")
        self.assertEqual(self.client.get(f"{BASE}{self.record.pk}/").status_code, 200)
        response = self.client.patch(
            f"{BASE}{self.record.pk}/", {"headcount": 1}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.delete(f"{BASE}{self.record.pk}/").status_code, 404)
        response = self.client.post(
            BASE, {"unit": self.unit_a.pk, "year": 2030}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 404)

    def test_the_same_role_in_another_agency_gets_404(self):
        self.login_as("outsider_chief")
        url = f"{BASE}{self.record.pk}/"
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(
            self.client.patch(url, {"headcount": 1}, content_type="application/json").status_code,
            404,
        )
        self.assertEqual(self.client.delete(url).status_code, 404)
        self.assertEqual([r["id"] for r in self.client.get(BASE).json()], [self.other.pk])
        # its own agency's units only
        response = self.client.post(
            BASE, {"unit": self.unit_a.pk, "year": 2026}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.record.refresh_from_db()
        self.assertEqual(self.record.headcount, 9)

    def test_import_all_or_nothing_with_the_row_in_the_field_name(self):
        self.login_as("agency_leader")
        kind = BY_SLUG["bien-che"]
        bad = book(kind, [["B", 2025, "", "", 3, 2, 1], ["B", 2026, "", "", "ba", 2, 1]])
        response = self.client.post(
            f"{BASE}nhap-excel/", {"file": SimpleUploadedFile("a.xlsx", bad)}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json()["errors"],
            [
                {
                    "field": "file.row_3",
                    "message": "Biên chế được giao phải là số nguyên không âm.",
                }
            ],
        )
        self.assertFalse(m.UnitStaffing.objects.filter(unit=self.unit_b).exists())
        good = book(kind, [["B", 2025, "", "", 3, 2, 1], ["A", 2025, "", "", 4, 4, 0]])
        response = self.client.post(
            f"{BASE}nhap-excel/", {"file": SimpleUploadedFile("a.xlsx", good)}
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(
            (response.json()["added"], response.json()["updated_ids"]), (1, [self.record.pk])
        )
        response = self.client.post(
            f"{BASE}nhap-excel/", {"file": SimpleUploadedFile("a.xlsx", b"junk")}
        )
        self.assertEqual(response.json()["errors"][0]["field"], "file")
