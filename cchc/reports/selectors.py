"""Reads of the reports app: the figures of every app (through the registry), the report's
tables and charts built from them. The dashboard and the report both use `tables()` and
`chart_specs()`, so a number and its picture are the same in both."""

import datetime as dt
import json
import logging

from django.db.models import Max
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from cchc.core import registry
from cchc.core.models import Agency
from cchc.core.permissions import scoped_to_agency
from cchc.core.registry import Cell, Table
from cchc.core.years import parse_year
from cchc.reports.models import ReportSnapshot

log = logging.getLogger(__name__)

FIGURES = [
    "plans.summary",
    "parindex.latest",
    "parindex.trend",
    "dossiers.summary",
    "feedback.summary",
]
METRICS = [
    "plans.completion_rate",
    "dossiers.on_time_rate",
    "dossiers.online_rate",
    "dossiers.digitised_rate",
    "feedback.on_time_rate",
    "feedback.answered_rate",
]
NO_DATA = "chưa có dữ liệu"


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


def collect_figures(agency: Agency, start: dt.date, end: dt.date) -> dict:
    figures, metrics = {}, {}
    for name in FIGURES:
        provider = registry.figures.get(name)
        value = None
        if provider is not None:
            try:
                value = provider.compute(agency, start, end)
            except Exception:  # another app's failure must not break the report
                log.exception("figure %s failed", name)
        figures[name] = _plain(value)
    for name in METRICS:
        provider = registry.metrics.get(name)
        value = None
        if provider is not None:
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


def fmt_number(value, decimals: int = 0) -> str:
    if value is None:
        return NO_DATA
    if decimals == 0 and float(value).is_integer():
        text = f"{int(value):,}".replace(",", ".")
        return text
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def fmt_rate(value) -> str:
    """A fraction 0..1 as a percentage with a decimal comma: 0.857 -> "85,7%"."""
    return NO_DATA if value is None else fmt_number(round(float(value) * 100, 1), 1) + "%"


def fmt_date_line(place: str, day: dt.date) -> str:
    """Decree 30: days below 10 and months 1-2 take a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


# --- the report's tables -----------------------------------------------------------------------


def _url(name, query="", **kwargs):
    try:
        base = reverse(name, kwargs=kwargs or None)
    except Exception:
        return ""
    return f"{base}?{query}" if query else base


VALIDITY_LABELS = {
    "future": "Chưa có hiệu lực",
    "in_force": "Còn hiệu lực",
    "expired": "Hết hiệu lực",
}


def _validity(item: dict) -> str:
    # Snapshots frozen before "validity" was recorded only know in force or not.
    return item.get("validity") or ("in_force" if item["in_force"] else "expired")


def _count_table(table: "Table", data: dict | None, *, rows_key: str, list_url: str) -> "Table":
    """A two-column table of counts by category, each count linking to its records, plus a total."""
    if not data:
        table.empty = True
        return table
    for row in data[rows_key]:
        link = _records(list_url, row["ids"])
        table.rows.append([Cell(row["label"]), Cell(fmt_number(row["count"]), link, row["count"])])
    table.rows.append([Cell("Tổng số"), Cell(fmt_number(data["total"]), "", data["total"])])
    return table


def _records(name, ids, **kwargs) -> str:
    """A link to the records a count was made of; none for a count of zero."""
    return _url(name, "ids=" + ",".join(str(i) for i in ids), **kwargs) if ids else ""


def tables(data: dict, plan_id: int | None = None) -> list[Table]:
    figures = data.get("figures", {})
    plans = figures.get("plans.summary") or {}
    year = data.get("year")
    out = []

    tasks = plans.get("tasks")

    def plan_link(ids):
        return _records("plans:plan-detail", ids, pk=plan_id) if plan_id else ""

    table = Table(
        "plan",
        "1",
        f"Kết quả thực hiện kế hoạch CCHC năm {year}",
        ["Chỉ tiêu", "Số lượng"],
        source="Kế hoạch CCHC (ứng dụng Kế hoạch)",
    )
    if tasks:
        ids = tasks["ids"]
        for label, key in [
            ("Tổng số nhiệm vụ", "total"),
            ("Đã hoàn thành", "done"),
            ("Đang thực hiện", "in_progress"),
            ("Chưa thực hiện", "not_started"),
            ("Quá hạn", "overdue"),
            ("Đến hạn tại ngày báo cáo", "due"),
            ("Hoàn thành đúng hạn", "done_on_time"),
        ]:
            if key == "total":
                link = _url("plans:plan-detail", pk=plan_id) if plan_id else ""
            else:
                link = plan_link(ids.get(key, []))
            out_cell = Cell(fmt_number(tasks[key]), link, tasks[key])
            table.rows.append([Cell(label), out_cell])
        rate = tasks["completion_rate"]
        table.rows.append(
            [Cell("Tỷ lệ hoàn thành đúng hạn (đúng hạn / đến hạn)"), Cell(fmt_rate(rate), "", rate)]
        )
    else:
        table.empty = True
    out.append(table)

    table = Table(
        "plan_fields",
        "1",
        "Nhiệm vụ theo lĩnh vực CCHC",
        ["Lĩnh vực", "Số nhiệm vụ", "Hoàn thành", "Quá hạn"],
        source="Kế hoạch CCHC",
    )
    if tasks:
        for row in tasks["by_field"]:
            has_tasks = plan_id and row["total"]
            link = (
                _url("plans:plan-detail", f"field={row['code']}", pk=plan_id) if has_tasks else ""
            )
            table.rows.append(
                [
                    Cell(f"{row['code']}. {row['name']}"),
                    Cell(fmt_number(row["total"]), link, row["total"]),
                    # Snapshots taken before the ids were stored have no links here.
                    Cell(fmt_number(row["done"]), plan_link(row.get("done_ids")), row["done"]),
                    Cell(
                        fmt_number(row["overdue"]),
                        plan_link(row.get("overdue_ids")),
                        row["overdue"],
                    ),
                ]
            )
    else:
        table.empty = True
    out.append(table)

    out.append(
        _count_table(
            Table(
                "legal_reviews",
                "2",
                f"Kết quả rà soát văn bản QPPL năm {year}",
                ["Kết quả rà soát", "Số văn bản"],
                source="Rà soát văn bản QPPL",
            ),
            plans.get("legal_reviews"),
            rows_key="by_result",
            list_url="plans:legal-review-list",
        )
    )

    regulations = plans.get("regulations")
    table = Table(
        "regulations",
        "2",
        "Quy chế, văn bản quản lý nội bộ",
        ["Số hiệu", "Trích yếu", "Ngày ban hành", "Hiệu lực"],
        source="Quy chế nội bộ",
    )
    if regulations:
        link = _url("plans:regulation-list")
        for item in regulations["items"]:
            issued = dt.date.fromisoformat(item["issued_on"])
            table.rows.append(
                [
                    Cell(item["number"], f"{link}#regulation-{item['id']}"),
                    Cell(item["title"]),
                    Cell(f"{issued:%d/%m/%Y}"),
                    Cell(VALIDITY_LABELS[_validity(item)]),
                ]
            )
    else:
        table.empty = True
    out.append(table)

    out.append(
        _count_table(
            Table(
                "procedure_reviews",
                "3",
                f"Kết quả rà soát, đơn giản hóa TTHC năm {year}",
                ["Đề xuất", "Số thủ tục"],
                source="Rà soát TTHC",
            ),
            plans.get("procedure_reviews"),
            rows_key="by_proposal",
            list_url="plans:procedure-review-list",
        )
    )

    dossiers = figures.get("dossiers.summary")
    table = Table(
        "dossiers",
        "3",
        f"Kết quả giải quyết hồ sơ TTHC năm {year}",
        ["Chỉ tiêu", "Số lượng"],
        source="Bộ phận một cửa (ứng dụng Hồ sơ)",
    )
    if dossiers:
        link = "/ho-so/"
        for label, key, kind in [
            ("Hồ sơ tiếp nhận trong năm", "received", "n"),
            ("Hồ sơ kỳ trước chuyển sang", "carried_over", "n"),
            ("Giải quyết trước hạn", "processed_early", "n"),
            ("Giải quyết đúng hạn", "processed_on_time", "n"),
            ("Giải quyết quá hạn", "processed_late", "n"),
            ("Đang giải quyết trong hạn", "in_process_on_time", "n"),
            ("Đang giải quyết quá hạn", "in_process_overdue", "n"),
            ("Tỷ lệ đúng hạn", "on_time_rate", "r"),
            ("Tỷ lệ hồ sơ trực tuyến", "online_share", "r"),
            ("Tỷ lệ hồ sơ trực tuyến toàn trình", "full_online_share", "r"),
            ("Tỷ lệ hồ sơ được số hóa", "digitised_share", "r"),
        ]:
            value = dossiers.get(key)
            text = fmt_number(value) if kind == "n" else fmt_rate(value)
            table.rows.append([Cell(label), Cell(text, link, value)])
    else:
        table.empty = True
    out.append(table)

    feedback = figures.get("feedback.summary")
    table = Table(
        "feedback",
        "3",
        f"Tiếp nhận, xử lý phản ánh, kiến nghị năm {year}",
        ["Chỉ tiêu", "Số lượng"],
        source="Phản ánh, kiến nghị (ứng dụng PAKN)",
    )
    if feedback:
        for label, key, kind in [
            ("Tiếp nhận", "received", "n"),
            ("Đã trả lời", "answered", "n"),
            ("Đang xử lý", "in_process", "n"),
            ("Từ chối tiếp nhận", "refused", "n"),
            ("Chuyển cơ quan có thẩm quyền", "forwarded", "n"),
            ("Quá hạn", "overdue", "n"),
            ("Tỷ lệ trả lời đúng hạn", "on_time_rate", "r"),
        ]:
            value = feedback.get(key)
            text = fmt_number(value) if kind == "n" else fmt_rate(value)
            table.rows.append([Cell(label), Cell(text, "/pakn/", value)])
    else:
        table.empty = True
    out.append(table)

    quality = plans.get("quality")
    table = Table(
        "quality",
        "7",
        "Áp dụng hệ thống quản lý chất lượng TCVN ISO 9001",
        ["Chỉ tiêu", "Số cơ quan, đơn vị"],
        source="Hệ thống quản lý chất lượng",
    )
    if quality:
        for row in quality["by_type"]:
            link = _url("plans:quality-list", f"type={row['code']}")
            table.rows.append(
                [Cell(row["label"]), Cell(fmt_number(row["count"]), link, row["count"])]
            )
        for row in quality["by_status"]:
            link = _url("plans:quality-list", f"status={row['code']}")
            table.rows.append(
                [
                    Cell(f"Tình trạng: {row['label']}"),
                    Cell(fmt_number(row["count"]), link, row["count"]),
                ]
            )
        table.rows.append(
            [
                Cell("Giấy chứng nhận sắp hết hạn"),
                Cell(
                    fmt_number(quality["expiring"]),
                    _url("plans:quality-list", "expiring=1"),
                    quality["expiring"],
                ),
            ]
        )
        table.rows.append(
            [Cell("Tổng số"), Cell(fmt_number(quality["total"]), "", quality["total"])]
        )
    else:
        table.empty = True
    out.append(table)

    par = figures.get("parindex.latest")
    title = "Kết quả Chỉ số CCHC"
    if par:
        title += f" năm {par.get('year')}"
        if par.get("estimate"):  # says how many units it covers (older snapshots: no note)
            title += f" ({par.get('note') or 'ước tính'})"
        if par.get("sample"):
            title += " (dữ liệu minh họa)"
    table = Table(
        "parindex",
        "overview",
        title,
        ["Lĩnh vực", "Điểm", "Điểm tối đa", "Tỷ lệ"],
        source="Chỉ số CCHC (ứng dụng Chỉ số)",
    )
    if par:
        for row in par.get("fields", []):
            table.rows.append(
                [
                    Cell(f"{row['code']}. {row['name']}"),
                    Cell(fmt_number(row["points"], 2), "/chi-so-cchc/", row["points"]),
                    Cell(fmt_number(row["max"], 2), "", row["max"]),
                    Cell(fmt_number(row["percent"], 1) + "%", "", row["percent"]),
                ]
            )
        table.rows.append(
            [
                Cell("Chỉ số CCHC"),
                Cell(fmt_number(par.get("index"), 3), "/chi-so-cchc/", par.get("index")),
                Cell(fmt_number(par.get("scale"), 0), "", par.get("scale")),
                Cell(
                    f"Xếp hạng {par.get('rank')}/{par.get('units_ranked')}"
                    if par.get("rank")
                    else ""
                ),
            ]
        )
    else:
        table.empty = True
    out.append(table)
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
