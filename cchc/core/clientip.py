"""The client's IP address, also behind a reverse proxy (nginx) that we trust.

Rate limits (django-ratelimit, ``key="ip"``) and the login lockout (django-axes) both ask this
function, so that behind nginx every citizen is not counted as 127.0.0.1. ``X-Forwarded-For``
is believed only when the request comes straight from an address in ``CCHC_TRUSTED_PROXIES``;
then the right-most address that is not itself a trusted proxy is the client.
"""

from ipaddress import ip_address

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ip_address(value.strip()))
    except ValueError:
        return None


def _trusted() -> set[str]:
    return set(getattr(settings, "TRUSTED_PROXIES", ()))


def from_trusted_proxy(request) -> bool:
    """The request comes straight from one of ``CCHC_TRUSTED_PROXIES`` (so the headers that
    proxy sets, X-Forwarded-For and X-Request-ID, are its own and not the client's)."""
    return _valid(request.META.get("REMOTE_ADDR", "")) in _trusted()


def client_ip(request) -> str:
    remote = _valid(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"
    trusted = _trusted()
    if remote not in trusted:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _valid(hop)
        if address is None:
            break
        if address not in trusted:
            return address
    return remote
