"""The one-stop desk's table of the annual report (section 3) and its dashboard headline
figures, read from the frozen figure "dossiers.summary". Each number opens the staff queue
filtered by the same period and criterion (selectors.period_q), listing exactly the dossiers it
counted."""

from django.utils.translation import gettext_lazy as _

from cchc.core import registry
from cchc.core.registry import Cell, Table, TableContext
from cchc.core.report_tables import fmt_number, fmt_rate, url

FIGURE = "dossiers.summary"

# label, figure key, number or rate, the queue filters that list what it counts (a rate: its
# numerator)
ROWS = [
    ("Hồ sơ tiếp nhận trong năm", "received", "n", {}),
    ("Hồ sơ kỳ trước chuyển sang", "carried_over", "n", {"outcome": "carried_over"}),
    ("Giải quyết trước hạn", "processed_early", "n", {"outcome": "early"}),
    ("Giải quyết đúng hạn", "processed_on_time", "n", {"outcome": "on_time"}),
    ("Giải quyết quá hạn", "processed_late", "n", {"outcome": "late"}),
    ("Đang giải quyết trong hạn", "in_process_on_time", "n", {"outcome": "in_process_on_time"}),
    ("Đang giải quyết quá hạn", "in_process_overdue", "n", {"outcome": "in_process_overdue"}),
    ("Tỷ lệ đúng hạn", "on_time_rate", "r", {"outcome": "early_or_on_time"}),
    ("Tỷ lệ hồ sơ trực tuyến", "online_share", "r", {"channel": "online"}),
    ("Tỷ lệ hồ sơ trực tuyến toàn trình", "full_online_share", "r", {"full_online": "1"}),
    ("Tỷ lệ hồ sơ được số hóa", "digitised_share", "r", {"digitised": "1"}),
]


def queue_link(context: TableContext, **criteria) -> str:
    """The staff queue of the period's dossiers that meet `criteria` (selectors.period_q)."""
    query = {
        "received_from": context.start.isoformat(),
        "received_to": context.end.isoformat(),
        **criteria,
    }
    return url("dossiers:dossier-queue", query)


def dossiers_table(value, context: TableContext) -> Table:
    table = Table(
        "dossiers",
        "3",
        f"Kết quả giải quyết hồ sơ TTHC năm {context.year}",
        ["Chỉ tiêu", "Số lượng"],
        source="Bộ phận một cửa (ứng dụng Hồ sơ)",
    )
    if not value:
        table.empty = True
        return table
    for label, key, kind, criteria in ROWS:
        number = value.get(key)
        text = fmt_number(number) if kind == "n" else fmt_rate(number)
        # No link for nothing counted: a zero, or a rate of nothing (None).
        link = queue_link(context, **criteria) if number else ""
        table.rows.append([Cell(label), Cell(text, link, number)])
    return table


def _figure(key, label, criteria, *, kind="count", order=50):
    def link(value, context):
        return queue_link(context, **criteria) if (value or {}).get(key) else ""

    registry.register_dashboard_figure(
        f"dossiers.{key}",
        label,
        figure=FIGURE,
        value=lambda value: (value or {}).get(key),
        link=link,
        kind=kind,
        order=order,
    )


def register() -> None:
    registry.register_report_table("dossiers", section="3", figure=FIGURE, build=dossiers_table)
    _figure(
        "in_process_overdue",
        _("Hồ sơ quá hạn đang giải quyết"),
        {"outcome": "in_process_overdue"},
        order=40,
    )
    _figure(
        "on_time_rate",
        _("Tỷ lệ hồ sơ đúng hạn"),
        {"outcome": "early_or_on_time"},
        kind="rate",
        order=41,
    )
    _figure(
        "online_share", _("Tỷ lệ hồ sơ trực tuyến"), {"channel": "online"}, kind="rate", order=42
    )
