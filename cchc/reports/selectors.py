"""Reads of the reports app: the figures of every app (through the registry), the report's
tables and charts built from them. The dashboard and the report both use `tables()` and
`chart_specs()`, so a number and its picture are the same in both."""

import datetime as dt
import json
import logging

from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cchc.core import registry
from cchc.core.models import Agency
from cchc.core.permissions import scoped_to_agency
from cchc.core.registry import Table, TableContext
from cchc.core.report_tables import NO_DATA, fmt_number, fmt_rate
from cchc.core.years import parse_year
from cchc.reports.models import NARRATIVE_SECTIONS, ReportSnapshot

__all__ = ["NO_DATA", "fmt_number", "fmt_rate"]  # shared with the apps' tables (core)

log = logging.getLogger(__name__)


def reports_for_user(user):
    return scoped_to_agency(ReportSnapshot.objects.select_related("agency"), user)


def get_report_for_user(user, pk) -> ReportSnapshot:
    return get_object_or_404(reports_for_user(user), pk=pk)


def next_report_number(agency: Agency, year: int) -> int:
    """The first number after those the agency's reports of `year` already use."""
    reports = ReportSnapshot.objects.filter(agency=agency, year=year)
    return (reports.aggregate(last=Max("number"))["last"] or 0) + 1


def _plain(value):
    """Plain JSON (dates as ISO text): what is frozen must read back the same."""
    return json.loads(json.dumps(value, default=str)) if value is not None else None


def frozen_figure_names() -> list[str]:
    """Every figure a registered report table or dashboard figure reads, in a stable order."""
    names = {t.figure for t in registry.report_tables.values()}
    names |= {f.figure for f in registry.dashboard_figures.values()}
    return sorted(names)


def collect_figures(agency: Agency, start: dt.date, end: dt.date) -> dict:
    """Every figure the tables and the dashboard read, and every registered metric, computed
    for the agency and [start, end]; one that fails is logged and frozen as None."""
    figures, metrics = {}, {}
    for name in frozen_figure_names():
        provider = registry.figures.get(name)
        value = None
        if provider is not None:
            try:
                value = provider.compute(agency, start, end)
            except Exception:  # another app's failure must not break the report
                log.exception("figure %s failed", name)
        figures[name] = _plain(value)
    for name, provider in sorted(registry.metrics.items()):
        value = None
        try:
            value = provider.compute(registry.Scope(agency, start, end))
        except Exception:
            log.exception("metric %s failed", name)
        metrics[name] = None if value is None else float(value)
    return {
        "year": end.year,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "taken_at": timezone.now().isoformat(),
        "agency_id": agency.pk,
        "agency": {
            "name": agency.name,
            "short_name": agency.short_name,
            "superior_body": agency.superior_body,
            "place_name": agency.place_name,
        },
        "figures": figures,
        "metrics": metrics,
        "empty": all(v is None for v in figures.values())
        and all(v is None for v in metrics.values()),
    }


def dashboard_period(year_param: str, today: dt.date) -> tuple[int, dt.date, dt.date]:
    """The year asked for (this year when missing or not a past year), from 1 January to today
    or 31 December."""
    year = parse_year(year_param, last=today.year) or today.year
    return year, dt.date(year, 1, 1), min(today, dt.date(year, 12, 31))


# --- formatting --------------------------------------------------------------------------------


def fmt_date_line(place: str, day: dt.date) -> str:
    """Decree 30: days below 10 and months 1-2 take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


# --- the report's tables -----------------------------------------------------------------------

SECTION_ORDER = {code: i for i, (code, _label) in enumerate(NARRATIVE_SECTIONS)}


def table_context(data: dict, plan_id: int | None = None) -> TableContext:
    """What the builders may know besides their figure: the snapshot's period, its figures and
    the snapshot itself (older snapshots keep "plan_id" beside the figures)."""
    year = data.get("year")
    start = dt.date.fromisoformat(data["start"]) if data.get("start") else dt.date(year, 1, 1)
    end = dt.date.fromisoformat(data["end"]) if data.get("end") else dt.date(year, 12, 31)
    if plan_id is not None and data.get("plan_id") is None:
        data = {**data, "plan_id": plan_id}
    return TableContext(
        year=year,
        start=start,
        end=end,
        agency_id=data.get("agency_id"),
        figures=data.get("figures", {}),
        data=data,
    )


def registered_tables():
    """The registered table sources in reading order: by report section, then `order`."""
    return sorted(
        registry.report_tables.values(),
        key=lambda t: (SECTION_ORDER.get(t.section, len(SECTION_ORDER)), t.order, t.key),
    )


def tables(data: dict, plan_id: int | None = None) -> list[Table]:
    """Every registered table built from the snapshot's frozen figures, numbered in reading
    order. A builder that fails is logged and its table shows empty."""
    context = table_context(data, plan_id)
    out = []
    for source in registered_tables():
        value = context.figures.get(source.figure)
        try:
            table = source.build(value, context)
        except Exception:
            log.exception("report table %s failed", source.key)
            table = Table(source.key, source.section, source.key, [], empty=True)
        out.append(table)
    for number, table in enumerate(out, start=1):
        table.number = number
    return out


def dashboard_figures(data: dict, plan_id: int | None = None) -> list[dict]:
    """The registered headline numbers, each formatted (Vietnamese decimal comma, "chưa có dữ
    liệu" without data) with the link to the records it counts."""
    context = table_context(data, plan_id)
    out = []
    for item in sorted(registry.dashboard_figures.values(), key=lambda f: (f.order, f.key)):
        figure = context.figures.get(item.figure)
        value = link = note = None
        if figure is not None:
            try:
                value = item.value(figure)
                link = item.link(figure, context) if value is not None else ""
                note = item.note(figure) if item.note and value is not None else ""
            except Exception:
                log.exception("dashboard figure %s failed", item.key)
                value = None
        if item.kind == "rate":
            text = fmt_rate(value)
        elif item.kind == "index":
            text = fmt_number(value, 3)
        else:
            text = fmt_number(value)
        out.append(
            {
                "key": item.key,
                "label": item.label,
                "value": value,
                "text": text,
                "link": link or "",
                "note": note or "",
            }
        )
    return out


# --- charts: the same specs for the dashboard (SVG) and the report (PNG) ------------------------


def _field_label(field: dict) -> str:
    """A PAR field in full ("1. Công tác chỉ đạo, điều hành ..."); the charts wrap it."""
    return f"{field['code']}. {field['name']}" if field.get("name") else f"LV{field['code']}"


def chart_specs(data: dict) -> list[dict]:
    """What each chart shows: `axis` says how its values read ("percent" 0-100 %, "count"
    whole numbers, "number"); the same spec is drawn as SVG on the dashboard and as PNG in
    the report."""
    figures = data.get("figures", {})
    specs = []
    par = figures.get("parindex.latest")
    if par and par.get("fields"):
        specs.append(
            {
                "key": "par_radar",
                "kind": "radar",
                # what it covers: "Chỉ số CCHC năm 2025 — 6/6 đơn vị đã chốt" (older
                # snapshots do not say)
                "title": "Chỉ số CCHC theo lĩnh vực (%)"
                + (f"\n{par['coverage']}" if par.get("coverage") else ""),
                "labels": [_field_label(f) for f in par["fields"]],
                "values": [float(f["percent"]) for f in par["fields"]],
                "axis": "percent",
            }
        )
    trend = [y for y in (figures.get("parindex.trend") or {}).get("years", []) if y.get("index")]
    if len(trend) >= 2:
        estimates = [i for i, y in enumerate(trend) if y.get("estimate")]
        specs.append(
            {
                "key": "par_trend",
                "kind": "line",
                "title": "Chỉ số CCHC qua các năm",
                "labels": [
                    f"{y['year']} (ước tính)" if y.get("estimate") else str(y["year"])
                    for y in trend
                ],
                "series": {"Chỉ số CCHC": [float(y["index"]) for y in trend]},
                "unit": "điểm",
                "axis": "number",
                "estimate_from": estimates[0] if estimates else None,
            }
        )
    tasks = (figures.get("plans.summary") or {}).get("tasks")
    if tasks:
        specs.append(
            {
                "key": "plan_fields",
                "kind": "bar",
                "title": "Nhiệm vụ hoàn thành theo lĩnh vực",
                "labels": [_field_label(f) for f in tasks["by_field"]],
                "values": [f["done"] for f in tasks["by_field"]],
                "unit": "nhiệm vụ",
                "axis": "count",
                "horizontal": True,
            }
        )
    if tasks and tasks.get("by_month"):
        specs.append(
            {
                "key": "plan_months",
                "kind": "line",
                "title": "Nhiệm vụ kế hoạch đến hạn và hoàn thành đúng hạn theo tháng",
                "labels": [f"T{m['month']}" for m in tasks["by_month"]],
                "series": {
                    "Đến hạn": [m["due"] for m in tasks["by_month"]],
                    "Hoàn thành đúng hạn": [m["done_on_time"] for m in tasks["by_month"]],
                },
                "unit": "nhiệm vụ",
                "axis": "count",
            }
        )
    dossiers = figures.get("dossiers.summary")
    if dossiers and dossiers.get("by_month"):
        specs.append(
            {
                "key": "dossier_months",
                "kind": "line",
                "title": "Tỷ lệ hồ sơ giải quyết đúng hạn theo tháng (%)",
                "labels": [f"T{m['month']}" for m in dossiers["by_month"]],
                "series": {
                    "Đúng hạn (%)": [
                        round(float(m["on_time_rate"] or 0) * 100, 1) for m in dossiers["by_month"]
                    ]
                },
                "unit": "%",
                "axis": "percent",
            }
        )
    return specs


def render_chart(spec: dict, fmt: str = "svg"):
    from cchc.core import charts

    axis = spec.get("axis", "number")
    if spec["kind"] == "radar":
        fn = charts.radar_svg if fmt == "svg" else charts.radar_png
        return fn(spec["labels"], spec["values"], spec["title"])
    if spec["kind"] == "bar":
        fn = charts.bar_svg if fmt == "svg" else charts.bar_png
        return fn(
            spec["labels"],
            spec["values"],
            spec["title"],
            spec.get("unit", ""),
            horizontal=spec.get("horizontal", False),
            axis=axis,
        )
    fn = charts.line_svg if fmt == "svg" else charts.line_png
    return fn(
        spec["labels"],
        spec["series"],
        spec["title"],
        spec.get("unit", ""),
        axis=axis,
        estimate_from=spec.get("estimate_from"),
    )
