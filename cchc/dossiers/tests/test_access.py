"""Every staff page and API endpoint of the desk, for every persona, enforced on the server."""

from cchc.core.roles import Role
from cchc.core.testing import make_user
from cchc.dossiers.models import Dossier, Status
from cchc.dossiers.tests.helpers import DeskTestCase, at

PERSONAS = (
    "desk",
    "other_desk",
    "officer_a",
    "leader_a",
    "officer_b",
    "agency_leader",
    "outsider",
    "citizen",
    "anonymous",
)


class AccessMatrixTests(DeskTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        other_unit = cls.outsider.unit
        cls.other_desk = make_user("other_desk", other_unit, [Role.ONE_STOP_OFFICER])

    def setUp(self):
        self.dossier, _ = self.file_online(at(2026, 3, 2, 8))

    def act_as(self, persona):
        self.client.logout()
        if persona in ("desk", "other_desk"):
            self.client.force_login(getattr(self, persona))
        else:
            self.login_as(persona)

    def check(self, url, expected, method="get"):
        for persona in PERSONAS:
            self.act_as(persona)
            response = getattr(self.client, method)(url)
            self.assertEqual(response.status_code, expected.get(persona, 404), (url, persona))

    def test_the_dossier_pages_and_forms_are_for_the_agency_desk_and_leaders(self):
        code = self.dossier.code
        allowed = {"desk": 200, "agency_leader": 200}
        self.check(f"/ho-so/{code}/", allowed)
        self.check(f"/ho-so/{code}/mau/bm05.html", allowed)

    def test_the_dossier_files_download_for_those_who_see_the_dossier(self):
        item = self.dossier.files.get()
        url = f"/ho-so/{self.dossier.code}/tep/{item.pk}/"
        self.check(url, {"desk": 200, "agency_leader": 200})
        self.act_as("desk")
        response = self.client.get(url)
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertTrue(b"".join(response.streaming_content).startswith(b"%PDF"))
        self.assertContains(self.client.get(f"/ho-so/{self.dossier.code}/"), url)
        other = self.file_online(at(2026, 3, 2, 9))[0].files.get()
        self.assertEqual(
            self.client.get(f"/ho-so/{self.dossier.code}/tep/{other.pk}/").status_code, 404
        )

    def test_the_reception_load_and_statistics_pages(self):
        self.check("/ho-so/tiep-nhan/", {"desk": 200, "other_desk": 200})
        self.check("/ho-so/tai-xu-ly/", {"leader_a": 200, "agency_leader": 200})
        stats = {"desk": 200, "other_desk": 200, "leader_a": 200, "agency_leader": 200}
        self.check("/ho-so/thong-ke/", stats)
        self.check("/api/v1/dossiers/statistics", {**stats, "anonymous": 401})

    def test_the_queue_lists_only_dossiers_in_scope(self):
        staff = ("desk", "other_desk", "officer_a", "leader_a", "officer_b", "agency_leader")
        for persona in PERSONAS:
            self.act_as(persona)
            page = self.client.get("/ho-so/")
            api = self.client.get("/api/v1/dossiers/queue")
            if persona not in staff + ("outsider",):
                self.assertEqual(page.status_code, 404, persona)
                self.assertIn(api.status_code, (401, 404), persona)
                continue
            sees = persona in ("desk", "agency_leader")
            self.assertEqual(self.dossier.code in page.content.decode(), sees, persona)
            self.assertEqual(
                [d["code"] for d in api.json()["results"]],
                [self.dossier.code] if sees else [],
                persona,
            )

    def test_api_transitions_refuse_everyone_but_the_desk_and_change_nothing(self):
        url = f"/api/v1/dossiers/{self.dossier.code}/accept"
        expected = {"agency_leader": 403, "anonymous": 401}
        for persona in PERSONAS[1:]:
            self.act_as(persona)
            self.assertEqual(self.client.post(url).status_code, expected.get(persona, 404), persona)
            self.dossier.refresh_from_db()
            self.assertEqual(self.dossier.status, Status.SUBMITTED, persona)
            self.assertEqual(self.dossier.handovers.count(), 1, persona)
        page = f"/ho-so/{self.dossier.code}/thao-tac/accept/"
        for persona in ("officer_a", "other_desk", "citizen", "anonymous"):
            self.act_as(persona)
            self.assertEqual(self.client.post(page).status_code, 404, persona)
        self.act_as("agency_leader")
        refused = self.client.post(page)
        self.assertEqual(refused.status_code, 403)
        self.assertContains(refused, "cán bộ một cửa", status_code=403)
        self.assertEqual(Dossier.objects.get(pk=self.dossier.pk).status, Status.SUBMITTED)
        self.act_as("desk")
        self.assertEqual(self.client.post(url).status_code, 200)

    def test_the_desk_queue_is_in_the_menu_for_civil_servants_only(self):
        link = '<a href="/ho-so/"'
        for persona, shown in (("officer_a", True), ("citizen", False), ("anonymous", False)):
            self.act_as(persona)
            page = self.client.get("/ho-so/tra-cuu/").content.decode()
            self.assertEqual(link in page, shown, persona)

    def test_a_nul_byte_in_a_parameter_is_a_not_found_not_a_500(self):
        self.act_as("agency_leader")
        for url, status in (
            ("/api/v1/dossiers/lookup?code=A%00&secret=%00", 404),
            ("/ho-so/thong-ke/?linh_vuc=%00", 200),
            ("/ho-so/so-theo-doi/?linh_vuc=%00", 200),
            ("/ho-so/%00/", 404),
            ("/ho-so/%00/bo-sung/", 200),  # the same page for every code without the secret
        ):
            self.assertEqual(self.client.get(url).status_code, status, url)
        for url, status in (
            ("/ho-so/%00/bo-sung/", 400),  # as for a wrong secret
            ("/api/v1/dossiers/%00/supplement", 403),  # as for a wrong secret
            ("/api/v1/dossiers/%00/accept", 404),
        ):
            self.assertEqual(self.client.post(url, {"secret": "x"}).status_code, status, url)
