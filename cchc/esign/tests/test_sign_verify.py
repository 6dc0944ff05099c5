"""Sign a PDF with the agency's demo certificate, verify it, and catch every change after."""

import asyncio
import datetime as dt
import io
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import time_machine
from django.core.exceptions import ValidationError
from django.test import SimpleTestCase, override_settings

from cchc.core.models import Agency
from cchc.esign import services
from cchc.esign.certificates import DEMO_MARK, make_demo_certificate
from cchc.esign.tests.helpers import DemoCertificateMixin, blank_pdf

MOMENT = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


class SignVerifyTest(DemoCertificateMixin, SimpleTestCase):
    def setUp(self):
        self.agency = Agency(code="SKHCN", name="Sở Khoa học và Công nghệ", place_name="Phú Thọ")

    def sign(self, pdf=None):
        with time_machine.travel(MOMENT, tick=False):
            return services.sign_pdf(
                pdf=pdf or blank_pdf(), agency=self.agency, reason="Kết quả", location="Phú Thọ"
            )

    def test_it_signs_and_verifies_with_the_signer_and_the_time(self):
        signed = self.sign()
        result = services.verify_pdf(signed)
        self.assertTrue(result.valid, result)
        [signature] = result.signatures
        self.assertIn("Sở KHCN", signature.signer)
        self.assertIn(DEMO_MARK, signature.signer)
        self.assertEqual(signature.signed_at, MOMENT)
        self.assertEqual(signature.field, services.FIELD_NAME)
        self.assertTrue(signature.trusted)
        self.assertTrue(result.demo)
        self.assertFalse(result.modified)
        self.assertIn("minh họa", result.summary)

    def test_it_signs_and_verifies_in_a_thread_that_runs_an_event_loop(self):
        # Playwright's sync API and async servers keep a loop running; pyHanko's sync calls
        # use asyncio.run(), which refuses to start inside one.
        async def inside_a_loop():
            return services.verify_pdf(self.sign())

        # A thread of its own: the suite's browser tests may already run a loop in this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            result = pool.submit(asyncio.run, inside_a_loop()).result()
        self.assertTrue(result.valid, result)

    def test_changed_bytes_inside_the_signed_range_are_detected(self):
        signed = self.sign()
        tampered = signed.replace(b"/MediaBox [ 0 0 595 842 ]", b"/MediaBox [ 0 0 595 843 ]", 1)
        self.assertNotEqual(tampered, signed)
        result = services.verify_pdf(tampered)
        self.assertFalse(result.valid)
        self.assertTrue(result.modified)
        self.assertIn("đã bị thay đổi sau khi ký", result.summary)

    def test_an_incremental_update_changing_the_page_is_detected(self):
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        signed = self.sign()
        writer = IncrementalPdfFileWriter(io.BytesIO(signed))
        page_ref = writer.root["/Pages"]["/Kids"][0]
        page = page_ref.get_object()
        page["/MediaBox"] = generic.ArrayObject([generic.NumberObject(n) for n in (0, 0, 300, 300)])
        writer.update_container(page)
        out = io.BytesIO()
        writer.write(out)
        result = services.verify_pdf(out.getvalue())
        self.assertTrue(result.signatures[0].intact)  # the signed revision itself is unchanged
        self.assertTrue(result.modified)
        self.assertFalse(result.valid)

    def test_an_unsigned_pdf_has_no_signature(self):
        result = services.verify_pdf(blank_pdf())
        self.assertTrue(result.is_pdf)
        self.assertFalse(result.signed)
        self.assertEqual(result.summary, "Tệp PDF không có chữ ký số.")

    def test_a_file_that_is_not_a_pdf_is_said_so(self):
        result = services.verify_pdf(b"PK\x03\x04 not a pdf")
        self.assertFalse(result.is_pdf)
        self.assertIn("không phải là tệp PDF", result.summary)

    def test_a_broken_pdf_cannot_be_signed(self):
        with self.assertRaises(ValidationError):
            self.sign(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

    def test_a_second_signature_gets_its_own_field_and_both_stay_valid(self):
        twice = self.sign(self.sign())
        result = services.verify_pdf(twice)
        self.assertEqual(
            [s.field for s in result.signatures],
            [services.FIELD_NAME, f"{services.FIELD_NAME}-2"],
        )
        self.assertTrue(result.valid, result)

    def test_a_signer_outside_the_trust_roots_is_not_trusted(self):
        signed = self.sign()
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        make_demo_certificate(
            p12_path=folder / "x.p12", ca_path=folder / "other.pem", password="x", agency_name="X"
        )
        with override_settings(ESIGN_TRUST_ROOTS=[str(folder / "other.pem")]):
            result = services.verify_pdf(signed)
        self.assertFalse(result.trusted)
        self.assertFalse(result.valid)
        self.assertFalse(result.modified)
        self.assertIn("không thuộc tổ chức", result.summary)


class DemoCertificateTest(SimpleTestCase):
    def test_it_is_idempotent(self):
        folder = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, folder)
        args = {"p12_path": folder / "a.p12", "ca_path": folder / "ca.pem", "password": "p"}
        self.assertTrue(make_demo_certificate(**args, agency_name="A"))
        first = (folder / "a.p12").read_bytes()
        self.assertFalse(make_demo_certificate(**args, agency_name="A"))
        self.assertEqual((folder / "a.p12").read_bytes(), first)
