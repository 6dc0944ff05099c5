"""The PAR figure says what it covers, and `parindex.trend` gives the index and each field
year by year, with the change against the year before, on the dashboard and in the report."""

import datetime as dt

import time_machine
from django.test import TestCase
from django.urls import reverse

from cchc.core import demo as core_demo
from cchc.core import registry
from cchc.core.models import Agency
from cchc.parindex import demo, selectors
from cchc.parindex.models import Assessment, Period
from cchc.parindex.services import framework_copy, period_create
from cchc.parindex.tests.helpers import ParTestCase
from cchc.reports import documents
from cchc.reports import selectors as report_selectors
from cchc.reports.charts import trend_table
from cchc.reports.models import ReportSnapshot
from cchc.reports.services import report_create

FINAL = Assessment.Status.FINALISED
PUBLISHED = Assessment.Status.PUBLISHED
SUBMITTED = Assessment.Status.SUBMITTED
JUNE_2026 = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)


class TrendTests(ParTestCase):
    """Small framework (scale 10; field 1 max 6, field 2 max 4) over units A and B:
    2024 closed (index 10), 2025 closed (index 40), 2026 open with unit A submitted."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.p2025 = cls.period
        cls.p2024 = period_create(
            agency=cls.agency,
            framework=framework_copy(framework=cls.framework, year=2024),
            year=2024,
            name="Kỳ 2024",
            units=[cls.unit_a, cls.unit_b],
        )
        cls.p2026 = period_create(
            agency=cls.agency,
            framework=framework_copy(framework=cls.framework, year=2026),
            year=2026,
            name="Chỉ số CCHC năm 2026",
            units=[cls.unit_a, cls.unit_b],
        )

    def setUp(self):
        for assessment in self.p2024.assessments.all():
            self.set_points(assessment, {"1.1.1": 1})
        self.p2024.assessments.update(status=PUBLISHED)
        for assessment in self.p2025.assessments.all():
            self.set_points(assessment, {"1.1.1": 2, "1.1.2": 2})
        self.p2025.assessments.update(status=FINAL)
        a = self.p2026.assessments.get(unit=self.unit_a)
        self.set_points(a, {"2.1.1": 2}, "self_points")
        self.set_status(a, SUBMITTED)
        b = self.p2026.assessments.get(unit=self.unit_b)  # still scoring: not counted
        self.set_points(b, {"1.1.1": 2, "1.1.2": 2, "1.2": 2, "2.1.1": 2}, "self_points")

    def trend(self, end=None):
        return selectors.agency_trend(self.agency, None, end)

    def test_every_year_with_its_index_fields_and_change(self):
        years = self.trend()["years"]
        self.assertEqual([y["year"] for y in years], [2024, 2025, 2026])
        self.assertEqual([y["index"] for y in years], [10.0, 40.0, 20.0])
        self.assertEqual([y["change"] for y in years], [None, 30.0, -20.0])
        self.assertEqual([y["estimate"] for y in years], [False, False, True])
        field_1 = [y["fields"][0] for y in years]
        self.assertEqual([f["percent"] for f in field_1], [16.7, 66.7, 0.0])
        self.assertEqual([f["change"] for f in field_1], [None, 50.0, -66.7])
        field_2 = [y["fields"][1] for y in years]
        self.assertEqual([f["change"] for f in field_2], [None, 0.0, 50.0])
        self.assertEqual(years[0]["note"], "2/2 đơn vị đã chốt")
        self.assertEqual(years[2]["note"], "ước tính từ 1/2 đơn vị đã nộp")
        self.assertEqual(years[2]["units_counted"], 1)

    def test_an_open_year_without_a_submitted_unit_is_listed_not_drawn(self):
        self.p2026.assessments.update(status=Assessment.Status.DRAFT)
        trend = self.trend()
        self.assertEqual([y["year"] for y in trend["years"]], [2024, 2025])
        self.assertEqual(trend["pending"][0]["units_counted"], 0)
        with time_machine.travel(JUNE_2026, tick=False):
            self.login_as("agency_leader")
            page = self.client.get(reverse("reports:dashboard"), {"year": 2026})
        self.assertContains(
            page,
            "Năm 2026 chưa đưa vào so sánh: ước tính theo điểm đang chấm, 0/2 đơn vị đã nộp.",
        )
        self.assertNotContains(page, "2026 (ước tính)")

    def test_the_trend_stops_at_the_asked_year(self):
        years = self.trend(dt.date(2025, 12, 31))["years"]
        self.assertEqual([y["year"] for y in years], [2024, 2025])

    def test_another_framework_is_never_compared_with(self):
        other = framework_copy(framework=self.framework, year=2023)
        type(other).objects.filter(pk=other.pk).update(code="KHAC")
        Period.objects.filter(pk=self.p2024.pk).update(framework=other)
        years = self.trend()["years"]
        self.assertIsNone(years[1]["change"])
        self.assertIsNone(years[1]["fields"][0]["change"])
        self.assertEqual(years[2]["change"], -20.0)

    def test_another_agency_has_no_trend(self):
        self.assertIsNone(selectors.agency_trend(self.other_agency, None, None))

    def test_the_closed_figure_says_which_period_and_how_many_units(self):
        figure = selectors.agency_figure(self.agency, None, None)
        self.assertEqual((figure["year"], figure["status"], figure["index"]), (2025, "final", 40.0))
        self.assertEqual(figure["coverage"], "Chỉ số CCHC năm 2025 (Kỳ 2025) — 2/2 đơn vị đã chốt")
        self.assertEqual((figure["units_counted"], figure["units_total"]), (2, 2))
        self.assertEqual(figure["period_name"], "Kỳ 2025")
        self.assertEqual(figure["note"], "")  # the headline adds nothing after a closed index
        self.assertFalse(figure["estimate"])

    def test_an_open_figure_is_an_estimate_from_the_submitted_units(self):
        Period.objects.filter(pk__in=[self.p2024.pk, self.p2025.pk]).delete()
        figure = selectors.agency_figure(self.agency, None, None)
        self.assertEqual(
            (figure["year"], figure["status"], figure["index"]), (2026, "estimate", 20.0)
        )
        self.assertEqual(figure["note"], "ước tính từ 1/2 đơn vị đã nộp")
        self.assertEqual(figure["coverage"], "Chỉ số CCHC năm 2026 — ước tính từ 1/2 đơn vị đã nộp")
        self.p2026.assessments.update(status=Assessment.Status.DRAFT)
        figure = selectors.agency_figure(self.agency, None, None)
        self.assertEqual(figure["note"], "ước tính theo điểm đang chấm, 0/2 đơn vị đã nộp")
        self.assertEqual(figure["index"], 50.0)  # (unit A 2 + unit B 8) / 2 units, scale 10

    def test_the_dashboard_shows_the_years_and_what_the_figure_covers(self):
        with time_machine.travel(JUNE_2026, tick=False):
            self.login_as("agency_leader")
            page = self.client.get(reverse("reports:dashboard"), {"year": 2026})
        self.assertContains(page, "So sánh qua các năm")
        self.assertContains(page, "Chỉ số CCHC năm 2025 (Kỳ 2025) — 2/2 đơn vị đã chốt")
        self.assertContains(page, "66,7% (▲ +50,0)")
        self.assertContains(page, "0,0% (▼ -66,7)")
        self.assertContains(page, "2026 (ước tính)")
        keys = [c["title"] for c in page.context["charts"]]
        self.assertIn("Chỉ số CCHC qua các năm", keys)

    def test_another_agencys_staff_see_none_of_it(self):
        self.make_other_agency_personas()
        with time_machine.travel(JUNE_2026, tick=False):
            self.login_as("outsider_chief")
            page = self.client.get(reverse("reports:dashboard"), {"year": 2026})
        self.assertEqual(page.status_code, 200)
        # The year table is laid out (empty) like every registered table, but holds nothing
        # of our agency's years.
        self.assertNotContains(page, "66,7% (▲ +50,0)")
        self.assertNotContains(page, "2026 (ước tính)")
        self.assertNotContains(page, "Kỳ 2025")

    def test_the_report_freezes_the_trend_and_draws_it(self):
        with time_machine.travel(JUNE_2026, tick=False):
            report = report_create(
                actor=self.agency_leader,
                agency=self.agency,
                year=2026,
                as_of=dt.date(2026, 5, 31),
                number=1,
                issued_on=dt.date(2026, 6, 1),
                signer_name="Nguyễn Văn Ký",
                recipients="UBND tỉnh",
            )
        frozen = report.data["figures"]["parindex.trend"]
        self.assertEqual([y["index"] for y in frozen["years"]], [10.0, 40.0, 20.0])
        overview = next(s for s in documents.sections(report) if s["code"] == "overview")
        self.assertIn("par_trend", [c["key"] for c in overview["charts"]])
        table = trend_table(frozen)
        self.assertEqual(table.rows[-1][2].text, "40,000 (▲ +30,000)")
        self.assertIn("parindex_trend", registry.report_tables)
        self.assertIsNotNone(documents.build_docx(report))

    def test_a_snapshot_frozen_before_the_new_keys_still_renders(self):
        with time_machine.travel(JUNE_2026, tick=False):
            report = report_create(
                actor=self.agency_leader,
                agency=self.agency,
                year=2025,
                as_of=dt.date(2025, 12, 31),
                number=1,
                issued_on=dt.date(2026, 1, 5),
                signer_name="Nguyễn Văn Ký",
                recipients="UBND tỉnh",
            )
        data = report.data
        del data["figures"]["parindex.trend"]
        par = data["figures"]["parindex.latest"]
        for key in ("period_name", "units_counted", "status", "coverage"):
            del par[key]
        ReportSnapshot.objects.filter(pk=report.pk).update(data=data)
        report.refresh_from_db()
        specs = report_selectors.chart_specs(report.data)
        self.assertEqual(specs[0]["title"], "Chỉ số CCHC theo lĩnh vực (%)")
        self.assertIsNotNone(documents.build_docx(report))
        self.login_as("agency_leader")
        page = self.client.get(reverse("reports:report-detail", args=[report.pk]))
        self.assertEqual(page.status_code, 200)


class DemoTrendTests(TestCase):
    def test_the_demo_years_2024_2025_closed_and_2026_estimated_once_submitted(self):
        core_demo.load()
        demo.load()
        agency = Agency.objects.get(code="SKHCN")
        trend = selectors.agency_trend(agency, None, dt.date(2026, 12, 31))
        years = trend["years"]
        # 2026: self-assessment under way, no unit has submitted: listed, not a point
        self.assertEqual([y["year"] for y in years], [2024, 2025])
        self.assertEqual([y["status"] for y in years], ["final", "final"])
        self.assertEqual(
            [(p["year"], p["note"]) for p in trend["pending"]],
            [(2026, "ước tính theo điểm đang chấm, 0/7 đơn vị đã nộp")],
        )
        by_year = {}
        for year in (2024, 2025):
            period = Period.objects.get(agency=agency, year=year)
            results = selectors.period_results(period).values()
            by_year[year] = sum(float(r.index) for r in results) / len(results)
        for row in years[:2]:
            self.assertAlmostEqual(row["index"], by_year[row["year"]], places=2)
        change = years[1]["index"] - years[0]["index"]
        self.assertAlmostEqual(years[1]["change"], change, places=3)
        self.assertEqual(years[1]["change"] > 0, by_year[2025] > by_year[2024])
        for before, after in zip(years[0]["fields"], years[1]["fields"], strict=True):
            self.assertAlmostEqual(after["change"], after["percent"] - before["percent"], places=3)
        # once a unit submits, 2026 is the trend's estimated last year
        Assessment.objects.filter(period__agency=agency, period__year=2026).filter(
            unit__code=demo.UNIT_CODES[0]
        ).update(status=SUBMITTED)
        years = selectors.agency_trend(agency, None, dt.date(2026, 12, 31))["years"]
        self.assertEqual([y["year"] for y in years], [2024, 2025, 2026])
        self.assertEqual(years[2]["note"], "ước tính từ 1/7 đơn vị đã nộp")
        self.assertTrue(years[2]["estimate"])
