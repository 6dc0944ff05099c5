import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cchc.core.testing import PersonaTestCase
from cchc.plans import selectors
from cchc.plans.models import LegalReview, ProcedureReview, QualityRecord, Regulation

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def legal(agency, year, result, title="Văn bản"):
    return LegalReview.objects.create(
        agency=agency,
        review_year=year,
        doc_type="Quyết định",
        title=title,
        issuer="UBND",
        result=result,
    )


def quality(
    agency, name, *, body_type="provincial_department", certified_on=dt.date(2020, 1, 1), **dates
):
    return QualityRecord.objects.create(
        agency=agency,
        body_name=name,
        body_type=body_type,
        standard="2015",
        certified_on=certified_on,
        **dates,
    )


class RecordTests(PersonaTestCase):
    def test_legal_reviews_are_counted_by_result_per_year(self):
        for result in ["amend", "amend", "amend", "repeal", "propose_new"]:
            legal(self.agency, 2024, result)
        legal(self.agency, 2023, "keep")
        legal(self.other_agency, 2024, "keep")
        counts = selectors.legal_review_counts(self.agency, 2024)
        by_code = {row["code"]: row["count"] for row in counts["by_result"]}
        self.assertEqual(
            (counts["total"], by_code["amend"], by_code["keep"], by_code["repeal"]), (5, 3, 0, 1)
        )
        self.assertIsNone(selectors.legal_review_counts(self.agency, 2022))
        self.login_as("officer_a")
        response = self.client.get(
            reverse("plans:legal-review-list"), {"year": 2024, "result": "amend"}
        )
        self.assertEqual(len(response.context["items"]), 3)

    def test_procedure_reviews_link_to_the_catalogue_by_code_and_count_like_the_seed(self):
        for proposal, count in [("abolish", 2), ("simplify", 23), ("publish", 5)]:
            for i in range(count):
                ProcedureReview.objects.create(
                    agency=self.agency,
                    review_year=2015,
                    procedure_code="2.002248" if i == 0 else "",
                    procedure_name=f"Thủ tục {proposal} {i}",
                    proposal=proposal,
                )
        counts = selectors.procedure_review_counts(self.agency, 2015)
        self.assertEqual([row["count"] for row in counts["by_proposal"]], [2, 23, 5])
        self.login_as("officer_b")
        response = self.client.get(reverse("plans:procedure-review-list"), {"year": 2015})
        self.assertContains(response, "/thu-tuc/?q=2.002248")

    def test_quality_systems_are_counted_by_type_and_status_and_expiring_ones_flagged(self):
        today = timezone.localdate()
        quality(self.agency, "Sở Tư pháp", expires_on=today + dt.timedelta(days=30))
        quality(self.agency, "Sở Y tế", expires_on=today + dt.timedelta(days=400))
        quality(self.agency, "UBND huyện A", body_type="district_body", certified_on=None)
        quality(
            self.agency,
            "UBND huyện B",
            body_type="district_body",
            expires_on=today - dt.timedelta(days=1),
        )
        counts = selectors.quality_counts(self.agency, today)
        by_type = {row["code"]: row["count"] for row in counts["by_type"]}
        by_status = {row["code"]: row["count"] for row in counts["by_status"]}
        self.assertEqual((by_type["provincial_department"], by_type["district_body"]), (2, 2))
        self.assertEqual(
            (
                by_status["valid"],
                by_status["expiring"],
                by_status["building"],
                by_status["expired"],
            ),
            (1, 1, 1, 1),
        )
        self.assertEqual(counts["expiring"], 1)
        self.login_as("officer_a")
        response = self.client.get(reverse("plans:quality-list"), {"expiring": "1"})
        self.assertEqual([r.body_name for r in response.context["items"]], ["Sở Tư pháp"])
        self.assertContains(response, "sắp hết hạn")

    def test_only_agency_wide_roles_add_records_and_bad_input_is_explained(self):
        url = reverse("plans:quality-list")
        data = {
            "body_name": "Sở Nội vụ",
            "body_type": "provincial_department",
            "standard": "2015",
        }
        self.login_as("officer_a")
        self.assertEqual(self.client.post(url, data).status_code, 404)
        self.login_as("agency_leader")
        self.assertRedirects(self.client.post(url, data), url)
        response = self.client.post(url, {**data, "standard": "2000"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(QualityRecord.objects.count(), 1)
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(QualityRecord.objects.count(), 1)

    def test_a_review_year_out_of_range_is_refused_by_the_page_and_the_api(self):
        self.login_as("agency_leader")
        data = {
            "doc_type": "Quyết định",
            "title": "V",
            "issuer": "UBND",
            "result": "keep",
            "follow_up": "none",
        }
        for year in (1999, 32767, 99999999999):
            response = self.client.post(
                reverse("plans:legal-review-list"), {**data, "review_year": year}
            )
            self.assertEqual(response.status_code, 400, year)
            response = self.client.post(
                reverse("api:plans-legal-review-list"),
                {**data, "review_year": year},
                content_type="application/json",
            )
            self.assertEqual(response.status_code, 400, year)
            self.assertEqual(response.json()["errors"][0]["field"], "review_year")
        response = self.client.post(
            reverse("api:plans-procedure-review-list"),
            {"review_year": 3000, "procedure_name": "TT", "proposal": "abolish"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(LegalReview.objects.filter(review_year__gt=2100).exists())
        self.assertFalse(ProcedureReview.objects.filter(review_year=3000).exists())

    def test_a_regulation_with_its_file_is_kept_and_shown_to_the_agency_only(self):
        url = reverse("plans:regulation-list")
        self.login_as("agency_leader")
        response = self.client.post(
            url,
            {
                "kind": "spending_rules",
                "number": "12/QĐ-SKHCN",
                "title": "Quy chế chi tiêu nội bộ",
                "issued_on": "2024-01-10",
                "valid_from": "2024-01-10",
                "file": SimpleUploadedFile("quy-che.pdf", PDF),
            },
        )
        self.assertRedirects(response, url)
        regulation = Regulation.objects.get()
        self.assertTrue(regulation.in_force(dt.date(2024, 6, 1)))
        download = reverse("plans:regulation-download", args=[regulation.pk])
        self.assertEqual(b"".join(self.client.get(download).streaming_content), PDF)
        response = self.client.post(
            url,
            {
                "kind": "other",
                "number": "13",
                "title": "X",
                "issued_on": "2024-01-10",
                "valid_from": "2024-05-01",
                "valid_until": "2024-01-01",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.login_as("outsider")
        self.assertEqual(self.client.get(download).status_code, 404)
        self.assertNotContains(self.client.get(url), "12/QĐ-SKHCN")
        self.login_as("citizen")
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_regulation_shows_whether_it_is_in_force_today(self):
        today = timezone.localdate()
        for number, start, end in [
            ("CU", today - dt.timedelta(days=400), today - dt.timedelta(days=1)),
            ("NAY", today - dt.timedelta(days=10), None),
            ("SAU", today + dt.timedelta(days=30), None),
        ]:
            Regulation.objects.create(
                agency=self.agency,
                kind="other",
                number=number,
                title=number,
                issued_on=start,
                valid_from=start,
                valid_until=end,
            )
        self.login_as("officer_b")
        items = self.client.get(reverse("plans:regulation-list")).context["items"]
        self.assertEqual(
            {r.number: r.validity for r in items},
            {"CU": "expired", "NAY": "in_force", "SAU": "future"},
        )
        self.assertContains(self.client.get(reverse("plans:regulation-list")), "chưa có hiệu lực")

    def test_a_regulation_file_of_the_wrong_kind_is_refused_at_the_file_field(self):
        self.login_as("agency_leader")
        response = self.client.post(
            reverse("plans:regulation-list"),
            {
                "kind": "other",
                "number": "09/QC",
                "title": "Quy chế",
                "issued_on": "2024-01-10",
                "valid_from": "2024-01-10",
                "file": SimpleUploadedFile("quy-che.pdf", b"MZ\x90\x00 not a pdf"),
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("không đúng loại", " ".join(response.context["form"].errors["file"]))
        self.assertFalse(Regulation.objects.exists())


class RecordListQueryTests(PersonaTestCase):
    def test_list_pages_use_a_fixed_number_of_queries(self):
        for i in range(3):
            quality(self.agency, f"Cơ quan {i}")
            legal(self.agency, 2024, "keep", title=f"Văn bản {i}")
        self.login_as("agency_leader")
        self.client.get(reverse("plans:plan-list"))  # warm the per-process caches
        counts = {}
        for name in ("plans:quality-list", "plans:legal-review-list", "plans:regulation-list"):
            with CaptureQueriesContext(connection) as context:
                self.client.get(reverse(name))
            counts[name] = len(context.captured_queries)
        for i in range(3, 10):
            quality(self.agency, f"Cơ quan {i}")
            legal(self.agency, 2024, "keep", title=f"Văn bản {i}")
        for name, count in counts.items():
            with self.assertNumQueries(count):
                self.client.get(reverse(name))
