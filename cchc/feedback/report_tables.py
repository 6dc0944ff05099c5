"""The feedback app's table of the annual report (section 3) and its dashboard headline figures,
read from the frozen figure "feedback.summary". Each number opens the staff queue filtered by
the same received period and group (selectors.period_q): exactly the petitions it counted."""

from django.utils.translation import gettext_lazy as _

from cchc.core import registry
from cchc.core.registry import Cell, Table, TableContext
from cchc.core.report_tables import fmt_number, fmt_rate, url

FIGURE = "feedback.summary"

# label, figure key, number or rate, the group listing what it counts (a rate: its numerator)
ROWS = [
    ("Tiếp nhận", "received", "n", ""),
    ("Đã trả lời", "answered", "n", "answered"),
    ("Đang xử lý", "in_process", "n", "in_process"),
    ("Từ chối tiếp nhận", "refused", "n", "refused"),
    ("Chuyển cơ quan có thẩm quyền", "forwarded", "n", "forwarded"),
    ("Quá hạn", "overdue", "n", "overdue"),
    ("Tỷ lệ trả lời đúng hạn", "on_time_rate", "r", "answered_on_time"),
]


def queue_link(context: TableContext, group: str = "") -> str:
    query = {
        "received_from": context.start.isoformat(),
        "received_to": context.end.isoformat(),
        "group": group,
    }
    return url("feedback:staff-queue", query)


def feedback_table(value, context: TableContext) -> Table:
    table = Table(
        "feedback",
        "3",
        f"Tiếp nhận, xử lý phản ánh, kiến nghị năm {context.year}",
        ["Chỉ tiêu", "Số lượng"],
        source="Phản ánh, kiến nghị (ứng dụng PAKN)",
    )
    if not value:
        table.empty = True
        return table
    for label, key, kind, group in ROWS:
        number = value.get(key)
        text = fmt_number(number) if kind == "n" else fmt_rate(number)
        link = queue_link(context, group) if number else ""
        table.rows.append([Cell(label), Cell(text, link, number)])
    return table


def _figure(key, label, group, *, kind="count", order=50):
    registry.register_dashboard_figure(
        f"feedback.{key}",
        label,
        figure=FIGURE,
        value=lambda value: (value or {}).get(key),
        link=lambda value, context: queue_link(context, group) if (value or {}).get(key) else "",
        kind=kind,
        order=order,
    )


def register() -> None:
    registry.register_report_table(
        "feedback", section="3", figure=FIGURE, build=feedback_table, order=60
    )
    _figure("in_process", _("PAKN đang xử lý"), "in_process", order=60)
    _figure(
        "on_time_rate", _("Tỷ lệ PAKN trả lời đúng hạn"), "answered_on_time", kind="rate", order=61
    )
