"""Registries that let apps plug into shared pages without core importing them.

- metrics: named functions over an app's selectors for one scope (the agency or one internal
  unit) and one period up to a cut-off date, read by the PAR Index (`parindex`);
- figures: richer numbers (plain dicts) an app offers to the dashboard and the annual report;
  they are frozen into report snapshots;
- report tables: how an app lays its frozen figure out as numbered tables of the annual report
  (and the dashboard), each number linking to the records it counts;
- dashboard figures: the headline numbers of the dashboard, each with its link;
- search: what each app makes searchable, read by the portal's search page;
- nav: the main navigation entries of the page shell.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scope:
    """What a metric is computed for: the agency, or one internal unit of it (`unit`), over
    `start`..`end`. `end` is the cut-off (the period's data date); callers never pass a day
    after today, so "due by the end" means "due by the cut-off"."""

    agency: object  # core.models.Agency
    start: dt.date
    end: dt.date
    unit: object = None  # core.models.Unit, or None for the whole agency

    @property
    def unit_id(self):
        return getattr(self.unit, "pk", None)


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    compute: Callable  # (scope: Scope) -> float in [0, 1] or None (no data)


@dataclass(frozen=True)
class SearchSource:
    name: str
    label: str
    search: Callable  # (normalised query, limit) -> list of results


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    compute: Callable  # (agency, period_start, period_end) -> dict of plain numbers/lists, or None


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    order: int = 50
    staff_only: bool = False
    roles: tuple[str, ...] = ()  # when set, shown only to people with one of these roles
    citizens_only: bool = False  # shown only to signed-in people who are not civil servants
    # when set, shown only when check(user) is true: the view's own test, e.g. the agency scope
    # ("holds the role in the site agency"), so that no one gets a link to a 404 page
    check: Callable | None = None


@dataclass
class Cell:
    """One cell of a report table; `link` opens the exact records the number counts."""

    text: str
    link: str = ""
    value: object = None  # the raw frozen value (tests compare it with the snapshot)


@dataclass
class Table:
    """One numbered table of the annual report (and of the dashboard)."""

    key: str
    section: str  # the report section it belongs to (reports.models.NARRATIVE_SECTIONS)
    title: str
    headers: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    source: str = ""  # which records it is counted from, in words
    empty: bool = False
    number: int = 0  # "Bảng n." in the documents, set in reading order by `reports`


@dataclass(frozen=True)
class TableContext:
    """What a table builder may know besides its figure: the snapshot's period and agency."""

    year: int
    start: dt.date
    end: dt.date
    agency_id: int | None = None
    figures: dict = field(default_factory=dict)  # every frozen figure, by name
    # the whole frozen snapshot: what older snapshots kept beside the figures (e.g. "plan_id")
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TableSource:
    key: str
    section: str
    figure: str  # the registered figure whose frozen value the table reads
    build: Callable  # (value: dict | None, context: TableContext) -> Table
    order: int = 50


@dataclass(frozen=True)
class DashboardFigure:
    """A headline number of the dashboard: `value(figure)` reads it from the frozen figure,
    `link(figure, context)` gives the records it counts ("" when there are none)."""

    key: str
    label: str
    figure: str
    value: Callable  # (value: dict) -> number | None
    link: Callable  # (value: dict, context: TableContext) -> str
    kind: str = "count"  # "count" (a whole number), "rate" (a fraction 0..1), "index" (a score)
    order: int = 50
    note: Callable | None = None  # (value: dict) -> words shown after the number, or ""


metrics: dict[str, Metric] = {}
figures: dict[str, Figure] = {}
report_tables: dict[str, TableSource] = {}
dashboard_figures: dict[str, DashboardFigure] = {}
search_sources: dict[str, SearchSource] = {}
nav_items: dict[str, NavItem] = {}
nav_version = 0  # changes with every register_nav (the anonymous menu is built once per version)


def register_metric(name: str, label: str, compute: Callable) -> None:
    metrics[name] = Metric(name, label, compute)


def register_figure(name: str, label: str, compute: Callable) -> None:
    """Richer read-only figures for dashboards and reports (e.g. "dossiers.summary")."""
    figures[name] = Figure(name, label, compute)


def register_report_table(
    key: str, *, section: str, figure: str, build: Callable, order: int = 50
) -> None:
    """A table of the annual report: `build(frozen figure value, TableContext)` -> Table.
    Tables are laid out by section, then `order`."""
    report_tables[key] = TableSource(key, section, figure, build, order)


def register_dashboard_figure(
    key: str,
    label: str,
    *,
    figure: str,
    value: Callable,
    link: Callable,
    kind: str = "count",
    order: int = 50,
    note: Callable | None = None,
) -> None:
    dashboard_figures[key] = DashboardFigure(key, label, figure, value, link, kind, order, note)


def register_search(name: str, label: str, search: Callable) -> None:
    search_sources[name] = SearchSource(name, label, search)


def register_nav(
    url_name: str,
    label: str,
    order: int = 50,
    *,
    staff_only: bool = False,
    roles=(),
    citizens_only: bool = False,
    check: Callable | None = None,
) -> None:
    """A main-navigation entry; staff_only entries are shown to civil servants only,
    entries with roles only to the people who hold one of them, citizens_only entries to
    signed-in citizens (accounts without a unit) only, entries with a check only to the people
    for whom check(user) is true (given the signed-in user or AnonymousUser). The view still
    checks: the menu only leaves out links the person could not use."""
    global nav_version
    nav_version += 1
    nav_items[url_name] = NavItem(
        url_name,
        label,
        order,
        staff_only or bool(roles),
        tuple(map(str, roles)),
        citizens_only,
        check,
    )
