"""Dossier lookups already answered, served before the middleware stack (first in MIDDLEWARE,
beside the portal's page cache): the lookup API is stateless (no session, no authentication,
no form), so sessions, CSRF, auth, OTP, two-factor and axes have nothing to do for it.

The body is api.cached_lookup's (cleared by every transition of the dossier, details only with
the matching secret or phone), counted against the lookup limit exactly as the view counts it.
The headers are those of the last answer the whole stack gave on the same scheme (security
headers, CSP, Vary), learned per process, so an early answer carries the same ones; until one
has been seen, and for anything else (a miss, a refusal, 429), the whole stack answers.
"""

from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.urls import reverse

from cchc.core.middleware import choose_request_id
from cchc.dossiers.api import cached_lookup

# Written afresh for each answer.
NOT_REPLAYED = frozenset({"content-length", "content-type", "x-request-id", "set-cookie"})
HIT_HEADER = "X-Lookup-Cache"


class EarlyLookupMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.path = None
        self.headers: dict[str, list[tuple[str, str]]] = {}  # per scheme and host

    def __call__(self, request):
        if self.path is None:
            self.path = reverse("api:dossiers-lookup")
        if request.method != "GET" or request.path_info != self.path:
            return self.get_response(request)
        try:
            origin = f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:
            return self.get_response(request)
        headers = self.headers.get(origin)
        body = cached_lookup(request) if headers is not None else None
        if body is not None:
            response = HttpResponse(body, content_type="application/json")
            for name, value in headers:
                response[name] = value
            response[HIT_HEADER] = "hit"
            response["X-Request-ID"] = choose_request_id(request)
            return response
        response = self.get_response(request)
        learn = origin in self.headers or len(self.headers) < 8  # ALLOWED_HOSTS bounds it
        if learn and response.status_code == 200 and not response.cookies:
            self.headers[origin] = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in NOT_REPLAYED
            ]
        return response
