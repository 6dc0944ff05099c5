from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils import timezone

from cchc.core import registry
from cchc.core.selectors import site_agency
from cchc.core.workcalendar import WEEKDAYS

_urls: dict[tuple[str | None, str], str | None] = {}


def _url(name: str) -> str | None:
    """reverse() once per URLconf and name: the shell asks for the same dozen URLs every page."""
    key = (get_urlconf(), name)
    if key not in _urls:
        try:
            _urls[key] = reverse(name)
        except NoReverseMatch:
            _urls[key] = None
    return _urls[key]


def _search_url() -> str:
    return _url("portal:search") or _url("core:glossary") or "/"


def site(request):
    nav = []
    user = getattr(request, "user", None)
    is_staff = bool(user and user.is_authenticated and (user.is_superuser or user.is_staff_member))
    for item in sorted(registry.nav_items.values(), key=lambda i: (i.order, i.url_name)):
        if item.staff_only and not is_staff:
            continue
        url = _url(item.url_name)
        if url is None:
            continue
        nav.append({"url": url, "label": item.label, "current": request.path == url})
    today = timezone.localdate()
    return {
        "site_agency": site_agency(),
        "main_nav": nav,
        "search_url": _search_url(),
        "now_text": f"{WEEKDAYS[today.weekday()].capitalize()}, {today:%d/%m/%Y}",
    }
