"""Results computed from score rows: total, index, fields, maxima, lost, rank, previous period."""

from decimal import Decimal

from django.urls import reverse

from cchc.core.models import Unit
from cchc.parindex import selectors
from cchc.parindex.models import Assessment, Framework, Score
from cchc.parindex.rules import fmt
from cchc.parindex.services import framework_copy, period_create
from cchc.parindex.tests.helpers import ParTestCase, sample_framework, small_framework

FULL = {"1.1.1": 2, "1.1.2": 2, "1.2": 2, "2.1.1": 2, "2.2": 2}


class ResultTests(ParTestCase):
    def test_the_result_is_computed_from_the_rows(self):
        self.set_points(self.assessment_a, {**FULL, "1.1.1": 1.25, "2.2": 1})
        result = selectors.assessment_result(self.assessment_a)
        self.assertEqual(result.total, Decimal("8.25"))
        self.assertEqual(result.index, Decimal("82.500"))
        self.assertEqual(result.index_text, "82,500")
        self.assertEqual(result.fields[0]["points"], Decimal("5.25"))
        self.assertEqual(result.fields[0]["max"], Decimal("6"))
        self.assertEqual(result.fields[0]["percent"], Decimal("87.5"))
        # 1.1 lost points; 2.2 (a leaf criterion) lost points; 1.2 and 2.1 are at max.
        self.assertEqual((result.criteria_at_max, result.criteria_total), (2, 4))
        self.assertEqual((result.components_at_max, result.components_total), (2, 3))
        self.assertEqual(
            [(i["code"], i["lost"]) for i in result.lost], [("2.2", 1), ("1.1.1", Decimal("0.75"))]
        )

    def test_the_index_has_three_decimals_and_a_decimal_comma(self):
        self.assertEqual(fmt(Decimal("76.4726"), 3), "76,473")
        self.set_points(
            self.assessment_a, {"1.1.1": 1.75, "1.1.2": 1, "1.2": 2, "2.1.1": 1.5, "2.2": 1.394}
        )
        self.assertEqual(selectors.assessment_result(self.assessment_a).index_text, "76,440")

    def test_the_latest_stage_counts_before_finalisation(self):
        self.set_points(self.assessment_a, {"1.1.1": 2}, "self_points")
        self.set_points(self.assessment_a, {"1.1.1": 1}, "round1_points")
        self.set_points(self.assessment_a, {"2.2": 1.5}, "survey_points")
        self.set_points(self.assessment_a, {"2.2": 2}, "self_points")  # ignored: survey only
        result = selectors.assessment_result(self.assessment_a)
        self.assertEqual(result.node_points["1.1.1"], 1)
        self.assertEqual(result.node_points["2.2"], Decimal("1.5"))

    def test_ties_share_a_rank(self):
        unit_c = self.agency.units.create(code="C", name="Phòng C")
        period = period_create(
            agency=self.agency,
            framework=self.framework,
            year=2024,
            name="Kỳ 2024",
            units=[self.unit_a, self.unit_b, unit_c],
        )
        a, b, c = (period.assessments.get(unit=u) for u in (self.unit_a, self.unit_b, unit_c))
        self.set_points(a, {"1.1.1": 2})
        self.set_points(b, {"1.1.1": 2})
        self.set_points(c, {"1.1.1": 2, "1.2": 1})
        results = selectors.period_results(period)
        self.assertEqual([results[x.pk].rank for x in (c, a, b)], [1, 2, 2])
        self.assertEqual(results[a.pk].units_ranked, 3)

    def test_the_change_against_the_previous_period_is_matched_by_code(self):
        older = framework_copy(framework=self.framework, year=2024)
        before = period_create(
            agency=self.agency, framework=older, year=2024, name="Kỳ 2024", units=[self.unit_a]
        )
        self.set_points(before.assessments.get(), {"1.1.1": 1, "2.2": 1})
        self.set_points(self.assessment_a, {"1.1.1": 2, "2.2": 2, "1.2": 1})
        result = selectors.assessment_result(self.assessment_a)
        self.assertEqual(result.previous_index, Decimal("20.000"))
        self.assertEqual(result.change_text, "+30,000")
        changes = selectors.node_changes(result)
        self.assertEqual(changes["1"], 2)
        self.assertEqual(changes["2"], 1)
        # Unit B had no result last year: no comparison.
        self.assertIsNone(selectors.assessment_result(self.assessment_b).previous_index)

    def test_the_previous_year_is_taken_only_from_the_same_framework_lineage(self):
        # Last year the agency ran two periods: one with another framework (created first),
        # one with the framework this year's was copied from.
        other = period_create(
            agency=self.agency,
            framework=small_framework(code="KHAC", year=2024),
            year=2024,
            name="Kỳ 2024 (bộ khác)",
            units=[self.unit_a],
        )
        self.set_points(other.assessments.get(), {"1.1.1": 2})
        self.set_points(self.assessment_a, FULL)
        self.set_points(self.assessment_b, FULL)
        # Only the other lineage last year: nothing comparable, said so on the result page.
        self.assertIsNone(selectors.assessment_result(self.assessment_a).previous_index)
        self.set_status(self.assessment_a, Assessment.Status.PUBLISHED)
        page = self.client.get(reverse("parindex:result", args=[self.assessment_a.pk]))
        self.assertContains(page, "Không có năm trước cùng bộ tiêu chí để so sánh")
        self.assertNotContains(page, "Kỳ trước")
        body = self.client.get(f"/api/v1/par/assessments/{self.assessment_a.pk}/result").json()
        self.assertEqual(
            (body["previous_index"], body["previous_note"]),
            (None, "Không có năm trước cùng bộ tiêu chí để so sánh"),
        )
        # The framework this year's was copied from (its parent, another code): that one counts.
        parent = small_framework(code="GOC", year=2024)
        Framework.objects.filter(pk=self.framework.pk).update(copied_from=parent)
        same = period_create(
            agency=self.agency, framework=parent, year=2024, name="Kỳ 2024", units=[self.unit_a]
        )
        self.set_points(same.assessments.get(), {"1.1.1": 1, "2.2": 1})
        self.assertEqual(
            selectors.assessment_result(self.assessment_a).previous_index, Decimal("20.000")
        )
        # A period of the same code counts too, and the latest comparable year wins.
        same.delete()
        older = period_create(
            agency=self.agency,
            framework=framework_copy(framework=self.framework, year=2023),
            year=2023,
            name="Kỳ 2023",
            units=[self.unit_a],
        )
        self.set_points(older.assessments.get(), {"1.1.1": 2, "2.2": 1})
        self.assertEqual(
            selectors.assessment_result(self.assessment_a).previous_index, Decimal("30.000")
        )

    def test_what_if_raises_chosen_leaves_without_saving(self):
        self.set_points(self.assessment_a, {"1.1.1": 1, "2.2": 1})
        self.set_points(self.assessment_b, {"1.1.1": 2, "2.2": 1})
        result = selectors.whatif(self.assessment_a, codes=["1.2"], fields=["2"])
        self.assertEqual(result.total, Decimal("7"))
        self.assertEqual(result.rank, 1)
        self.assertEqual(result.extra["current"].rank, 2)
        self.assertEqual(
            Score.objects.get(assessment=self.assessment_a, node__code="1.2").final_points, None
        )

    def test_a_metric_leaf_is_filled_from_the_registry(self):
        from cchc.core import registry

        registry.register_metric("test.half", "Một nửa", lambda scope: 0.5)
        node = self.framework.nodes.get(code="1.2")
        node.rule_kind, node.metric, node.rule_params = "metric", "test.half", {"target": 100}
        node.save()
        from cchc.parindex.services import metrics_refresh

        self.assertEqual(metrics_refresh(assessment=self.assessment_a, actor=self.leader_a), 1)
        self.assertEqual(self.score(self.assessment_a, "1.2").self_points, Decimal("1"))
        registry.metrics.pop("test.half")


class BonusPenaltyTests(ParTestCase):
    def test_bonus_and_penalty_sit_outside_the_scale(self):
        from cchc.parindex.importer import parse_framework
        from cchc.parindex.services import framework_import
        from cchc.parindex.tests.helpers import SMALL_YAML

        text = (
            SMALL_YAML.replace("code: TEST", "code: TESTBP")
            .replace(
                '  - code: "2"',
                '  - {code: "3", name: Thưởng, max: 1, rule: {kind: bonus}}\n'
                '  - {code: "4", name: Trừ, max: 2, rule: {kind: penalty}}\n'
                '  - code: "2"',
            )
            .replace("fields: 2,", "fields: 4,")
        )
        spec = parse_framework("bp.yaml", text.encode())
        self.assertEqual(spec.problems, [])
        framework = framework_import(spec=spec)
        period = period_create(
            agency=self.agency, framework=framework, year=2023, name="BP", units=[self.unit_a]
        )
        a = period.assessments.get()
        self.set_points(a, {**FULL, "3": 1, "4": 0.5})
        result = selectors.assessment_result(a)
        self.assertEqual(result.total, Decimal("10.5"))


class QueryCountTests(ParTestCase):
    def test_results_and_ranking_of_100_units_take_a_bounded_number_of_queries(self):
        framework = sample_framework()
        units = Unit.objects.bulk_create(
            Unit(agency=self.agency, code=f"U{i}", name=f"Đơn vị {i}", order=i) for i in range(100)
        )
        period = period_create(
            agency=self.agency, framework=framework, year=2030, name="Lớn", units=units
        )
        Score.objects.filter(assessment__period=period).update(final_points=Decimal("0.5"))
        older = framework_copy(framework=framework, year=2029)
        period_create(agency=self.agency, framework=older, year=2029, name="Trước", units=units[:5])
        period = type(period).objects.select_related("framework").get(pk=period.pk)
        # nodes, assessments, scores; previous period lookup + its nodes, assessments, scores.
        with self.assertNumQueries(7):
            results = selectors.period_results(period)
        self.assertEqual(len(results), 100)
        self.assertEqual(Score.objects.filter(assessment__period=period).count(), 100 * 108)
        self.assertEqual({r.rank for r in results.values()}, {1})
        self.assertEqual(next(iter(results.values())).components_total, 97)
        with self.assertNumQueries(3):
            selectors.period_results(period, with_previous=False)


class FigureTests(ParTestCase):
    def test_the_dashboard_figure_gives_the_latest_final_result_or_an_estimate(self):
        from cchc.core import registry

        figure = registry.figures["parindex.latest"]
        self.set_points(self.assessment_a, FULL, "self_points")
        estimate = figure.compute(self.agency, None, None)
        self.assertTrue(estimate["estimate"])
        self.assertEqual(estimate["units_ranked"], 2)
        self.set_points(self.assessment_a, FULL)
        self.set_points(self.assessment_b, {"1.1.1": 2})
        self.set_status(self.assessment_a, Assessment.Status.FINALISED)
        self.set_status(self.assessment_b, Assessment.Status.PUBLISHED)
        final = figure.compute(self.agency, None, None)
        self.assertFalse(final["estimate"])
        self.assertEqual(final["year"], 2025)
        self.assertEqual(final["index"], 60.0)  # mean of 100 and 20
        self.assertEqual(len(final["fields"]), 2)
        self.assertEqual(
            set(final) >= {"criteria_at_max", "components_total", "sample", "rank"}, True
        )
        self.assertIsNone(figure.compute(self.other_agency, None, None))

    def test_the_evidence_metric_is_registered(self):
        from cchc.core import registry

        self.assertIn("parindex.evidence_coverage", registry.metrics)
        metric = registry.metrics["parindex.evidence_coverage"]
        import datetime as dt

        self.assertIsNone(
            metric.compute(registry.Scope(self.agency, dt.date(2025, 1, 1), dt.date(2025, 12, 31)))
        )
        self.set_points(self.assessment_a, {"1.1.1": 1}, "self_points")
        self.assertEqual(
            metric.compute(registry.Scope(self.agency, dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
            0.0,
        )


class MetricButtonTests(ParTestCase):
    def test_the_units_focal_point_refreshes_metric_leaves_from_the_page(self):
        from django.urls import reverse

        from cchc.core import registry

        registry.register_metric("test.most", "Gần đủ", lambda scope: 0.72)
        self.addCleanup(registry.metrics.pop, "test.most")
        self.framework.nodes.filter(code="1.2").update(
            rule_kind="metric", metric="test.most", rule_params={"target": 80}
        )
        url = reverse("parindex:metrics-refresh", args=[self.assessment_a.pk])
        self.login_as("officer_a")
        self.assertEqual(self.client.post(url).status_code, 404)
        self.login_as("leader_a")
        page = self.client.get(reverse("parindex:assessment", args=[self.assessment_a.pk]))
        self.assertContains(page, "Cập nhật điểm lấy số liệu tự động")
        self.client.post(url)
        score = self.score(self.assessment_a, "1.2")
        self.assertEqual(score.self_points, Decimal("1.8"))  # 2 × 72/80
        self.assertEqual(score.changes.get().reason, "Gần đủ: 72%")


class AgencyFigurePeriodTests(ParTestCase):
    """The agency's figure comes from one clearly chosen period, never a mix of two."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        extra = [cls.agency.units.create(code=f"U{i}", name=f"Phòng {i}") for i in range(5)]
        cls.units = [cls.unit_a, cls.unit_b, *extra]
        cls.older = period_create(
            agency=cls.agency,
            framework=framework_copy(framework=cls.framework, year=2026),
            year=2026,
            name="Kỳ 2026",
            units=cls.units,
        )
        cls.newer = period_create(
            agency=cls.agency,
            framework=framework_copy(framework=cls.framework, year=2027),
            year=2027,
            name="Kỳ 2027",
            units=cls.units,
        )

    def setUp(self):
        for assessment in self.older.assessments.all():
            self.set_points(assessment, FULL)
        self.older.assessments.update(status=Assessment.Status.PUBLISHED)
        # One of the seven units of the newer period is finalised; six are still scoring.
        first = self.newer.assessments.get(unit=self.unit_a)
        self.set_points(first, {"1.1.1": 2})
        self.set_status(first, Assessment.Status.FINALISED)
        for assessment in self.newer.assessments.exclude(pk=first.pk):
            self.set_points(assessment, FULL, "self_points")

    def figure(self):
        return selectors.agency_figure(self.agency, None, None)

    def test_a_partly_finalised_newer_period_does_not_replace_the_published_one(self):
        figure = self.figure()
        self.assertEqual((figure["year"], figure["index"]), (2026, 100.0))
        self.assertFalse(figure["estimate"])
        self.assertEqual((figure["units_covered"], figure["units_total"]), (7, 7))

    def test_without_a_complete_period_the_estimate_says_how_many_units_it_covers(self):
        self.older.delete()
        figure = self.figure()
        self.assertTrue(figure["estimate"])
        self.assertEqual((figure["year"], figure["index"]), (2027, 20.0))
        self.assertEqual((figure["units_covered"], figure["units_total"]), (1, 7))
        self.assertEqual(figure["note"], "ước tính từ 1/7 đơn vị đã nộp")

    def test_the_dashboard_and_the_report_show_the_published_periods_index(self):
        import datetime as dt

        import time_machine
        from django.urls import reverse

        from cchc.reports import selectors as report_selectors

        with time_machine.travel(dt.datetime(2027, 6, 1, 10, tzinfo=dt.UTC), tick=False):
            self.login_as("agency_leader")
            page = self.client.get(reverse("reports:dashboard"), {"year": 2027})
        self.assertContains(page, "<strong>100,000</strong>")
        self.assertContains(page, "năm 2026")
        # the open 2027 period's estimate is never the headline (the year table shows it as
        # "2027 (ước tính)")
        self.assertNotContains(page, "<strong>20,000</strong>")
        self.assertContains(page, "2027 (ước tính)")
        data = report_selectors.collect_figures(
            self.agency, dt.date(2027, 1, 1), dt.date(2027, 12, 31)
        )
        table = next(t for t in report_selectors.tables(data) if t.key == "parindex")
        self.assertEqual(table.title, "Kết quả Chỉ số CCHC năm 2026")
        self.assertEqual(table.rows[-1][1].value, 100.0)

    def test_the_dashboard_labels_an_estimate_with_the_units_it_covers(self):
        import datetime as dt

        import time_machine
        from django.urls import reverse

        self.older.delete()
        with time_machine.travel(dt.datetime(2027, 6, 1, 10, tzinfo=dt.UTC), tick=False):
            self.login_as("agency_leader")
            page = self.client.get(reverse("reports:dashboard"), {"year": 2027})
        self.assertContains(page, "ước tính từ 1/7 đơn vị đã nộp")
        self.assertContains(page, "<strong>20,000</strong>")
