import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command

from cchc.core.testing import PersonaTestCase
from cchc.plans.models import PlanTask
from cchc.plans.services import overdue_reminders_send
from cchc.plans.tests.factories import d, make_plan, make_task


class OverdueMailTests(PersonaTestCase):
    def setUp(self):
        self.officer_a.email = "a@example.vn"
        self.officer_a.save()
        self.officer_b.email = "b@example.vn"
        self.officer_b.save()
        plan = make_plan(self.agency, 2024)
        self.late = make_task(plan, self.unit_a, deadline=d(2024, 3, 1), content="Việc trễ")
        make_task(plan, self.unit_a, deadline=d(2099, 3, 1), content="Việc chưa đến hạn")
        make_task(
            plan, self.unit_b, deadline=d(2024, 3, 1), status="done", completed_on=d(2024, 3, 1)
        )

    def test_the_command_mails_the_lead_unit_of_each_overdue_task_once_a_week(self):
        out = StringIO()
        call_command("send_overdue_task_reminders", stdout=out)
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["a@example.vn"])
        self.assertIn("Việc trễ", message.body)
        self.assertNotIn("Việc chưa đến hạn", message.body)
        self.assertIn("Đã gửi 1 thư", out.getvalue())
        call_command("send_overdue_task_reminders", stdout=StringIO())
        self.assertEqual(len(mail.outbox), 1)

    def test_a_week_later_the_reminder_is_sent_again(self):
        today = dt.date.today()
        overdue_reminders_send(today=today)
        overdue_reminders_send(today=today + dt.timedelta(days=7))
        self.assertEqual(len(mail.outbox), 2)
        self.late.refresh_from_db()
        self.assertEqual(self.late.reminded_on, today + dt.timedelta(days=7))

    def test_a_finished_task_is_not_reminded(self):
        PlanTask.objects.filter(pk=self.late.pk).update(status="done", completed_on=d(2024, 3, 2))
        self.assertEqual(overdue_reminders_send(), 0)
        self.assertEqual(mail.outbox, [])
