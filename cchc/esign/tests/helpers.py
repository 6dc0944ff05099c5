import datetime as dt
import io
import shutil
import tempfile
from pathlib import Path

from django.test import override_settings
from pypdf import PdfWriter

from cchc.esign.certificates import make_demo_certificate

PASSWORD = "test-p12-password"
# The tests travel to 2026 dates: the certificates are valid from 2020 for ten years.
CERTIFICATES_FROM = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


class DemoCertificateMixin:
    """A demo CA and agency certificate written to a temporary folder for the class, and the
    settings pointing at them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        folder = Path(tempfile.mkdtemp(prefix="cchc-esign-"))
        cls.addClassCleanup(shutil.rmtree, folder, ignore_errors=True)
        cls.p12_path, cls.ca_path = folder / "agency.p12", folder / "ca.pem"
        make_demo_certificate(
            p12_path=cls.p12_path,
            ca_path=cls.ca_path,
            password=PASSWORD,
            agency_name="Sở KHCN",
            at=CERTIFICATES_FROM,
        )
        overrides = override_settings(
            ESIGN_PKCS12_PATH=str(cls.p12_path),
            ESIGN_PKCS12_PASSWORD=PASSWORD,
            ESIGN_TRUST_ROOTS=[str(cls.ca_path)],
        )
        overrides.enable()
        cls.addClassCleanup(overrides.disable)
