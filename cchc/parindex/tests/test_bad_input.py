"""Bad input never gives a 500 nor a half-written record: wrong types, garbage files."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from cchc.parindex.models import Evidence, Framework, Node, Score, ScoreChange
from cchc.parindex.tests.helpers import SMALL_YAML, ParTestCase


class ScoreInputTests(ParTestCase):
    def save(self, code, data):
        score = self.score(self.assessment_a, code)
        url = reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk])
        return self.client.post(url, data, HTTP_HX_REQUEST="true"), score

    def test_a_version_that_is_not_a_number_is_refused(self):
        self.login_as("leader_a")
        response, score = self.save("1.1.1", {"self_points": "1", "version": "abc"})
        self.assertContains(response, "Phiên bản không hợp lệ", status_code=400)
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        self.assertFalse(ScoreChange.objects.exists())

    def test_a_save_without_the_version_read_is_refused_and_writes_nothing(self):
        self.login_as("leader_a")
        for data in ({"self_points": "1"}, {"self_points": "1", "version": ""}):
            response, score = self.save("1.1.1", data)
            self.assertContains(response, "Thiếu phiên bản", status_code=400)
            self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        # Without htmx: the same message on the page it goes back to, nothing written.
        score = self.score(self.assessment_a, "1.1.1")
        url = reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk])
        response = self.client.post(url, {"self_points": "1"}, follow=True)
        self.assertContains(response, "Thiếu phiên bản")
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        self.assertFalse(ScoreChange.objects.exists())

    def test_the_service_refuses_a_change_without_the_version_read(self):
        from django.core.exceptions import ValidationError

        from cchc.parindex.services import score_update

        score = self.score(self.assessment_a, "1.1.1")
        for version in (None, ""):
            with self.assertRaises(ValidationError) as refused:
                score_update(
                    score_id=score.pk,
                    actor=self.leader_a,
                    changes={"self_points": "1"},
                    version=version,
                )
            self.assertIn("Thiếu phiên bản", refused.exception.message_dict["version"][0])
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)

    def test_the_api_refuses_a_patch_without_the_version_read(self):
        api = APIClient()
        api.force_authenticate(self.leader_a)
        score = self.score(self.assessment_a, "1.1.1")
        url = f"/api/v1/par/scores/{score.pk}/"
        for body in ({"self_points": "1"}, {"self_points": "1", "version": None}):
            response = api.patch(url, body, format="json")
            self.assertEqual(response.status_code, 400, body)
            error = response.json()["errors"][0]
            self.assertEqual(error["field"], "version")
            self.assertIn("Thiếu phiên bản", error["message"])
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        self.assertFalse(ScoreChange.objects.exists())

    def test_a_long_note_is_kept_whole_in_the_history(self):
        self.login_as("leader_a")
        note = "Thuyết minh dài. " * 250  # 4250 characters
        response, score = self.save("1.1.1", {"self_points": "1", "self_note": note, "version": 0})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Score.objects.get(pk=score.pk).self_note, note.strip())
        self.assertEqual(ScoreChange.objects.get(field="self_note").new, note.strip())


class GarbageFrameworkTests(ParTestCase):
    """The upload page answers 400 with the problem, and writes nothing, for each of these."""

    def post(self, name, data):
        self.client.force_login(self.focal)
        return self.client.post(
            reverse("parindex:framework-import"), {"file": SimpleUploadedFile(name, data)}
        )

    def assertRefused(self, name, data, message):
        before = (Framework.objects.count(), Node.objects.count())
        response = self.post(name, data)
        self.assertContains(response, message, status_code=400)
        self.assertEqual((Framework.objects.count(), Node.objects.count()), before)

    def test_it_refuses_a_file_that_is_not_utf8(self):
        self.assertRefused("f.yaml", SMALL_YAML.encode("utf-16"), "không phải văn bản UTF-8")

    def test_it_refuses_nesting_too_deep_to_read(self):
        deep = b"code: X\nnodes: " + b"[" * 5000 + b"]" * 5000
        self.assertRefused("f.yaml", deep, "lồng nhau quá sâu")

    def test_it_refuses_aliases_that_would_expand_a_small_file(self):
        bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n"
            for i in range(8)
        )
        self.assertRefused("f.yaml", (SMALL_YAML + bomb).encode(), "bí danh")

    def test_it_refuses_texts_longer_than_their_columns(self):
        text = SMALL_YAML.replace("code: TEST", "code: " + "X" * 80)
        self.assertRefused("f.yaml", text.encode(), "“code” dài quá 50 ký tự")
        text = SMALL_YAML.replace("code: TEST", "code: LONG").replace(
            "name: Bộ tiêu chí thử", "name: " + "N" * 400
        )
        self.assertRefused("f.yaml", text.encode(), "“name” dài quá 300 ký tự")
        text = SMALL_YAML.replace("code: TEST", "code: LONG").replace(
            'code: "2.2"', 'code: "2.' + "2" * 40 + '"'
        )
        self.assertRefused("f.yaml", text.encode(), "phải có dạng 1, 1.2 hoặc 1.2.3")

    def test_it_refuses_points_the_database_cannot_hold(self):
        text = (
            SMALL_YAML.replace("code: TEST", "code: BIG")
            .replace("scale: 10", "scale: 100000000")
            .replace("self_assessment_points: 8", "self_assessment_points: 99999998")
            .replace("max: 2, rule: {kind: manual}}", "max: 99999992, rule: {kind: manual}}")
        )
        self.assertRefused("f.yaml", text.encode(), "điểm tối đa 99999992 vượt quá 9999,999")
        text = SMALL_YAML.replace("code: TEST", "code: FINE").replace(
            "max: 2, rule: {kind: manual}}", "max: 1.9995, rule: {kind: manual}}"
        )
        self.assertRefused("f.yaml", text.encode(), "có quá 3 chữ số thập phân")

    def test_it_refuses_deeply_nested_json_parameters(self):
        from cchc.parindex.tests.test_importer import GOOD_ROWS, excel_bytes

        rows = [list(r) for r in GOOD_ROWS]
        rows[2][4] = "[" * 10_000 + "]" * 10_000
        self.assertRefused("f.xlsx", excel_bytes(rows), "phải là JSON")

    def test_it_refuses_an_excel_file_that_is_garbage(self):
        self.assertRefused("f.xlsx", b"PK\x03\x04 not really a zip", "Tệp Excel không đọc được")


class GarbageSurveyTests(ParTestCase):
    def assertRefused(self, name, data, message="Tệp không đọc được"):
        self.client.force_login(self.focal)
        response = self.client.post(
            reverse("parindex:survey-import", args=[self.period.pk]),
            {"file": SimpleUploadedFile(name, data)},
        )
        self.assertContains(response, message, status_code=400)
        self.assertFalse(Score.objects.filter(survey_points__isnull=False).exists())
        self.assertFalse(ScoreChange.objects.exists())

    def test_it_refuses_an_excel_file_that_is_garbage(self):
        self.assertRefused("s.xlsx", b"garbage")
        self.assertRefused("s.xlsx", b"PK\x03\x04" + b"\x00" * 100)

    def test_it_refuses_a_csv_that_is_not_utf8_or_has_a_huge_field(self):
        self.assertRefused("s.csv", "unit,code,points\nA,2.2,1\n".encode("utf-16"))
        self.assertRefused("s.csv", b"unit,code,points\nA,2.2," + b"9" * 200_000 + b"\n")

    def test_it_refuses_an_unknown_kind_of_file(self):
        self.assertRefused("s.txt", b"unit,code,points\nA,2.2,1\n", "Chỉ nhận tệp CSV")

    def test_it_refuses_a_file_without_rows(self):
        self.assertRefused("s.csv", b"", "không có dòng dữ liệu")


class RatioLeafTests(ParTestCase):
    def test_points_of_a_ratio_leaf_come_only_from_the_measured_percentage(self):
        api = APIClient()
        api.force_authenticate(self.leader_a)
        score = self.score(self.assessment_a, "1.2")
        url = f"/api/v1/par/scores/{score.pk}/"
        response = api.patch(url, {"self_points": "2", "version": 0}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "self_points")
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        changes = {"self_measured": "40", "self_points": "2", "version": 0}
        response = api.patch(url, changes, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        changes = {"self_measured": "40", "version": 0}
        self.assertEqual(api.patch(url, changes, format="json").status_code, 200)
        self.assertEqual(Score.objects.get(pk=score.pk).self_points, Decimal("1"))  # 2 × 40/80
        changes = {"self_measured": "", "version": 1}
        self.assertEqual(api.patch(url, changes, format="json").status_code, 200)
        score.refresh_from_db()
        self.assertEqual((score.self_measured, score.self_points), (None, None))


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@override_settings(
    STORAGES={
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
)
class EvidenceInputTests(ParTestCase):
    def upload(self, files):
        score = self.score(self.assessment_a, "1.1.1")
        url = reverse("parindex:evidence-upload", args=[self.assessment_a.pk, score.pk])
        return self.client.post(url, {"files": files}, follow=True)

    def test_one_bad_file_among_several_adds_none_of_them(self):
        self.login_as("leader_a")
        response = self.upload(
            [
                SimpleUploadedFile("tốt.pdf", PDF),
                SimpleUploadedFile("giả.pdf", b"<html><script>alert(1)</script></html>"),
                SimpleUploadedFile("tốt 2.pdf", PDF + b" "),
            ]
        )
        self.assertContains(response, "không đúng loại cho phép")
        self.assertFalse(Evidence.objects.exists())
        self.assertFalse(ScoreChange.objects.exists())

    def test_a_long_file_name_is_kept(self):
        self.login_as("leader_a")
        name = "Báo cáo kết quả thực hiện kế hoạch cải cách hành chính năm 2025 của phòng.pdf"
        response = self.upload([SimpleUploadedFile(name, PDF)])
        self.assertContains(response, "Đã thêm 1 tài liệu")
        self.assertEqual(Evidence.objects.get().original_name, name)

    def test_no_file_is_a_message(self):
        self.login_as("leader_a")
        self.assertContains(self.upload([]), "Chọn ít nhất một tệp")


class ScoreConstraintTests(ParTestCase):
    def test_the_database_refuses_negative_points_and_percentages_above_100(self):
        from django.db import IntegrityError, transaction

        score = self.score(self.assessment_a, "1.1.1")
        for change in (
            {"self_points": -1},
            {"survey_points": -1},
            {"round1_points": -0.25},
            {"round2_points": -1},
            {"final_points": -1},
            {"self_measured": 100.5},
        ):
            with self.subTest(**change), self.assertRaises(IntegrityError), transaction.atomic():
                Score.objects.filter(pk=score.pk).update(**change)
        Score.objects.filter(pk=score.pk).update(self_points=0, self_measured=100)
