"""Every number of the report's tables and of the dashboard opens the exact records it counts:
on the demo data, the list a link opens shows as many records as the number says, the link is
never a generic list, and the manager of another agency following it sees none of them."""

import datetime as dt
import io
from urllib.parse import parse_qs, urlsplit

import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from cchc.core.models import Agency, Unit, User
from cchc.core.roles import Role
from cchc.core.testing import make_user, verify_two_factor
from cchc.reports import selectors, services

NOW = dt.datetime(2026, 3, 9, 8, 0, tzinfo=dt.UTC)
QUEUES = {reverse("dossiers:dossier-queue"), reverse("feedback:staff-queue")}
# For a rate: the figure keys whose sum is the denominator (the link lists the numerator).
DENOMINATORS = {
    ("dossiers", "on_time_rate"): ("processed_early", "processed_on_time", "processed_late"),
    ("dossiers", "online_share"): ("received",),
    ("dossiers", "full_online_share"): ("received",),
    ("dossiers", "digitised_share"): ("received",),
    ("feedback", "on_time_rate"): ("answered",),
}
ROW_KEYS = {
    "dossiers": [
        "received",
        "carried_over",
        "processed_early",
        "processed_on_time",
        "processed_late",
        "in_process_on_time",
        "in_process_overdue",
        "on_time_rate",
        "online_share",
        "full_online_share",
        "digitised_share",
    ],
    "feedback": [
        "received",
        "answered",
        "in_process",
        "refused",
        "forwarded",
        "overdue",
        "on_time_rate",
    ],
}
FIGURES = {"dossiers": "dossiers.summary", "feedback": "feedback.summary"}


def listed(response) -> int:
    """How many records the list page shows (all its pages)."""
    context = response.context
    if "page" in context and hasattr(context["page"], "paginator"):
        return context["page"].paginator.count
    for name in ("tasks", "items"):
        if name in context:
            return len(context[name])
    if "kind" in context and "count" in context:  # a records list (PAR fields 4-7)
        return context["count"]
    raise AssertionError(f"not a list page: {response.request['PATH_INFO']}")


@time_machine.travel(NOW, tick=False)
class DemoLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_demo", "--quiet-accounts", stdout=io.StringIO())
        cls.agency = Agency.objects.get(code="SKHCN")
        cls.manager = User.objects.get(username="giamdoc")
        other = Agency.objects.get(code="SKHCNTQ")
        unit = Unit.objects.filter(agency=other).first() or Unit.objects.create(
            agency=other, code="BGD", name="Ban Giám đốc Sở"
        )
        cls.other_manager = make_user(
            "giamdoc_tq",
            unit,
            [Role.AGENCY_LEADER, Role.ONE_STOP_OFFICER, Role.PETITION_HANDLER],
        )

    def follow(self, user, link):
        if getattr(self, "_signed_in", None) != user.pk:
            self.client.force_login(user)
            verify_two_factor(self.client, user)
            self._signed_in = user.pk
        return self.client.get(link)

    def assert_other_manager_sees_none(self, link):
        response = self.follow(self.other_manager, link)
        if response.status_code == 404:
            return
        self.assertEqual(response.status_code, 200, link)
        self.assertEqual(listed(response), 0, link)

    def check_queue_cell(self, table_key, key, value, link, figure):
        self.assertTrue(urlsplit(link).query, f"{key}: a generic list {link}")
        response = self.follow(self.manager, link)
        self.assertEqual(response.status_code, 200, link)
        count = listed(response)
        if (table_key, key) in DENOMINATORS:
            whole = sum(figure[k] for k in DENOMINATORS[table_key, key])
            self.assertAlmostEqual(count / whole, value, places=3, msg=(key, link))
        else:
            self.assertEqual(count, value, (key, link))
        self.assertContains(response, 'id="filter-description"')
        self.assert_other_manager_sees_none(link)
        return count

    def test_every_dossier_and_feedback_number_of_the_report_lists_exactly_its_records(self):
        report = services.report_create(
            actor=self.manager,
            agency=self.agency,
            year=2026,
            as_of=dt.date(2026, 3, 8),
            number=1,
            issued_on=dt.date(2026, 3, 9),
        )
        by_key = {t.key: t for t in selectors.tables(report.data)}
        followed = 0
        for table_key, keys in ROW_KEYS.items():
            figure = report.data["figures"][FIGURES[table_key]]
            self.assertIsNotNone(figure, f"the demo has {table_key}")
            table = by_key[table_key]
            self.assertFalse(table.empty)
            self.assertEqual(len(table.rows), len(keys))
            for row, key in zip(table.rows, keys, strict=True):
                cell = row[1]
                self.assertEqual(cell.value, figure[key], key)
                if not cell.value:
                    self.assertEqual(cell.link, "", f"{key}: nothing counted, no link")
                    continue
                self.assertTrue(urlsplit(cell.link).path in QUEUES, cell.link)
                self.check_queue_cell(table_key, key, cell.value, cell.link, figure)
                followed += 1
        # The demo has dossiers received, decided and in process, and answered petitions.
        self.assertGreaterEqual(followed, 8)

    def test_every_plan_and_review_count_of_the_report_lists_exactly_its_records(self):
        report = services.report_create(
            actor=self.manager,
            agency=self.agency,
            year=2026,
            as_of=dt.date(2026, 3, 8),
            number=2,
            issued_on=dt.date(2026, 3, 9),
        )
        followed = 0
        for table in selectors.tables(report.data):
            if table.key not in {"plan", "plan_fields", "legal_reviews", "procedure_reviews"}:
                continue
            for row in table.rows:
                for cell in row[1:]:
                    if not cell.link or "ids=" not in cell.link:
                        continue
                    response = self.follow(self.manager, cell.link)
                    self.assertEqual(listed(response), cell.value, (table.key, row[0].text))
                    self.assert_other_manager_sees_none(cell.link)
                    followed += 1
        self.assertGreater(followed, 0)

    def test_every_headline_number_of_the_dashboard_opens_exactly_its_records(self):
        response = self.follow(self.manager, reverse("reports:dashboard"))
        self.assertEqual(response.status_code, 200)
        figures = response.context["figures"]
        headline = response.context["headline"]
        self.assertTrue(headline)
        linked = 0
        for item in headline:
            if item["value"] is None:
                self.assertEqual((item["text"], item["link"]), ("chưa có dữ liệu", ""))
                continue
            self.assertContains(response, item["text"])
            if not item["link"]:
                continue
            linked += 1
            path = urlsplit(item["link"]).path
            if path in QUEUES:
                table_key, key = item["key"].split(".")
                figure = figures[FIGURES[table_key]]
                self.check_queue_cell(table_key, key, item["value"], item["link"], figure)
            elif "ids=" in item["link"]:
                count = listed(self.follow(self.manager, item["link"]))
                if item["key"] == "plans.completion_rate":  # done on time / due
                    due = figures["plans.summary"]["tasks"]["due"]
                    self.assertAlmostEqual(count / due, item["value"], places=3)
                elif item["key"].startswith("records."):
                    # A rate of the PAR-field records opens every record it is computed from.
                    ids = parse_qs(urlsplit(item["link"]).query)["ids"][0].split(",")
                    self.assertEqual(count, len(ids), item["key"])
                    self.assertGreater(count, 0, item["key"])
                else:
                    self.assertEqual(count, item["value"], item["key"])
                self.assert_other_manager_sees_none(item["link"])
            else:  # the PAR index: the period's results, which another agency may not see
                self.assertEqual(self.follow(self.manager, item["link"]).status_code, 200)
        self.assertGreaterEqual(linked, 4)

    def test_a_rate_links_to_its_numerator_and_the_list_says_what_it_shows(self):
        figure = selectors.collect_figures(self.agency, dt.date(2026, 1, 1), dt.date(2026, 3, 9))[
            "figures"
        ]["dossiers.summary"]
        link = (
            reverse("dossiers:dossier-queue")
            + "?received_from=2026-01-01&received_to=2026-03-09&outcome=on_time"
        )
        response = self.follow(self.manager, link)
        self.assertEqual(listed(response), figure["processed_on_time"])
        self.assertContains(
            response, "Hồ sơ của kỳ từ 01/01/2026 đến 09/03/2026, giải quyết đúng hạn"
        )
