"""Self-assessment: who may score, per-leaf saves, flags, evidence, submit locks."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from cchc.parindex.models import Assessment, Assignment, Evidence, Score, ScoreChange
from cchc.parindex.services import assessment_transition
from cchc.parindex.tests.helpers import ParTestCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class FieldPageAccessTests(ParTestCase):
    def test_who_may_open_the_field_page(self):
        url = reverse("parindex:field", args=[self.assessment_a.pk, "1"])
        expected = {
            "officer_a": 200,
            "leader_a": 200,
            "agency_leader": 200,
            "officer_b": 404,
            "outsider": 404,
            "citizen": 404,
            "anonymous": 404,
        }
        for persona, status in expected.items():
            self.login_as(persona)
            self.assertEqual(self.client.get(url).status_code, status, persona)

    def test_the_sample_banner_is_shown_on_a_sample_framework(self):
        from cchc.parindex.services import period_create
        from cchc.parindex.tests.helpers import sample_framework

        period = period_create(
            agency=self.agency,
            framework=sample_framework(),
            year=2030,
            name="Mẫu",
            units=[self.unit_a],
        )
        self.client.force_login(self.leader_a)
        self.leader_a.groups.add(*self.focal.groups.all())  # + agency focal point: every page
        assessment = period.assessments.get()
        score = assessment.scores.first()
        for url in (
            reverse("parindex:home"),
            reverse("parindex:framework-list"),
            reverse("parindex:framework-detail", args=[period.framework_id]),
            reverse("parindex:period", args=[period.pk]),
            reverse("parindex:survey-import", args=[period.pk]),
            reverse("parindex:assessment", args=[assessment.pk]),
            reverse("parindex:field", args=[assessment.pk, "1"]),
            reverse("parindex:score-history", args=[assessment.pk, score.pk]),
            reverse("parindex:missing", args=[assessment.pk]),
            reverse("parindex:assignments", args=[assessment.pk]),
            reverse("parindex:result", args=[assessment.pk]),
        ):
            response = self.client.get(url)
            self.assertContains(response, 'class="sample-banner"', msg_prefix=url)
            self.assertContains(
                response, "Bộ tiêu chí mẫu — thay bằng Bảng 1 của Quyết định 876/QĐ-BNV"
            )
        self.assertNotContains(
            self.client.get(reverse("parindex:field", args=[self.assessment_a.pk, "1"])),
            'class="sample-banner"',
        )
        export = self.client.get(reverse("parindex:period-export", args=[period.pk]))
        book = load_workbook(io.BytesIO(export.content))
        for sheet in book.worksheets:
            self.assertIn("Bộ tiêu chí mẫu", sheet.cell(1, 1).value, sheet.title)

    def test_only_the_units_focal_point_and_assigned_officers_save_self_scores(self):
        score = self.score(self.assessment_a, "1.1.1")
        url = reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk])
        for persona in ("officer_a", "agency_leader", "appraiser"):
            self.login_as(persona)
            response = self.client.post(url, {"self_points": "1.5", "version": 0})
            self.assertEqual(response.status_code, 404, persona)
        self.login_as("officer_b")
        self.assertEqual(
            self.client.post(url, {"self_points": "1.5", "version": 0}).status_code, 404
        )
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        self.login_as("leader_a")
        response = self.client.post(
            url,
            {"self_points": "1,5", "self_note": "Thiếu một báo cáo", "version": 0},
            HTTP_HX_REQUEST="true",
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Đã lưu")
        self.assertEqual(Score.objects.get(pk=score.pk).self_points, Decimal("1.5"))
        # An officer assigned to criterion 1.1 may score its components, and only those.
        Assignment.objects.create(
            assessment=self.assessment_a,
            node=self.framework.nodes.get(code="1.1"),
            person=self.officer_a,
        )
        self.login_as("officer_a")
        other = self.score(self.assessment_a, "1.1.2")
        response = self.client.post(
            reverse("parindex:score-save", args=[self.assessment_a.pk, other.pk]),
            {"self_points": "1", "version": 0},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Score.objects.get(pk=other.pk).self_points, 1)
        outside = self.score(self.assessment_a, "2.1.1")
        response = self.client.post(
            reverse("parindex:score-save", args=[self.assessment_a.pk, outside.pk]),
            {"self_points": "1", "version": 0},
        )
        self.assertEqual(response.status_code, 404)

    def test_bad_points_are_refused_with_a_vietnamese_message(self):
        self.login_as("leader_a")
        cases = {
            "1.1.1": ("2.1", "Điểm tối đa của tiêu chí 1.1.1 là 2"),
            "2.1.1": ("abc", "không phải là số"),
            "1.1.2": ("1.5", "Chỉ chọn một trong các mức"),
        }
        for code, (value, message) in cases.items():
            score = self.score(self.assessment_a, code)
            response = self.client.post(
                reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk]),
                {"self_points": value, "version": 0},
                HTTP_HX_REQUEST="true",
            )
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, message, status_code=400)
            self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        score = self.score(self.assessment_a, "1.1.1")
        response = self.client.post(
            reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk]),
            {"self_points": "1.1", "version": 0},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, "bước 0,25", status_code=400)
        self.assertFalse(ScoreChange.objects.exists())

    def test_a_ratio_leaf_maps_the_measured_percentage(self):
        self.login_as("leader_a")
        score = self.score(self.assessment_a, "1.2")
        self.client.post(
            reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk]),
            {"self_measured": "60", "version": 0},
        )
        score.refresh_from_db()
        self.assertEqual(score.self_points, Decimal("1.5"))  # 2 × 60/80

    def test_a_survey_leaf_is_never_self_scored(self):
        self.login_as("leader_a")
        score = self.score(self.assessment_a, "2.2")
        response = self.client.post(
            reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk]),
            {"self_points": "2", "version": 0},
            HTTP_HX_REQUEST="true",
        )
        self.assertEqual(response.status_code, 400)
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
class EvidenceAndFlagsTests(ParTestCase):
    def test_scores_without_note_or_evidence_are_allowed_but_flagged(self):
        self.login_as("leader_a")
        score = self.score(self.assessment_a, "1.1.1")
        url = reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk])
        response = self.client.post(url, {"self_points": "1", "version": 0}, HTTP_HX_REQUEST="true")
        self.assertContains(response, "Dưới điểm tối đa nhưng chưa có thuyết minh")
        self.assertContains(response, "Có điểm nhưng chưa có tài liệu kiểm chứng")
        missing = self.client.get(reverse("parindex:missing", args=[self.assessment_a.pk]))
        self.assertContains(missing, "1.1.1. Thành phần chấm tay")
        self.assertContains(missing, "Chưa chấm điểm")

    def test_several_evidence_files_are_uploaded_with_their_hash(self):
        self.login_as("leader_a")
        score = self.score(self.assessment_a, "1.1.1")
        url = reverse("parindex:evidence-upload", args=[self.assessment_a.pk, score.pk])
        files = [
            SimpleUploadedFile("kế hoạch.pdf", PDF),
            SimpleUploadedFile("báo cáo.pdf", PDF + b" "),
        ]
        response = self.client.post(url, {"files": files})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Evidence.objects.filter(score=score).count(), 2)
        evidence = Evidence.objects.filter(score=score).first()
        self.assertEqual(len(evidence.sha256), 64)
        self.assertEqual(evidence.original_name, "kế hoạch.pdf")
        download = self.client.get(
            reverse("parindex:evidence-download", args=[self.assessment_a.pk, evidence.pk])
        )
        self.assertEqual(download.status_code, 200)
        self.login_as("officer_b")
        self.assertEqual(
            self.client.get(
                reverse("parindex:evidence-download", args=[self.assessment_a.pk, evidence.pk])
            ).status_code,
            404,
        )

    def test_a_file_of_the_wrong_type_is_refused(self):
        self.login_as("leader_a")
        score = self.score(self.assessment_a, "1.1.1")
        url = reverse("parindex:evidence-upload", args=[self.assessment_a.pk, score.pk])
        response = self.client.post(
            url, {"files": [SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf")]}, follow=True
        )
        self.assertContains(response, "không đúng loại cho phép")
        self.assertFalse(Evidence.objects.exists())


class SubmitTests(ParTestCase):
    def test_submit_locks_the_self_scores(self):
        self.login_as("officer_a")
        response = self.client.post(
            reverse("parindex:assessment-action", args=[self.assessment_a.pk]), {"action": "submit"}
        )
        self.assertContains(response, "Chỉ lãnh đạo", status_code=403)
        self.login_as("leader_a")
        response = self.client.post(
            reverse("parindex:assessment-action", args=[self.assessment_a.pk]), {"action": "submit"}
        )
        self.assertEqual(response.status_code, 302)
        self.assessment_a.refresh_from_db()
        self.assertEqual(self.assessment_a.status, Assessment.Status.SUBMITTED)
        score = self.score(self.assessment_a, "1.1.1")
        response = self.client.post(
            reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk]),
            {"self_points": "2", "version": 0},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, "đã nộp", status_code=400)
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        from django.contrib.contenttypes.models import ContentType

        from cchc.core.models import AuditEntry

        entry = AuditEntry.objects.get(
            content_type=ContentType.objects.get_for_model(Assessment),
            object_id=str(self.assessment_a.pk),
            action="assessment_submit",
        )
        self.assertEqual((entry.from_state, entry.to_state), ("draft", "submitted"))

    def test_a_second_submit_is_refused(self):
        assessment_transition(
            assessment_id=self.assessment_a.pk, actor=self.leader_a, action="submit"
        )
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            assessment_transition(
                assessment_id=self.assessment_a.pk, actor=self.leader_a, action="submit"
            )


class LocalisationTests(ParTestCase):
    def test_ids_and_years_are_never_written_with_a_thousands_separator(self):
        old = self.score(self.assessment_a, "1.1.1")
        node = old.node
        old.delete()
        Score.objects.create(pk=12345, assessment=self.assessment_a, node=node, version=1234)
        self.login_as("leader_a")
        response = self.client.get(reverse("parindex:field", args=[self.assessment_a.pk, "1"]))
        self.assertContains(response, 'id="score-12345"')
        self.assertContains(response, 'name="version" value="1234"')
        self.client.force_login(self.focal)
        response = self.client.get(reverse("parindex:framework-detail", args=[self.framework.pk]))
        self.assertContains(response, 'value="2026"')
        self.assertContains(response, "(2025)")


class OverviewTests(ParTestCase):
    def test_the_overview_shows_how_many_leaves_of_each_field_have_points(self):
        self.set_points(self.assessment_a, {"1.1.1": 1, "1.2": 2}, "self_points")
        self.login_as("leader_a")
        response = self.client.get(reverse("parindex:assessment", args=[self.assessment_a.pk]))
        self.assertContains(response, '<td class="num">2/3</td>')
        self.assertContains(response, '<td class="num">0/2</td>')
        self.assertContains(response, "đã có điểm 2/5 tiêu chí")
