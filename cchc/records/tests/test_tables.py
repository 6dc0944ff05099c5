import datetime as dt
import json
from urllib.parse import parse_qs, urlparse

from django.urls import resolve

from cchc.core import registry
from cchc.core.registry import TableContext
from cchc.core.testing import PersonaTestCase
from cchc.records import figures
from cchc.records import models as m
from cchc.records.tests import factories as f

START, END = dt.date(2026, 1, 1), dt.date(2026, 11, 30)
CONTEXT = TableContext(year=2026, start=START, end=END)


class TableTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.staffing(cls.unit_a, 2026, quota=10, headcount=9)
        f.staffing(cls.unit_b, 2026, quota=5, headcount=6)
        f.staffing(cls.other_unit, 2026)
        m.Reorganisation.objects.create(
            agency=cls.agency,
            decision="30/QĐ-SKHCN",
            decided_on=dt.date(2026, 3, 2),
            summary="Hợp nhất hai phòng",
        )
        m.Reorganisation.objects.create(  # before the period
            agency=cls.agency, decision="1/QĐ", decided_on=dt.date(2025, 3, 2), summary="Cũ"
        )
        m.JobPositionPlan.objects.create(
            agency=cls.agency,
            year=2025,
            decision="9/QĐ",
            approved_on=dt.date(2025, 5, 1),
            positions=40,
        )
        m.StaffRound.objects.create(
            agency=cls.agency,
            year=2026,
            kind="recruitment",
            title="Tuyển dụng công chức",
            held_on=dt.date(2026, 8, 1),
            positions=3,
            selected=2,
        )
        f.training(cls.unit_a, 2026, attendees=4)
        f.training(cls.unit_b, 2026, attendees=3)
        f.appraisal(cls.unit_a, 2026, excellent=2, good=5, completed=2, not_completed=1)
        f.appraisal(cls.unit_b, 2026, excellent=0, good=2, completed=2, not_completed=0)
        m.DisciplinaryCase.objects.create(
            agency=cls.agency,
            unit=cls.unit_b,
            decided_on=dt.date(2026, 4, 1),
            form="reprimand",
            summary="Đi muộn nhiều lần",
        )
        m.WorkingHoursInspection.objects.create(
            agency=cls.agency,
            unit=cls.unit_a,
            inspected_on=dt.date(2026, 5, 5),
            people_checked=10,
            violations=0,
        )
        m.WorkingHoursInspection.objects.create(
            agency=cls.agency,
            unit=cls.unit_b,
            inspected_on=dt.date(2026, 5, 6),
            people_checked=6,
            violations=1,
        )
        f.finance(cls.agency, 2026, planned=2_000_000_000, disbursed=1_500_000_000)
        for unit, level in ((cls.unit_a, "2"), (cls.unit_b, "2")):
            m.ServiceUnitAutonomy.objects.create(
                agency=cls.agency, unit=unit, year=2026, level=level
            )
        for month in range(1, 13):  # December is after the cut-off
            f.digital(cls.unit_a, dt.date(2026, month, 1), staff=10, email=9)
        f.digital(cls.unit_b, dt.date(2026, 11, 1), staff=5, email=5)
        m.SecurityEvent.objects.create(
            agency=cls.agency,
            occurred_on=dt.date(2026, 6, 1),
            kind="audit",
            summary="Kiểm tra an toàn thông tin định kỳ",
            resolved=True,
        )
        cls.make_other_agency_personas()

    def frozen(self, name):
        value = registry.figures[name].compute(self.agency, START, END)
        return json.loads(json.dumps(value))  # as a snapshot stores it

    def tables(self):
        out = {}
        for key, source in registry.report_tables.items():
            if key.startswith("records."):
                out[key] = source.build(self.frozen(source.figure), CONTEXT)
        return out

    def open(self, link):
        """The records the link's list page shows."""
        parsed = urlparse(link)
        match = resolve(parsed.path)
        self.assertEqual(match.url_name, "list")
        response = self.client.get(parsed.path, parse_qs(parsed.query))
        self.assertEqual(response.status_code, 200)
        kind = match.kwargs["kind"]
        return kind, sorted(r.pk for r, _c in response.context["rows"])

    def test_sections_4_to_7_have_their_tables(self):
        tables = self.tables()
        self.assertEqual({t.section for t in tables.values()}, {"4", "5", "6", "7"})
        self.assertEqual(len(tables), 10)
        for key, table in tables.items():
            self.assertFalse(table.empty, key)
            for row in table.rows:
                self.assertEqual(len(row), len(table.headers), key)

    def test_every_link_opens_exactly_the_records_it_counts(self):
        self.login_as("officer_a")
        checked = 0
        for key, table in self.tables().items():
            for row in table.rows:
                for cell in row:
                    if not cell.link:
                        continue
                    wanted = sorted(
                        int(i) for i in parse_qs(urlparse(cell.link).query)["ids"][0].split(",")
                    )
                    kind, shown = self.open(cell.link)
                    self.assertEqual(shown, wanted, (key, cell.text))
                    checked += 1
        self.assertGreater(checked, 30)

    def test_staffing_table_numbers_and_links(self):
        table = self.tables()["records.staffing"]
        a, b, total = table.rows
        self.assertEqual([c.text for c in a[1:4]], ["10", "9", "2"])
        self.assertEqual(b[4].text, "Vượt biên chế")
        self.assertEqual(total[4].text, "50,0%")
        self.login_as("officer_a")
        staffing_b = m.UnitStaffing.objects.get(unit=self.unit_b).pk
        self.assertEqual(self.open(b[2].link), ("bien-che", [staffing_b]))
        self.assertEqual(len(self.open(total[1].link)[1]), 2)  # not the other agency's

    def test_digital_table_stops_at_the_cut_off(self):
        table = self.tables()["records.digital_monthly"]
        self.assertEqual([r[0].text for r in table.rows][-2:], ["11/2026", "Cả kỳ"])
        self.assertEqual(len(table.rows), 12)  # 11 months + the period
        self.assertEqual(table.rows[-1][1].text, "93,3%")  # (9 + 5) / 15, latest months
        self.login_as("officer_a")
        kind, ids = self.open(table.rows[-1][1].link)
        self.assertEqual(
            ids,
            sorted(
                m.DigitalMonth.objects.filter(month=dt.date(2026, 11, 1)).values_list(
                    "pk", flat=True
                )
            ),
        )

    def test_zero_has_no_link_and_appraisal_counts_per_grade(self):
        tables = self.tables()
        discipline = tables["records.discipline"]
        self.assertEqual(discipline.rows[3][1].text, "1")
        appraisal = tables["records.appraisal"]
        self.assertEqual([r[1].value for r in appraisal.rows], [2, 7, 4, 1, 14])
        self.assertEqual(appraisal.rows[3][2].text, "7,1%")
        self.login_as("officer_a")
        only_a = m.AppraisalResult.objects.get(unit=self.unit_a).pk
        self.assertEqual(self.open(appraisal.rows[0][1].link)[1], [only_a])  # excellent: A only
        empty = figures.autonomy_table(self.frozen("records.public_finance"), CONTEXT)
        zero = [r for r in empty.rows if r[1].value == 0]
        self.assertTrue(zero)
        self.assertTrue(all(r[1].link == "" for r in zero))

    def test_the_other_agency_opening_a_link_sees_none_of_these_records(self):
        link = self.tables()["records.staffing"].rows[0][1].link
        self.login_as("outsider_chief")
        self.assertEqual(self.open(link)[1], [])

    def test_no_data_gives_empty_tables(self):
        for key, source in registry.report_tables.items():
            if key.startswith("records."):
                table = source.build(None, CONTEXT)
                self.assertTrue(table.empty, key)

    def test_dashboard_figures(self):
        value = self.frozen("records.digital_government")
        figure = registry.dashboard_figures["records.email_coverage"]
        self.assertAlmostEqual(figure.value(value), 14 / 15)
        self.assertIn("?ids=", figure.link(value, CONTEXT))
        staffing = registry.dashboard_figures["records.staffing_within_quota"]
        self.assertEqual(staffing.value(self.frozen("records.organisation")), 0.5)
