import datetime as dt

from cchc.plans.models import PlanTask
from cchc.reports.selectors import tables
from cchc.reports.tests.base import ReportTestCase
from cchc.reports.tests.fakes import DOSSIERS, other_apps


class SnapshotTests(ReportTestCase):
    def test_the_snapshot_freezes_every_figure_at_the_chosen_date(self):
        with other_apps():
            report = self.snapshot()
        figures = report.data["figures"]
        tasks = figures["plans.summary"]["tasks"]
        self.assertEqual(
            (tasks["total"], tasks["done"], tasks["due"], tasks["done_on_time"]), (4, 2, 4, 1)
        )
        self.assertEqual(figures["dossiers.summary"]["received"], DOSSIERS["received"])
        self.assertEqual(report.data["metrics"]["plans.completion_rate"], 0.25)
        # Later changes do not change the stored report.
        PlanTask.objects.update(status="done", completed_on=dt.date(2024, 1, 2), progress=100)
        report.refresh_from_db()
        self.assertEqual(report.data["figures"]["plans.summary"]["tasks"]["done"], 2)
        self.assertEqual(report.data["figures"]["dossiers.summary"]["received"], 1234)

    def test_a_snapshot_taken_mid_year_counts_only_what_was_due_then(self):
        report = self.snapshot(as_of=dt.date(2024, 3, 31))
        tasks = report.data["figures"]["plans.summary"]["tasks"]
        self.assertEqual((tasks["due"], tasks["done_on_time"]), (1, 1))

    def test_figures_of_apps_that_are_not_there_are_none_and_tables_say_so(self):
        report = self.snapshot()
        self.assertIsNone(report.data["figures"]["dossiers.summary"])
        self.assertIsNone(report.data["figures"]["parindex.latest"])
        self.assertFalse(report.is_empty)
        by_key = {t.key: t for t in tables(report.data)}
        self.assertTrue(by_key["dossiers"].empty)
        self.assertTrue(by_key["parindex"].empty)
        self.assertFalse(by_key["plan"].empty)

    def test_a_year_with_no_data_is_marked_empty(self):
        report = self.snapshot(year=2019, as_of=dt.date(2019, 12, 31), number=1)
        self.assertTrue(report.is_empty)

    def test_a_report_number_is_used_once_per_year(self):
        from django.core.exceptions import ValidationError

        self.snapshot()
        with self.assertRaises(ValidationError):
            self.snapshot()

    def test_every_count_of_the_field_table_links_to_the_tasks_it_counted(self):
        report = self.snapshot()
        fields = next(t for t in tables(report.data, self.plan.pk) if t.key == "plan_fields")
        self.login_as("officer_a")
        for row in fields.rows:
            for cell in row[1:]:
                if not cell.value:
                    self.assertEqual(cell.link, "", row[0].text)
                    continue
                self.assertTrue(cell.link, (row[0].text, cell.text))
                if "ids=" in cell.link:
                    shown = self.client.get(cell.link).context["tasks"]
                    self.assertEqual(len(shown), cell.value, (row[0].text, cell.link))
        done_1 = fields.rows[0][2]
        self.assertEqual((done_1.value, done_1.link.count(",")), (1, 0))


class RegulationValidityTests(ReportTestCase):
    def test_the_report_says_which_rules_are_not_yet_in_force_in_force_or_expired(self):
        from cchc.plans.models import Regulation

        kind = Regulation.Kind.values[0]
        for number, valid_from, valid_until in (
            ("01/QĐ", dt.date(2025, 1, 1), None),  # issued in 2024, in force only from 2025
            ("02/QĐ", dt.date(2024, 1, 1), None),
            ("03/QĐ", dt.date(2023, 1, 1), dt.date(2024, 6, 30)),
        ):
            Regulation.objects.create(
                agency=self.agency, kind=kind, number=number, title="Quy chế " + number,
                issued_on=dt.date(2024, 12, 1) if number == "01/QĐ" else valid_from,
                valid_from=valid_from, valid_until=valid_until,
            )  # fmt: skip
        report = self.snapshot()
        table = next(t for t in tables(report.data) if t.key == "regulations")
        labels = {row[0].text: row[3].text for row in table.rows}
        self.assertEqual(
            labels, {"01/QĐ": "Chưa có hiệu lực", "02/QĐ": "Còn hiệu lực", "03/QĐ": "Hết hiệu lực"}
        )


class QualityStatusTests(ReportTestCase):
    def test_the_iso_table_counts_the_status_derived_from_the_dates_at_the_report_date(self):
        # The base data's certificate (15/01/2022 - 15/01/2025) ends 15 days after as_of.
        report = self.snapshot()
        table = next(t for t in tables(report.data) if t.key == "quality")
        counts = {row[0].text: row[1].value for row in table.rows}
        self.assertEqual(
            (counts["Tình trạng: Sắp hết hạn"], counts["Tình trạng: Còn hiệu lực"]), (1, 0)
        )
        self.assertEqual(counts["Giấy chứng nhận sắp hết hạn"], 1)
