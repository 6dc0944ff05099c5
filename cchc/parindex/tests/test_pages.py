"""Periods, results, exports, what-if, framework upload and survey import pages, by persona."""

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from cchc.core.roles import Role
from cchc.core.testing import make_user
from cchc.parindex.models import Assessment, Framework, Score
from cchc.parindex.tests.helpers import SMALL_YAML, ParTestCase

FULL = {"1.1.1": 2, "1.1.2": 2, "1.2": 2, "2.1.1": 2, "2.2": 2}


class PeriodAndResultPageTests(ParTestCase):
    def setUp(self):
        self.set_points(self.assessment_a, {**FULL, "1.1.1": 1.5})
        self.set_points(self.assessment_b, {**FULL, "2.2": 0.5})

    def test_home_lists_periods_for_staff_and_published_results_for_the_public(self):
        self.login_as("officer_a")
        self.assertContains(self.client.get(reverse("parindex:home")), "Kỳ 2025")
        self.login_as("anonymous")
        response = self.client.get(reverse("parindex:home"))
        self.assertNotContains(response, "Kỳ 2025")
        self.set_status(self.assessment_b, Assessment.Status.PUBLISHED)
        response = self.client.get(reverse("parindex:home"))
        self.assertContains(response, "Phòng B – Kỳ 2025")
        self.assertNotContains(response, "Phòng A – Kỳ 2025")

    def test_the_period_page_ranks_what_each_persona_may_see(self):
        url = reverse("parindex:period", args=[self.period.pk])
        self.login_as("agency_leader")
        response = self.client.get(url)
        self.assertContains(response, "Phòng A")
        self.assertContains(response, "Phòng B")
        self.assertContains(response, "95,000")
        self.assertContains(response, "<svg")
        self.login_as("officer_a")
        response = self.client.get(url)
        self.assertContains(response, "Phòng A")
        self.assertNotContains(response, "Phòng B<")
        for persona in ("outsider", "citizen", "anonymous"):
            self.login_as(persona)
            self.assertEqual(self.client.get(url).status_code, 404, persona)
        self.set_status(self.assessment_b, Assessment.Status.PUBLISHED)
        self.login_as("anonymous")
        response = self.client.get(url)
        self.assertContains(response, "Phòng B")
        self.assertNotContains(response, "Phòng A<")

    def test_the_result_page_shows_index_rank_lost_points_and_radar(self):
        self.login_as("leader_a")
        response = self.client.get(reverse("parindex:result", args=[self.assessment_a.pk]))
        self.assertContains(response, 'id="index">95,000<')
        self.assertContains(response, 'id="rank">1/2<')
        self.assertContains(response, 'id="criteria-at-max">3/4<')
        self.assertContains(response, 'id="components-at-max">2/3<')
        self.assertContains(response, "<svg")
        self.assertContains(response, "1.1.1. Thành phần chấm tay")
        self.assertContains(response, "Kết quả tạm tính")
        for persona in ("officer_b", "outsider", "citizen", "anonymous"):
            self.login_as(persona)
            self.assertEqual(
                self.client.get(
                    reverse("parindex:result", args=[self.assessment_a.pk])
                ).status_code,
                404,
            )

    def test_what_if_on_the_page_is_a_partial_and_saves_nothing(self):
        self.login_as("officer_b")
        url = reverse("parindex:result", args=[self.assessment_b.pk])
        response = self.client.get(url, {"field": "2", "partial": "whatif"}, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="whatif-index">100,000<')
        self.assertContains(response, 'id="whatif-rank">1/2<')
        self.assertNotContains(response, "<html")
        self.assertEqual(
            Score.objects.get(assessment=self.assessment_b, node__code="2.2").final_points,
            Decimal("0.5"),
        )
        self.assertEqual(self.client.get(url, {"leaf": "9.9"}).status_code, 404)

    def test_the_pdf_summary_and_the_excel_export(self):
        self.login_as("agency_leader")
        response = self.client.get(reverse("parindex:result-pdf", args=[self.assessment_a.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(response.content.startswith(b"%PDF"))
        response = self.client.get(reverse("parindex:period-export", args=[self.period.pk]))
        book = load_workbook(io.BytesIO(response.content))
        rows = list(book["Điểm chi tiết"].iter_rows(values_only=True))
        self.assertEqual(rows[0][:5], ("Đơn vị", "Mã", "Tiêu chí", "Điểm tối đa", "Tự chấm"))
        self.assertEqual(len(rows), 1 + 2 * 5)
        self.assertIn(("Phòng A", "1.1.1"), [r[:2] for r in rows])
        self.assertEqual([r[3] for r in book["Kết quả"].iter_rows(values_only=True)][1:], [1, 2])
        self.login_as("officer_a")
        self.assertEqual(
            self.client.get(reverse("parindex:period-export", args=[self.period.pk])).status_code,
            404,
        )

    def test_text_that_looks_like_a_formula_stays_text_in_the_excel_export(self):
        from cchc.core.tests.test_excel import assert_kept_as_text

        formula = '=HYPERLINK("http://x","y")'
        self.unit_a.__class__.objects.filter(pk=self.unit_a.pk).update(name=formula)
        Score.objects.filter(assessment=self.assessment_a, node__code="1.1.1").update(
            self_note="+1+cmd|' /C calc'!A0"
        )
        self.login_as("agency_leader")
        response = self.client.get(reverse("parindex:period-export", args=[self.period.pk]))
        assert_kept_as_text(self, response.content, formula)
        assert_kept_as_text(self, response.content, "+1+cmd|' /C calc'!A0")


class UploadPageTests(ParTestCase):
    def test_only_the_reform_focal_point_imports_a_framework(self):
        url = reverse("parindex:framework-import")
        for persona in ("officer_a", "agency_leader", "citizen", "anonymous"):
            self.login_as(persona)
            self.assertEqual(self.client.get(url).status_code, 404, persona)
        self.client.force_login(self.focal)
        broken = SMALL_YAML.replace("code: TEST", "code: UP").replace("scale: 10", "scale: 11")
        response = self.client.post(url, {"file": SimpleUploadedFile("f.yaml", broken.encode())})
        self.assertContains(response, "khác thang điểm 11", status_code=400)
        self.assertFalse(Framework.objects.filter(code="UP").exists())
        good = SMALL_YAML.replace("code: TEST", "code: UP")
        response = self.client.post(url, {"file": SimpleUploadedFile("f.yaml", good.encode())})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Framework.objects.filter(code="UP").exists())
        response = self.client.post(url, {"file": SimpleUploadedFile("f.txt", b"x")})
        self.assertContains(response, "Chỉ nhận tệp YAML", status_code=400)

    def test_an_agency_never_replaces_a_framework_another_agency_imported(self):
        url = reverse("parindex:framework-import")
        mine = SMALL_YAML.replace("code: TEST", "code: MINE")
        self.client.force_login(self.focal)
        self.client.post(url, {"file": SimpleUploadedFile("f.yaml", mine.encode())})
        framework = Framework.objects.get(code="MINE")
        self.assertEqual(framework.agency, self.agency)
        changed = mine.replace("name: Thành phần hai", "name: Đổi tên")
        other_focal = make_user("other_focal", self.other_unit, [Role.REFORM_FOCAL_POINT])
        self.client.force_login(other_focal)
        response = self.client.post(url, {"file": SimpleUploadedFile("f.yaml", changed.encode())})
        self.assertContains(response, "do cơ quan khác", status_code=400)
        self.assertEqual(framework.nodes.get(code="2.1.1").name, "Thành phần hai")
        api = APIClient()
        api.force_authenticate(other_focal)
        response = api.post(
            "/api/v1/par/frameworks/import",
            {"file": SimpleUploadedFile("f.yaml", changed.encode())},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(framework.nodes.get(code="2.1.1").name, "Thành phần hai")
        self.client.force_login(self.focal)
        response = self.client.post(url, {"file": SimpleUploadedFile("f.yaml", changed.encode())})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(framework.nodes.get(code="2.1.1").name, "Đổi tên")


def survey_xlsx(rows) -> bytes:
    book = Workbook()
    book.active.append(["unit", "code", "points"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class SurveyImportTests(ParTestCase):
    def url(self):
        return reverse("parindex:survey-import", args=[self.period.pk])

    def test_survey_points_are_imported_from_csv(self):
        self.client.force_login(self.focal)
        data = b'unit,code,points\nA,2.2,1.5\nB,2.2,"1,75"\n'
        response = self.client.post(self.url(), {"file": SimpleUploadedFile("s.csv", data)})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.score(self.assessment_a, "2.2").survey_points, Decimal("1.5"))
        self.assertEqual(self.score(self.assessment_b, "2.2").survey_points, Decimal("1.75"))

    def test_every_problem_is_reported_and_nothing_written(self):
        self.client.force_login(self.focal)
        data = survey_xlsx(
            [
                ["A", "2.2", 1],
                ["Z", "2.2", 1],
                ["A", "1.1.1", 1],
                ["B", "2.2", "nhiều"],
                ["B", "2.2", 5],
                ["A", "2.2", 1],
            ]
        )
        response = self.client.post(self.url(), {"file": SimpleUploadedFile("s.xlsx", data)})
        self.assertEqual(response.status_code, 400)
        for text in (
            "dòng 3, mã 2.2: đơn vị “Z” không thuộc kỳ đánh giá",
            "dòng 4, mã 1.1.1: mã “1.1.1” không phải tiêu chí điều tra XHH",
            "dòng 5, mã 2.2: điểm “nhiều” không phải là số",
            "dòng 6, mã 2.2: điểm 5 vượt điểm tối đa 2",
            "dòng 7, mã 2.2: trùng với dòng 2",
        ):
            self.assertContains(response, text, status_code=400)
        self.assertFalse(Score.objects.filter(survey_points__isnull=False).exists())

    def test_only_the_focal_point_imports_surveys(self):
        for persona in ("officer_a", "agency_leader", "outsider", "anonymous"):
            self.login_as(persona)
            self.assertEqual(self.client.get(self.url()).status_code, 404, persona)
