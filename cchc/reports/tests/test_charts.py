"""The charts of the dashboard and the report: Vietnamese numbers on the axes, whole-number
ticks for counts, 0-100 % for percentages, and no label cut or drawn outside the picture."""

import datetime as dt
import io
import math
import re
import xml.etree.ElementTree as ET

import time_machine
from django.test import SimpleTestCase
from django.urls import reverse
from PIL import Image

from cchc.core import charts
from cchc.plans.tests.factories import d, make_plan, make_task
from cchc.reports import selectors
from cchc.reports.charts import change_text, trend_table
from cchc.reports.tests.base import ReportTestCase
from cchc.reports.tests.fakes import PAR

NS = "{http://www.w3.org/2000/svg}"
TICK = re.compile(r"^\d{1,3}(\.\d{3})*(,\d+)?%?$")
FIELDS = [
    "Công tác chỉ đạo, điều hành cải cách hành chính",
    "Cải cách thể chế",
    "Cải cách thủ tục hành chính",
    "Cải cách tổ chức bộ máy hành chính",
    "Cải cách chế độ công vụ",
    "Cải cách tài chính công",
    "Xây dựng và phát triển Chính phủ điện tử, Chính phủ số",
]


def _matrix(transform: str):
    """translate()/rotate() as (a, b, c, d, e, f), written independently of core.charts."""
    a, b, c, d, e, f = 1, 0, 0, 1, 0, 0
    for name, args in re.findall(r"(translate|rotate)\(([^)]*)\)", transform or ""):
        v = [float(x) for x in re.split(r"[\s,]+", args.strip())]
        if name == "translate":
            p, q, r, s, t, u = 1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0
        else:
            cos, sin = math.cos(math.radians(v[0])), math.sin(math.radians(v[0]))
            cx, cy = (v[1], v[2]) if len(v) == 3 else (0, 0)
            p, q, r, s = cos, sin, -sin, cos
            t, u = cx - cos * cx + sin * cy, cy - sin * cx - cos * cy
        a, b, c, d, e, f = (
            a * p + c * q, b * p + d * q, a * r + c * s, b * r + d * s,
            a * t + c * u + e, b * t + d * u + f,
        )  # fmt: skip
    return a, b, c, d, e, f


def texts_outside(svg: str) -> list[str]:
    """The texts whose estimated box (0.6 x font size per character) leaves the viewBox."""
    root = ET.fromstring(svg)
    left, top, width, height = (float(v) for v in root.get("viewBox").split())
    out = []
    for element in root.iter(f"{NS}text"):
        text = "".join(element.itertext())
        size = float(element.get("font-size", "10").rstrip("px"))
        w = 0.6 * size * len(text)
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        x -= {"middle": w / 2, "end": w}.get(element.get("text-anchor"), 0)
        a, b, c, d, e, f = _matrix(element.get("transform"))
        for px, py in [(x, y - size), (x + w, y - size), (x, y + 0.25 * size), (x + w, y)]:
            X, Y = a * px + c * py + e, b * px + d * py + f
            if not (
                left - 0.01 <= X <= left + width + 0.01 and top - 0.01 <= Y <= top + height + 0.01
            ):
                out.append(text)
                break
    return out


def tick_texts(svg: str, axis: str) -> list[str]:
    root = ET.fromstring(svg)
    return [
        "".join(t.itertext())
        for g in root.iter(f"{NS}g")
        if (g.get("id") or "").startswith(f"{axis}tick_")
        for t in g.iter(f"{NS}text")
        if "".join(t.itertext()).strip()
    ]


def group_text(svg: str, gid: str) -> str:
    root = ET.fromstring(svg)
    group = next(g for g in root.iter(f"{NS}g") if g.get("id") == gid)
    return " ".join("".join(t.itertext()) for t in group.iter(f"{NS}text"))


class NumberFormatTests(SimpleTestCase):
    def test_numbers_use_the_decimal_comma_and_dot_thousands(self):
        self.assertEqual(charts.vn_number(1234567.5, 1), "1.234.567,5")
        self.assertEqual(charts.vn_tick(62.5), "62,5")
        self.assertEqual(charts.vn_tick(80.125), "80,125")
        self.assertEqual(charts.vn_tick(2.0, "count"), "2")
        self.assertEqual(charts.vn_tick(40, "percent"), "40%")
        self.assertEqual(charts.vn_tick(12000), "12.000")

    def test_changes_are_signed_with_an_arrow(self):
        self.assertEqual(change_text(2.5), "▲ +2,5")
        self.assertEqual(change_text(-1.04), "▼ -1,0")
        self.assertEqual(change_text(0.01), "= 0,0")
        self.assertEqual(change_text(None), "")


class ChartTests(SimpleTestCase):
    labels = [f"{i}. {name}" for i, name in enumerate(FIELDS, 1)]

    def assertFits(self, svg):
        self.assertEqual(texts_outside(svg), [])

    def test_the_radar_shows_every_field_in_full_inside_the_picture(self):
        svg = charts.radar_svg(self.labels, [62.5, 70, 80, 90, 55, 60, 75], "Chỉ số CCHC")
        self.assertFits(svg)
        for i, label in enumerate(self.labels, 1):
            self.assertEqual(group_text(svg, f"radar-label-{i}"), label)
        ticks = tick_texts(svg, "y")
        self.assertEqual(ticks, ["20%", "40%", "60%", "80%", "100%"])

    def test_count_bars_have_whole_ticks_and_full_wrapped_labels(self):
        svg = charts.bar_svg(
            self.labels,
            [1, 2, 3, 0, 5, 1, 2],
            "Nhiệm vụ",
            "nhiệm vụ",
            horizontal=True,
            axis="count",
        )
        self.assertFits(svg)
        ticks = tick_texts(svg, "x")
        self.assertTrue(ticks)
        for text in ticks:
            self.assertRegex(text, TICK)
            self.assertNotIn(",", text)  # no 2,5 tasks
        labels = " ".join(tick_texts(svg, "y"))
        for label in self.labels:
            self.assertIn(label, labels)

    def test_few_counts_still_get_whole_ticks(self):
        svg = charts.line_svg(["T1", "T2", "T3"], {"Đến hạn": [1, 2, 3]}, "", "", axis="count")
        ticks = tick_texts(svg, "y")
        self.assertTrue(ticks)
        self.assertTrue(all(TICK.match(t) and "," not in t for t in ticks), ticks)

    def test_percent_lines_run_from_0_to_100_percent(self):
        svg = charts.line_svg([f"T{m}" for m in range(1, 13)], {"Đúng hạn": [95.5] * 12}, "", "%")
        self.assertFits(svg)
        self.assertEqual(tick_texts(svg, "y"), ["0%", "20%", "40%", "60%", "80%", "100%"])

    def test_the_index_line_writes_values_with_the_decimal_comma(self):
        svg = charts.line_svg(
            ["2024", "2025", "2026 (ước tính)"],
            {"Chỉ số CCHC": [80.125, 84.5, 1234.5]},
            "Chỉ số CCHC qua các năm",
            "điểm",
            estimate_from=2,
        )
        self.assertFits(svg)
        texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{NS}text")]
        self.assertIn("80,125", texts)
        self.assertIn("1.234,5", texts)
        self.assertIn("2026 (ước tính)", texts)
        self.assertFalse([t for t in texts if re.search(r"\d\.\d{1,2}$|\d\.\d{4,}", t)], texts)
        for text in tick_texts(svg, "y"):
            self.assertRegex(text, TICK)

    def test_long_category_labels_under_bars_wrap_instead_of_being_cut(self):
        svg = charts.bar_svg(self.labels, [3, 4, 5, 6, 7, 8, 9], "Tiêu đề", "", axis="count")
        self.assertFits(svg)
        joined = " ".join(tick_texts(svg, "x"))
        for label in self.labels:
            self.assertIn(label, joined)

    def test_the_png_has_the_same_box_as_the_svg(self):
        args = (self.labels, [62.5, 70, 80, 90, 55, 60, 75], "Chỉ số CCHC")
        svg = charts.radar_svg(*args)
        _, _, width, height = (float(v) for v in ET.fromstring(svg).get("viewBox").split())
        png = Image.open(io.BytesIO(charts.radar_png(*args)))
        self.assertAlmostEqual(png.width / png.height, width / height, delta=0.02)
        self.assertAlmostEqual(png.width, width / 72 * 150, delta=6)  # 150 dpi


class SpecTests(SimpleTestCase):
    trend = {
        "years": [
            {
                "year": 2024,
                "index": 80.0,
                "change": None,
                "estimate": False,
                "fields": [{"code": "1", "name": "Lĩnh vực 1", "percent": 70.0, "change": None}],
            },
            {
                "year": 2025,
                "index": 82.5,
                "change": 2.5,
                "estimate": False,
                "fields": [{"code": "1", "name": "Lĩnh vực 1", "percent": 65.0, "change": -5.0}],
            },
            {
                "year": 2026,
                "index": 82.5,
                "change": 0.0,
                "estimate": True,
                "fields": [{"code": "1", "name": "Lĩnh vực 1", "percent": 65.0, "change": 0.0}],
            },
        ]
    }

    def test_an_old_snapshot_without_the_new_keys_still_gives_its_charts(self):
        specs = selectors.chart_specs({"figures": {"parindex.latest": PAR}})
        radar = next(s for s in specs if s["key"] == "par_radar")
        self.assertEqual(radar["title"], "Chỉ số CCHC theo lĩnh vực (%)")
        self.assertEqual(radar["labels"][0], "1. Lĩnh vực 1")
        self.assertFalse([s for s in specs if s["key"] == "par_trend"])
        self.assertIn("<svg", selectors.render_chart(radar))

    def test_the_radar_title_says_what_the_figure_covers(self):
        par = {**PAR, "coverage": "Chỉ số CCHC năm 2024 — 6/6 đơn vị đã chốt"}
        radar = selectors.chart_specs({"figures": {"parindex.latest": par}})[0]
        self.assertIn("6/6 đơn vị đã chốt", radar["title"])

    def test_the_trend_spec_marks_the_open_year_as_an_estimate(self):
        specs = selectors.chart_specs({"figures": {"parindex.trend": self.trend}})
        spec = next(s for s in specs if s["key"] == "par_trend")
        self.assertEqual(spec["labels"], ["2024", "2025", "2026 (ước tính)"])
        self.assertEqual(spec["series"], {"Chỉ số CCHC": [80.0, 82.5, 82.5]})
        self.assertEqual(spec["estimate_from"], 2)
        svg = selectors.render_chart(spec)
        self.assertEqual(texts_outside(svg), [])
        self.assertTrue(selectors.render_chart(spec, "png").startswith(b"\x89PNG"))

    def test_the_year_table_shows_each_change_with_its_sign(self):
        table = trend_table(self.trend)
        self.assertEqual(table.title, "So sánh qua các năm")
        self.assertEqual(table.headers, ["Lĩnh vực", "2024", "2025", "2026 (ước tính)"])
        field, index = table.rows
        self.assertEqual(
            [c.text for c in field], ["1. Lĩnh vực 1", "70,0%", "65,0% (▼ -5,0)", "65,0% (= 0,0)"]
        )
        self.assertEqual([c.value for c in field[1:]], [70.0, 65.0, 65.0])
        self.assertEqual(index[2].text, "82,500 (▲ +2,500)")
        self.assertTrue(trend_table(None).empty)


class YearOnYearRateTests(ReportTestCase):
    """The dashboard puts last year's plan completion beside this year's."""

    def test_last_years_rate_is_beside_this_years_with_the_change(self):
        before = make_plan(self.agency, 2023)
        make_task(
            before, self.unit_a, deadline=d(2023, 5, 1), status="done", completed_on=d(2023, 4, 1)
        )
        with time_machine.travel(dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC), tick=False):
            self.login_as("agency_leader")
            page = self.client.get(reverse("reports:dashboard"), {"year": 2024})
        rates = page.context["trends"]["rates"]
        plan = next(r for r in rates if r["label"] == "Hoàn thành kế hoạch đúng hạn")
        self.assertEqual(
            (plan["now"], plan["before"], plan["change"]), ("25,0%", "100,0%", "▼ -75,0")
        )
        self.assertContains(page, "Năm 2023")
        self.assertContains(page, "▼ -75,0")

    def test_another_agencys_plan_is_not_last_year_here(self):
        other = make_plan(self.other_agency, 2023)
        make_task(
            other,
            self.other_unit,
            deadline=d(2023, 5, 1),
            status="done",
            completed_on=d(2023, 4, 1),
        )
        with time_machine.travel(dt.datetime(2025, 3, 1, 10, tzinfo=dt.UTC), tick=False):
            self.login_as("agency_leader")
            page = self.client.get(reverse("reports:dashboard"), {"year": 2024})
        plan = next(
            r
            for r in page.context["trends"]["rates"]
            if r["label"] == "Hoàn thành kế hoạch đúng hạn"
        )
        self.assertEqual(
            (plan["now"], plan["before"], plan["change"]), ("25,0%", "chưa có dữ liệu", "")
        )


class TrendTableOnceTests(SimpleTestCase):
    def test_the_partial_leaves_the_table_out_when_the_tables_lay_it_out(self):
        from unittest import mock

        from cchc.core.registry import Table
        from cchc.reports import charts as report_charts

        data = {"figures": {"parindex.trend": SpecTests.trend}, "metrics": {}}
        with mock.patch.object(report_charts, "_previous_year_rate", return_value=None):
            alone = report_charts.dashboard_trends(None, 2026, None, None, data)
            laid_out = [Table("parindex_trend", "overview", "So sánh qua các năm", [])]
            with mock.patch("cchc.reports.selectors.tables", return_value=laid_out):
                twice = report_charts.dashboard_trends(None, 2026, None, None, data)
        self.assertEqual(alone["table"].title, "So sánh qua các năm")
        self.assertIsNone(twice["table"])
