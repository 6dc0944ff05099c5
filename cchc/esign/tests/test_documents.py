"""What the agency signs: the BM.01 receipt the desk downloads and the result PDF attached at
the decision, each recorded as a SignedDocument."""

import hashlib

import time_machine
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cchc.dossiers import services
from cchc.dossiers.models import DossierFile
from cchc.dossiers.tests.helpers import DeskTestCase, at, pdf_upload
from cchc.esign import services as esign
from cchc.esign.models import SignedDocument
from cchc.esign.tests.helpers import DemoCertificateMixin, blank_pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


class SignedDocumentsTest(DemoCertificateMixin, DeskTestCase):
    def setUp(self):
        traveller = time_machine.travel(at(2026, 3, 3, 10), tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)
        self.dossier, _ = self.file_online(at(2026, 3, 2, 8))
        self.dossier = services.dossier_accept(
            actor=self.desk, dossier=self.dossier, at=at(2026, 3, 2, 9)
        )

    def receipt(self):
        self.client.force_login(self.desk)
        response = self.client.get(f"/ho-so/{self.dossier.code}/mau/bm01.pdf")
        self.assertEqual(response.status_code, 200)
        return response.content

    def test_the_receipt_the_desk_downloads_is_signed_by_the_agency(self):
        content = self.receipt()
        result = esign.verify_pdf(content)
        self.assertTrue(result.valid, result)
        self.assertIn("Sở KHCN", result.signatures[0].signer)
        self.assertEqual(result.signatures[0].signed_at, at(2026, 3, 3, 10))
        row = SignedDocument.objects.get(dossier=self.dossier)
        self.assertEqual(row.kind, SignedDocument.Kind.RECEIPT)
        self.assertEqual(row.sha256, hashlib.sha256(content).hexdigest())

    def test_the_receipt_is_issued_once_and_the_same_bytes_served_again(self):
        first = self.receipt()
        with time_machine.travel(at(2026, 3, 4, 10), tick=False):
            again = self.receipt()
        self.assertEqual(first, again)
        self.assertEqual(SignedDocument.objects.filter(dossier=self.dossier).count(), 1)

    @override_settings(ESIGN_PKCS12_PATH="")
    def test_without_a_certificate_the_receipt_is_served_unsigned(self):
        self.assertFalse(esign.verify_pdf(self.receipt()).signed)
        self.assertFalse(SignedDocument.objects.exists())

    def test_a_result_pdf_attached_at_the_decision_is_stored_signed(self):
        original = blank_pdf()
        dossier = self.decide(
            self.dossier,
            at(2026, 3, 3, 10),
            result_file=SimpleUploadedFile("ket-qua.pdf", original, "application/pdf"),
        )
        stored = DossierFile.objects.get(dossier=dossier, is_result=True)
        with default_storage.open(stored.path, "rb") as handle:
            content = handle.read()
        self.assertTrue(content.startswith(original))  # the unsigned upload is the first revision
        self.assertEqual(stored.sha256, hashlib.sha256(content).hexdigest())
        self.assertEqual(stored.size, len(content))
        result = esign.verify_pdf(content)
        self.assertTrue(result.valid, result)
        row = SignedDocument.objects.get(file=stored)
        self.assertEqual((row.kind, row.sha256, row.path), ("result", stored.sha256, stored.path))
        self.client.force_login(self.agency_leader)
        download = self.client.get(f"/ho-so/{dossier.code}/tep/{stored.pk}/")
        self.assertEqual(b"".join(download.streaming_content), content)

    def test_an_image_result_is_stored_as_is_and_not_signed(self):
        dossier = self.decide(
            self.dossier,
            at(2026, 3, 3, 10),
            result_file=SimpleUploadedFile("ket-qua.png", PNG, "image/png"),
        )
        stored = DossierFile.objects.get(dossier=dossier, is_result=True)
        self.assertEqual(stored.sha256, hashlib.sha256(PNG).hexdigest())
        self.assertFalse(SignedDocument.objects.filter(kind="result").exists())

    def test_an_unreadable_result_pdf_is_refused_and_nothing_written(self):
        with self.assertRaises(ValidationError) as caught:
            self.decide(self.dossier, at(2026, 3, 3, 10), result_file=pdf_upload())
        self.assertIn("không ký số được", caught.exception.messages[0])
        self.dossier.refresh_from_db()
        self.assertIsNone(self.dossier.decided_at)
        self.assertFalse(DossierFile.objects.filter(is_result=True).exists())
        self.assertFalse(SignedDocument.objects.exists())

    def test_a_receipt_removed_from_storage_is_issued_again(self):
        self.receipt()
        default_storage.delete(SignedDocument.objects.get().path)
        again = self.receipt()
        self.assertTrue(esign.verify_pdf(again).valid)
        self.assertEqual(SignedDocument.objects.get().sha256, hashlib.sha256(again).hexdigest())

    def test_the_applicant_gets_the_same_signed_receipt_as_the_desk(self):
        from cchc.dossiers.services import dossier_claim, dossier_receive_paper
        from cchc.dossiers.tests.helpers import APPLICANT

        paper, secret = dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 3, 3, 9)
        )
        dossier_claim(user=self.citizen, code=paper.code, secret=secret)
        self.client.force_login(self.citizen)
        mine = self.client.get(f"/ho-so/cua-toi/{paper.code}/mau/bm01.pdf").content
        result = esign.verify_pdf(mine)
        self.assertTrue(result.valid, result)
        self.assertTrue(result.intact)
        self.assertIn("Sở KHCN", result.signer)
        self.assertEqual(result.signed_at, at(2026, 3, 3, 10))
        self.client.force_login(self.desk)
        desk = self.client.get(f"/ho-so/{paper.code}/mau/bm01.pdf").content
        self.assertEqual(desk, mine)
