from unittest import mock

from django.urls import reverse

from cchc.reports import selectors
from cchc.reports.tests.base import ReportTestCase
from cchc.reports.tests.fakes import other_apps


class DashboardTests(ReportTestCase):
    url = reverse("reports:dashboard")

    def headline(self, response) -> dict:
        return {item["key"]: item for item in response.context["headline"]}

    def test_without_the_other_apps_their_numbers_say_no_data(self):
        self.login_as("agency_leader")
        response = self.client.get(self.url, {"year": 2024})
        self.assertContains(response, "chưa có dữ liệu")
        self.assertIsNone(response.context["figures"]["parindex.latest"])
        self.assertIsNone(response.context["figures"]["dossiers.summary"])
        headline = self.headline(response)
        self.assertEqual(
            (headline["dossiers.on_time_rate"]["text"], headline["dossiers.on_time_rate"]["link"]),
            ("chưa có dữ liệu", ""),
        )
        # The plan's own numbers are there and link to the tasks they count.
        overdue = headline["plans.overdue"]
        self.assertEqual(overdue["value"], 2)
        self.assertTrue(
            overdue["link"].startswith(f"{reverse('plans:plan-detail', args=[self.plan.pk])}?ids="),
            overdue["link"],
        )
        self.assertEqual(len(self.client.get(overdue["link"]).context["tasks"]), 2)
        self.assertContains(
            response, f'<a href="{overdue["link"]}"><strong>2</strong></a>', html=True
        )

    def test_with_the_other_apps_the_dashboard_shows_and_links_their_numbers(self):
        self.login_as("officer_a")
        with other_apps():
            response = self.client.get(self.url, {"year": 2024})
        self.assertContains(
            response,
            f'<a href="{reverse("parindex:home")}"><strong>82,125</strong></a>',
            html=True,
        )
        queue = reverse("dossiers:dossier-queue")
        self.assertContains(
            response,
            f'<a href="{queue}?received_from=2024-01-01&amp;received_to=2024-12-31'
            '&amp;outcome=in_process_overdue"><strong>6</strong></a>',
            html=True,
        )
        petitions = reverse("feedback:staff-queue")
        self.assertContains(
            response,
            f'<a href="{petitions}?received_from=2024-01-01&amp;received_to=2024-12-31'
            '&amp;group=in_process"><strong>3</strong></a>',
            html=True,
        )
        self.assertContains(response, "99,2%")
        self.assertContains(response, "<strong>25,0%</strong>", html=False)
        self.assertContains(response, "xếp hạng 3/20")
        self.assertEqual(len(response.context["charts"]), 4)
        self.assertContains(response, "<svg")

    def test_dashboard_and_report_charts_are_drawn_from_the_same_numbers(self):
        drawn = []
        real = selectors.render_chart

        def spy(spec, fmt="svg"):
            drawn.append((spec["key"], spec.get("values") or spec.get("series")))
            return real(spec, fmt)

        with other_apps(), mock.patch.object(selectors, "render_chart", spy):
            self.login_as("agency_leader")
            self.client.get(self.url, {"year": 2024})
            dashboard = list(drawn)
            drawn.clear()
            report = self.snapshot()
            from cchc.reports import documents

            with mock.patch.object(documents, "render_chart", spy):
                documents.build_docx(report)
        self.assertEqual(dashboard, drawn)

    def test_only_staff_see_the_dashboard_of_their_own_agency(self):
        for name, status in [("officer_b", 200), ("outsider", 200), ("citizen", 404)]:
            self.login_as(name)
            self.assertEqual(self.client.get(self.url, {"year": 2024}).status_code, status, name)
        self.login_as("outsider")
        response = self.client.get(self.url, {"year": 2024})
        self.assertIsNone(response.context["figures"]["plans.summary"])
        self.login_as("anonymous")
        self.assertEqual(self.client.get(self.url).status_code, 302)
