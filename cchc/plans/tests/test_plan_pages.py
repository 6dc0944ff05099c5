import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cchc.core.models import AuditEntry
from cchc.core.testing import PersonaTestCase
from cchc.plans.models import Plan, PlanTask, TaskEvidence
from cchc.plans.tests.factories import d, make_plan, make_task

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class PlanPageTests(PersonaTestCase):
    def setUp(self):
        self.plan = make_plan(self.agency, 2024)
        self.task = make_task(
            self.plan, self.unit_a, deadline=d(2024, 3, 1), content="Rà soát TTHC"
        )
        self.other_plan = make_plan(self.other_agency, 2024)

    def test_staff_of_the_agency_see_the_plan_and_others_do_not(self):
        url = reverse("plans:plan-detail", args=[self.plan.pk])
        for name, status in [
            ("officer_a", 200),
            ("officer_b", 200),
            ("leader_a", 200),
            ("agency_leader", 200),
            ("outsider", 404),
            ("citizen", 404),
        ]:
            self.login_as(name)
            self.assertEqual(self.client.get(url).status_code, status, name)
        self.login_as("anonymous")
        self.assertEqual(self.client.get(url).status_code, 302)

    def test_the_plan_list_shows_only_the_own_agency(self):
        self.login_as("officer_a")
        response = self.client.get(reverse("plans:plan-list"))
        self.assertContains(response, reverse("plans:plan-detail", args=[self.plan.pk]))
        self.assertNotContains(response, reverse("plans:plan-detail", args=[self.other_plan.pk]))
        self.login_as("citizen")
        self.assertEqual(self.client.get(reverse("plans:plan-list")).status_code, 404)

    def test_the_plan_page_filters_overdue_tasks_and_its_query_count_is_fixed(self):
        make_task(self.plan, self.unit_b, deadline=d(2099, 3, 1), content="Nhiệm vụ tương lai")
        self.login_as("officer_a")
        url = reverse("plans:plan-detail", args=[self.plan.pk])
        response = self.client.get(url, {"status": "overdue"})
        self.assertContains(response, "Rà soát TTHC")
        self.assertNotContains(response, "Nhiệm vụ tương lai")
        for _i in range(5):
            make_task(self.plan, self.unit_b, deadline=d(2099, 3, 1))
        with self.assertNumQueries(11):  # +1: django-otp loads the verified session's device
            self.client.get(url)

    def test_the_lead_unit_reports_progress_and_another_unit_cannot(self):
        url = reverse("plans:task-detail", args=[self.task.pk])
        self.login_as("officer_b")
        data = {"action": "progress", "status": "in_progress", "progress": "50", "note": "Đang làm"}
        self.assertEqual(self.client.post(url, data).status_code, 404)
        self.task.refresh_from_db()
        self.assertEqual(self.task.progress, 0)
        self.login_as("officer_a")
        self.assertRedirects(self.client.post(url, data), url)
        self.task.refresh_from_db()
        self.assertEqual((self.task.status, self.task.progress), ("in_progress", 50))
        self.assertEqual(self.task.notes.get().text, "Đang làm")
        self.assertTrue(AuditEntry.objects.filter(action="task_status").exists())

    def test_only_agency_wide_roles_edit_the_task_itself(self):
        url = reverse("plans:task-detail", args=[self.task.pk])
        data = {
            "action": "edit",
            "edit-field": "3",
            "edit-content": "Nội dung mới",
            "edit-lead_unit": self.unit_b.pk,
            "edit-co_units": [self.unit_a.pk],
            "edit-deadline": "2024-04-01",
            "edit-expected_output": "Báo cáo",
            "edit-status": "not_started",
            "edit-progress": "0",
        }
        self.login_as("leader_a")
        self.assertEqual(self.client.post(url, data).status_code, 404)
        self.login_as("agency_leader")
        self.assertRedirects(self.client.post(url, data), url)
        self.task.refresh_from_db()
        self.assertEqual(
            (self.task.field, self.task.content, self.task.lead_unit),
            ("3", "Nội dung mới", self.unit_b),
        )
        self.assertEqual(list(self.task.co_units.all()), [self.unit_a])

    def test_a_done_task_without_a_completion_date_is_refused_with_a_message(self):
        url = reverse("plans:task-create", args=[self.plan.pk])
        self.login_as("agency_leader")
        response = self.client.post(
            url,
            {
                "field": "1",
                "content": "X",
                "lead_unit": self.unit_a.pk,
                "deadline": "2024-04-01",
                "status": "done",
                "progress": "100",
            },
        )
        self.assertContains(response, "cần ngày hoàn thành", status_code=400)
        self.assertEqual(PlanTask.objects.count(), 1)

    def test_the_agency_leader_creates_a_plan_once_per_year(self):
        self.login_as("agency_leader")
        url = reverse("plans:plan-list")
        response = self.client.post(url, {"year": 2025, "title": "Kế hoạch 2025"})
        plan = Plan.objects.get(agency=self.agency, year=2025)
        self.assertRedirects(response, reverse("plans:plan-detail", args=[plan.pk]))
        response = self.client.post(url, {"year": 2025, "title": "Lần hai"})
        self.assertContains(response, "đã có kế hoạch", status_code=400)
        self.login_as("officer_a")
        self.assertEqual(self.client.post(url, {"year": 2026, "title": "X"}).status_code, 404)

    def test_evidence_is_sniffed_stored_and_downloaded_by_the_agency_only(self):
        url = reverse("plans:task-evidence", args=[self.task.pk])
        self.login_as("officer_a")
        fake = SimpleUploadedFile(
            "virus.pdf", b"MZ not a pdf at all", content_type="application/pdf"
        )
        self.client.post(url, {"file": fake})
        self.assertEqual(TaskEvidence.objects.count(), 0)
        self.client.post(url, {"file": SimpleUploadedFile("bien-ban.pdf", PDF)})
        item = TaskEvidence.objects.get()
        self.assertEqual(item.original_name, "bien-ban.pdf")
        download = reverse("plans:task-evidence-download", args=[self.task.pk, item.pk])
        response = self.client.get(download)
        self.assertEqual(b"".join(response.streaming_content), PDF)
        self.login_as("outsider")
        self.assertEqual(self.client.get(download).status_code, 404)

    def test_a_progress_report_keeps_its_percentage_and_refuses_a_future_completion_date(self):
        url = reverse("plans:task-detail", args=[self.task.pk])
        self.login_as("officer_a")
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        data = {"action": "progress", "status": "done", "progress": "100", "note": "Xong"}
        response = self.client.post(url, {**data, "completed_on": tomorrow.isoformat()})
        self.assertContains(response, "không thể sau hôm nay", status_code=400)
        self.task.refresh_from_db()
        self.assertEqual((self.task.status, self.task.notes.count()), ("not_started", 0))
        response = self.client.post(
            url, {**data, "status": "in_progress", "progress": "70", "note": "Đã họp"}
        )
        self.assertRedirects(response, url)
        note = self.task.notes.get()
        self.assertEqual((note.text, note.progress, note.on), ("Đã họp", 70, timezone.localdate()))
        api = reverse("api:plans-task-detail", args=[self.task.pk])
        response = self.client.patch(
            api,
            {"completed_on": tomorrow.isoformat(), "status": "done"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.task.refresh_from_db()
        self.assertEqual(self.task.status, "in_progress")
