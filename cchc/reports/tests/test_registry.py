"""`reports` lays out whatever tables and headline figures the apps register: in their section
and order, numbered in reading order; a figure or a builder that fails leaves its table empty;
only what a table or headline figure names is frozen."""

import datetime as dt
from contextlib import contextmanager

from django.urls import reverse

from cchc.core import registry
from cchc.core.registry import Cell, Table
from cchc.reports import selectors
from cchc.reports.tests.base import ReportTestCase


@contextmanager
def registered():
    saved = {
        name: dict(getattr(registry, name))
        for name in ("figures", "metrics", "report_tables", "dashboard_figures")
    }
    try:
        yield
    finally:
        for name, items in saved.items():
            getattr(registry, name).clear()
            getattr(registry, name).update(items)


def things_table(value, context):
    table = Table("things", "2", f"Việc năm {context.year}", ["Việc", "Số"], source="Thử")
    if not value:
        table.empty = True
        return table
    link = reverse("plans:regulation-list") + f"?year={context.year}"
    table.rows.append([Cell("Việc"), Cell(str(value["count"]), link, value["count"])])
    return table


def broken_figure(agency, start, end):
    raise RuntimeError("the other app is down")


class RegistryLayoutTests(ReportTestCase):
    def test_a_table_registered_by_another_app_appears_in_its_section_and_is_numbered(self):
        with registered():
            registry.register_figure("test.things", "Thử", lambda a, s, e: {"count": 7})
            registry.register_report_table(
                "things", section="2", figure="test.things", build=things_table, order=99
            )
            report = self.snapshot()
            out = selectors.tables(report.data)
        self.assertEqual(report.data["figures"]["test.things"], {"count": 7})
        keys = [t.key for t in out]
        # After section 2's own tables, before section 3's.
        self.assertEqual(keys.index("things"), keys.index("regulations") + 1)
        self.assertEqual(keys.index("procedure_reviews"), keys.index("things") + 1)
        self.assertEqual(keys[0], "parindex")  # the overview comes first
        self.assertEqual([t.number for t in out], list(range(1, len(out) + 1)))
        things = out[keys.index("things")]
        self.assertEqual((things.title, things.rows[0][1].value), ("Việc năm 2024", 7))

    def test_a_failing_figure_is_logged_and_its_table_shows_empty(self):
        with registered():
            registry.register_figure("test.things", "Thử", broken_figure)
            registry.register_report_table(
                "things", section="2", figure="test.things", build=things_table
            )
            with self.assertLogs("cchc.reports.selectors", "ERROR") as logs:
                report = self.snapshot()
            out = {t.key: t for t in selectors.tables(report.data)}
        self.assertIn("test.things", logs.output[0])
        self.assertIsNone(report.data["figures"]["test.things"])
        self.assertTrue(out["things"].empty)
        self.assertFalse(out["plan"].empty)  # the others are there

    def test_a_failing_builder_leaves_an_empty_table_not_a_broken_report(self):
        def broken(value, context):
            raise KeyError("count")

        with registered():
            registry.register_figure("test.things", "Thử", lambda a, s, e: {"n": 1})
            registry.register_report_table(
                "things", section="2", figure="test.things", build=broken
            )
            report = self.snapshot()
            with self.assertLogs("cchc.reports.selectors", "ERROR"):
                out = {t.key: t for t in selectors.tables(report.data)}
        self.assertTrue(out["things"].empty)

    def test_only_the_figures_a_table_or_headline_names_are_frozen(self):
        with registered():
            registry.register_figure("test.unused", "Thử", lambda a, s, e: {"count": 1})
            data = selectors.collect_figures(
                self.agency, dt.date(2024, 1, 1), dt.date(2024, 12, 31)
            )
        self.assertNotIn("test.unused", data["figures"])
        for name in ("plans.summary", "dossiers.summary", "feedback.summary", "parindex.latest"):
            self.assertIn(name, data["figures"])

    def test_a_headline_figure_registered_by_another_app_is_shown_with_its_link(self):
        link = reverse("plans:regulation-list") + "?year=2024"
        with registered():
            registry.register_figure("test.things", "Thử", lambda a, s, e: {"count": 1234})
            registry.register_figure("test.none", "Thử", lambda a, s, e: None)
            registry.register_dashboard_figure(
                "test.things",
                "Số việc thử",
                figure="test.things",
                value=lambda v: v["count"],
                link=lambda v, context: link,
                order=1,
            )
            registry.register_dashboard_figure(
                "test.rate",
                "Tỷ lệ thử",
                figure="test.none",
                value=lambda v: v["rate"],
                link=lambda v, context: link,
                kind="rate",
                order=2,
            )
            self.login_as("agency_leader")
            response = self.client.get(reverse("reports:dashboard"), {"year": 2024})
        headline = response.context["headline"]
        self.assertEqual(
            [(h["key"], h["text"], h["link"]) for h in headline[:2]],
            [("test.things", "1.234", link), ("test.rate", "chưa có dữ liệu", "")],
        )
        self.assertContains(response, f'<a href="{link}"><strong>1.234</strong></a>', html=True)

    def test_an_old_snapshot_keeps_its_plan_links_from_plan_id(self):
        report = self.snapshot()
        data = report.data
        self.assertNotIn("plan_id", data["figures"]["plans.summary"])
        plan = {t.key: t for t in selectors.tables(data)}["plan"]
        detail = reverse("plans:plan-detail", args=[self.plan.pk])
        self.assertEqual(plan.rows[0][1].link, detail)
        self.assertTrue(plan.rows[1][1].link.startswith(detail + "?ids="))
        # Without it (a snapshot of a year without a plan) the counts have no links.
        plan = {t.key: t for t in selectors.tables({**data, "plan_id": None})}["plan"]
        self.assertEqual({c.link for row in plan.rows for c in row}, {""})
