"""Bad input sweep (issue 7, point 6): every public form and import, and the staff forms that
take free text or files, fed empty, huge, wrong-type, wrong-encoding, script, SQL-looking,
traversal-named, zip-bomb and 50 MB inputs. Each is refused with a Vietnamese message (page)
or {"errors": [{field, message}]} (API), never a 500, and the database and storage are left
unchanged; or it is accepted harmlessly (stored verbatim, rendered escaped, stored under a
generated name)."""

import datetime as dt
import io
import re
import tempfile
from pathlib import Path

from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.core.tests.badinput import (
    ACTIVE_FILES,
    EMPTY,
    HOSTILE_NEXT,
    HUGE_TEXT,
    HUGER_TEXT,
    MB,
    NUL_TEXT,
    PDF,
    PNG,
    SCRIPT,
    SQL,
    TRAVERSAL_NAMES,
    UnchangedMixin,
    cp1258,
    pdf,
    upload,
    zip_bomb,
)
from cchc.dossiers.models import Dossier, DossierFile
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase
from cchc.feedback.models import Petition, PetitionAttachment
from cchc.parindex.models import Evidence, Framework
from cchc.parindex.tests.helpers import SMALL_YAML, ParTestCase
from cchc.plans.models import Plan, PlanTask, Regulation, TaskEvidence
from cchc.portal.models import Article, Comment, ScienceTask, ScienceTaskFile
from cchc.portal.tests import factories
from cchc.procedures.models import Component, Procedure

GENERATED = re.compile(r"^[A-Za-z/0-9_-]+/[0-9a-f]{32}\.[a-z]{3,4}$")
BIG = 50 * MB


def big_body_kwargs():
    """A 50 MB request as a client would send it: only CONTENT_LENGTH matters to the cap, and
    the test client sends the real bytes."""
    return {"data": b"0" * BIG, "content_type": "application/octet-stream"}


class SweepMixin(UnchangedMixin):
    def setUp(self):
        cache.clear()  # rate limits count per address in the cache

    def unchanged(self, label=""):
        cache.clear()  # each input starts below the public forms' rate limits
        return super().unchanged(label)

    def assertVietnameseError(self, response, text, status=400):
        body = response.content.decode()
        shown = re.findall(r'class="(?:field-error|errorlist|messages?)[^"]*"[^>]*>(.*?)</', body)
        shown = shown or [body[:300]]
        self.assertEqual(response.status_code, status, shown)
        self.assertIn(text, body, shown)

    def assertApiError(self, response, field=None, text="", status=400):
        self.assertEqual(response.status_code, status, response.content[:500])
        errors = response.json()["errors"]
        self.assertTrue(errors and all({"field", "message"} <= set(e) for e in errors), errors)
        if field is not None:
            self.assertIn(field, [e["field"] for e in errors])
        if text:
            self.assertIn(text, " ".join(e["message"] for e in errors))

    def assertEscaped(self, page: str):
        self.assertNotIn(SCRIPT, page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)


# --- one-stop: online filing, page and API ------------------------------------------------


@override_settings(SITE_AGENCY_CODE="TEST")
class DossierFilingSweep(SweepMixin, DeskTestCase):
    def fields(self, **overrides):
        data = {
            "applicant_kind": "person",
            "name": "Trần Thị Bình",
            "id_number": "001203004567",
            "phone": "0912345678",
            "email": "binh@example.vn",
            "address": "Phú Thọ",
            self.component_field: pdf(),
        }
        data.update(overrides)
        return data

    @property
    def component_field(self):
        return f"component_{self.procedure.components.first().pk}"

    def page(self, **overrides):
        return self.client.post(f"/ho-so/nop/{self.procedure.pk}/", self.fields(**overrides))

    def api(self, **overrides):
        data = {"procedure": self.procedure.pk, **self.fields(**overrides)}
        return self.client.post("/api/v1/dossiers/", data)

    TEXT_CASES = [  # (field, value, page message)
        ("name", EMPTY, "bắt buộc"),
        ("name", HUGE_TEXT, "tối đa 255 ký tự"),
        ("address", HUGE_TEXT, "tối đa 255 ký tự"),
        ("name", NUL_TEXT, "ký tự"),
        ("id_number", "abc", "12 chữ số"),
        ("phone", "'; DROP TABLE--", "Số điện thoại không hợp lệ"),
        ("applicant_kind", "<b>", "lựa chọn hợp lệ"),
    ]

    def test_bad_text_is_refused_on_the_page_and_in_the_api(self):
        for field, value, message in self.TEXT_CASES:
            with self.subTest(field=field, value=value[:20]), self.unchanged(field):
                self.assertVietnameseError(self.page(**{field: value}), message, status=200)
                self.assertApiError(self.api(**{field: value}), field=field)

    def test_script_and_sql_are_stored_verbatim_and_shown_escaped(self):
        self.page(name=SCRIPT, address=SQL)
        dossier = Dossier.objects.get()
        self.assertEqual((dossier.applicant_name, dossier.applicant_address), (SCRIPT, SQL))
        self.client.force_login(self.desk)
        self.assertEscaped(self.client.get(f"/ho-so/{dossier.code}/").content.decode())

    def test_bad_component_files_are_refused(self):
        cases = [(name, content, "HTML, SVG") for name, content in ACTIVE_FILES.items()]
        cases += [
            ("rong.pdf", b"", "rỗng"),
            ("bang.docx", zip_bomb("docx"), "zip bomb"),
            ("chuong-trinh.pdf", b"MZ\x90\x00" + b"\x00" * 100, "không đúng loại"),
        ]
        for name, content, message in cases:
            with self.subTest(name=name), self.unchanged(name):
                field = {self.component_field: upload(name, content)}
                self.assertVietnameseError(self.page(**field), message, status=200)
                field = {self.component_field: upload(name, content)}
                self.assertApiError(self.api(**field), field=self.component_field, text=message)

    def test_traversal_names_are_stored_under_generated_names(self):
        for i, name in enumerate(TRAVERSAL_NAMES):
            with self.subTest(name=name):
                response = self.page(**{self.component_field: pdf(name)})
                self.assertEqual(response.status_code, 302, response.content[:300])
                stored = DossierFile.objects.order_by("-pk").first()
                self.assertRegex(stored.path, GENERATED)
                self.assertNotIn("..", stored.original_name)
                self.assertNotRegex(stored.original_name, r"[/\\\x00]")
                self.assertEqual(Dossier.objects.count(), i + 1)

    def test_wrong_types_and_shapes_in_the_api(self):
        for body in ("[1, 2]", '"x"', "{not json", '{"procedure": "abc", "name": ["x"]}', "null"):
            with self.subTest(body=body), self.unchanged(body):
                response = self.client.post(
                    "/api/v1/dossiers/", body, content_type="application/json"
                )
                self.assertApiError(response)

    def test_invalid_utf8_and_a_50_mb_request_do_not_break_anything(self):
        with self.unchanged("invalid utf-8"):
            response = self.client.post(
                f"/ho-so/nop/{self.procedure.pk}/",
                b"name=%FF%FE%00&address=\xff\xfe",
                content_type="application/x-www-form-urlencoded",
            )
            self.assertEqual(response.status_code, 200)
        with self.unchanged("50 MB"):
            response = self.client.post(f"/ho-so/nop/{self.procedure.pk}/", **big_body_kwargs())
            self.assertVietnameseError(response, "quá lớn", status=413)
            response = self.client.post("/api/v1/dossiers/", **big_body_kwargs())
            self.assertApiError(response, text="quá lớn", status=413)
        with self.unchanged("3 MB of form fields"):
            response = self.page(name=HUGER_TEXT)
            self.assertVietnameseError(response, "quá lớn", status=400)
            self.assertApiError(self.api(name=HUGER_TEXT), text="quá lớn", status=400)


# --- PAKN: petitions, page and API ------------------------------------------------------


@override_settings(SITE_AGENCY_CODE="TEST")
class PetitionSweep(SweepMixin, PersonaTestCase):
    def fields(self, **overrides):
        data = {
            "sender_name": "Nguyễn Văn An",
            "sender_phone": "0912345678",
            "sender_email": "an@example.vn",
            "subject": "Thời gian cấp phép quá lâu",
            "content": "Hồ sơ của tôi chưa được trả kết quả.",
        }
        data.update(overrides)
        return data

    def page(self, **overrides):
        return self.client.post("/pakn/gui/", self.fields(**overrides))

    def api(self, **overrides):
        return self.client.post(
            "/api/v1/feedback/petitions/", self.fields(**overrides), content_type="application/json"
        )

    TEXT_CASES = [  # (field, value, page message)
        ("subject", EMPTY, "bắt buộc"),
        ("sender_name", HUGE_TEXT, "tối đa"),
        ("content", HUGE_TEXT, "tối đa"),
        ("subject", NUL_TEXT, "ký tự NUL"),
        ("sender_email", SQL, "email"),
    ]

    def test_bad_text_is_refused_on_the_page_and_in_the_api(self):
        for field, value, message in self.TEXT_CASES:
            with self.subTest(field=field, value=value[:20]), self.unchanged(field):
                self.assertVietnameseError(self.page(**{field: value}), message, status=200)
                self.assertApiError(self.api(**{field: value}), field=field)

    def test_wrong_types_and_shapes_in_the_api(self):
        bodies = ["[1, 2]", '"x"', "{not json", '{"sender_name": ["x"], "subject": {"a": 1}}']
        bodies += ['{"sender_name": "A", "subject": "B", "content": 5, "consent_to_publish": "x"}']
        for body in bodies:
            with self.subTest(body=body), self.unchanged(body):
                response = self.client.post(
                    "/api/v1/feedback/petitions/", body, content_type="application/json"
                )
                self.assertApiError(response)

    def test_script_and_sql_are_stored_verbatim_and_shown_escaped(self):
        self.page(subject=SCRIPT, content=SQL)
        petition = Petition.objects.get()
        self.assertEqual((petition.subject, petition.content), (SCRIPT, SQL))
        self.client.force_login(make_user("handler", self.unit_a, [Role.PETITION_HANDLER]))
        self.assertEscaped(self.client.get(f"/pakn/xu-ly/{petition.code}/").content.decode())

    def test_bad_attachments_are_refused_and_traversal_names_are_harmless(self):
        cases = [(name, content, "HTML, SVG") for name, content in ACTIVE_FILES.items()]
        cases += [("bang.docx", zip_bomb("docx"), "zip bomb")]
        for name, content, message in cases:
            with self.subTest(name=name), self.unchanged(name):
                response = self.page(attachments=[upload(name, content)])
                self.assertVietnameseError(response, message, status=200)
        for name in TRAVERSAL_NAMES:
            with self.subTest(name=name):
                cache.clear()
                response = self.page(attachments=[pdf(name)])
                self.assertContains(response, "Đã gửi")
                stored = PetitionAttachment.objects.order_by("-pk").first()
                self.assertRegex(stored.path, GENERATED)
                self.assertNotRegex(stored.original_name, r"[/\\\x00]|\.\.")

    def test_a_50_mb_request_is_refused_before_it_is_read(self):
        with self.unchanged("50 MB"):
            self.assertVietnameseError(
                self.client.post("/pakn/gui/", **big_body_kwargs()), "quá lớn", status=413
            )
            response = self.client.post("/api/v1/feedback/petitions/", **big_body_kwargs())
            self.assertApiError(response, text="quá lớn", status=413)


# --- portal: comments, page and API -----------------------------------------------------


class CommentSweep(SweepMixin, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = factories.article(factories.category(), "Bài có ý kiến")
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])

    def fields(self, **overrides):
        return {"name": "Bạn đọc", "email": "a@b.vn", "text": "Bài viết hữu ích.", **overrides}

    def page(self, **overrides):
        url = self.article.get_absolute_url() + "y-kien/"
        return self.client.post(url, self.fields(**overrides))

    def api(self, **overrides):
        url = f"/api/v1/portal/articles/{self.article.slug}/comments/"
        return self.client.post(url, self.fields(**overrides), content_type="application/json")

    TEXT_CASES = [
        ("text", EMPTY, "bắt buộc"),
        ("text", HUGE_TEXT, "tối đa"),
        ("name", HUGE_TEXT, "tối đa"),
        ("text", NUL_TEXT, "ký tự NUL"),
        ("email", SQL, "email"),
    ]

    def test_bad_text_is_refused_on_the_page_and_in_the_api(self):
        for field, value, message in self.TEXT_CASES:
            with self.subTest(field=field, value=value[:20]), self.unchanged(field):
                self.assertVietnameseError(self.page(**{field: value}), message, status=200)
                self.assertApiError(self.api(**{field: value}), field=field)

    def test_wrong_types_and_shapes_in_the_api(self):
        url = f"/api/v1/portal/articles/{self.article.slug}/comments/"
        for body in ("[1, 2]", "{not json", '{"name": ["x"], "text": {"a": 1}}', "null"):
            with self.subTest(body=body), self.unchanged(body):
                response = self.client.post(url, body, content_type="application/json")
                self.assertApiError(response)

    def test_script_and_sql_are_stored_verbatim_and_shown_escaped(self):
        self.page(name=SQL, text=SCRIPT)
        comment = Comment.objects.get()
        self.assertEqual((comment.name, comment.text), (SQL, SCRIPT))
        self.client.force_login(self.editor)
        self.assertEscaped(self.client.get("/quan-ly/y-kien/").content.decode())


# --- imports: PAR Index framework (page, API, command), survey (page, API) ------------------


def many_rows_xlsx(count: int = 100_000) -> bytes:
    """An xlsx of `count` short rows under headers every importer knows."""
    if count not in _MANY_ROWS:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("nodes")
        headers = ["code", "name", "max", "rule", "unit", "points", "field", "time"]
        sheet.append([*headers, "Lĩnh vực", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"])
        for i in range(count):  # one cell a row: 100,000 rows are 4 MB unpacked
            sheet.append([i])
        out = io.BytesIO()
        book.save(out)
        _MANY_ROWS[count] = out.getvalue()
    return _MANY_ROWS[count]


_MANY_ROWS: dict[int, bytes] = {}


def framework_yaml(code="XSS", name=SCRIPT, node_name=SQL) -> bytes:
    text = SMALL_YAML.replace("code: TEST", f"code: {code}")
    text = text.replace("name: Bộ tiêu chí thử", f'name: "{name}"')
    return text.replace("name: Lĩnh vực một", f'name: "{node_name}"').encode()


FRAMEWORK_CASES = [  # (file name, content, message): each refused, nothing written
    ("rong.yaml", b"", "rỗng"),
    ("lon.yaml", b"#" * (6 * MB), "quá lớn"),
    ("danh-sach.yaml", b"- 1\n- 2\n", "Tệp YAML phải là một bảng khóa"),
    ("cp1258.yaml", cp1258(SMALL_YAML.replace("TEST", "CP")), "UTF-8"),
    ("nul.yaml", framework_yaml(code="NUL", name="A\x00B", node_name="x"), "YAML"),
    ("sai-kieu.yaml", SMALL_YAML.replace("max: 2", "max: hai").encode(), "không phải là số"),
    ("bom.xlsx", zip_bomb("xlsx"), "zip bomb"),
    ("nhieu-dong.xlsx", None, "Quá nhiều"),
    ("../../etc/passwd", b"root:x:0:0", "Chỉ nhận tệp YAML"),
    ("ma.exe", b"MZ\x90\x00", "Chỉ nhận tệp YAML"),
]


class FrameworkImportSweep(SweepMixin, ParTestCase):
    def cases(self):
        for name, content, message in FRAMEWORK_CASES:
            yield name, many_rows_xlsx() if content is None else content, message

    def test_bad_files_are_refused_on_the_page_in_the_api_and_by_the_command(self):
        self.client.force_login(self.focal)
        for name, content, message in self.cases():
            with self.subTest(name=name), self.unchanged(name):
                response = self.client.post(
                    reverse("parindex:framework-import"), {"file": upload(name, content)}
                )
                self.assertVietnameseError(response, message, status=400)
                response = self.client.post(
                    "/api/v1/par/frameworks/import", {"file": upload(name, content)}
                )
                self.assertApiError(response, text=message)
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / (name.replace("/", "_") or "x")
                    path.write_bytes(content)
                    with self.assertRaises(CommandError):
                        call_command("import_framework", str(path), stderr=io.StringIO())

    def test_script_and_sql_names_are_stored_verbatim_and_shown_escaped(self):
        self.client.force_login(self.focal)
        response = self.client.post(
            reverse("parindex:framework-import"),
            {"file": upload("../../x.yaml", framework_yaml())},
        )
        framework = Framework.objects.get(code="XSS")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(framework.name, SCRIPT)
        self.assertTrue(framework.nodes.filter(name=SQL).exists())
        page = self.client.get(reverse("parindex:framework-detail", args=[framework.pk]))
        self.assertEscaped(page.content.decode())


SURVEY_CASES = [
    ("rong.csv", b"", "rỗng"),
    ("lon.csv", b"unit,code,points\n" + b"A,2.2,1\n" * (MB), "quá lớn"),
    ("cp1258.csv", cp1258("unit,code,points\nA,2.2,một\n"), "UTF-8"),
    ("nul.csv", b"unit,code,points\nA\x00,2.2,1\n", "Tệp không đọc được"),
    ("chu.csv", b"unit,code,points\nA,2.2,abc\n", "abc"),
    ("sql.csv", f"unit,code,points\n{SQL},2.2,1\n".encode(), "không thuộc kỳ đánh giá"),
    ("bom.xlsx", zip_bomb("xlsx"), "zip bomb"),
    ("nhieu-dong.xlsx", None, "Quá nhiều dòng"),
    ("nhieu-dong.csv", b"unit,code,points\n" + b"A,2.2,1\n" * 100_000, "Quá nhiều dòng"),
    ("../../etc/passwd", b"root:x:0:0", "Chỉ nhận tệp CSV"),
]


class SurveyImportSweep(SweepMixin, ParTestCase):
    def test_bad_files_are_refused_on_the_page_and_in_the_api(self):
        self.client.force_login(self.focal)
        for name, content, message in SURVEY_CASES:
            content = many_rows_xlsx() if content is None else content
            with self.subTest(name=name), self.unchanged(name):
                response = self.client.post(
                    reverse("parindex:survey-import", args=[self.period.pk]),
                    {"file": upload(name, content)},
                )
                self.assertVietnameseError(response, message, status=400)
                response = self.client.post(
                    f"/api/v1/par/periods/{self.period.pk}/survey", {"file": upload(name, content)}
                )
                self.assertApiError(response, text=message)


# --- imports: procedure catalogue (command), reform plan Excel (page) ------------------------

PROCEDURE_HEADER = "code,name,field,time,time_unit\n"
PROCEDURE_CASES = [  # (file name, content, message of the CommandError)
    ("rong.csv", b"", "thiếu cột"),
    ("lon.csv", PROCEDURE_HEADER.encode() + b"x" * (6 * MB), "quá lớn"),
    ("cp1258.csv", cp1258(PROCEDURE_HEADER + "1.000001,Cấp phép,KHCN,5,d\n"), "UTF-8"),
    ("nul.csv", PROCEDURE_HEADER.encode() + b"1.000001,A\x00B,KHCN,5,working_days\n", "UTF-8"),
    ("bom.xlsx", zip_bomb("xlsx"), "zip bomb"),
    ("nhieu-dong.xlsx", None, "quá nhiều dòng"),
    (
        "nhieu-dong.csv",
        (PROCEDURE_HEADER + "1.000001,A,B,1,working_days\n" * 100_000).encode(),
        "quá nhiều dòng",
    ),
]


class ProcedureImportSweep(SweepMixin, PersonaTestCase):
    def run_command(self, name, content):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            out, err = io.StringIO(), io.StringIO()
            call_command("import_procedures", str(path), stdout=out, stderr=err)
            return out.getvalue(), err.getvalue()

    def test_bad_files_are_refused_by_the_command(self):
        for name, content, message in PROCEDURE_CASES:
            content = many_rows_xlsx() if content is None else content
            with (
                self.subTest(name=name),
                self.unchanged(name),
                self.assertRaisesMessage(CommandError, message),
            ):
                self.run_command(name, content)

    def test_bad_rows_are_reported_and_only_good_rows_saved(self):
        rows = [
            f"1.000001,{'Ạ' * 600},KHCN,5,working_days",  # longer than the column
            "1.000002,Thủ tục,KHCN,năm,working_days",  # text for a number
            f"1.000003,{SCRIPT},{SQL},5,working_days",  # kept verbatim, shown escaped
        ]
        out, err = self.run_command("mix.csv", (PROCEDURE_HEADER + "\n".join(rows)).encode())
        self.assertIn("Dòng 2", err)
        self.assertIn("Dòng 3", err)
        procedure = Procedure.objects.get()
        self.assertEqual((procedure.name, procedure.field), (SCRIPT, SQL))
        self.assertEscaped(self.client.get(f"/thu-tuc/{procedure.pk}/").content.decode())


class PlanImportSweep(SweepMixin, PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.plan = Plan.objects.create(agency=cls.agency, year=2024, title="Kế hoạch 2024")

    def sheet(self, content=SCRIPT) -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.append(["Lĩnh vực", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"])
        sheet.append(["1", content, "A", "31/12/2024"])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    CASES = [
        ("rong.xlsx", b"", "rỗng"),
        ("lon.xlsx", b"PK" + b"0" * (6 * MB), "5 MB"),
        ("hong.xlsx", b"PK\x03\x04 not really", "Excel"),
        ("cp1258.xlsx", cp1258("Nội dung"), "Excel"),
        ("bom.xlsx", zip_bomb("xlsx"), "zip bomb"),
        ("nhieu-dong.xlsx", None, "2000"),
        ("../../etc/passwd", b"root:x:0:0", "Excel"),
    ]

    def test_bad_files_are_refused(self):
        self.login_as("agency_leader")
        url = reverse("plans:plan-import", args=[self.plan.pk])
        for name, content, message in self.CASES:
            content = many_rows_xlsx() if content is None else content
            with self.subTest(name=name), self.unchanged(name):
                response = self.client.post(url, {"file": upload(name, content)})
                self.assertVietnameseError(response, message, status=400)

    def test_script_sql_and_formulas_are_kept_as_text_and_shown_escaped(self):
        self.login_as("agency_leader")
        url = reverse("plans:plan-import", args=[self.plan.pk])
        for content in (SCRIPT, SQL):
            with self.subTest(content=content):
                response = self.client.post(url, {"file": upload("k.xlsx", self.sheet(content))})
                self.assertEqual(response.status_code, 302, response.content[-800:])
                self.assertEqual(self.plan.tasks.order_by("-pk").first().content, content)
        page = self.client.get(reverse("plans:plan-detail", args=[self.plan.pk]))
        self.assertEscaped(page.content.decode())


# --- staff forms with uploads: sniffed, generated names, served only as downloads ------------

VIETNAMESE_NAME = "Biên bản họp ngày 1.pdf"


class StaffUploadSweep(SweepMixin, ParTestCase):
    """Every staff form that takes a file refuses markup and zip bombs, stores under a
    generated name whatever the uploader called the file, and serves it back (where it is
    served) as an attachment with nosniff and an RFC 5987 Vietnamese file name."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])
        cls.admin = make_user("admin_a", cls.unit_a, [Role.SYSTEM_ADMIN])
        cls.plan = Plan.objects.create(agency=cls.agency, year=2024, title="Kế hoạch 2024")
        cls.task = PlanTask.objects.create(
            plan=cls.plan, order=1, field="1", content="Nhiệm vụ", lead_unit=cls.unit_a,
            deadline=dt.date(2024, 12, 31),
        )  # fmt: skip
        cls.science = ScienceTask.objects.create(
            code="DT-09", name="Nhiệm vụ", level="province", lead_organisation="Viện",
            principal_investigator="TS. A", start_date=dt.date(2024, 1, 1),
            end_date=dt.date(2026, 12, 31), budget=1, status="accepted",
        )  # fmt: skip
        cls.procedure = Procedure.objects.create(
            code="1.000001", name="Thủ tục", field="KHCN", online_form="partial"
        )

    # each target: (who, post(file) -> response, newest stored row -> (path, name, download))
    def post_evidence(self, file):
        score = self.score(self.assessment_a, "1.1.1")
        url = reverse("parindex:evidence-upload", args=[self.assessment_a.pk, score.pk])
        return self.client.post(url, {"files": [file]})

    def stored_evidence(self):
        item = Evidence.objects.order_by("-pk").first()
        url = reverse("parindex:evidence-download", args=[self.assessment_a.pk, item.pk])
        return item.path, item.original_name, url

    def post_task_evidence(self, file):
        return self.client.post(reverse("plans:task-evidence", args=[self.task.pk]), {"file": file})

    def stored_task_evidence(self):
        item = TaskEvidence.objects.order_by("-pk").first()
        url = reverse("plans:task-evidence-download", args=[self.task.pk, item.pk])
        return item.path, item.original_name, url

    def post_science_file(self, file):
        return self.client.post("/quan-ly/nhiem-vu-khcn/DT-09/tep/", {"file": file})

    def stored_science_file(self):
        item = ScienceTaskFile.objects.order_by("-pk").first()
        return item.path, item.title, reverse("portal:science-file", args=["DT-09", item.pk])

    def post_template(self, file):
        data = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "Đơn đề nghị",
            "form-0-copies": "1",
            "form-0-form": "original",
            "form-0-template_file": file,
        }
        return self.client.post(f"/thu-tuc/{self.procedure.pk}/thanh-phan/", data)

    def stored_template(self):
        item = Component.objects.order_by("-pk").first()
        url = reverse("procedures:component-template", args=[self.procedure.pk, item.pk])
        return item.template_file.name, None, url

    def post_regulation(self, file):
        number = f"{Regulation.objects.count() + 1}/QC"
        data = {"kind": "working_rules", "number": number, "title": "Quy chế làm việc"}
        data |= {"issued_on": "2024-01-02", "valid_from": "2024-01-02", "file": file}
        return self.client.post(reverse("plans:regulation-list"), data)

    def stored_regulation(self):
        item = Regulation.objects.order_by("-pk").first()
        url = reverse("plans:regulation-download", args=[item.pk])
        return item.file_path, item.file_name, url

    TARGETS = [  # (name, user attribute, post, stored)
        ("PAR evidence", "leader_a", post_evidence, stored_evidence),
        ("plan task evidence", "officer_a", post_task_evidence, stored_task_evidence),
        ("S&T result file", "editor", post_science_file, stored_science_file),
        ("procedure form template", "admin", post_template, stored_template),
        ("internal regulation", "agency_leader", post_regulation, stored_regulation),
    ]

    def test_markup_and_zip_bombs_are_refused_everywhere(self):
        bad = [*ACTIVE_FILES.items(), ("bang.docx", zip_bomb("docx"))]
        for target, who, post, _stored in self.TARGETS:
            self.client.force_login(getattr(self, who))
            for name, content in bad:
                with self.subTest(target=target, name=name), self.unchanged(f"{target} {name}"):
                    response = post(self, upload(name, content))
                    self.assertIn(response.status_code, (200, 302, 400))
                    page = (
                        self.client.get(response["Location"])
                        if response.status_code == 302
                        else response
                    )
                    self.assertContains(
                        page,
                        "không đúng loại" if name != "bang.docx" else "zip bomb",
                        status_code=page.status_code,
                    )

    def test_any_name_is_stored_under_a_generated_one_and_served_as_a_download(self):
        for target, who, post, stored in self.TARGETS:
            self.client.force_login(getattr(self, who))
            for name in (*TRAVERSAL_NAMES, VIETNAMESE_NAME):
                with self.subTest(target=target, name=name):
                    response = post(self, upload(name, PDF))
                    self.assertIn(response.status_code, (200, 302))
                    path, original, url = stored(self)
                    self.assertRegex(path, GENERATED)
                    if original is not None:
                        self.assertNotRegex(original, r"[/\\\x00]")
                    download = self.client.get(url)
                    self.assertEqual(download.status_code, 200)
                    self.assertEqual(b"".join(download.streaming_content), PDF)
                    self.assertEqual(download["X-Content-Type-Options"], "nosniff")
                    self.assertEqual(download["Content-Type"], "application/pdf")
                    disposition = download["Content-Disposition"]
                    self.assertTrue(disposition.startswith("attachment;"), disposition)
                    self.assertNotIn("/", disposition.split("filename", 1)[1])
                    if name == VIETNAMESE_NAME and target != "procedure form template":
                        self.assertIn("filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n", disposition)

    def test_an_article_cover_is_an_image_served_by_a_view_never_under_media(self):
        self.client.force_login(self.editor)
        category = factories.category()

        def post(name, content):
            data = {"title": "Tin có ảnh", "category": category.pk, "cover_alt": "Ảnh"}
            return self.client.post(
                "/quan-ly/tin-tuc/moi/", {**data, "cover_upload": upload(name, content)}
            )

        for name in ("anh.svg", "anh.png"):
            with self.subTest(name=name), self.unchanged(name):
                self.assertContains(post(name, ACTIVE_FILES[name]), "không đúng loại")
        post("../../anh.png", PNG)
        url = Article.objects.get().cover_image
        self.assertRegex(url, r"^/anh/[0-9a-f]{32}\.png$")
        response = self.client.get(url)
        self.assertEqual(b"".join(response.streaming_content), PNG)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(self.client.get("/anh/..%2F..%2Fsettings.py").status_code, 404)

    def test_a_typed_cover_address_must_be_a_web_link(self):
        self.client.force_login(self.editor)
        data = {"title": "Tin", "category": factories.category().pk, "cover_alt": "Ảnh"}
        for address in ("javascript:alert(1)", "data:image/svg+xml,<svg/>", "/media/x.svg", SQL):
            with self.subTest(address=address), self.unchanged(address):
                response = self.client.post(
                    "/quan-ly/tin-tuc/moi/", {**data, "cover_image": address}
                )
                self.assertContains(response, "http:// hoặc https://")


# --- numbers that are not ASCII numbers, invalid UTF-8 on every public POST ------------------


@override_settings(SITE_AGENCY_CODE="TEST")
class OddNumbersAndBytesSweep(SweepMixin, DeskTestCase):
    """`"²".isdigit()` is True but `int("²")` fails: ids typed by hand must not reach a 500."""

    NUMBERS = ("²", "١٢", "99999999999999999999", "-1", "1e3", " 1", SQL)

    def test_odd_ids_in_staff_forms_are_refused_without_an_error_page(self):
        editor = make_user("editor", self.unit_a, [Role.EDITOR])
        for value in self.NUMBERS:
            with self.subTest(value=value), self.unchanged(value):
                self.client.force_login(self.desk)
                response = self.client.post(
                    "/ho-so/tiep-nhan/",
                    {"procedure": value, "applicant_kind": "person", "name": "A",
                     "id_number": "001203004567", "phone": "0912345678", "address": "x",
                     "channel": "3"},
                )  # fmt: skip
                self.assertContains(response, "chọn thủ tục", status_code=400)
                self.client.force_login(editor)
                response = self.client.post("/quan-ly/y-kien/", {"comment": value})
                self.assertEqual(response.status_code, 404)

    def test_invalid_utf8_on_public_posts_is_harmless(self):
        article = factories.article(factories.category(), "Bài")
        pages = ["/pakn/gui/", article.get_absolute_url() + "y-kien/", "/ho-so/tra-cuu/"]
        pages += [f"/ho-so/nop/{self.procedure.pk}/", "/pakn/tra-cuu/"]
        for url in pages:
            with self.subTest(url=url), self.unchanged(url):
                response = self.client.post(
                    url,
                    b"name=%FF%FE&subject=\xff\xfe&code=%00&text=\xc3",
                    content_type="application/x-www-form-urlencoded",
                )
                self.assertLess(response.status_code, 500)
        apis = ["/api/v1/feedback/petitions/", f"/api/v1/portal/articles/{article.slug}/comments/"]
        apis += ["/api/v1/dossiers/"]
        for url in apis:
            with self.subTest(url=url), self.unchanged(url):
                response = self.client.post(
                    url, b'{"name": "\xff\xfe", "text": "\xc3"}', content_type="application/json"
                )
                self.assertApiError(response)

    def test_the_supplement_api_refuses_markup_and_takes_odd_keys_harmlessly(self):
        from cchc.dossiers import services

        dossier, secret = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT
        )
        services.dossier_request_supplement(actor=self.desk, dossier=dossier, items="Hợp đồng")
        url = f"/api/v1/dossiers/{dossier.code}/supplement"
        for name, content in ACTIVE_FILES.items():
            with self.subTest(name=name), self.unchanged(name):
                response = self.client.post(
                    url, {"secret": secret, "component_1": upload(name, content)}
                )
                self.assertApiError(response, text="không đúng loại")
        # "²".isdigit() is True and int("²") fails: this was a 500; now a file without component
        response = self.client.post(url, {"secret": secret, "component_²": pdf("../../x.pdf")})
        self.assertEqual(response.status_code, 200, response.content)
        stored = DossierFile.objects.get(dossier=dossier)
        self.assertRegex(stored.path, GENERATED)
        self.assertEqual(stored.original_name, "x.pdf")


class NextParameterSweep(PersonaTestCase):
    """Every page that sends a person on to ?next= goes only to a safe local page, else home."""

    def assert_safe_redirect(self, response, value):
        self.assertEqual(response.status_code, 302, repr(value))
        location = response["Location"]
        self.assertTrue(location.startswith("/"), (value, location))
        self.assertFalse(location.startswith(("//", "/\\")), (value, location))
        self.assertNotIn(location.split("?")[0], ("/dang-nhap/", "/dang-nhap/xac-thuc/"), value)

    def test_the_sign_in_steps_of_a_signed_in_person_redirect_only_to_a_local_page(self):
        self.login_as("citizen")
        for value in HOSTILE_NEXT:
            for url in ("/dang-nhap/xac-thuc/", "/dang-nhap/"):
                self.assert_safe_redirect(self.client.get(url, {"next": value}), value)
        response = self.client.get("/dang-nhap/xac-thuc/", {"next": "/tu-viet-tat/?q=a"})
        self.assertRedirects(response, "/tu-viet-tat/?q=a", fetch_redirect_response=False)

    def test_signing_in_redirects_only_to_a_local_page(self):
        for value in HOSTILE_NEXT:
            self.client.logout()
            response = self.client.post(
                "/dang-nhap/", {"username": "citizen", "password": "pw-citizen", "next": value}
            )
            self.assert_safe_redirect(response, value)
        self.client.logout()
        response = self.client.post(
            "/dang-nhap/?next=/tu-viet-tat/", {"username": "citizen", "password": "pw-citizen"}
        )
        self.assertRedirects(response, "/tu-viet-tat/", fetch_redirect_response=False)

    def test_the_code_step_keeps_only_a_safe_next_in_its_form(self):
        from django.test import Client
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.create(user=self.citizen, name="app", confirmed=True)
        self.client = Client()  # signed in with the password only: the code step is due
        self.client.force_login(self.citizen)
        for value in HOSTILE_NEXT:
            response = self.client.get("/dang-nhap/xac-thuc/", {"next": value})
            self.assertEqual(response.status_code, 200, repr(value))
            self.assertEqual(response.context["next"], "/", repr(value))
