from django.urls import NoReverseMatch, get_urlconf, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

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


# The menu of a visitor who is not signed in, per URLconf, language, registry version and
# current entry: the same few strings on every anonymous page (the labels are lazy
# translations), built once, unless an entry anonymous visitors may see has a check(user).
_anonymous_nav: dict[tuple, tuple[list[dict], str]] = {}
_anonymous_nav_urls: dict[tuple, set[str] | None] = {}


def _nav_for_anonymous(request) -> tuple[list[dict], str]:
    base = (get_urlconf(), get_language(), registry.nav_version)
    if base not in _anonymous_nav_urls:
        checked = any(i.check and not i.staff_only for i in registry.nav_items.values())
        urls = (
            None if checked else {i["url"] for i in _nav(request, getattr(request, "user", None))}
        )
        _anonymous_nav_urls[base] = urls
    urls = _anonymous_nav_urls[base]
    if urls is None:
        nav = _nav(request, getattr(request, "user", None))
        return nav, SimpleLazyObject(lambda: _nav_html(nav))
    key = (*base, request.path if request.path in urls else None)
    if key not in _anonymous_nav:
        anonymous = getattr(request, "user", None)
        nav = [{**item, "label": str(item["label"])} for item in _nav(request, anonymous)]
        _anonymous_nav[key] = (nav, _nav_html(nav))
    return _anonymous_nav[key]


def site(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        nav, nav_html = _nav_for_anonymous(request)
    else:
        nav = _nav(request, user)
        nav_html = SimpleLazyObject(lambda: _nav_html(nav))
    today = timezone.localdate()
    return {
        "site_agency": site_agency(),
        "main_nav": nav,
        # Built in Python: the template loop over a dozen entries was a third of the shell's time.
        "main_nav_html": nav_html,
        "search_url": _search_url(),
        "now_text": f"{WEEKDAYS[today.weekday()].capitalize()}, {today:%d/%m/%Y}",
    }


def _nav(request, user) -> list[dict]:
    nav = []
    is_staff = bool(user and user.is_authenticated and (user.is_superuser or user.is_staff_member))
    for item in sorted(registry.nav_items.values(), key=lambda i: (i.order, i.url_name)):
        if item.staff_only and not is_staff:
            continue
        if item.citizens_only and (is_staff or not (user and user.is_authenticated)):
            continue
        if item.roles and not (user.is_superuser or user.has_role(*item.roles)):
            continue
        if item.check is not None and not item.check(user):
            continue
        url = _url(item.url_name)
        if url is None:
            continue
        nav.append({"url": url, "label": item.label, "current": request.path == url})
    return nav


def _nav_html(nav: list[dict]) -> str:
    return format_html_join(
        "",
        '<li><a href="{}"{}>{}</a></li>',
        (
            (
                item["url"],
                mark_safe(' aria-current="page"') if item["current"] else "",
                item["label"],
            )
            for item in nav
        ),
    )
