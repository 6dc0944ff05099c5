"""The petition's declared transitions (services.FLOW) drive the service, the buttons of the
staff page, the API's available actions and the one dispatch of pages and API."""

import dataclasses
from unittest import mock

from django.core.exceptions import PermissionDenied

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.core.transitions import TransitionError
from cchc.feedback import services
from cchc.feedback.models import Petition

S = Petition.Status


class PetitionFlowTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()
        cls.handler = make_user("handler", cls.leadership, [Role.PETITION_HANDLER])

    def setUp(self):
        self.petition = services.petition_submit(
            agency=self.agency,
            sender_name="Trần Thị Bình",
            sender_email="binh@example.vn",
            subject="Đề nghị hướng dẫn",
            content="Nội dung",
            consent_to_publish=True,
        )
        self.page = f"/pakn/xu-ly/{self.petition.code}/"
        self.api = f"/api/v1/feedback/petitions/{self.petition.code}/"

    def slugs(self):
        return [a["slug"] for a in self.client.get(self.api).json()["actions"]]

    def test_the_table_drives_buttons_api_actions_and_the_service(self):
        self.client.force_login(self.handler)
        self.assertEqual(self.slugs(), ["accept", "refuse", "forward"])
        self.assertContains(self.client.get(self.page), 'action="' + self.page + 'refuse/"')
        # Refusing only from "accepted" in the table: gone from the page and the API...
        refuse = dataclasses.replace(services.FLOW["refuse"], sources=frozenset({S.ACCEPTED}))
        with mock.patch.dict(services.FLOW.transitions, {"refuse": refuse}):
            self.assertEqual(self.slugs(), ["accept", "forward"])
            self.assertNotContains(self.client.get(self.page), self.page + "refuse/")
            # ... refused by the service, 409 in the API and on the page, nothing written.
            with self.assertRaises(TransitionError):
                services.petition_refuse(actor=self.handler, petition=self.petition, reason="R")
            response = self.client.post(self.api + "refuse/", {"reason": "R"})
            self.assertEqual(response.status_code, 409)
            self.assertIn("Đã tiếp nhận", response.json()["errors"][0]["message"])
            self.assertEqual(
                self.client.post(self.page + "refuse/", {"reason": "R"}).status_code, 409
            )
        self.assertEqual(Petition.objects.get(pk=self.petition.pk).status, S.RECEIVED)

    def test_the_same_role_in_another_agency_is_refused_with_the_reason(self):
        chief = self.persona("outsider_chief")  # petition handler and leader elsewhere
        with self.assertRaisesMessage(PermissionDenied, "PAKN thuộc cơ quan khác"):
            services.petition_accept(actor=chief, petition=self.petition)
        self.assertEqual(services.FLOW.available(chief, self.petition), [])
        self.client.force_login(chief)
        self.assertEqual(self.client.get(self.api).status_code, 404)
        self.assertEqual(self.client.post(self.api + "accept/").status_code, 404)
        self.assertEqual(Petition.objects.get(pk=self.petition.pk).status, S.RECEIVED)

    def test_the_unit_answers_but_may_not_triage(self):
        services.petition_accept(actor=self.handler, petition=self.petition, unit=self.unit_a)
        self.login_as("officer_a")
        self.assertEqual(self.slugs(), ["answer"])
        page = self.client.get(self.page)
        self.assertContains(page, self.page + "answer/")
        self.assertNotContains(page, self.page + "refuse/")
        response = self.client.post(self.api + "refuse/", {"reason": "R"})
        self.assertEqual(response.status_code, 403)
        self.assertIn("cán bộ xử lý PAKN", response.json()["errors"][0]["message"])
        page = self.client.post(self.page + "refuse/", {"reason": "R"})
        self.assertContains(page, "cán bộ xử lý PAKN", status_code=403)
        self.assertEqual(Petition.objects.get(pk=self.petition.pk).status, S.ACCEPTED)
        # Bad input: the field's message, nothing written; then the answer goes through.
        response = self.client.post(self.api + "answer/", {"answer": ""})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "answer")
        response = self.client.post(self.api + "answer/", {"answer": "Đã xử lý"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], S.ANSWERED)
        self.assertEqual(response.json()["actions"], [])

    def test_a_wrong_state_is_409_in_the_api(self):
        self.client.force_login(self.handler)
        response = self.client.post(self.api + "publish/")
        self.assertEqual(response.status_code, 409)
        self.assertIn("Đã tiếp nhận", response.json()["errors"][0]["message"])
        self.assertEqual(self.client.post(self.api + "unknown/").status_code, 404)
        self.assertEqual(self.client.post(self.api + "accept/").json()["status"], S.ACCEPTED)
        self.assertEqual(self.client.post(self.api + "accept/").status_code, 409)
