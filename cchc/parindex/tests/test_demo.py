"""The demo loader: two finished years and one in progress, idempotent."""

from django.test import TestCase

from cchc.core import demo as core_demo
from cchc.parindex import demo, selectors
from cchc.parindex.models import Assessment, Framework, Period


class DemoTests(TestCase):
    def test_the_demo_has_two_published_years_and_loads_twice(self):
        core_demo.load()
        self.assertEqual(demo.load()["periods"], 3)
        self.assertEqual(demo.load()["periods"], 0)
        self.assertTrue(Framework.objects.filter(sample=True).exists())
        years = list(Period.objects.order_by("year").values_list("year", flat=True))
        self.assertEqual(years, [2024, 2025, 2026])
        period = Period.objects.select_related("framework").get(year=2025)
        self.assertEqual(period.assessments.filter(status=Assessment.Status.PUBLISHED).count(), 7)
        results = selectors.period_results(period)
        self.assertEqual(len({r.rank for r in results.values()}) > 3, True)
        self.assertTrue(all(r.previous_index is not None for r in results.values()))
        self.assertEqual(next(iter(results.values())).components_total, 97)
