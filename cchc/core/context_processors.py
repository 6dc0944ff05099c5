from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cchc.core import registry
from cchc.core.selectors import site_agency
from cchc.core.workcalendar import WEEKDAYS


def _search_url() -> str:
    for name in ("portal:search", "core:glossary"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"


def site(request):
    nav = []
    user = getattr(request, "user", None)
    is_staff = bool(user and user.is_authenticated and (user.is_superuser or user.is_staff_member))
    for item in sorted(registry.nav_items.values(), key=lambda i: (i.order, str(i.label))):
        if item.staff_only and not is_staff:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        nav.append({"url": url, "label": item.label, "current": request.path == url})
    today = timezone.localdate()
    return {
        "site_agency": site_agency(),
        "main_nav": nav,
        "search_url": _search_url(),
        "now_text": f"{WEEKDAYS[today.weekday()].capitalize()}, {today:%d/%m/%Y}",
    }
