"""Every page and endpoint of the plans app, for every persona: staff of the agency read, the
agency-wide roles manage, the lead unit reports progress, everyone else gets 404 (or the login
page / 401 when anonymous) and changes nothing."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from cchc.core.testing import PersonaTestCase
from cchc.plans.models import (
    LegalReview,
    Plan,
    PlanTask,
    ProcedureReview,
    QualityRecord,
    Regulation,
    TaskEvidence,
    TaskNote,
)
from cchc.plans.tests.factories import d, make_plan, make_task

READERS = {"officer_a", "leader_a", "officer_b", "agency_leader"}
PERSONAS = [*sorted(READERS), "outsider", "citizen", "anonymous"]


class PermissionTests(PersonaTestCase):
    def setUp(self):
        self.plan = make_plan(self.agency, 2024)
        self.task = make_task(self.plan, self.unit_a, deadline=d(2024, 3, 1))
        path = default_storage.save("tests/plans/bien-ban.pdf", ContentFile(b"%PDF-1.4\n"))
        self.evidence = TaskEvidence.objects.create(
            task=self.task, path=path, original_name="bb.pdf", mime="application/pdf", size=9
        )
        self.regulation = Regulation.objects.create(
            agency=self.agency,
            kind="working_rules",
            number="01/QC",
            title="Quy chế làm việc",
            issued_on=d(2024, 1, 2),
            valid_from=d(2024, 1, 2),
            file_path=path,
            file_name="qc.pdf",
        )

    def expect(self, persona, allowed, *, api=False):
        if persona == "anonymous":
            return (401, 403) if api else (302,)
        return (200,) if allowed else (404,)

    def test_pages_of_the_agency_are_read_by_its_staff_only(self):
        pages = [
            reverse("plans:plan-detail", args=[self.plan.pk]),
            reverse("plans:plan-export", args=[self.plan.pk]),
            reverse("plans:task-detail", args=[self.task.pk]),
            reverse("plans:task-evidence-download", args=[self.task.pk, self.evidence.pk]),
            reverse("plans:regulation-download", args=[self.regulation.pk]),
        ]
        for persona in PERSONAS:
            self.login_as(persona)
            for url in pages:
                status = self.client.get(url).status_code
                self.assertIn(status, self.expect(persona, persona in READERS), (persona, url))

    def test_list_pages_show_staff_their_own_agency_and_refuse_citizens(self):
        LegalReview.objects.create(
            agency=self.agency,
            review_year=2024,
            doc_type="QĐ",
            title="Văn bản X",
            issuer="U",
            result="keep",
        )
        lists = {
            reverse("plans:plan-list"): self.plan.title,
            reverse("plans:regulation-list"): "Quy chế làm việc",
            reverse("plans:legal-review-list"): "Văn bản X",
            reverse("plans:procedure-review-list"): None,
            reverse("plans:quality-list"): None,
        }
        for persona in PERSONAS:
            self.login_as(persona)
            for url, text in lists.items():
                response = self.client.get(url)
                staff = persona != "citizen"
                self.assertIn(response.status_code, self.expect(persona, staff), (persona, url))
                if text and response.status_code == 200:
                    shown = text in response.content.decode()
                    self.assertEqual(shown, persona in READERS, (persona, url))

    def test_only_the_agency_wide_roles_create_plans_tasks_and_records(self):
        unit = self.unit_a.pk
        writes = [
            (reverse("plans:plan-list"), {"year": 2025, "title": "KH 2025"}, Plan),
            (
                reverse("plans:task-create", args=[self.plan.pk]),
                {
                    "field": "1",
                    "content": "Mới",
                    "lead_unit": unit,
                    "deadline": "2024-05-02",
                    "status": "not_started",
                    "progress": "0",
                },
                PlanTask,
            ),
            (
                reverse("plans:legal-review-list"),
                {
                    "review_year": 2024,
                    "doc_type": "QĐ",
                    "title": "T",
                    "issuer": "U",
                    "result": "keep",
                    "follow_up": "none",
                },
                LegalReview,
            ),
            (
                reverse("plans:procedure-review-list"),
                {
                    "review_year": 2024,
                    "procedure_name": "TT",
                    "proposal": "abolish",
                    "status": "proposed",
                },
                ProcedureReview,
            ),
            (
                reverse("plans:quality-list"),
                {
                    "body_name": "Sở Y tế",
                    "body_type": "provincial_department",
                    "standard": "2015",
                },
                QualityRecord,
            ),
            (
                reverse("plans:regulation-list"),
                {
                    "kind": "other",
                    "number": "02/QC",
                    "title": "Quy chế chi tiêu",
                    "issued_on": "2024-02-01",
                    "valid_from": "2024-02-01",
                },
                Regulation,
            ),
        ]
        for persona in [p for p in PERSONAS if p != "agency_leader"]:
            self.login_as(persona)
            for url, data, model in writes:
                before = model.objects.count()
                status = self.client.post(url, data).status_code
                self.assertIn(status, self.expect(persona, False), (persona, url))
                self.assertEqual(model.objects.count(), before, (persona, url))
        self.login_as("agency_leader")
        for url, data, model in writes:
            before = model.objects.count()
            self.assertEqual(self.client.post(url, data).status_code, 302, url)
            self.assertEqual(model.objects.count(), before + 1, url)

    def test_the_lead_unit_and_the_agency_wide_roles_report_progress_and_evidence(self):
        url = reverse("plans:task-detail", args=[self.task.pk])
        upload_url = reverse("plans:task-evidence", args=[self.task.pk])
        may = {"officer_a", "leader_a", "agency_leader"}
        for persona in PERSONAS:
            self.login_as(persona)
            notes = TaskNote.objects.count()
            data = {"action": "progress", "status": "in_progress", "progress": 10, "note": persona}
            status = self.client.post(url, data).status_code
            files = TaskEvidence.objects.count()
            upload = ContentFile(b"%PDF-1.4\n", name="them.pdf")
            upload_status = self.client.post(upload_url, {"file": upload}).status_code
            if persona in may:
                self.assertEqual((status, upload_status), (302, 302), persona)
                self.assertEqual(TaskNote.objects.count(), notes + 1, persona)
                self.assertEqual(TaskEvidence.objects.count(), files + 1, persona)
            else:
                self.assertIn(status, self.expect(persona, False), persona)
                self.assertIn(upload_status, self.expect(persona, False), persona)
                self.assertEqual(TaskNote.objects.count(), notes, persona)
                self.assertEqual(TaskEvidence.objects.count(), files, persona)

    def test_api_reads_follow_the_agency_and_writes_need_an_agency_wide_role(self):
        reads = [
            reverse("api:plans-plan-detail", args=[self.plan.pk]),
            reverse("api:plans-task-list", args=[self.plan.pk]),
            reverse("api:plans-task-detail", args=[self.task.pk]),
        ]
        lists = [
            reverse("api:plans-plan-list"),
            reverse("api:plans-legal-review-list"),
            reverse("api:plans-procedure-review-list"),
            reverse("api:plans-quality-record-list"),
            reverse("api:plans-regulation-list"),
        ]
        task_url = reverse("api:plans-task-detail", args=[self.task.pk])
        plan_url = reverse("api:plans-plan-detail", args=[self.plan.pk])
        for persona in PERSONAS:
            self.login_as(persona)
            for url in reads:
                status = self.client.get(url).status_code
                self.assertIn(status, self.expect(persona, persona in READERS, api=True))
            for url in lists:
                response = self.client.get(url)
                self.assertIn(response.status_code, self.expect(persona, True, api=True))
                if persona in ("outsider", "citizen"):
                    self.assertEqual(response.json(), [], (persona, url))
            if persona == "agency_leader":
                continue
            for method, url in [
                ("patch", plan_url),
                ("delete", plan_url),
                ("delete", task_url),
            ]:
                status = getattr(self.client, method)(url, {}, content_type="application/json")
                self.assertIn(status.status_code, self.expect(persona, False, api=True))
            response = self.client.post(
                reverse("api:plans-plan-list"),
                {"year": 2026, "title": "X"},
                content_type="application/json",
            )
            self.assertIn(response.status_code, self.expect(persona, False, api=True))
        self.assertEqual(Plan.objects.filter(agency=self.agency).count(), 1)
        self.assertTrue(PlanTask.objects.filter(pk=self.task.pk).exists())

    def test_a_file_missing_from_storage_is_a_404_not_a_server_error(self):
        default_storage.delete(self.evidence.path)
        self.login_as("officer_a")
        for url in (
            reverse("plans:task-evidence-download", args=[self.task.pk, self.evidence.pk]),
            reverse("plans:regulation-download", args=[self.regulation.pk]),
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)

    def test_odd_query_parameters_are_ignored_not_a_server_error(self):
        self.login_as("agency_leader")
        odd = {"ids": "1,²,99999999999999999999999,-3", "year": "²", "status": "<x>", "field": "99"}
        for url in [
            reverse("plans:plan-detail", args=[self.plan.pk]),
            reverse("plans:legal-review-list"),
            reverse("plans:procedure-review-list"),
            reverse("plans:quality-list"),
            reverse("api:plans-legal-review-list"),
            reverse("reports:dashboard"),
        ]:
            self.assertEqual(self.client.get(url, odd).status_code, 200, url)
            huge = {"year": "99999999999999999999"}
            self.assertEqual(self.client.get(url, huge).status_code, 200, url)
        # The task list API documents `status` as one of the statuses: anything else is a 400.
        tasks = reverse("api:plans-task-list", args=[self.plan.pk])
        self.assertEqual(self.client.get(tasks, {"status": "overdue"}).status_code, 200)
        for status in ("<x>", ""):
            response = self.client.get(tasks, {"status": status})
            self.assertEqual(response.status_code, 400, status)
            self.assertEqual(response.json()["errors"][0]["field"], "status")
        # The dashboard API documents `year` as an integer: a bad one is a 400 that says why.
        for year in ("²", "99999999999999999999", "2024.5", ""):
            response = self.client.get(reverse("api:reports-dashboard"), {"year": year})
            self.assertEqual(response.status_code, 400, year)
            self.assertEqual(response.json()["errors"][0]["field"], "year")
