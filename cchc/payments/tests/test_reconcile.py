"""Reconciliation: pending transactions older than N minutes are asked about."""

import datetime as dt
import io

import time_machine
from django.core.management import call_command
from django.test import override_settings

from cchc.dossiers.models import PaidOnline, Status
from cchc.payments.models import PaymentTransaction
from cchc.payments.tasks import reconcile_payments
from cchc.payments.tests.helpers import PaymentTestCase

STARTED = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)


class ReconcileTests(PaymentTestCase):
    def setUp(self):
        super().setUp()
        with time_machine.travel(STARTED, tick=False):
            self.start()
        self.payment = PaymentTransaction.objects.get(dossier=self.dossier)

    def reconcile(self, minutes_later=20, *options):
        out = io.StringIO()
        with time_machine.travel(STARTED + dt.timedelta(minutes=minutes_later), tick=False):
            call_command("reconcile_payments", *options, stdout=out)
        self.payment.refresh_from_db()
        self.dossier.refresh_from_db()
        return out.getvalue().strip()

    def test_a_transaction_settled_without_callback_is_confirmed(self):
        self.assertIsNotNone(self.platform.settle(self.payment.reference))
        self.assertEqual(self.reconcile(), "paid=1 failed=0 pending=0 errors=0")
        self.assertEqual(self.payment.state, "paid")
        self.assertEqual(
            (self.dossier.status, self.dossier.paid_online),
            (Status.PROCESSING, PaidOnline.NATIONAL),
        )
        self.assertEqual(
            self.payment.platform_code, self.platform.transactions[self.payment.reference]["code"]
        )
        # confirmed once: running again finds nothing pending, and a late callback changes nothing
        steps = self.dossier.handovers.count()
        self.assertEqual(self.reconcile(40), "paid=0 failed=0 pending=0 errors=0")
        self.assertEqual(self.dossier.handovers.count(), steps)

    def test_a_cancelled_one_fails_and_the_dossier_stays_in_6(self):
        self.platform.settle(self.payment.reference, cancel=True)
        self.assertEqual(self.reconcile(), "paid=0 failed=1 pending=0 errors=0")
        self.assertEqual((self.payment.state, self.dossier.status), ("failed", Status.FEES))

    def test_a_pending_one_stays_pending_and_a_young_one_is_not_asked_about(self):
        self.assertEqual(self.reconcile(5), "paid=0 failed=0 pending=0 errors=0")
        self.assertIsNone(self.payment.checked_at)
        self.assertEqual(self.reconcile(20), "paid=0 failed=0 pending=1 errors=0")
        self.assertEqual(self.payment.state, "pending")
        self.assertEqual(self.payment.checked_at, STARTED + dt.timedelta(minutes=20))
        self.assertEqual(
            self.reconcile(5, "--older-than", "1"), "paid=0 failed=0 pending=1 errors=0"
        )

    def test_quiet_runs_say_only_when_there_was_something_to_check(self):
        # The timer loop of scripts/prod.sh runs it with --verbosity 0 every few seconds.
        self.assertEqual(self.reconcile(5, "--verbosity", "0"), "")
        self.platform.settle(self.payment.reference)
        self.assertEqual(
            self.reconcile(20, "--verbosity", "0"), "paid=1 failed=0 pending=0 errors=0"
        )
        self.assertEqual(self.payment.state, "paid")

    def test_every_repeats_until_interrupted_and_says_only_what_it_did(self):
        from unittest import mock

        self.platform.settle(self.payment.reference)
        sleeps = mock.Mock(side_effect=[None, KeyboardInterrupt])
        with mock.patch("time.sleep", sleeps):
            out = self.reconcile(20, "--every", "10")
        self.assertEqual(sleeps.call_args_list, [mock.call(10), mock.call(10)])
        self.assertEqual(out, "paid=1 failed=0 pending=0 errors=0")  # the second round: silent
        self.assertEqual(self.payment.state, "paid")

    def test_a_platform_down_is_counted_and_changes_nothing(self):
        self.platform.settle(self.payment.reference)
        with override_settings(PAYMENT_PLATFORM_URL="http://127.0.0.1:9/"):
            self.assertEqual(self.reconcile(), "paid=0 failed=0 pending=0 errors=1")
        self.assertEqual((self.payment.state, self.dossier.status), ("pending", Status.FEES))

    def test_the_task_runs_the_same_reconciliation(self):
        self.platform.settle(self.payment.reference)
        with time_machine.travel(STARTED + dt.timedelta(minutes=20), tick=False):
            result = reconcile_payments.enqueue()
        self.assertEqual(result.return_value, {"paid": 1, "failed": 0, "pending": 0, "errors": 0})
