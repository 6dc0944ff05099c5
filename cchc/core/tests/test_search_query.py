"""Every search box and every list API with ``q`` refuses an over-long query the same way
(cchc.core.text.MAX_QUERY): a page answers 400 with the Vietnamese message, an API 400 with
the field ``q``; none answers 200 with results for a text it silently cut."""

from django.test import TestCase, override_settings

from cchc.core.testing import make_agency
from cchc.core.text import MAX_QUERY

PAGES = ("/thu-tuc/", "/tim-kiem/", "/pakn/tra-loi/")
APIS = (
    "/api/v1/procedures/",
    "/api/v1/feedback/answers/",
    "/api/v1/portal/science-tasks/",
)


@override_settings(SITE_AGENCY_CODE="TEST")
class LongQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_agency()

    def test_pages_refuse_an_over_long_query_with_a_message(self):
        for url in PAGES:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url, {"q": "a" * MAX_QUERY}).status_code, 200)
                response = self.client.get(url, {"q": "a" * 1000})
                self.assertContains(response, "Từ khóa quá dài", status_code=400)

    def test_apis_refuse_an_over_long_query_with_the_field(self):
        for url in APIS:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url, {"q": "a" * MAX_QUERY}).status_code, 200)
                response = self.client.get(url, {"q": "a" * 1000})
                self.assertEqual(response.status_code, 400)
                (error,) = response.json()["errors"]
                self.assertEqual(error["field"], "q")
                self.assertIn("Từ khóa quá dài", error["message"])
