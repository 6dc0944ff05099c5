"""Every write of a regulation, legal review, procedure review or ISO record leaves an audit
entry naming the action, the object and the person (issue 11, point 3.8)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cchc.core.models import AuditEntry
from cchc.core.testing import PersonaTestCase
from cchc.plans.models import LegalReview, ProcedureReview, QualityRecord, Regulation

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PAGE_CREATES = [
    (
        "plans:regulation-list",
        Regulation,
        "regulation_create",
        {
            "kind": "other",
            "number": "05/QC",
            "title": "Quy chế",
            "issued_on": "2024-01-10",
            "valid_from": "2024-01-10",
        },
    ),
    (
        "plans:legal-review-list",
        LegalReview,
        "legal_review_create",
        {
            "review_year": 2024,
            "doc_type": "Quyết định",
            "title": "V",
            "issuer": "UBND",
            "result": "amend",
            "follow_up": "proposed",
        },
    ),
    (
        "plans:procedure-review-list",
        ProcedureReview,
        "procedure_review_create",
        {"review_year": 2024, "procedure_name": "TT", "proposal": "abolish", "status": "proposed"},
    ),
    (
        "plans:quality-list",
        QualityRecord,
        "quality_record_create",
        {
            "body_name": "Sở Y tế",
            "body_type": "provincial_department",
            "standard": "2015",
            "status": "building",
        },
    ),
]


class RecordAuditTests(PersonaTestCase):
    def assert_audited(self, obj, action, actor):
        entry = AuditEntry.objects.get(action=action)
        self.assertEqual(
            (entry.object_id, entry.content_type.model_class(), entry.actor, entry.agency),
            (str(obj.pk), type(obj), actor, self.agency),
        )

    def test_creating_each_record_from_its_page_writes_an_audit_entry(self):
        self.login_as("agency_leader")
        for name, model, action, data in PAGE_CREATES:
            response = self.client.post(reverse(name), data)
            self.assertEqual(response.status_code, 302, (name, response.content[:2000]))
            self.assert_audited(model.objects.get(), action, self.agency_leader)

    def test_creating_a_record_through_the_api_writes_an_audit_entry(self):
        self.login_as("agency_leader")
        response = self.client.post(
            reverse("api:plans-procedure-review-list"),
            {"review_year": 2024, "procedure_name": "TT", "proposal": "simplify"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assert_audited(
            ProcedureReview.objects.get(), "procedure_review_create", self.agency_leader
        )

    def test_a_refused_record_leaves_no_audit_entry(self):
        self.login_as("agency_leader")
        data = {**PAGE_CREATES[0][3], "valid_until": "2023-01-01"}
        data["file"] = SimpleUploadedFile("q.pdf", PDF)
        self.assertEqual(self.client.post(reverse("plans:regulation-list"), data).status_code, 400)
        self.assertFalse(AuditEntry.objects.filter(action="regulation_create").exists())
        self.assertFalse(Regulation.objects.exists())


class PlanAuditTests(PersonaTestCase):
    """The same gap in the plan's own writes: renaming a plan, editing a task's content and
    adding evidence changed records without an audit entry."""

    def test_plan_rename_task_edit_and_evidence_are_audited(self):
        from cchc.plans.tests.factories import d, make_plan, make_task

        plan = make_plan(self.agency, 2024)
        task = make_task(plan, self.unit_a, deadline=d(2024, 3, 1))
        self.login_as("agency_leader")
        self.client.patch(
            reverse("api:plans-plan-detail", args=[plan.pk]),
            {"title": "Kế hoạch (sửa)"},
            content_type="application/json",
        )
        self.client.patch(
            reverse("api:plans-task-detail", args=[task.pk]),
            {"content": "Nội dung mới"},
            content_type="application/json",
        )
        self.client.post(
            reverse("plans:task-evidence", args=[task.pk]),
            {"file": SimpleUploadedFile("bb.pdf", PDF)},
        )
        entries = {e.action: e for e in AuditEntry.objects.all()}
        self.assertEqual(entries["plan_update"].object_id, str(plan.pk))
        self.assertEqual(entries["task_update"].object_id, str(task.pk))
        self.assertEqual(entries["task_evidence_add"].object_id, str(task.pk))
        self.assertEqual(entries["task_evidence_add"].actor, self.agency_leader)
