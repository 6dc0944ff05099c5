"""The plans app's tables of the annual report (sections 1, 2, 3 and 7) and its headline
figures on the dashboard, read from the frozen figure "plans.summary"; every count links to the
tasks or records it counted."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cchc.core import registry
from cchc.core.registry import Cell, Table, TableContext
from cchc.core.report_tables import fmt_number, fmt_rate, records_link, url

FIGURE = "plans.summary"

VALIDITY_LABELS = {
    "future": "Chưa có hiệu lực",
    "in_force": "Còn hiệu lực",
    "expired": "Hết hiệu lực",
}

TASK_ROWS = [
    ("Tổng số nhiệm vụ", "total"),
    ("Đã hoàn thành", "done"),
    ("Đang thực hiện", "in_progress"),
    ("Chưa thực hiện", "not_started"),
    ("Quá hạn", "overdue"),
    ("Đến hạn tại ngày báo cáo", "due"),
    ("Hoàn thành đúng hạn", "done_on_time"),
]


def plan_id(value: dict | None, context: TableContext):
    """The plan the tasks belong to: in the figure for new snapshots, beside the figures in
    older ones (and on the live dashboard)."""
    return (value or {}).get("plan_id") or context.data.get("plan_id")


def _tasks_link(ids, pk) -> str:
    return records_link("plans:plan-detail", ids, pk=pk) if pk else ""


def _validity(item: dict) -> str:
    # Snapshots frozen before "validity" was recorded only know in force or not.
    return item.get("validity") or ("in_force" if item["in_force"] else "expired")


def count_table(table: Table, data: dict | None, *, rows_key: str, list_url: str) -> Table:
    """A two-column table of counts by category, each count linking to its records, plus a total."""
    if not data:
        table.empty = True
        return table
    for row in data[rows_key]:
        link = records_link(list_url, row["ids"])
        table.rows.append([Cell(row["label"]), Cell(fmt_number(row["count"]), link, row["count"])])
    table.rows.append([Cell("Tổng số"), Cell(fmt_number(data["total"]), "", data["total"])])
    return table


def plan_table(value, context: TableContext) -> Table:
    table = Table(
        "plan",
        "1",
        f"Kết quả thực hiện kế hoạch CCHC năm {context.year}",
        ["Chỉ tiêu", "Số lượng"],
        source="Kế hoạch CCHC (ứng dụng Kế hoạch)",
    )
    tasks = (value or {}).get("tasks")
    if not tasks:
        table.empty = True
        return table
    pk = plan_id(value, context)
    ids = tasks["ids"]
    for label, key in TASK_ROWS:
        if key == "total":
            link = url("plans:plan-detail", pk=pk) if pk else ""
        else:
            link = _tasks_link(ids.get(key, []), pk)
        table.rows.append([Cell(label), Cell(fmt_number(tasks[key]), link, tasks[key])])
    rate = tasks["completion_rate"]
    table.rows.append(
        [Cell("Tỷ lệ hoàn thành đúng hạn (đúng hạn / đến hạn)"), Cell(fmt_rate(rate), "", rate)]
    )
    return table


def plan_fields_table(value, context: TableContext) -> Table:
    table = Table(
        "plan_fields",
        "1",
        "Nhiệm vụ theo lĩnh vực CCHC",
        ["Lĩnh vực", "Số nhiệm vụ", "Hoàn thành", "Quá hạn"],
        source="Kế hoạch CCHC",
    )
    tasks = (value or {}).get("tasks")
    if not tasks:
        table.empty = True
        return table
    pk = plan_id(value, context)
    for row in tasks["by_field"]:
        has_tasks = pk and row["total"]
        link = url("plans:plan-detail", f"field={row['code']}", pk=pk) if has_tasks else ""
        table.rows.append(
            [
                Cell(f"{row['code']}. {row['name']}"),
                Cell(fmt_number(row["total"]), link, row["total"]),
                # Snapshots taken before the ids were stored have no links here.
                Cell(fmt_number(row["done"]), _tasks_link(row.get("done_ids"), pk), row["done"]),
                Cell(
                    fmt_number(row["overdue"]),
                    _tasks_link(row.get("overdue_ids"), pk),
                    row["overdue"],
                ),
            ]
        )
    return table


def legal_reviews_table(value, context: TableContext) -> Table:
    table = Table(
        "legal_reviews",
        "2",
        f"Kết quả rà soát văn bản QPPL năm {context.year}",
        ["Kết quả rà soát", "Số văn bản"],
        source="Rà soát văn bản QPPL",
    )
    return count_table(
        table,
        (value or {}).get("legal_reviews"),
        rows_key="by_result",
        list_url="plans:legal-review-list",
    )


def regulations_table(value, context: TableContext) -> Table:
    table = Table(
        "regulations",
        "2",
        "Quy chế, văn bản quản lý nội bộ",
        ["Số hiệu", "Trích yếu", "Ngày ban hành", "Hiệu lực"],
        source="Quy chế nội bộ",
    )
    regulations = (value or {}).get("regulations")
    if not regulations:
        table.empty = True
        return table
    link = url("plans:regulation-list")
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
    return table


def procedure_reviews_table(value, context: TableContext) -> Table:
    table = Table(
        "procedure_reviews",
        "3",
        f"Kết quả rà soát, đơn giản hóa TTHC năm {context.year}",
        ["Đề xuất", "Số thủ tục"],
        source="Rà soát TTHC",
    )
    return count_table(
        table,
        (value or {}).get("procedure_reviews"),
        rows_key="by_proposal",
        list_url="plans:procedure-review-list",
    )


def quality_table(value, context: TableContext) -> Table:
    table = Table(
        "quality",
        "7",
        "Áp dụng hệ thống quản lý chất lượng TCVN ISO 9001",
        ["Chỉ tiêu", "Số cơ quan, đơn vị"],
        source="Hệ thống quản lý chất lượng",
    )
    quality = (value or {}).get("quality")
    if not quality:
        table.empty = True
        return table
    for row in quality["by_type"]:
        link = url("plans:quality-list", f"type={row['code']}")
        table.rows.append([Cell(row["label"]), Cell(fmt_number(row["count"]), link, row["count"])])
    for row in quality["by_status"]:
        link = url("plans:quality-list", f"status={row['code']}")
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
                url("plans:quality-list", "expiring=1"),
                quality["expiring"],
            ),
        ]
    )
    table.rows.append([Cell("Tổng số"), Cell(fmt_number(quality["total"]), "", quality["total"])])
    return table


def _tasks(value) -> dict:
    return (value or {}).get("tasks") or {}


def register() -> None:
    for key, section, build, order in (
        ("plan", "1", plan_table, 10),
        ("plan_fields", "1", plan_fields_table, 20),
        ("legal_reviews", "2", legal_reviews_table, 10),
        ("regulations", "2", regulations_table, 20),
        ("procedure_reviews", "3", procedure_reviews_table, 10),
        ("quality", "7", quality_table, 10),
    ):
        registry.register_report_table(
            key, section=section, figure=FIGURE, build=build, order=order
        )
    registry.register_dashboard_figure(
        "plans.completion_rate",
        _("Hoàn thành kế hoạch đúng hạn"),
        figure=FIGURE,
        value=lambda value: _tasks(value).get("completion_rate"),
        link=lambda value, context: _tasks_link(
            _tasks(value).get("ids", {}).get("done_on_time"), plan_id(value, context)
        ),
        kind="rate",
        order=20,
    )
    registry.register_dashboard_figure(
        "plans.overdue",
        _("Nhiệm vụ quá hạn"),
        figure=FIGURE,
        value=lambda value: _tasks(value).get("overdue"),
        link=lambda value, context: _tasks_link(
            _tasks(value).get("ids", {}).get("overdue"), plan_id(value, context)
        ),
        order=30,
    )
