"""`make_demo_certificate` and the demo loader: a demo CA and agency certificate, marked as
demo, written once to the configured paths; a certificate per agency when one is set."""

import io
import shutil
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

from cchc.core.models import Agency
from cchc.esign import certificates, demo, services
from cchc.esign.tests.helpers import blank_pdf


class DemoCertificateCommandTest(SimpleTestCase):
    def setUp(self):
        self.folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.folder)
        self.p12, self.ca = self.folder / "esign" / "agency.p12", self.folder / "esign" / "ca.pem"
        settings = override_settings(
            ESIGN_PKCS12_PATH=str(self.p12),
            ESIGN_PKCS12_PASSWORD="demo-pw",
            ESIGN_TRUST_ROOTS=[str(self.ca)],
        )
        settings.enable()
        self.addCleanup(settings.disable)

    def test_the_demo_loader_writes_a_demo_certificate_that_signs_and_verifies(self):
        summary = demo.load(stdout=io.StringIO())
        self.assertIn("minh họa", summary["chứng thư số"])
        self.assertTrue(certificates.configured())
        agency = Agency(code="SKHCN", name="Sở KHCN")
        result = services.verify_pdf(
            services.sign_pdf(pdf=blank_pdf(), agency=agency, reason="r", location="l")
        )
        self.assertTrue(result.valid, result)
        self.assertTrue(result.demo)
        self.assertIn(certificates.DEMO_MARK, result.signatures[0].signer)

    def test_running_it_again_keeps_the_certificate(self):
        call_command("make_demo_certificate", stdout=io.StringIO())
        first = self.p12.read_bytes()
        out = io.StringIO()
        call_command("make_demo_certificate", stdout=out)
        demo.load(stdout=io.StringIO())
        self.assertEqual(self.p12.read_bytes(), first)
        self.assertIn("giữ nguyên", out.getvalue())

    def test_an_agency_with_its_own_certificate_signs_with_it(self):
        call_command("make_demo_certificate", stdout=io.StringIO())
        own = self.folder / "tq.p12"
        certificates.make_demo_certificate(
            p12_path=own, ca_path=self.folder / "tq-ca.pem", password="demo-pw", agency_name="TQ"
        )
        with override_settings(ESIGN_AGENCY_PKCS12={"SKHCNTQ": str(own)}):
            signers = {
                code: services.verify_pdf(
                    services.sign_pdf(
                        pdf=blank_pdf(), agency=Agency(code=code, name=code), reason="", location=""
                    )
                ).signatures[0]
                for code in ("SKHCN", "SKHCNTQ")
            }
        self.assertIn("Sở Khoa học và Công nghệ tỉnh Phú Thọ", signers["SKHCN"].signer)
        self.assertIn("TQ (", signers["SKHCNTQ"].signer)
        self.assertFalse(signers["SKHCNTQ"].trusted)  # its CA is not among the trust roots
