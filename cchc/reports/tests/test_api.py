from django.urls import reverse

from cchc.reports.models import ReportSnapshot
from cchc.reports.tests.base import ReportTestCase
from cchc.reports.tests.fakes import other_apps


class ReportApiTests(ReportTestCase):
    def test_dashboard_figures_come_from_the_registry(self):
        self.login_as("officer_a")
        url = reverse("api:reports-dashboard")
        body = self.client.get(url, {"year": 2024}).json()
        self.assertIsNone(body["figures"]["dossiers.summary"])
        self.assertEqual(body["figures"]["plans.summary"]["tasks"]["total"], 4)
        with other_apps():
            body = self.client.get(url, {"year": 2024}).json()
        self.assertEqual(body["figures"]["dossiers.summary"]["received"], 1234)
        self.login_as("citizen")
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_snapshots_are_created_generated_listed_and_downloaded(self):
        self.login_as("agency_leader")
        response = self.client.post(
            reverse("api:reports-report-list"),
            {"year": 2024, "as_of": "2024-12-31", "number": 7, "issued_on": "2025-01-06"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        pk = response.json()["id"]
        self.assertEqual(response.json()["number_text"], "07/BC-SKHCN")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("api:reports-report-generate", args=[pk]))
        self.assertEqual(response.status_code, 202)
        self.login_as("officer_b")
        body = self.client.get(reverse("api:reports-report-detail", args=[pk])).json()
        self.assertEqual(body["status"], "ready")
        self.assertEqual(set(body["files"]), {"docx", "pdf", "xlsx"})
        download = self.client.get(reverse("api:reports-report-download", args=[pk, "pdf"]))
        self.assertTrue(b"".join(download.streaming_content).startswith(b"%PDF"))
        self.login_as("outsider")
        self.assertEqual(self.client.get(reverse("api:reports-report-list")).json(), [])
        self.assertEqual(
            self.client.get(reverse("api:reports-report-detail", args=[pk])).status_code, 404
        )

    def test_bad_snapshot_input_is_refused_and_nothing_is_stored(self):
        self.login_as("agency_leader")
        response = self.client.post(
            reverse("api:reports-report-list"),
            {"year": 1999, "as_of": "x", "number": 0, "issued_on": "2025-01-06"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            {e["field"] for e in response.json()["errors"]}, {"year", "as_of", "number"}
        )
        for change in ({"number": 99999999999}, {"as_of": "2025-02-01"}):
            data = {"year": 2024, "as_of": "2024-12-31", "number": 1, "issued_on": "2025-01-06"}
            response = self.client.post(
                reverse("api:reports-report-list"),
                {**data, **change},
                content_type="application/json",
            )
            self.assertEqual(response.status_code, 400, change)
            self.assertEqual(response.json()["errors"][0]["field"], next(iter(change)))
        self.assertEqual(ReportSnapshot.objects.count(), 0)
        self.login_as("officer_a")
        response = self.client.post(
            reverse("api:reports-report-list"),
            {"year": 2024, "as_of": "2024-12-31", "number": 1, "issued_on": "2025-01-06"},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 404)

    def test_report_lists_keep_a_fixed_query_count(self):
        for number in range(1, 5):
            self.snapshot(number=number)
        self.login_as("agency_leader")
        # +1: django-otp loads the device of the verified (two-factor) staff session.
        for url, count in [
            (reverse("api:reports-report-list"), 5),
            (reverse("reports:report-list"), 8),
        ]:
            self.client.get(url)
            with self.assertNumQueries(count):
                self.assertEqual(self.client.get(url).status_code, 200)
