from django.urls import reverse

from cchc.core.models import AuditEntry
from cchc.core.testing import PersonaTestCase
from cchc.plans.models import PlanTask, QualityRecord
from cchc.plans.tests.factories import d, make_plan, make_task


class PlanApiTests(PersonaTestCase):
    def setUp(self):
        self.plan = make_plan(self.agency, 2024)
        self.task = make_task(self.plan, self.unit_a, deadline=d(2024, 3, 1))
        make_plan(self.other_agency, 2024)

    def test_plans_are_listed_within_the_agency_and_anonymous_is_refused(self):
        url = reverse("api:plans-plan-list")
        self.login_as("officer_b")
        self.assertEqual([p["id"] for p in self.client.get(url).json()], [self.plan.pk])
        self.login_as("anonymous")
        response = self.client.get(url)
        self.assertIn(response.status_code, (401, 403))
        self.assertIn("errors", response.json())

    def test_tasks_list_with_their_derived_status(self):
        self.login_as("officer_a")
        url = reverse("api:plans-task-list", args=[self.plan.pk])
        body = self.client.get(url, {"status": "overdue"}).json()
        self.assertEqual(
            [(t["id"], t["effective_status"], t["lead_unit"]) for t in body],
            [(self.task.pk, "overdue", "A")],
        )
        self.login_as("outsider")
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_agency_leader_creates_a_task_and_bad_input_gets_vietnamese_errors(self):
        url = reverse("api:plans-task-list", args=[self.plan.pk])
        self.login_as("agency_leader")
        good = {
            "field": "3",
            "content": "Rà soát",
            "lead_unit": "B",
            "co_units": ["A"],
            "deadline": "2024-06-30",
        }
        response = self.client.post(url, good, content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["co_units"], ["A"])
        bad = {"field": "9", "content": "X", "lead_unit": "ZZZ", "deadline": "30/13/2024"}
        response = self.client.post(url, bad, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        fields = {e["field"] for e in response.json()["errors"]}
        self.assertEqual(fields, {"field", "lead_unit", "deadline"})
        self.assertIn("ZZZ", str(response.json()))
        self.assertEqual(PlanTask.objects.count(), 2)
        self.login_as("officer_a")
        self.assertEqual(
            self.client.post(url, good, content_type="application/json").status_code, 404
        )

    def test_the_lead_unit_patches_progress_only_and_others_get_404(self):
        url = reverse("api:plans-task-detail", args=[self.task.pk])
        self.login_as("officer_b")
        self.assertEqual(
            self.client.patch(url, {"progress": 10}, content_type="application/json").status_code,
            404,
        )
        self.login_as("officer_a")
        response = self.client.patch(
            url, {"status": "done", "content": "Đổi nội dung"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 200)
        self.task.refresh_from_db()
        self.assertEqual((self.task.status, self.task.progress), ("done", 100))
        self.assertNotEqual(self.task.content, "Đổi nội dung")
        response = self.client.patch(url, {"progress": 150}, content_type="application/json")
        self.assertEqual(response.status_code, 400)

    def test_the_agency_leader_deletes_a_task_with_an_audit_entry(self):
        url = reverse("api:plans-task-detail", args=[self.task.pk])
        self.login_as("leader_a")
        self.assertEqual(self.client.delete(url).status_code, 404)
        self.login_as("agency_leader")
        self.assertEqual(self.client.delete(url).status_code, 204)
        self.assertFalse(PlanTask.objects.exists())
        self.assertTrue(AuditEntry.objects.filter(action="task_delete").exists())

    def test_records_are_created_and_listed_within_the_agency(self):
        url = reverse("api:plans-quality-record-list")
        record = {
            "body_name": "Sở Y tế",
            "body_type": "provincial_department",
            "standard": "2015",
        }
        self.login_as("agency_leader")
        self.assertEqual(
            self.client.post(url, record, content_type="application/json").status_code, 201
        )
        response = self.client.post(url, record, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(QualityRecord.objects.count(), 1)
        self.login_as("outsider")
        self.assertEqual(self.client.get(url).json(), [])
        self.login_as("officer_a")
        self.assertEqual(len(self.client.get(url).json()), 1)
        self.assertEqual(
            self.client.post(url, record, content_type="application/json").status_code, 404
        )
        legal = reverse("api:plans-legal-review-list")
        self.login_as("agency_leader")
        response = self.client.post(
            legal,
            {
                "review_year": 2024,
                "doc_type": "Quyết định",
                "title": "V",
                "issuer": "UBND",
                "result": "amend",
            },
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(len(self.client.get(legal, {"year": 2024}).json()), 1)
        self.assertEqual(self.client.get(legal, {"year": 2023}).json(), [])

    def test_the_agency_leader_renames_a_plan_and_deletes_only_an_empty_one(self):
        url = reverse("api:plans-plan-detail", args=[self.plan.pk])
        self.login_as("officer_a")
        self.assertEqual(
            self.client.patch(url, {"title": "X"}, content_type="application/json").status_code, 404
        )
        self.login_as("agency_leader")
        response = self.client.patch(
            url, {"title": "Kế hoạch CCHC 2024 (sửa)"}, content_type="application/json"
        )
        self.assertEqual(response.json()["title"], "Kế hoạch CCHC 2024 (sửa)")
        response = self.client.delete(url)
        self.assertEqual(response.status_code, 400)
        self.assertIn("nhiệm vụ", response.json()["errors"][0]["message"])
        self.task.delete()
        self.assertEqual(self.client.delete(url).status_code, 204)
        self.assertTrue(AuditEntry.objects.filter(action="plan_delete").exists())

    def test_a_deadline_outside_the_plan_years_is_refused_and_the_task_unchanged(self):
        url = reverse("api:plans-task-detail", args=[self.task.pk])
        self.login_as("agency_leader")
        response = self.client.patch(
            url, {"deadline": "9999-12-31"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "deadline")
        self.task.refresh_from_db()
        self.assertEqual(self.task.deadline, d(2024, 3, 1))

    def test_list_endpoints_and_the_plan_list_page_keep_a_fixed_query_count(self):
        self.login_as("agency_leader")
        # +1: django-otp loads the device of the verified (two-factor) staff session.
        urls = {
            reverse("api:plans-task-list", args=[self.plan.pk]): 8,
            reverse("api:plans-plan-list"): 5,
            reverse("api:plans-legal-review-list"): 5,
            reverse("plans:plan-list"): 7,
        }
        for url in urls:
            self.client.get(url)  # warm the session and the caches
        for i in range(4):
            make_task(self.plan, self.unit_b, deadline=d(2024, 9, 1))
            make_plan(self.agency, 2030 + i)
        for url, count in urls.items():
            with self.assertNumQueries(count):
                self.assertEqual(self.client.get(url).status_code, 200)
