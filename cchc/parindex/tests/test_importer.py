"""Framework import: the sample, YAML and Excel, one broken file per kind of error."""

import io
import tempfile
from decimal import Decimal
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase
from openpyxl import Workbook

from cchc.core.testing import make_agency
from cchc.parindex.demo import MINISTRY_FRAMEWORK, SAMPLE
from cchc.parindex.importer import parse_framework
from cchc.parindex.models import Framework, Node
from cchc.parindex.services import ImportRefused, framework_copy, framework_import, period_create
from cchc.parindex.tests.helpers import SMALL_YAML, small_framework


def problems_of(text: str, name="broken.yaml") -> list[str]:
    return [str(p) for p in parse_framework(name, text.encode()).problems]


class SampleFrameworkTests(TestCase):
    def test_the_sample_has_the_official_structure(self):
        spec = parse_framework(SAMPLE.name, SAMPLE.read_bytes())
        self.assertEqual(spec.problems, [])
        framework = framework_import(spec=spec)
        self.assertTrue(framework.sample)
        self.assertEqual(framework.nodes.filter(level=1).count(), 7)
        self.assertEqual(framework.nodes.filter(level=2).count(), 38)
        self.assertEqual(framework.nodes.filter(level=3).count(), 97)
        self.assertEqual(framework.scale, Decimal("100"))
        self.assertEqual(framework.self_assessment_points, Decimal("68.5"))
        self.assertEqual(framework.survey_points, Decimal("31.5"))
        expected = {
            "1": (7, 6),
            "2": (9, 15),
            "3": (6, 19),
            "4": (4, 14),
            "5": (6, 16),
            "6": (3, 13),
            "7": (3, 14),
        }
        for code, (criteria, components) in expected.items():
            self.assertEqual(
                framework.nodes.filter(level=2, code__startswith=code + ".").count(), criteria
            )
            self.assertEqual(
                framework.nodes.filter(level=3, code__startswith=code + ".").count(), components
            )
        names = list(
            framework.nodes.filter(level=1).order_by("order").values_list("name", flat=True)
        )
        self.assertEqual(names[2], "Cải cách thủ tục hành chính")
        self.assertEqual(names[6], "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số")
        # A criterion without components is itself a leaf.
        self.assertTrue(framework.nodes.get(code="1.4").is_leaf)

    def test_the_command_imports_and_reports_problems(self):
        out = io.StringIO()
        call_command("import_framework", str(SAMPLE), stdout=out)
        self.assertIn("142 mục", out.getvalue())
        with tempfile.TemporaryDirectory() as folder:
            broken = Path(folder) / "broken.yaml"
            broken.write_text(
                SMALL_YAML.replace(
                    "max: 2, rule: {kind: manual}}", "max: -2, rule: {kind: manual}}"
                )
            )
            err = io.StringIO()
            with self.assertRaises(CommandError):
                call_command("import_framework", str(broken), stderr=err)
            self.assertIn("âm", err.getvalue())
        self.assertEqual(Framework.objects.count(), 1)


class BrokenYamlTests(TestCase):
    def assertRefused(self, text, *fragments):
        problems = problems_of(text)
        joined = "\n".join(problems)
        for fragment in fragments:
            self.assertIn(fragment, joined)
        spec = parse_framework("broken.yaml", text.encode())
        with self.assertRaises(ImportRefused):
            framework_import(spec=spec)
        self.assertEqual(Framework.objects.count(), 0)
        self.assertEqual(Node.objects.count(), 0)
        return problems

    def test_a_valid_file_has_no_problem(self):
        self.assertEqual(problems_of(SMALL_YAML), [])

    def test_it_refuses_duplicate_codes(self):
        text = SMALL_YAML.replace(
            'code: "2.1.1", name: Thành phần hai', 'code: "2.1.1", name: Thành phần hai'
        )
        text = text.replace('{code: "2.2", name: Điều tra XHH', '{code: "2.1", name: Điều tra XHH')
        problems = self.assertRefused(text, "mã “2.1” bị trùng")
        self.assertTrue(any("dòng" in p for p in problems))

    def test_it_refuses_a_child_whose_code_does_not_extend_its_parent(self):
        self.assertRefused(
            SMALL_YAML.replace('code: "2.1.1"', 'code: "3.1.1"'),
            "“3.1.1” không nối tiếp mã của cấp trên “2.1”",
        )

    def test_it_refuses_leaves_that_do_not_add_up_to_the_scale(self):
        self.assertRefused(SMALL_YAML.replace("scale: 10", "scale: 12"), "khác thang điểm 12")

    def test_it_refuses_totals_that_do_not_match(self):
        self.assertRefused(
            SMALL_YAML.replace("components: 3}", "components: 4}"),
            "khai báo 4 tiêu chí thành phần nhưng tệp có 3",
        )

    def test_it_refuses_an_unknown_rule_kind(self):
        self.assertRefused(
            SMALL_YAML.replace("rule: {kind: manual}}", "rule: {kind: guess}}"),
            "cách chấm “guess” không có",
        )

    def test_it_refuses_an_unknown_metric(self):
        text = SMALL_YAML.replace(
            "rule: {kind: manual}}", "rule: {kind: metric, target: 90}, metric: dossiers.nothing}"
        )
        self.assertRefused(text, "số liệu “dossiers.nothing” chưa được đăng ký")

    def test_it_accepts_a_registered_metric(self):
        text = SMALL_YAML.replace(
            "rule: {kind: manual}}",
            "rule: {kind: metric, target: 90}, metric: parindex.evidence_coverage}",
        )
        self.assertEqual(problems_of(text), [])

    def test_it_refuses_negative_and_non_numeric_points(self):
        text = SMALL_YAML.replace("max: 2, rule: {kind: manual}}", "max: -2, rule: {kind: manual}}")
        text = text.replace("max: 2, rule: {kind: ratio", "max: hai, rule: {kind: ratio")
        problems = self.assertRefused(
            text, "điểm tối đa -2 âm", "điểm tối đa “hai” không phải là số"
        )
        self.assertTrue(any("mã 2.1.1" in p for p in problems))
        self.assertTrue(any("mã 1.2" in p for p in problems))

    def test_it_reports_every_problem_at_once(self):
        text = SMALL_YAML.replace("rule: {kind: manual}}", "rule: {kind: guess}}").replace(
            'code: "2.1.1"', 'code: "3.1.1"'
        )
        self.assertGreaterEqual(len(self.assertRefused(text, "guess", "3.1.1")), 2)

    def test_it_refuses_unreadable_yaml_with_its_line(self):
        self.assertRefused("code: [unclosed\nname: x", "YAML không đọc được")

    def test_it_refuses_a_choice_level_above_max(self):
        self.assertRefused(
            SMALL_YAML.replace("{label: Đạt, points: 2}", "{label: Đạt, points: 3}"),
            "vượt điểm tối đa",
        )

    def test_it_refuses_the_counts_only_file(self):
        self.assertRefused(
            MINISTRY_FRAMEWORK.read_text(encoding="utf-8"), "Thiếu danh sách tiêu chí"
        )


def excel_bytes(rows, meta=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "nodes"
    sheet.append(["code", "name", "max", "rule", "params", "metric", "evidence"])
    for row in rows:
        sheet.append(row)
    info = book.create_sheet("meta")
    for key, value in (
        meta
        or {
            "code": "XL",
            "name": "Bộ tiêu chí Excel",
            "year": 2025,
            "level": "province",
            "scale": 4,
            "totals_fields": 1,
            "totals_criteria": 2,
            "totals_components": 2,
        }
    ).items():
        info.append([key, value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_ROWS = [
    ["1", "Lĩnh vực", None, None, None, None, None],
    ["1.1", "Tiêu chí", None, None, None, None, None],
    ["1.1.1", "Thành phần 1", 1, "manual", '{"step": 0.5}', None, "Kế hoạch"],
    [
        "1.1.2",
        "Thành phần 2",
        1,
        "choice",
        '{"levels": [{"label": "Đạt", "points": 1}, {"label": "Không", "points": 0}]}',
        None,
        None,
    ],
    ["1.2", "Tiêu chí lá", 2, "survey", None, None, None],
]


class ExcelImportTests(TestCase):
    def test_a_valid_workbook_is_imported(self):
        rows = [list(r) for r in GOOD_ROWS]
        rows[0][0] = 1.0  # a field code typed as a number
        framework = framework_import(spec=parse_framework("f.xlsx", excel_bytes(rows)))
        self.assertEqual(framework.nodes.count(), 5)
        self.assertEqual(framework.survey_points, Decimal("2"))
        self.assertEqual(framework.nodes.get(code="1.1.2").rule_params["levels"][0]["points"], 1)

    def test_it_names_the_row_of_each_problem(self):
        rows = [list(r) for r in GOOD_ROWS]
        rows[2][2] = "abc"  # non-numeric
        rows[3][3] = "magic"  # unknown rule
        rows.append(["2.5.1", "Mồ côi", 1, "manual", None, None, None])  # parent missing
        rows.append(["1.1.1", "Trùng", 1, "manual", None, None, None])  # duplicate
        problems = [str(p) for p in parse_framework("f.xlsx", excel_bytes(rows)).problems]
        joined = "\n".join(problems)
        self.assertIn("dòng 4, mã 1.1.1: điểm tối đa “abc” không phải là số", joined)
        self.assertIn("dòng 5, mã 1.1.2: cách chấm “magic” không có", joined)
        self.assertIn("dòng 7, mã 2.5.1", joined)
        self.assertNotIn("thiếu điểm tối đa", joined)
        self.assertIn("mã “1.1.1” bị trùng", joined)
        with self.assertRaises(ImportRefused):
            framework_import(spec=parse_framework("f.xlsx", excel_bytes(rows)))
        self.assertFalse(Framework.objects.exists())

    def test_it_refuses_bad_json_parameters_and_a_wrong_scale(self):
        rows = [list(r) for r in GOOD_ROWS]
        rows[2][4] = "{step: }"
        meta = {"code": "XL", "name": "X", "year": 2025, "level": "province", "scale": 5}
        joined = "\n".join(
            str(p) for p in parse_framework("f.xlsx", excel_bytes(rows, meta)).problems
        )
        self.assertIn("dòng 4, mã 1.1.1: tham số cách chấm phải là JSON", joined)

    def test_the_sample_flag_typed_as_text_is_read_as_a_yes_or_no(self):
        meta = {"code": "XL", "name": "X", "year": 2025, "level": "province", "scale": 4}
        for typed, sample in (("FALSE", False), ("không", False), ("TRUE", True), ("có", True)):
            spec = parse_framework("f.xlsx", excel_bytes(GOOD_ROWS, {**meta, "sample": typed}))
            self.assertIs(framework_import(spec=spec).sample, sample, typed)

    def test_a_wrong_scale_is_reported(self):
        meta = {"code": "XL", "name": "X", "year": 2025, "level": "province", "scale": 5}
        joined = "\n".join(
            str(p) for p in parse_framework("f.xlsx", excel_bytes(GOOD_ROWS, meta)).problems
        )
        self.assertIn("khác thang điểm 5", joined)

    def test_it_refuses_a_file_that_is_not_excel(self):
        problems = problems_of("not a workbook", name="f.xlsx")
        self.assertIn("Tệp Excel không đọc được", problems[0])


class VersioningTests(TestCase):
    def test_a_framework_used_by_a_period_cannot_be_reimported_and_a_new_year_copies_it(self):
        framework = small_framework()
        agency = make_agency()
        unit = agency.units.create(code="A", name="Phòng A")
        period_create(agency=agency, framework=framework, year=2025, name="Kỳ", units=[unit])
        changed = SMALL_YAML.replace("name: Thành phần hai", "name: Đổi tên")
        with self.assertRaises(ImportRefused) as caught:
            framework_import(spec=parse_framework("f.yaml", changed.encode()))
        self.assertIn("đã được dùng cho kỳ đánh giá", str(caught.exception))
        self.assertEqual(framework.nodes.get(code="2.1.1").name, "Thành phần hai")
        copy = framework_copy(framework=framework, year=2026)
        self.assertEqual(copy.nodes.count(), framework.nodes.count())
        self.assertEqual(copy.nodes.get(code="1.1.1").parent.code, "1.1")
        self.assertEqual(copy.nodes.get(code="1.1.1").parent.framework, copy)
        # The copy is not used yet, so it may be replaced by a new import for its year.
        spec = parse_framework("f.yaml", changed.replace("year: 2025", "year: 2026").encode())
        replaced = framework_import(spec=spec)
        self.assertEqual(replaced.pk, copy.pk)
        self.assertEqual(replaced.nodes.get(code="2.1.1").name, "Đổi tên")
