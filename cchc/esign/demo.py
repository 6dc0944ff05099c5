"""`load_demo`: the demo signing certificate under var/esign/ when none is configured."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from cchc.esign import certificates


def load(stdout=None) -> dict:
    if certificates.configured():
        return {"chứng thư số": settings.ESIGN_PKCS12_PATH}
    if not settings.ESIGN_PKCS12_PATH or Path(settings.ESIGN_PKCS12_PATH).exists():
        return {"chứng thư số": "không cấu hình"}
    call_command("make_demo_certificate", stdout=stdout)
    return {"chứng thư số": f"minh họa, {settings.ESIGN_PKCS12_PATH}"}
