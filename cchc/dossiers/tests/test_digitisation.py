"""Digitisation at reception: the desk attaches a scan per component; only a stored scan makes
a digitised component, and only a stored result file an e-result."""

import datetime as dt

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.dossiers import services, statistics
from cchc.dossiers.models import Dossier, DossierFile
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at, make_procedure, pdf_upload
from cchc.procedures.models import Component

JANUARY = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
FORM = {
    "applicant_kind": "person",
    "name": "Trần Thị Bình",
    "id_number": "001203004567",
    "phone": "0912345678",
    "address": "Việt Trì, Phú Thọ",
    "channel": "1",
}


def digitisation(agency, start, end) -> dict:
    groups = statistics.index_766(agency, start, end)
    return {c["key"]: c for c in groups[-1]["components"]}


class ReceptionScanTests(DeskTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.second = Component.objects.create(
            procedure=cls.procedure, order=2, name="Hợp đồng chuyển giao công nghệ"
        )

    def setUp(self):
        self.first = self.procedure.components.get(order=1)
        self.login_as("desk")

    def test_the_form_offers_a_scan_per_component_once_a_procedure_is_chosen(self):
        page = self.client.get("/ho-so/tiep-nhan/")
        self.assertNotContains(page, f'name="component_{self.first.pk}"')
        page = self.client.get("/ho-so/tiep-nhan/", {"thu_tuc": self.procedure.pk})
        self.assertContains(page, 'enctype="multipart/form-data"')
        for component in (self.first, self.second):
            self.assertContains(page, f'name="component_{component.pk}"')
            self.assertContains(page, component.name)

    def test_a_scan_attached_at_the_desk_is_stored_and_makes_the_component_digitised(self):
        response = self.client.post(
            "/ho-so/tiep-nhan/",
            {
                **FORM,
                "procedure": self.procedure.pk,
                f"component_{self.first.pk}": pdf_upload("don-scan.pdf"),
            },
        )
        dossier = Dossier.objects.get(applicant_name="Trần Thị Bình")
        self.assertRedirects(response, f"/ho-so/{dossier.code}/", fetch_redirect_response=False)
        (scan,) = dossier.files.all()
        self.assertEqual(
            (scan.component, scan.digitised, scan.is_result), (self.first, True, False)
        )
        self.assertTrue(default_storage.exists(scan.path))
        self.assertEqual(default_storage.open(scan.path).read()[:5], b"%PDF-")
        self.assertTrue(dossier.digitised)  # the dossier follows its components

    def test_without_a_scan_the_paper_dossier_is_received_and_not_digitised(self):
        # The old tick box "Đã scan" without a file no longer makes a dossier digitised.
        self.client.post(
            "/ho-so/tiep-nhan/", {**FORM, "procedure": self.procedure.pk, "digitised": "on"}
        )
        dossier = Dossier.objects.get(applicant_name="Trần Thị Bình")
        self.assertEqual((dossier.status, dossier.files.count(), dossier.digitised), (2, 0, False))

    def test_a_file_that_is_not_a_document_is_refused_with_a_message_and_nothing_is_kept(self):
        fake = SimpleUploadedFile(
            "scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
        )
        response = self.client.post(
            "/ho-so/tiep-nhan/",
            {**FORM, "procedure": self.procedure.pk, f"component_{self.second.pk}": fake},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, f'id="id_component_{self.second.pk}-error"', status_code=400)
        self.assertFalse(Dossier.objects.exists())
        self.assertFalse(DossierFile.objects.exists())

    def test_the_desk_of_another_agency_cannot_receive_here(self):
        self.make_other_agency_personas()
        for persona in ("outsider", "outsider_chief", "officer_a", "citizen"):
            self.login_as(persona)
            response = self.client.post(
                "/ho-so/tiep-nhan/",
                {
                    **FORM,
                    "procedure": self.procedure.pk,
                    f"component_{self.first.pk}": pdf_upload(),
                },
            )
            if persona == "outsider_chief":
                # A desk officer of the other agency receives for that agency, never for ours.
                self.assertFalse(Dossier.objects.filter(agency=self.agency).exists())
            else:
                self.assertEqual(response.status_code, 404)
        self.assertFalse(Dossier.objects.filter(agency=self.agency).exists())


class DigitisedCountTests(DeskTestCase):
    def test_only_a_stored_scan_counts_as_a_digitised_component(self):
        component = self.procedure.components.get()
        scanned, _ = services.dossier_receive_paper(
            actor=self.desk,
            procedure=self.procedure,
            applicant=APPLICANT,
            files={f"component_{component.pk}": pdf_upload()},
            at=at(2026, 1, 5, 9),
        )
        ticked, _ = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 1, 6, 9)
        )
        # A flag without a stored scan, and a file not marked as a scan, do not count.
        Dossier.objects.filter(pk=ticked.pk).update(digitised=True)
        DossierFile.objects.create(
            dossier=ticked,
            component=component,
            name="Bản giấy",
            path="",
            original_name="",
            mime="",
            size=0,
            sha256="",
            digitised=True,
        )
        c = digitisation(self.agency, *JANUARY)
        self.assertEqual((c["digitised"]["numerator"], c["digitised"]["denominator"]), (1, 2))
        self.assertTrue(scanned.digitised)

    def test_files_filed_online_are_electronic_components(self):
        dossier, _ = self.file_online(at(2026, 1, 12, 8))
        services.dossier_accept(actor=self.desk, dossier=dossier, at=at(2026, 1, 12, 9))
        (upload,) = dossier.files.all()
        self.assertTrue(upload.digitised)
        dossier.refresh_from_db()
        self.assertTrue(dossier.digitised)
        c = digitisation(self.agency, *JANUARY)
        self.assertEqual(c["digitised"]["numerator"], 1)

    def test_a_result_file_attached_at_the_decision_is_an_e_result(self):
        with_file, _ = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 1, 5, 9)
        )
        self.decide(with_file, at(2026, 1, 7, 9), result_file=pdf_upload("ket-qua.pdf"))
        without, _ = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 1, 5, 10)
        )
        self.decide(without, at(2026, 1, 7, 10))
        result = with_file.files.get(is_result=True)
        self.assertTrue(default_storage.exists(result.path))
        self.assertFalse(result.digitised)  # a result is not a submitted component
        c = digitisation(self.agency, *JANUARY)
        self.assertEqual((c["e_results"]["numerator"], c["e_results"]["denominator"]), (1, 2))
        self.assertEqual(c["digitised"]["numerator"], 0)

    def test_scans_are_optional_at_the_desk_but_components_stay_required_online(self):
        procedure = make_procedure(components=("Đơn", "Bản sao giấy phép"))
        first, second = procedure.components.all()
        dossier, _ = services.dossier_receive_paper(
            actor=self.desk,
            procedure=procedure,
            applicant=APPLICANT,
            files={f"component_{second.pk}": pdf_upload()},
            at=at(2026, 1, 5, 9),
        )
        self.assertEqual([f.component for f in dossier.files.all()], [second])
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError) as refused:
            services.dossier_file_online(
                procedure=procedure,
                applicant=APPLICANT,
                files={f"component_{second.pk}": pdf_upload()},
                agency=self.agency,
                at=at(2026, 1, 5, 9),
            )
        self.assertIn(f"component_{first.pk}", refused.exception.message_dict)
