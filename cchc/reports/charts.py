"""The year-over-year part of the dashboard and the report: the PAR index and fields year by
year ("So sánh qua các năm", figure `parindex.trend`) and last year's value beside this
year's for the other headline rates. Read from frozen figures when the snapshot has them."""

import datetime as dt
import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core import registry
from cchc.core.charts import vn_number, vn_signed
from cchc.core.registry import Cell, Table

log = logging.getLogger(__name__)

TREND_FIGURE = "parindex.trend"
YOY_METRICS = [
    ("plans.completion_rate", gettext_lazy("Hoàn thành kế hoạch đúng hạn")),
    ("dossiers.on_time_rate", gettext_lazy("Tỷ lệ hồ sơ đúng hạn")),
]


def change_text(change, decimals: int = 1) -> str:
    """▲ +2,5 / ▼ -1,0 / = 0,0; "" when there is nothing to compare with."""
    if change is None:
        return ""
    if round(change, decimals) > 0:
        return f"▲ {vn_signed(change, decimals)}"
    if round(change, decimals) < 0:
        return f"▼ {vn_signed(change, decimals)}"
    return f"= {vn_signed(0, decimals)}"


def _with_change(text: str, change, decimals: int = 1) -> str:
    marker = change_text(change, decimals)
    return f"{text} ({marker})" if marker else text


def year_label(year: dict) -> str:
    return f"{year['year']} (ước tính)" if year.get("estimate") else str(year["year"])


def trend_table(value: dict | None, context=None) -> Table:
    """Field x year: each field's percent and the change against the year before (in
    percentage points), the index last. A report table builder (registry.TableSource)."""
    years = (value or {}).get("years") or []
    table = Table(
        "parindex_trend",
        "overview",
        _("So sánh qua các năm"),
        [_("Lĩnh vực"), *[year_label(y) for y in years]],
        source=_("Chỉ số CCHC (ứng dụng Chỉ số); năm chưa chốt là ước tính"),
    )
    if not years:
        table.empty = True
        return table
    names: dict[str, str] = {}
    for year in years:
        for field in year.get("fields", []):
            names.setdefault(field["code"], field["name"])
    for code, name in names.items():
        row = [Cell(f"{code}. {name}")]
        for year in years:
            field = next((f for f in year.get("fields", []) if f["code"] == code), None)
            if field is None:
                row.append(Cell("—"))
                continue
            text = _with_change(vn_number(field["percent"], 1) + "%", field.get("change"))
            row.append(Cell(text, "", field["percent"]))
        table.rows.append(row)
    table.rows.append(
        [
            Cell(_("Chỉ số CCHC")),
            *[
                Cell(_with_change(vn_number(y["index"], 3), y.get("change"), 3), "", y["index"])
                for y in years
            ],
        ]
    )
    return table


def _trend(agency, start, end, data) -> dict | None:
    figures = data.get("figures", {})
    if TREND_FIGURE in figures:
        return figures[TREND_FIGURE]
    provider = registry.figures.get(TREND_FIGURE)
    if provider is None:
        return None
    try:
        return provider.compute(agency, start, end)
    except Exception:  # another app's failure must not break the dashboard
        log.exception("figure %s failed", TREND_FIGURE)
        return None


def _previous_year_rate(name, agency, year) -> float | None:
    provider = registry.metrics.get(name)
    if provider is None:
        return None
    try:
        value = provider.compute(
            registry.Scope(agency, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
        )
    except Exception:
        log.exception("metric %s failed", name)
        return None
    return None if value is None else float(value)


def dashboard_trends(agency, year: int, start, end, data: dict) -> dict:
    """The dashboard's "So sánh qua các năm": what the PAR figure covers, the trend table and
    this year's rates beside last year's (the whole of last year)."""
    from cchc.reports.selectors import fmt_rate

    par = data.get("figures", {}).get("parindex.latest") or {}
    trend = _trend(agency, start, end, data)
    rates = []
    for name, label in YOY_METRICS:
        now = data.get("metrics", {}).get(name)
        before = _previous_year_rate(name, agency, year)
        if now is None and before is None:
            continue
        change = None if now is None or before is None else (now - before) * 100
        rates.append(
            {
                "label": str(label),
                "now": fmt_rate(now),
                "before": fmt_rate(before),
                "change": change_text(change),
            }
        )
    table = trend_table(trend) if trend and trend.get("years") else None
    if table is not None and _laid_out_with_the_tables(data):
        table = None  # the dashboard's tables already hold it (registered report table)
    pending = [
        _("Năm %(year)s chưa đưa vào so sánh: %(note)s.") % {"year": p["year"], "note": p["note"]}
        for p in (trend or {}).get("pending", [])
    ]
    return {
        "year": year,
        "previous_year": year - 1,
        "coverage": par.get("coverage", ""),
        "pending": pending,
        "table": table,
        "rates": rates,
    }


def _laid_out_with_the_tables(data: dict) -> bool:
    """Whether `reports.selectors.tables` lays the registered "parindex_trend" table out
    itself (once it reads the registry), so that the dashboard does not show it twice."""
    from cchc.reports.selectors import tables

    try:
        return any(t.key == "parindex_trend" for t in tables(data))
    except Exception:
        log.exception("tables failed")
        return False
