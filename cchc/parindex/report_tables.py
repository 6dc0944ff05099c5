"""The PAR index table of the annual report (the overview) and its dashboard headline figure,
read from the frozen figure "parindex.latest"; the points link to the period's results (the
assessments the index is the mean of)."""

from django.utils.translation import gettext_lazy as _

from cchc.core import registry
from cchc.core.registry import Cell, Table, TableContext
from cchc.core.report_tables import fmt_number, url

FIGURE = "parindex.latest"


def results_link(par: dict | None) -> str:
    """The period's results when the figure names it (older snapshots: the PAR index home)."""
    if not par:
        return ""
    if par.get("period_id"):
        return url("parindex:period", pk=par["period_id"])
    return url("parindex:home")


def title(par: dict | None) -> str:
    text = "Kết quả Chỉ số CCHC"
    if par:
        text += f" năm {par.get('year')}"
        if par.get("estimate"):  # says how many units it covers (older snapshots: no note)
            text += f" ({par.get('note') or 'ước tính'})"
        if par.get("sample"):
            text += " (dữ liệu minh họa)"
    return text


def parindex_table(par, context: TableContext) -> Table:
    table = Table(
        "parindex",
        "overview",
        title(par),
        ["Lĩnh vực", "Điểm", "Điểm tối đa", "Tỷ lệ"],
        source="Chỉ số CCHC (ứng dụng Chỉ số)",
    )
    if not par:
        table.empty = True
        return table
    link = results_link(par)
    for row in par.get("fields", []):
        table.rows.append(
            [
                Cell(f"{row['code']}. {row['name']}"),
                Cell(fmt_number(row["points"], 2), link, row["points"]),
                Cell(fmt_number(row["max"], 2), "", row["max"]),
                Cell(fmt_number(row["percent"], 1) + "%", "", row["percent"]),
            ]
        )
    table.rows.append(
        [
            Cell("Chỉ số CCHC"),
            Cell(fmt_number(par.get("index"), 3), link, par.get("index")),
            Cell(fmt_number(par.get("scale"), 0), "", par.get("scale")),
            Cell(
                f"Xếp hạng {par.get('rank')}/{par.get('units_ranked')}" if par.get("rank") else ""
            ),
        ]
    )
    return table


def note(par: dict | None) -> str:
    """The year, an estimate's coverage, the rank and the sample mark, in words."""
    if not par:
        return ""
    parts = [f"năm {par.get('year')}"]
    if par.get("estimate"):
        parts.append(f"({par.get('note') or 'ước tính'})")
    if par.get("rank"):
        parts.append(f"· xếp hạng {par['rank']}/{par.get('units_ranked')}")
    if par.get("sample"):
        parts.append("· dữ liệu minh họa")
    return " ".join(parts)


def register() -> None:
    registry.register_report_table(
        "parindex", section="overview", figure=FIGURE, build=parindex_table
    )
    registry.register_dashboard_figure(
        "parindex.index",
        _("Chỉ số CCHC"),
        figure=FIGURE,
        value=lambda par: (par or {}).get("index"),
        link=lambda par, context: results_link(par),
        kind="index",
        order=10,
        note=note,
    )
