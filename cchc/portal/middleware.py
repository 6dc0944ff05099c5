"""The anonymous page cache: the home and article pages answered from the cache before the
session, auth, CSRF, OTP, two-factor and axes middleware run (first in MIDDLEWARE).

Served from the cache: GET or HEAD of a path in PATHS with no query string, no htmx request,
no Authorization header and no cookie but those in SAFE_COOKIES:
- the CSRF cookie is safe because no stored page carries a token: a page that calls get_token()
  (a form, the logout button of a signed-in user) sends Set-Cookie, since get_token() renews
  the cookie, and a response with Set-Cookie is never stored. The comment form is a page of its
  own (/tin-tuc/<slug>/y-kien/), never cached, so its token is always the visitor's own.
- the theme, contrast and font size live in the browser (a11y.js, localStorage): the HTML does
  not vary on them, so there is no theme cookie to vary on.
- a session cookie or Django's "messages" cookie (a flash message waiting) always passes by.

Stored: a 200 to such a GET, for an anonymous user, not streaming, without Set-Cookie, without
Cache-Control private / no-store / no-cache, without a CSP nonce (it would be reused), and with
no Vary but Cookie (every visitor served carries only SAFE_COOKIES) and Accept-Language (the
site has one language, so it never changes the page). The entry remembers the content version
(cchc.portal.services.content_version) and the scheme and host it was built for: an edit, a
published comment or another host is a miss, and an http request never gets an https page.
"""

import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost, MiddlewareNotUsed
from django.http import HttpResponse

from cchc.core.middleware import choose_request_id
from cchc.portal import services, views

PATHS = (
    (re.compile(r"/"), lambda match: "portal:page:home"),
    (re.compile(r"/tin-tuc/([-\w]{1,200})/"), lambda match: f"portal:page:article:{match[1]}"),
)
SAFE_COOKIES = frozenset({settings.CSRF_COOKIE_NAME})
ALLOWED_VARY = frozenset({"cookie", "accept-language"})
UNCACHEABLE = re.compile(r"\b(private|no-store|no-cache)\b", re.IGNORECASE)
# Per-request headers, written afresh on every answer.
NOT_REPLAYED = frozenset({"x-request-id"})
HIT_HEADER = "X-Page-Cache"


def _page_key(request) -> str | None:
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return None
    if not SAFE_COOKIES.issuperset(request.COOKIES):
        return None
    if "HTTP_AUTHORIZATION" in request.META or "HTTP_HX_REQUEST" in request.META:
        return None
    for pattern, key in PATHS:
        if match := pattern.fullmatch(request.path_info):
            return key(match)
    return None


def _origin(request) -> str | None:
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:  # Django's own answer (400) further in
        return None


def _storable(request, response) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    if UNCACHEABLE.search(response.get("Cache-Control", "")):
        return False
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if not ALLOWED_VARY.issuperset(vary):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        if not views.PAGE_CACHE_SECONDS or len(settings.LANGUAGES) > 1:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        key = _page_key(request)
        origin = _origin(request) if key else None
        if origin is None:
            return self.get_response(request)
        found = cache.get_many([services.CONTENT_VERSION_KEY, key])
        entry = found.get(key)
        version = found.get(services.CONTENT_VERSION_KEY)
        if entry is not None and version is not None and entry[:2] == (version, origin):
            return self._answer(request, entry)
        version = services.content_version()  # read before building: an edit meanwhile wins
        response = self.get_response(request)
        if _storable(request, response):
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in NOT_REPLAYED
            ]
            article_id = getattr(response, "portal_article_id", None)
            entry = (version, origin, headers, response.content, article_id)
            cache.set(key, entry, views.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _answer(request, entry):
        _version, _origin, headers, content, article_id = entry
        if article_id is not None:  # a cached article still counts its visitor
            services.view_register(article_id=article_id, visitor=views.visitor_key(request))
        response = HttpResponse(b"" if request.method == "HEAD" else content)
        for name, value in headers:
            response[name] = value
        response[HIT_HEADER] = "hit"
        response["X-Request-ID"] = choose_request_id(request)
        return response
