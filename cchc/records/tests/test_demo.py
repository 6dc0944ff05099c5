import datetime as dt

import time_machine
from django.test import TestCase

from cchc.core import demo as core_demo
from cchc.core import registry
from cchc.core.models import Agency, Unit
from cchc.records import demo
from cchc.records import models as m
from cchc.records.kinds import KINDS

PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 11, 30))


@time_machine.travel(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC), tick=False)
class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC), tick=False):
            core_demo.load()
            cls.first = demo.load()
        cls.agency = Agency.objects.get(code="SKHCN")

    def test_loading_twice_changes_nothing(self):
        counts = {k.slug: k.model.objects.count() for k in KINDS}
        self.assertEqual(demo.load(), self.first)
        self.assertEqual({k.slug: k.model.objects.count() for k in KINDS}, counts)
        for kind in KINDS:
            self.assertTrue(kind.model.objects.filter(agency=self.agency).exists(), kind.slug)
        other = Agency.objects.get(code="SKHCNTQ")
        self.assertTrue(m.DigitalMonth.objects.filter(agency=other).exists())

    def test_2026_stops_at_november(self):
        months = m.DigitalMonth.objects.filter(agency=self.agency, month__year=2026)
        self.assertEqual(max(months.values_list("month", flat=True)), dt.date(2026, 11, 1))

    def test_loaded_early_in_2026_nothing_is_dated_after_that_day(self):
        with time_machine.travel(dt.datetime(2026, 3, 9, 1, 0, tzinfo=dt.UTC), tick=False):
            m.DigitalMonth.objects.all().delete()
            m.StaffRound.objects.all().delete()
            demo.load()
        months = m.DigitalMonth.objects.filter(agency=self.agency, month__year=2026)
        self.assertEqual(max(months.values_list("month", flat=True)), dt.date(2026, 2, 1))
        self.assertFalse(m.StaffRound.objects.filter(held_on__gt=dt.date(2026, 3, 9)).exists())
        finance = m.FinanceYear.objects.get(agency=self.agency, year=2026)
        self.assertIsNone(finance.budget_settlement_published_on)  # 25/3 had not come

    def test_units_differ_and_the_department_looks_plausible(self):
        def value(name, code, period=PERIOD):
            unit = Unit.objects.get(agency=self.agency, code=code)
            return registry.metrics[name].compute(registry.Scope(self.agency, *period, unit=unit))

        self.assertEqual(value("records.staffing_within_quota", "VP"), 1.0)
        self.assertEqual(value("records.staffing_within_quota", "QLCN"), 0.0)
        self.assertGreater(
            value("records.email_coverage", "VP"), value("records.email_coverage", "TTUD")
        )
        self.assertNotEqual(
            value("records.electronic_document_share", "VP"),
            value("records.electronic_document_share", "TTUD"),
        )
        agency = registry.Scope(self.agency, *PERIOD)
        self.assertGreater(
            registry.metrics["records.electronic_document_share"].compute(agency), 0.8
        )
        self.assertGreater(registry.metrics["records.email_coverage"].compute(agency), 0.9)
        self.assertNotEqual(
            value("records.email_coverage", "QLCN"), value("records.email_coverage", "TDC")
        )
        self.assertNotEqual(
            value("records.training_coverage", "VP"), value("records.training_coverage", "TTUD")
        )
        y2025 = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        self.assertNotEqual(
            value("records.appraisal_completion", "VP", y2025),
            value("records.appraisal_completion", "TDC", y2025),
        )
        for name in registry.metrics:
            if name.startswith("records."):
                result = registry.metrics[name].compute(registry.Scope(self.agency, *y2025))
                self.assertIsNotNone(result, name)
                self.assertTrue(0 <= result <= 1, name)
