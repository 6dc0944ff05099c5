"""What the apps' report tables and dashboard figures share: Vietnamese number formatting, links
built with reverse() only.

The apps register their builders (`registry.register_report_table`) in their own
`report_tables.py`; `reports` only lays the tables out and numbers them."""

from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

NO_DATA = "chưa có dữ liệu"


def fmt_number(value, decimals: int = 0) -> str:
    """A number with Vietnamese separators: 1234 -> "1.234", 82.125 (3) -> "82,125"."""
    if value is None:
        return NO_DATA
    if decimals == 0 and float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def fmt_rate(value) -> str:
    """A fraction 0..1 as a percentage with a decimal comma: 0.857 -> "85,7%"."""
    return NO_DATA if value is None else fmt_number(round(float(value) * 100, 1), 1) + "%"


def url(name: str, query: dict | str = "", **kwargs) -> str:
    """reverse(name, kwargs) plus a query string; "" when the page is not there (an app that is
    not installed)."""
    try:
        base = reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""
    if isinstance(query, dict):
        query = urlencode({k: v for k, v in query.items() if v not in (None, "")})
    return f"{base}?{query}" if query else base


def records_link(name: str, ids, **kwargs) -> str:
    """A link to the records a count was made of (by their ids); none for a count of zero."""
    return url(name, "ids=" + ",".join(str(i) for i in ids), **kwargs) if ids else ""
