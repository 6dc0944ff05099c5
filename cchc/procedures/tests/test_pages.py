from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from cchc.core import registry
from cchc.core.testing import make_agency
from cchc.core.text import normalise
from cchc.dossiers.tests.helpers import PDF
from cchc.procedures.models import Component, Procedure
from cchc.procedures.services import procedures_import
from cchc.procedures.tests.test_import import CATALOGUE


class CataloguePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_agency("SKHCN")
        procedures_import(path=CATALOGUE)

    def test_the_list_filters_by_field_and_finds_without_diacritics(self):
        response = self.client.get("/thu-tuc/", {"q": "chuyen giao cong nghe"})
        self.assertContains(response, "2.002248")
        self.assertNotContains(response, "X-quang")
        response = self.client.get(
            "/thu-tuc/", {"linh_vuc": "An toàn bức xạ và hạt nhân"}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, "X-quang")
        self.assertNotContains(response, "<h1>")

    def test_the_detail_page_offers_online_filing_only_when_the_time_is_known(self):
        known = Procedure.objects.get(code="2.002248")
        self.assertContains(self.client.get(f"/thu-tuc/{known.pk}/"), "Nộp hồ sơ trực tuyến")
        unknown = Procedure.objects.get(code="2.002253")
        page = self.client.get(f"/thu-tuc/{unknown.pk}/")
        self.assertContains(page, "chưa nhận hồ sơ")
        self.assertEqual(self.client.get(f"/ho-so/nop/{unknown.pk}/").status_code, 404)
        Procedure.objects.filter(pk=known.pk).update(is_current=False)
        page = self.client.get(f"/thu-tuc/{known.pk}/")
        self.assertContains(page, "không còn hiện hành")
        self.assertNotContains(page, "Nộp hồ sơ trực tuyến")
        self.assertNotContains(page, "chưa nhận hồ sơ")

    def test_a_nul_byte_in_the_filters_finds_nothing_instead_of_failing(self):
        self.assertEqual(self.client.get("/thu-tuc/?linh_vuc=%00&q=a%00b").status_code, 200)
        response = self.client.get("/api/v1/procedures/?field=%00&q=%00")
        self.assertEqual(response.status_code, 200)

    def test_the_api_lists_and_details(self):
        body = self.client.get("/api/v1/procedures/", {"q": "X-quang"}).json()
        self.assertEqual(body["count"], 3)
        pk = Procedure.objects.get(code="2.002248").pk
        detail = self.client.get(f"/api/v1/procedures/{pk}").json()
        self.assertEqual(detail["fee_min"], "5000000")
        self.assertEqual(len(detail["legal_bases"]), 3)

    def test_a_client_files_a_dossier_with_the_upload_fields_the_api_names(self):
        """The procedure's components say which multipart field takes each file: a client of
        the API needs nothing else to file (and the lookup then answers with the secret)."""
        procedure = Procedure.objects.get(code="2.002248")
        pk = procedure.pk
        Component.objects.create(procedure=procedure, order=1, name="Văn bản đề nghị")
        Component.objects.create(procedure=procedure, order=2, name="Hợp đồng chuyển giao")
        components = self.client.get(f"/api/v1/procedures/{pk}").json()["components"]
        self.assertEqual(len(components), 2)
        self.assertEqual(
            [c["upload_field"] for c in components], [f"component_{c['id']}" for c in components]
        )
        data = {
            "procedure": pk,
            "applicant_kind": "organisation",
            "name": "Công ty TNHH Công nghệ Việt Trì",
            "id_number": "2600123456",
            "phone": "0912345678",
            "address": "Việt Trì, Phú Thọ",
        }
        for c in components:
            data[c["upload_field"]] = SimpleUploadedFile("a.pdf", PDF, "application/pdf")
        filed = self.client.post("/api/v1/dossiers/", data)
        self.assertEqual(filed.status_code, 201, filed.content)
        lookup = self.client.get(
            "/api/v1/dossiers/lookup",
            {"code": filed.json()["code"], "secret": filed.json()["secret"]},
        )
        self.assertEqual(lookup.json()["status"], 1)

    def test_the_catalogue_is_a_search_source(self):
        results = registry.search_sources["procedures"].search(
            normalise("Chuyển giao công nghệ"), 5
        )
        self.assertTrue(results)
        self.assertEqual(set(results[0]), {"title", "url", "snippet", "date", "score"})
        self.assertTrue(results[0]["url"].startswith("/thu-tuc/"))

    def test_the_list_page_runs_a_fixed_number_of_queries(self):
        pk = Procedure.objects.get(code="2.002248").pk
        self.client.get("/thu-tuc/")  # the page shell caches the site agency on first use
        with self.assertNumQueries(3):  # count, page, fields
            self.client.get("/thu-tuc/")
        self.client.get(f"/thu-tuc/{pk}/")  # the abbreviation list is cached on first use
        with self.assertNumQueries(4):  # procedure, legal bases, components, steps with units
            self.client.get(f"/thu-tuc/{pk}/")
