from django.test import TestCase

from cchc.core import demo as core_demo
from cchc.feedback import demo as feedback_demo
from cchc.feedback.models import Petition
from cchc.portal import demo
from cchc.portal.models import Article


class DemoTests(TestCase):
    def test_demo_data_loads_twice_and_covers_every_status(self):
        core_demo.load()
        for _ in range(2):
            summary = demo.load()
            feedback_demo.load()
        self.assertGreaterEqual(Article.objects.published().count(), 24)
        self.assertEqual(summary["articles"], Article.objects.count())
        self.assertEqual(
            set(Petition.objects.values_list("status", flat=True)), set(Petition.Status.values)
        )
        self.assertEqual(self.client.get("/").status_code, 200)
