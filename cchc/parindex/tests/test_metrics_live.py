"""Metric leaves per unit, up to the period's data date, refreshed by a task and a command,
frozen on submit."""

import datetime as dt
import io
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from cchc.core import registry
from cchc.core.models import AuditEntry
from cchc.core.testing import PersonaTestCase
from cchc.parindex import services
from cchc.parindex.models import Assessment, Period, Score
from cchc.parindex.tasks import refresh_metrics
from cchc.parindex.tests.helpers import small_framework
from cchc.plans import selectors as plan_selectors
from cchc.plans.tests.factories import d, make_plan, make_task

VN = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = dt.datetime(2026, 12, 2, 8, 0, tzinfo=VN)  # a Wednesday


def on_time(plan, unit, deadline):
    return make_task(plan, unit, deadline=deadline, status="done", completed_on=deadline)


@time_machine.travel(TODAY, tick=False)
class LiveMetricTestCase(PersonaTestCase):
    """A 2026 period over units A and B whose leaf 1.2 is the plan completion rate."""

    metric = "plans.completion_rate"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.framework = small_framework(code="LIVE", year=2026)
        cls.framework.nodes.filter(code="1.2").update(
            rule_kind="metric", metric=cls.metric, rule_params={"target": 100}
        )
        cls.period = services.period_create(
            agency=cls.agency,
            framework=cls.framework,
            year=2026,
            name="Kỳ 2026",
            units=[cls.unit_a, cls.unit_b],
        )
        cls.a = cls.period.assessments.get(unit=cls.unit_a)
        cls.b = cls.period.assessments.get(unit=cls.unit_b)
        cls.plan = make_plan(cls.agency, 2026)

    def leaf(self, assessment) -> Score:
        return Score.objects.get(assessment=assessment, node__code="1.2")

    def refresh(self, assessment):
        return services.metrics_refresh(assessment=assessment, actor=None)


class UnitScopeTests(LiveMetricTestCase):
    def test_two_units_get_their_own_value_for_the_same_leaf(self):
        on_time(self.plan, self.unit_a, d(2026, 3, 2))
        on_time(self.plan, self.unit_a, d(2026, 6, 1))
        on_time(self.plan, self.unit_b, d(2026, 3, 2))
        make_task(self.plan, self.unit_b, deadline=d(2026, 6, 1), status="in_progress")  # overdue
        self.assertEqual(self.refresh(self.a), 1)
        self.assertEqual(self.refresh(self.b), 1)
        a, b = self.leaf(self.a), self.leaf(self.b)
        self.assertEqual((a.self_measured, a.self_points), (Decimal("100"), Decimal("2")))
        self.assertEqual((b.self_measured, b.self_points), (Decimal("50"), Decimal("1")))
        # The agency as a whole: unchanged (3 of the 4 tasks due were done on time).
        whole = registry.Scope(self.agency, d(2026, 1, 1), d(2026, 12, 2))
        self.assertEqual(plan_selectors.completion_rate(whole), 0.75)

    def test_a_metric_no_app_offers_leaves_the_leaf_untouched(self):
        self.framework.nodes.filter(code="1.2").update(metric="records.not_registered_yet")
        self.assertEqual(self.refresh(self.a), 0)
        self.assertEqual((self.leaf(self.a).self_points, self.leaf(self.a).version), (None, 0))

    def test_a_metric_that_fails_leaves_its_leaf_untouched_and_the_others_are_filled(self):
        def broken(scope):
            raise RuntimeError("boom")

        registry.register_metric("test.broken", "Hỏng", broken)
        self.addCleanup(registry.metrics.pop, "test.broken")
        self.framework.nodes.filter(code="1.1.1").update(
            rule_kind="metric", metric="test.broken", rule_params={"target": 100}
        )
        on_time(self.plan, self.unit_a, d(2026, 3, 2))
        with self.assertLogs("cchc.parindex.services", "ERROR"):
            self.assertEqual(self.refresh(self.a), 1)
        self.assertIsNone(Score.objects.get(assessment=self.a, node__code="1.1.1").self_points)
        self.assertEqual(self.leaf(self.a).self_points, Decimal("2"))


class CutOffTests(LiveMetricTestCase):
    def test_a_task_due_after_the_cut_off_is_not_counted(self):
        on_time(self.plan, self.unit_a, d(2026, 3, 2))
        make_task(self.plan, self.unit_a, deadline=d(2026, 12, 15))  # due after today
        self.refresh(self.a)
        self.assertEqual(self.leaf(self.a).self_measured, Decimal("100"))
        self.a.refresh_from_db()
        self.assertEqual(self.a.metrics_data_date, d(2026, 12, 2))
        self.assertEqual(self.a.metrics_computed_at, TODAY)

    def test_the_leaf_and_the_dashboard_agree_on_the_second_of_december(self):
        from cchc.reports.selectors import dashboard_period

        for month in range(1, 7):  # 6 due and done on time
            on_time(self.plan, self.unit_a, d(2026, month, 10))
        for month in range(7, 11):  # 4 due and overdue
            make_task(self.plan, self.unit_a, deadline=d(2026, month, 12), status="in_progress")
        for day in (15, 22, 31):  # 3 due later in December
            make_task(self.plan, self.unit_a, deadline=d(2026, 12, day))
        # Counting to 31/12 (what the leaf did): 6 of 13 = 46,2%.
        year_end = registry.Scope(self.agency, d(2026, 1, 1), d(2026, 12, 31), unit=self.unit_a)
        self.assertAlmostEqual(plan_selectors.completion_rate(year_end), 6 / 13)
        _year, start, end = dashboard_period("2026", dt.date(2026, 12, 2))
        dashboard = registry.figures["plans.summary"].compute(self.agency, start, end)
        self.assertEqual(dashboard["tasks"]["completion_rate"], 0.6)
        self.refresh(self.a)
        self.assertEqual(self.leaf(self.a).self_measured, Decimal("60"))

    def test_the_periods_data_date_is_used_but_never_after_today(self):
        on_time(self.plan, self.unit_a, d(2026, 3, 2))
        make_task(self.plan, self.unit_a, deadline=d(2026, 11, 30), status="in_progress")
        Period.objects.filter(pk=self.period.pk).update(data_date=d(2026, 11, 27))
        self.refresh(self.a)
        self.a.refresh_from_db()
        self.assertEqual(self.a.metrics_data_date, d(2026, 11, 27))
        self.assertEqual(self.leaf(self.a).self_measured, Decimal("100"))  # 30/11 not yet due
        Period.objects.filter(pk=self.period.pk).update(data_date=d(2026, 12, 20))
        self.refresh(self.a)
        self.a.refresh_from_db()
        self.assertEqual(self.a.metrics_data_date, d(2026, 12, 2))  # clamped to today
        self.assertEqual(self.leaf(self.a).self_measured, Decimal("50"))


class BackgroundRefreshTests(LiveMetricTestCase):
    def setUp(self):
        on_time(self.plan, self.unit_a, d(2026, 3, 2))
        on_time(self.plan, self.unit_b, d(2026, 3, 2))
        Assessment.objects.filter(pk=self.b.pk).update(status=Assessment.Status.SUBMITTED)

    def command(self, *args):
        out = io.StringIO()
        call_command("refresh_par_metrics", *args, stdout=out)
        return out.getvalue().strip()

    def test_the_command_refreshes_drafts_only(self):
        self.assertEqual(self.command(), "queued=1")
        self.assertEqual(self.leaf(self.a).self_measured, Decimal("100"))
        self.assertIsNone(self.leaf(self.b).self_measured)
        self.b.refresh_from_db()
        self.assertIsNone(self.b.metrics_computed_at)

    def test_the_task_refreshes_a_draft_and_changes_nothing_for_a_submitted_one(self):
        self.assertEqual(refresh_metrics.enqueue(self.a.pk).return_value, 1)
        self.assertEqual(refresh_metrics.enqueue(self.b.pk).return_value, 0)
        self.assertEqual(refresh_metrics.enqueue(999999).return_value, 0)
        self.assertEqual(self.leaf(self.a).self_points, Decimal("2"))
        self.assertIsNone(self.leaf(self.b).self_points)

    def test_every_repeats_until_interrupted(self):
        sleeps = mock.Mock(side_effect=[None, KeyboardInterrupt])
        with mock.patch("time.sleep", sleeps):
            out = self.command("--every", "3600")
        self.assertEqual(sleeps.call_args_list, [mock.call(3600), mock.call(3600)])
        self.assertEqual(out.splitlines(), ["queued=1", "queued=1"])
        self.assertEqual(self.leaf(self.a).self_measured, Decimal("100"))

    def test_a_period_whose_year_has_not_begun_is_not_refreshed(self):
        self.assertEqual(services.assessments_to_refresh(dt.date(2025, 12, 31)), [])
        self.assertEqual(services.assessments_to_refresh(dt.date(2026, 1, 1)), [self.a.pk])


class FreezeTests(LiveMetricTestCase):
    def test_submit_freezes_the_metric_leaves(self):
        on_time(self.plan, self.unit_a, d(2026, 3, 2))
        services.assessment_submit(actor=self.leader_a, assessment=self.a)
        frozen = self.leaf(self.a)
        self.assertEqual(frozen.self_measured, Decimal("100"))
        entry = AuditEntry.objects.get(action="metrics_freeze", object_id=str(self.a.pk))
        self.assertEqual((entry.actor, entry.to_state), (self.leader_a, "1"))
        self.assertIn("Phòng A", entry.reason)
        # Later data change + every kind of refresh: the submitted scores stay as they were.
        make_task(self.plan, self.unit_a, deadline=d(2026, 6, 1), status="in_progress")
        later = TODAY + dt.timedelta(hours=3)
        with time_machine.travel(later, tick=False):
            self.assertEqual(self.refresh(self.a), 0)
            refresh_metrics.enqueue(self.a.pk)
            call_command("refresh_par_metrics", stdout=io.StringIO())
            self.login_as("leader_a")
            response = self.client.post(
                reverse("parindex:metrics-refresh", args=[self.a.pk]), follow=True
            )
        self.assertContains(response, "Đã nộp: số liệu đã chốt lúc 08:00 02/12/2026")
        after = self.leaf(self.a)
        self.assertEqual(
            (after.self_measured, after.self_points, after.version),
            (frozen.self_measured, frozen.self_points, frozen.version),
        )
        self.a.refresh_from_db()
        self.assertEqual(self.a.metrics_computed_at, TODAY)

    def test_a_submit_without_metric_leaves_records_no_freeze(self):
        self.framework.nodes.filter(code="1.2").update(rule_kind="ratio", metric="")
        services.assessment_submit(actor=self.leader_a, assessment=self.a)
        self.assertFalse(AuditEntry.objects.filter(action="metrics_freeze").exists())


class PageTests(LiveMetricTestCase):
    def test_the_page_shows_when_and_up_to_which_day_the_leaves_were_computed(self):
        on_time(self.plan, self.unit_a, d(2026, 3, 2))
        Period.objects.filter(pk=self.period.pk).update(data_date=d(2026, 11, 30))
        self.login_as("leader_a")
        page = reverse("parindex:assessment", args=[self.a.pk])
        self.assertContains(self.client.get(page), "Số liệu tự động chưa được tính.")
        response = self.client.post(
            reverse("parindex:metrics-refresh", args=[self.a.pk]), follow=True
        )
        self.assertContains(response, "Đã cập nhật 1 tiêu chí lấy số liệu tự động.")
        self.assertContains(
            response, "Số liệu tự động tính đến 30/11/2026, cập nhật lúc 08:00 02/12/2026."
        )
        field = self.client.get(reverse("parindex:field", args=[self.a.pk, "1"]))
        self.assertContains(field, "Số liệu đo được: <strong>100%</strong>")
        self.assertContains(field, "Phạm vi: Phòng A")

    def test_the_button_as_another_agencys_unit_leader_is_a_404(self):
        on_time(self.plan, self.unit_a, d(2026, 3, 2))
        self.login_as("outsider_leader")
        response = self.client.post(reverse("parindex:metrics-refresh", args=[self.a.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertIsNone(self.leaf(self.a).self_points)
        self.a.refresh_from_db()
        self.assertIsNone(self.a.metrics_computed_at)

    def test_the_button_as_another_unit_of_the_same_agency_is_a_404(self):
        self.login_as("officer_b")
        response = self.client.post(reverse("parindex:metrics-refresh", args=[self.a.pk]))
        self.assertEqual(response.status_code, 404)


class DemoMetricTests(TestCase):
    @time_machine.travel(TODAY, tick=False)
    def test_the_demo_draft_year_shows_metric_figures_per_unit(self):
        from cchc.core import demo as core_demo
        from cchc.parindex import demo

        core_demo.load()
        demo.load()
        period = Period.objects.get(year=2026)
        # The demo framework's metric leaves come from its yaml; here one leaf is made one.
        leaf = period.framework.nodes.filter(is_leaf=True, rule_kind="ratio").first()
        period.framework.nodes.filter(pk=leaf.pk).update(
            rule_kind="metric", metric="plans.completion_rate", rule_params={"target": 100}
        )
        demo._demo_metrics(period)  # loads the plans demo first: it runs after this app
        assessments = list(period.assessments.select_related("unit"))
        self.assertTrue(all(a.metrics_computed_at == TODAY for a in assessments))
        measured = {
            s.assessment.unit.code: s.self_measured
            for s in Score.objects.filter(node=leaf).select_related("assessment__unit")
        }
        self.assertGreaterEqual(sum(v is not None for v in measured.values()), 2)
        self.assertGreater(len(set(measured.values()) - {None}), 1)  # units differ


class DataDateTests(LiveMetricTestCase):
    def test_a_data_date_outside_the_periods_year_is_refused(self):
        from django.core.exceptions import ValidationError

        self.period.data_date = d(2025, 12, 31)
        with self.assertRaises(ValidationError) as caught:
            self.period.full_clean()
        self.assertIn("năm đánh giá 2026", caught.exception.message_dict["data_date"][0])
        self.period.data_date = d(2026, 11, 30)
        self.period.full_clean()
        self.assertEqual(self.period.cut_off(d(2026, 12, 2)), d(2026, 11, 30))
        self.assertEqual(self.period.cut_off(d(2026, 11, 1)), d(2026, 11, 1))


class NoMetricLeafTests(LiveMetricTestCase):
    def test_a_framework_without_metric_leaves_writes_nothing(self):
        self.framework.nodes.filter(code="1.2").update(rule_kind="ratio", metric="")
        self.assertEqual(self.refresh(self.a), 0)
        self.a.refresh_from_db()
        self.assertIsNone(self.a.metrics_computed_at)
