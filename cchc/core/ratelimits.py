"""Rate limits for public POSTs, in one place.

Every rate is named in ``settings.RATE_LIMITS`` ("login": "30/10m", overridable with
``CCHC_RATE_LIMITS``) and multiplied by ``settings.RATE_LIMIT_SCALE`` (a load test from one
address sets it high). Requests are counted per client address (``key="ip"``, which asks
``cchc.core.clientip.client_ip`` and so honours trusted proxies) or per a given key, in the
cache, before the work they guard (see ``limited``).

Pages answer 429 with a Vietnamese page (or, for htmx, just the message, which base.html's
htmx-config swaps in); the API answers 429 ``{"errors": [{"field": null, "message": ...}]}``.
"""

import re
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from rest_framework.exceptions import Throttled

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate(name: str) -> tuple[int, int]:
    """(requests, seconds) for a named limit, scaled by RATE_LIMIT_SCALE."""
    try:
        text = settings.RATE_LIMITS[name]
    except KeyError:
        raise ImproperlyConfigured(f"No rate limit named {name!r} in RATE_LIMITS") from None
    match = _RATE.match(text)
    if match is None:
        raise ImproperlyConfigured(f"Rate limit {name}={text!r} is not like '10/m' or '5/10m'")
    count, multiple, unit = match.groups()
    scale = max(1, int(getattr(settings, "RATE_LIMIT_SCALE", 1)))
    return int(count) * scale, int(multiple or 1) * _SECONDS[unit]


def limited(request, name: str, *, key: str | None = None) -> bool:
    """Count this request against the limit ``name`` and say whether it is over it.

    Call it BEFORE the work it guards: the count is one atomic cache operation (``add`` then
    ``incr``, atomic on locmem and Redis), so N requests at once against a limit of L let
    exactly L through. (Checking first and counting after the work let every concurrent
    request through.) Counted per client address, or per ``key`` when given (an e-mail
    address, say). One request is counted once per limit and key, however often it asks."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False
    base = getattr(request, "_request", request)  # the Django request under a DRF one
    seen = base.__dict__.setdefault("_cchc_rate_limits", {})
    if (name, key) not in seen:
        usage = get_usage(
            base,
            group=name,
            key="ip" if key is None else (lambda _group, _request: key),
            rate=rate(name),
            increment=True,
        )
        seen[name, key] = bool(usage and usage["should_limit"])
    return seen[name, key]


def default_message() -> str:
    return _("Bạn đã gửi quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút.")


def too_many_page(request, message: str = "", *, status: int = 429):
    """The Vietnamese 429 page (just its message for an htmx request)."""
    template = "core/rate_limited.html"
    if getattr(request, "htmx", False):
        template += "#message"
    return render(request, template, {"message": message or default_message()}, status=status)


def check_api(request, name: str, message: str = "", *, key: str | None = None) -> None:
    """For API views: count the request and raise a 429 (the API's error JSON) over the limit."""
    if limited(request, name, key=key):
        raise Throttled(detail=message or default_message())


def limit_post(name: str, message: str = ""):
    """Decorator for page views: every POST is counted and refused with 429 over the limit."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and limited(request, name):
                return too_many_page(request, message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
