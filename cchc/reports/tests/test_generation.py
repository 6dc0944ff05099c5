import datetime as dt
import io
import re
import zlib

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cchc.core.models import AuditEntry
from cchc.reports import documents
from cchc.reports.models import ReportSnapshot
from cchc.reports.selectors import tables
from cchc.reports.tests.base import ReportTestCase
from cchc.reports.tests.fakes import other_apps

SCRIPT = "<script>alert('x')</script>"


def pdf_objects(data: bytes) -> bytes:
    streams = re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    return b"".join(zlib.decompress(m.group(1)) for m in streams if m.group(1)[:1] == b"x")


class GenerationTests(ReportTestCase):
    def test_the_leader_generates_the_files_and_staff_download_them(self):
        with other_apps():
            report = self.snapshot()
        self.login_as("agency_leader")
        url = reverse("reports:report-generate", args=[report.pk])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url)
        self.assertRedirects(response, reverse("reports:report-detail", args=[report.pk]))
        report.refresh_from_db()
        self.assertEqual((report.status, report.progress), ("ready", 100))
        self.assertTrue(AuditEntry.objects.filter(action="report_generate").exists())
        self.login_as("officer_b")
        docx = self.client.get(reverse("reports:report-download", args=[report.pk, "docx"]))
        self.assertEqual(
            docx["Content-Disposition"], 'attachment; filename="bao-cao-cchc-2024-so-05.docx"'
        )
        self.assertEqual(b"".join(docx.streaming_content)[:2], b"PK")
        pdf = b"".join(
            self.client.get(
                reverse("reports:report-download", args=[report.pk, "pdf"])
            ).streaming_content
        )
        self.assertTrue(pdf.startswith(b"%PDF"))
        objects = pdf_objects(pdf)
        self.assertIn(b"/MediaBox [0 0 595.275591 841.889764]", objects)  # A4 in points
        self.assertRegex(objects, rb"/BaseFont\s*/[A-Z]+\+(Liberation-Serif|TimesNewRoman)")
        xlsx = b"".join(
            self.client.get(
                reverse("reports:report-download", args=[report.pk, "xlsx"])
            ).streaming_content
        )
        book = load_workbook(io.BytesIO(xlsx))
        expected = tables(report.data, report.data["plan_id"])
        self.assertEqual(len(book.sheetnames), 1 + len(expected))
        in_order = [t.key for part in documents.sections(report) for t in part["tables"]]
        plan_sheet = book[f"Bang {in_order.index('plan') + 1}"]
        self.assertTrue(plan_sheet["A1"].value.startswith(f"Bảng {in_order.index('plan') + 1}. "))
        self.assertEqual(
            plan_sheet["B3"].value, report.data["figures"]["plans.summary"]["tasks"]["total"]
        )
        self.login_as("outsider")
        self.assertEqual(
            self.client.get(
                reverse("reports:report-download", args=[report.pk, "pdf"])
            ).status_code,
            404,
        )

    def test_others_cannot_generate_and_a_missing_file_is_404(self):
        report = self.snapshot()
        self.login_as("leader_a")
        self.assertEqual(
            self.client.post(reverse("reports:report-generate", args=[report.pk])).status_code, 404
        )
        report.refresh_from_db()
        self.assertEqual(report.status, "draft")
        self.assertEqual(
            self.client.get(
                reverse("reports:report-download", args=[report.pk, "docx"])
            ).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(
                reverse("reports:report-download", args=[report.pk, "exe"])
            ).status_code,
            404,
        )

    def test_the_progress_partial_polls_while_the_task_runs(self):
        report = self.snapshot()
        ReportSnapshot.objects.filter(pk=report.pk).update(
            status="generating", progress=40, progress_text="Đang dựng Word"
        )
        self.login_as("officer_a")
        response = self.client.get(
            reverse("reports:report-progress", args=[report.pk]), headers={"HX-Request": "true"}
        )
        self.assertContains(response, 'hx-trigger="every 1s"')
        self.assertContains(response, 'value="40"')
        self.assertNotContains(response, "<html")
        ReportSnapshot.objects.filter(pk=report.pk).update(
            status="ready", progress=100, docx_path="x.docx"
        )
        response = self.client.get(reverse("reports:report-progress", args=[report.pk]))
        self.assertNotContains(response, "hx-trigger")
        self.assertContains(response, "Tải Word")

    def test_the_narrative_is_escaped_on_the_page_and_in_the_pdf_html(self):
        report = self.snapshot()
        self.login_as("agency_leader")
        url = reverse("reports:report-detail", args=[report.pk])
        self.client.post(url, {"overview": SCRIPT, "1": "Đoạn một\nĐoạn hai"})
        report.refresh_from_db()
        self.assertEqual(report.narrative["overview"], SCRIPT)
        response = self.client.get(url)
        self.assertNotContains(response, SCRIPT)
        self.assertContains(response, "&lt;script&gt;")
        html = render_to_string(
            "reports/report_pdf.html",
            {
                "report": report,
                "sections": documents.sections(report),
                "agency": {},
                "margins": documents.MARGINS_MM,
            },
        )
        self.assertNotIn(SCRIPT, html)
        self.assertIn("&lt;script&gt;", html)

    def test_the_leader_takes_a_snapshot_from_the_page_and_an_empty_year_says_so(self):
        self.login_as("agency_leader")
        response = self.client.post(
            reverse("reports:report-list"),
            {
                "year": 2019,
                "as_of": "2019-12-31",
                "number": 1,
                "issued_on": "2020-01-06",
                "signer_title": "GIÁM ĐỐC",
            },
            follow=True,
        )
        self.assertContains(response, "Năm 2019 chưa có dữ liệu")
        report = ReportSnapshot.objects.get()
        self.assertTrue(report.is_empty)
        documents.build_xlsx(report)
        self.login_as("officer_a")
        self.assertEqual(
            self.client.post(reverse("reports:report-list"), {"year": 2020}).status_code, 404
        )

    def test_bad_report_input_is_explained_and_nothing_is_stored(self):
        self.login_as("agency_leader")
        response = self.client.post(
            reverse("reports:report-list"),
            {
                "year": 2024,
                "as_of": "2023-05-01",
                "number": 1,
                "issued_on": "2025-01-06",
                "signer_title": "GĐ",
            },
        )
        self.assertContains(response, "Ngày chốt số liệu phải từ ngày 01/01/2024", status_code=400)
        self.assertEqual(ReportSnapshot.objects.count(), 0)

    def test_huge_numbers_and_figures_dated_after_the_report_are_refused(self):
        self.login_as("agency_leader")
        good = {
            "year": 2024,
            "as_of": "2024-12-31",
            "number": 1,
            "issued_on": "2025-01-06",
            "signer_title": "GĐ",
        }
        for change, message in [
            ({"number": 0}, "Số văn bản bắt đầu từ 1"),
            ({"number": 99999999999}, "Số văn bản quá lớn"),
            ({"year": 32767}, "Năm không được sau năm 2100"),
            ({"as_of": "9999-12-31"}, "không thể sau ngày ban hành"),
        ]:
            response = self.client.post(reverse("reports:report-list"), {**good, **change})
            self.assertContains(response, message, status_code=400)
        self.assertEqual(ReportSnapshot.objects.count(), 0)

    def test_generated_files_are_in_storage(self):
        report = self.snapshot()
        from cchc.reports.services import report_generate

        report = report_generate(report_id=report.pk)
        for path in (report.docx_path, report.pdf_path, report.xlsx_path):
            self.assertTrue(default_storage.exists(path))

    def test_the_snapshot_form_proposes_the_next_free_number(self):
        year = timezone.localdate().year - 1
        self.login_as("agency_leader")
        form = self.client.get(reverse("reports:report-list")).context["form"]
        self.assertEqual(form.initial["number"], 1)
        self.snapshot(
            year=year, as_of=dt.date(year, 12, 31), issued_on=dt.date(year + 1, 1, 5), number=3
        )
        form = self.client.get(reverse("reports:report-list")).context["form"]
        self.assertEqual(form.initial["number"], 4)


class HtmxGenerationTests(ReportTestCase):
    def test_the_htmx_button_gets_the_progress_partial_back(self):
        report = self.snapshot()
        self.login_as("agency_leader")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("reports:report-generate", args=[report.pk]), headers={"HX-Request": "true"}
            )
        self.assertContains(response, 'id="report-progress"')
        self.assertNotContains(response, "<html")
        response = self.client.get(reverse("reports:report-progress", args=[report.pk]))
        self.assertContains(response, "Tải PDF")


class GenerationFailureTests(ReportTestCase):
    def test_a_failed_generation_is_shown_on_the_page_not_as_a_server_error(self):
        report = self.snapshot()
        self.login_as("agency_leader")
        broken = {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": "/proc/cchc-not-writable"},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with self.settings(STORAGES=broken), self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("reports:report-generate", args=[report.pk]))
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual(report.status, "failed")
        self.assertNotEqual(report.error, "")
        response = self.client.get(reverse("reports:report-detail", args=[report.pk]))
        self.assertContains(response, "Lỗi khi tạo tệp")
        self.assertNotContains(response, "Tải Word")

    def test_a_title_that_looks_like_a_formula_stays_text_in_the_excel_appendix(self):
        from cchc.plans.models import Regulation

        formula = '=HYPERLINK("http://evil.example","Bấm")'
        Regulation.objects.create(
            agency=self.agency,
            kind="other",
            number="01/QC",
            title=formula,
            issued_on=dt.date(2024, 2, 1),
            valid_from=dt.date(2024, 2, 1),
        )
        from cchc.core.tests.test_excel import assert_kept_as_text

        assert_kept_as_text(self, documents.build_xlsx(self.snapshot()), formula)
