"""Every page and endpoint of the reports app, for every persona: staff of the agency read the
reports, only the agency-wide roles take snapshots, edit the narrative and generate files."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from cchc.reports.models import ReportSnapshot
from cchc.reports.tests.base import ReportTestCase

READERS = {"officer_a", "leader_a", "officer_b", "agency_leader"}
PERSONAS = [*sorted(READERS), "outsider", "citizen", "anonymous"]


def expect(persona, allowed, *, api=False):
    if persona == "anonymous":
        return (401, 403) if api else (302,)
    return (200,) if allowed else (404,)


class ReportPermissionTests(ReportTestCase):
    def setUp(self):
        self.report = self.snapshot()
        path = default_storage.save("tests/reports/bc.docx", ContentFile(b"PK docx"))
        ReportSnapshot.objects.filter(pk=self.report.pk).update(docx_path=path)

    def test_reports_are_read_by_the_staff_of_their_agency_only(self):
        pk = self.report.pk
        pages = [
            reverse("reports:report-detail", args=[pk]),
            reverse("reports:report-progress", args=[pk]),
            reverse("reports:report-download", args=[pk, "docx"]),
        ]
        api = [
            reverse("api:reports-report-detail", args=[pk]),
            reverse("api:reports-report-download", args=[pk, "docx"]),
        ]
        for persona in PERSONAS:
            self.login_as(persona)
            for url in pages:
                status = self.client.get(url).status_code
                self.assertIn(status, expect(persona, persona in READERS), (persona, url))
            for url in api:
                status = self.client.get(url).status_code
                self.assertIn(status, expect(persona, persona in READERS, api=True), (persona, url))

    def test_the_list_and_dashboard_show_staff_their_own_agency_only(self):
        number = self.report.number_text
        for persona in PERSONAS:
            self.login_as(persona)
            staff = persona != "citizen"
            for url in (reverse("reports:report-list"), reverse("reports:dashboard")):
                response = self.client.get(url)
                self.assertIn(response.status_code, expect(persona, staff), (persona, url))
            response = self.client.get(reverse("reports:report-list"))
            if response.status_code == 200:
                self.assertEqual(number in response.content.decode(), persona in READERS)
            response = self.client.get(reverse("api:reports-report-list"))
            if persona != "anonymous":
                ids = [r["id"] for r in response.json()]
                self.assertEqual(ids == [self.report.pk], persona in READERS, persona)
            status = self.client.get(reverse("api:reports-dashboard")).status_code
            self.assertIn(status, expect(persona, staff, api=True), persona)

    def test_only_the_agency_wide_roles_snapshot_edit_and_generate(self):
        pk = self.report.pk
        snapshot = {
            "year": 2024,
            "as_of": "2024-12-31",
            "number": 9,
            "issued_on": "2025-01-06",
            "signer_title": "GĐ",
        }
        for persona in [p for p in PERSONAS if p != "agency_leader"]:
            self.login_as(persona)
            for url, data in [
                (reverse("reports:report-list"), snapshot),
                (reverse("reports:report-detail", args=[pk]), {"overview": persona}),
                (reverse("reports:report-generate", args=[pk]), {}),
            ]:
                status = self.client.post(url, data).status_code
                self.assertIn(status, expect(persona, False), (persona, url))
            for url, data in [
                (reverse("api:reports-report-list"), snapshot),
                (reverse("api:reports-report-generate", args=[pk]), {}),
            ]:
                status = self.client.post(url, data, content_type="application/json").status_code
                self.assertIn(status, expect(persona, False, api=True), (persona, url))
        self.assertEqual(ReportSnapshot.objects.count(), 1)
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, self.report.narrative), ("draft", {}))
        self.login_as("agency_leader")
        response = self.client.post(reverse("reports:report-detail", args=[pk]), {"overview": "Ổn"})
        self.assertEqual(response.status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual(self.report.narrative["overview"], "Ổn")

    def test_a_report_file_missing_from_storage_is_a_404_not_a_server_error(self):
        default_storage.delete(ReportSnapshot.objects.get().docx_path)
        self.login_as("officer_a")
        for url in (
            reverse("reports:report-download", args=[self.report.pk, "docx"]),
            reverse("api:reports-report-download", args=[self.report.pk, "docx"]),
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)
