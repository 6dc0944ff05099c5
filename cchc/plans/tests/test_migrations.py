import datetime as dt
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TestCase, TransactionTestCase

from cchc.plans.models import QualityRecord


class MigrationTests(TestCase):
    def test_plans_and_reports_have_no_missing_migrations(self):
        out = StringIO()
        call_command("makemigrations", "plans", "reports", "--check", "--dry-run", stdout=out)
        self.assertIn("No changes detected", out.getvalue())


class QualityStatusMigrationTests(TransactionTestCase):
    """0003 drops the typed ISO status and keeps every date; a record typed "expired" without
    an expiry date gets one, so it still reads as expired."""

    before = [("plans", "0002_year_and_progress_ranges")]
    after = [("plans", "0003_quality_status_derived")]

    def test_typed_statuses_become_dates_and_no_date_is_lost(self):
        executor = MigrationExecutor(connection)
        executor.migrate(self.before)
        old = executor.loader.project_state(self.before).apps
        agency = old.get_model("core", "Agency").objects.create(code="MIG", name="Cơ quan")
        Record = old.get_model("plans", "QualityRecord")
        dates = {
            "certified_on": dt.date(2020, 3, 1),
            "surveillance_on": dt.date(2021, 3, 1),
            "expires_on": dt.date(2023, 3, 1),
        }
        rows = [
            ("Có ngày", "certified", dates),
            ("Hết hạn, thiếu ngày", "expired", {"certified_on": dt.date(2019, 1, 1)}),
            ("Đang xây dựng", "building", {}),
        ]
        for name, status, kept in rows:
            Record.objects.create(
                agency=agency,
                body_name=name,
                body_type="other",
                standard="2015",
                status=status,
                **kept,
            )
        with time_machine.travel(dt.datetime(2026, 5, 4, 10, tzinfo=dt.UTC), tick=False):
            executor = MigrationExecutor(connection)
            executor.loader.build_graph()
            executor.migrate(self.after)
        new = executor.loader.project_state(self.after).apps
        got = {r.body_name: r for r in new.get_model("plans", "QualityRecord").objects.all()}
        self.assertEqual(
            {k: getattr(got["Có ngày"], k) for k in dates},
            dates,
        )
        self.assertEqual(got["Hết hạn, thiếu ngày"].expires_on, dt.date(2026, 5, 3))
        self.assertEqual(got["Hết hạn, thiếu ngày"].certified_on, dt.date(2019, 1, 1))
        self.assertIsNone(got["Đang xây dựng"].expires_on)
        # Read through today's model: the derived statuses match what was typed.
        status = {
            r.body_name: r.status_on(dt.date(2026, 5, 4))
            for r in QualityRecord.objects.filter(agency_id=agency.pk)
        }
        self.assertEqual(
            status,
            {"Có ngày": "expired", "Hết hạn, thiếu ngày": "expired", "Đang xây dựng": "building"},
        )
