import datetime as dt

from cchc.core import registry
from cchc.core.models import AuditEntry
from cchc.core.testing import PersonaTestCase
from cchc.plans import selectors, services
from cchc.plans.models import PlanTask
from cchc.plans.tests.factories import d, make_plan, make_task


class TaskStatusTests(PersonaTestCase):
    def setUp(self):
        self.plan = make_plan(self.agency, 2024)

    def test_a_deadline_on_a_saturday_moves_to_monday_before_it_is_overdue(self):
        # 2024-03-09 is a Saturday: the task is due on Monday 11/03.
        task = make_task(self.plan, self.unit_a, deadline=d(2024, 3, 9))
        self.assertEqual(selectors.effective_deadline(task.deadline), d(2024, 3, 11))
        self.assertEqual(task.effective_status(today=d(2024, 3, 11)), "not_started")
        self.assertEqual(task.effective_status(today=d(2024, 3, 12)), "overdue")

    def test_a_deadline_on_a_make_up_saturday_stays_on_that_saturday(self):
        # holidays: Saturday 22/08/2026 is worked (its day off moved to Monday 31/08).
        task = make_task(self.plan, self.unit_a, deadline=d(2026, 8, 22))
        self.assertEqual(selectors.effective_deadline(task.deadline), d(2026, 8, 22))
        self.assertEqual(task.effective_status(today=d(2026, 8, 24)), "overdue")

    def test_a_deadline_in_the_tet_holiday_moves_past_the_holiday(self):
        # Tết 2024: 8-14 February are days off.
        task = make_task(self.plan, self.unit_a, deadline=d(2024, 2, 10))
        self.assertGreaterEqual(selectors.effective_deadline(task.deadline), d(2024, 2, 15))
        self.assertEqual(task.effective_status(today=d(2024, 2, 13)), "not_started")

    def test_a_done_task_is_never_overdue(self):
        task = make_task(
            self.plan,
            self.unit_a,
            deadline=d(2024, 3, 1),
            status="done",
            completed_on=d(2024, 4, 1),
        )
        self.assertEqual(task.effective_status(today=d(2025, 1, 1)), "done")

    def test_completion_rate_counts_tasks_done_by_their_deadline_over_tasks_due(self):
        make_task(
            self.plan,
            self.unit_a,
            deadline=d(2024, 3, 1),
            status="done",
            completed_on=d(2024, 2, 28),
        )
        make_task(
            self.plan,
            self.unit_a,
            deadline=d(2024, 3, 1),
            status="done",
            completed_on=d(2024, 3, 20),
        )
        make_task(self.plan, self.unit_b, deadline=d(2024, 5, 2), status="in_progress")
        make_task(self.plan, self.unit_b, deadline=d(2024, 11, 29))  # not yet due on 30/06
        rate = registry.metrics["plans.completion_rate"].compute(
            registry.Scope(self.agency, d(2024, 1, 1), d(2024, 6, 30))
        )
        self.assertAlmostEqual(rate, 1 / 3)
        summary = selectors.plan_summary(self.agency, d(2024, 1, 1), d(2024, 6, 30))
        self.assertEqual((summary["due"], summary["done_on_time"], summary["overdue"]), (3, 1, 1))
        march = summary["by_month"][2]
        self.assertEqual((march["month"], march["due"], march["done_on_time"]), (3, 2, 1))
        self.assertEqual(len(summary["by_month"]), 6)

    def test_a_task_finished_after_the_reporting_date_counts_as_not_done_at_that_date(self):
        make_task(
            self.plan,
            self.unit_a,
            deadline=d(2024, 3, 1),
            status="done",
            completed_on=d(2024, 3, 1),
        )
        make_task(
            self.plan,
            self.unit_a,
            deadline=d(2024, 5, 2),
            status="done",
            completed_on=d(2024, 8, 1),
        )
        summary = selectors.plan_summary(self.agency, d(2024, 1, 1), d(2024, 6, 30))
        self.assertEqual(summary["done"], 1)
        self.assertEqual(summary["overdue"], 1)

    def test_the_completion_rate_is_none_when_nothing_is_due(self):
        self.assertIsNone(
            selectors.completion_rate(registry.Scope(self.agency, d(2024, 1, 1), d(2024, 12, 31)))
        )
        make_task(self.plan, self.unit_a, deadline=d(2024, 12, 2))
        self.assertIsNone(
            selectors.completion_rate(registry.Scope(self.agency, d(2024, 1, 1), d(2024, 6, 30)))
        )

    def test_the_plans_summary_figure_is_registered(self):
        make_task(self.plan, self.unit_a, deadline=d(2024, 3, 1))
        figure = registry.figures["plans.summary"].compute(
            self.agency, d(2024, 1, 1), d(2024, 12, 31)
        )
        self.assertEqual(figure["tasks"]["total"], 1)
        self.assertIsNone(
            registry.figures["plans.summary"].compute(
                self.other_agency, d(2024, 1, 1), d(2024, 12, 31)
            )
        )

    def test_a_status_change_is_audited_and_done_fills_the_completion_date(self):
        task = make_task(self.plan, self.unit_a, deadline=d(2024, 3, 1))
        services.task_update(actor=self.officer_a, task=task, status="done", reason="Xong")
        task.refresh_from_db()
        self.assertEqual(task.completed_on, dt.date.today())
        self.assertEqual(task.progress, 100)
        entry = AuditEntry.objects.get(action="task_status")
        self.assertEqual((entry.from_state, entry.to_state), ("not_started", "done"))
        self.assertEqual(entry.actor, self.officer_a)

    def test_a_lead_unit_from_another_agency_is_refused(self):
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            services.task_create(
                actor=self.agency_leader,
                plan=self.plan,
                field="1",
                content="X",
                lead_unit=self.other_unit,
                deadline=d(2024, 3, 1),
            )
        self.assertEqual(PlanTask.objects.count(), 0)
