"""The national side's half of an inbound push: sign a dossier and POST it to our endpoint.

The local stand-in of the national portal uses it (and so do the tests); a real DVCQG adapter
signs the same way: `X-DVCQG-Timestamp` = now as yyyyMMddHHmmss (ICT) and `X-DVCQG-Signature`
= "sha256=" + HMAC-SHA256(secret, timestamp + "." + body)."""

import json

import requests
from django.utils import timezone

from cchc.nationalportal.codes import body_signature, national_time

TIMEOUT = (5, 120)  # seconds: connecting, then the reply (the endpoint may fetch files)


def push_dossier(
    url: str, secret: str, payload: dict, *, timestamp: str | None = None
) -> requests.Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    timestamp = timestamp or national_time(timezone.now())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "X-DVCQG-Timestamp": timestamp,
        "X-DVCQG-Signature": "sha256=" + body_signature(secret, timestamp, body),
    }
    return requests.post(url, data=body, headers=headers, timeout=TIMEOUT)
