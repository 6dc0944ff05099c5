"""The demo's annual report as a reader gets it: `load_demo` snapshots last year's report and
generates it; every one of the seven PAR field sections holds tables filled from records, each
count opens exactly the records it counts, the Word file holds the same figures and the PDF
renders; and the demo's open PAR year shows live metric figures that differ per unit."""

import datetime as dt
import io
import re

import time_machine
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import TestCase

from cchc.core.models import Agency, User
from cchc.core.testing import verify_two_factor
from cchc.parindex.models import Node, Period, Score
from cchc.reports import selectors, services
from cchc.reports.models import NARRATIVE_SECTIONS, ReportSnapshot

NOW = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)
FIELDS = ["1", "2", "3", "4", "5", "6", "7"]


def count_of(cell) -> int | None:
    """The count a cell shows (None for text, rates and decimals)."""
    value = cell.value
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


@time_machine.travel(NOW, tick=False)
class DemoAnnualReportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(NOW, tick=False):
            call_command("load_demo", "--quiet-accounts", stdout=io.StringIO())
        cls.agency = Agency.objects.get(code="SKHCN")
        report = ReportSnapshot.objects.get(agency=cls.agency, year=2025, number=1)
        # The demo queues the generation on commit; a test's transaction never commits.
        with time_machine.travel(NOW, tick=False):
            cls.report = services.report_generate(report_id=report.pk)
        cls.manager = User.objects.get(username="giamdoc")

    def tables(self):
        return selectors.tables(self.report.data, self.report.data.get("plan_id"))

    def test_the_demo_report_is_generated(self):
        self.assertEqual(self.report.status, ReportSnapshot.Status.READY, self.report.error)
        for path in (self.report.docx_path, self.report.pdf_path, self.report.xlsx_path):
            self.assertTrue(default_storage.exists(path), path)

    def test_every_field_section_has_tables_filled_from_records(self):
        by_section = {}
        for table in self.tables():
            by_section.setdefault(table.section, []).append(table)
        for code in FIELDS:
            filled = [t for t in by_section.get(code, []) if not t.empty and t.rows]
            self.assertTrue(filled, f"section {code} has no filled table")
            counts = [count_of(c) for t in filled for row in t.rows for c in row]
            self.assertTrue(any(c for c in counts if c), f"section {code}: only zeros")
        for code in ("recommendations", "4", "5", "6"):
            self.assertTrue(self.report.narrative.get(code), code)

    def test_every_count_of_sections_4_to_7_opens_exactly_its_records(self):
        self.client.force_login(self.manager)
        verify_two_factor(self.client, self.manager)
        followed = 0
        for table in self.tables():
            if table.section not in ("4", "5", "6", "7") or table.key == "quality":
                continue
            for row in table.rows:
                if row[0].text.startswith("Tổng"):
                    continue
                for cell in row[1:]:
                    count = count_of(cell)
                    if not count or not cell.link or "ids=" not in cell.link:
                        continue
                    response = self.client.get(cell.link)
                    self.assertEqual(response.status_code, 200, cell.link)
                    ids = re.search(r"ids=([\d,]+)", cell.link).group(1).split(",")
                    self.assertEqual(response.context["count"], len(ids), cell.link)
                    followed += 1
        self.assertGreater(followed, 10)

    def test_the_word_file_holds_every_section_and_the_snapshot_figures(self):
        import docx

        with default_storage.open(self.report.docx_path, "rb") as handle:
            document = docx.Document(handle)
        paragraphs = [p.text for p in document.paragraphs]
        text = "\n".join(paragraphs)
        for code, label in NARRATIVE_SECTIONS:
            self.assertIn(str(label).upper(), text.upper(), code)
        cells = {
            cell.text.strip() for grid in document.tables for row in grid.rows for cell in row.cells
        }
        for table in self.tables():
            if table.section in FIELDS and not table.empty:
                self.assertTrue(any(f"Bảng {table.number}. " in p for p in paragraphs), table.key)
                for row in table.rows:
                    for cell in row:
                        self.assertIn(cell.text.strip(), cells, (table.key, cell.text))

    def test_the_pdf_renders_over_several_pages(self):
        from pypdf import PdfReader

        with default_storage.open(self.report.pdf_path, "rb") as handle:
            pages = PdfReader(io.BytesIO(handle.read())).pages
        self.assertGreaterEqual(len(pages), 3)
        last = pages[-1].extract_text()
        self.assertIn("Nơi nhận", last)

    def test_two_demo_units_show_different_live_metric_figures(self):
        period = Period.objects.get(agency=self.agency, year=2026)
        leaves = Node.objects.filter(
            framework=period.framework, rule_kind=Node.Rule.METRIC, metric__startswith="records."
        )
        self.assertGreaterEqual(leaves.count(), 5)
        differing = []
        for leaf in leaves:
            measured = {
                score.assessment.unit.code: score.self_measured
                for score in Score.objects.filter(node=leaf, assessment__period=period)
                .select_related("assessment__unit")
                .exclude(self_measured=None)
            }
            if len(set(measured.values())) > 1:
                differing.append(leaf.metric)
        self.assertGreaterEqual(len(differing), 3, differing)
        self.assertTrue(
            all(a.metrics_computed_at for a in period.assessments.all()),
            "the refresh did not run",
        )
