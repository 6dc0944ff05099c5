"""Registries that let apps plug into shared pages without core importing them.

- metrics: named functions over an app's selectors, read by the PAR Index (`parindex`);
- figures: richer numbers (dicts) an app offers to the dashboard and the annual report;
- search: what each app makes searchable, read by the portal's search page;
- nav: the main navigation entries of the page shell.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    compute: Callable  # (agency, period_start, period_end) -> float in [0, 1] or None (no data)


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


metrics: dict[str, Metric] = {}
figures: dict[str, Figure] = {}
search_sources: dict[str, SearchSource] = {}
nav_items: dict[str, NavItem] = {}
nav_version = 0  # changes with every register_nav (the anonymous menu is built once per version)


def register_metric(name: str, label: str, compute: Callable) -> None:
    metrics[name] = Metric(name, label, compute)


def register_figure(name: str, label: str, compute: Callable) -> None:
    """Richer read-only figures for dashboards and reports (e.g. "dossiers.summary")."""
    figures[name] = Figure(name, label, compute)


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
