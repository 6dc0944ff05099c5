"""The assessment's declared transitions (services.FLOW) drive the service, the buttons of the
detail page, the API's list of available actions and the one dispatch of pages and API."""

import dataclasses
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from cchc.core.transitions import TransitionError
from cchc.parindex import services
from cchc.parindex.models import Assessment
from cchc.parindex.tests.helpers import ParTestCase

Status = Assessment.Status


class DeclaredTransitionTests(ParTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()

    def setUp(self):
        self.api = APIClient()
        self.url = f"/api/v1/par/assessments/{self.assessment_a.pk}/actions"

    def buttons(self):
        response = self.client.get(reverse("parindex:assessment", args=[self.assessment_a.pk]))
        return [slug for slug, _label in response.context["actions"]]

    def test_a_transition_refused_in_the_table_is_refused_everywhere(self):
        self.login_as("leader_a")
        self.assertEqual(self.buttons(), ["submit"])
        refused = dataclasses.replace(services.FLOW["submit"], who=lambda actor, a: "Tạm khoá.")
        with mock.patch.dict(services.FLOW.transitions, {"submit": refused}):
            self.assertEqual(self.buttons(), [])
            self.api.force_authenticate(self.leader_a)
            response = self.api.post(self.url, {"action": "submit"}, format="json")
            self.assertEqual(response.status_code, 403)
            self.assertEqual(response.json()["errors"][0]["message"], "Tạm khoá.")
            response = self.client.post(
                reverse("parindex:assessment-action", args=[self.assessment_a.pk]),
                {"action": "submit"},
            )
            self.assertContains(response, "Tạm khoá.", status_code=403)
            with self.assertRaisesMessage(PermissionDenied, "Tạm khoá."):
                services.assessment_transition(
                    assessment_id=self.assessment_a.pk, actor=self.leader_a, action="submit"
                )
        self.assessment_a.refresh_from_db()
        self.assertEqual(self.assessment_a.status, Status.DRAFT)

    def test_the_same_role_in_another_agency_is_refused_with_the_reason(self):
        for persona, action, status in (
            ("outsider_leader", "submit", Status.DRAFT),
            ("outsider_appraiser", "start_appraisal", Status.SUBMITTED),
            ("outsider_chief", "publish", Status.FINALISED),
        ):
            with self.subTest(persona):
                self.set_status(self.assessment_a, status)
                with self.assertRaisesMessage(PermissionDenied, "thuộc cơ quan khác"):
                    services.assessment_transition(
                        assessment_id=self.assessment_a.pk,
                        actor=self.persona(persona),
                        action=action,
                    )
                self.assessment_a.refresh_from_db()
                self.assertEqual(self.assessment_a.status, status)

    def test_only_the_focal_point_of_the_agency_may_publish(self):
        self.set_status(self.assessment_a, Status.FINALISED)
        for persona in ("officer_a", "leader_a", "agency_leader", "appraiser", "focal"):
            with self.subTest(persona):
                self.api.force_authenticate(self.persona(persona))
                response = self.api.post(self.url, {"action": "publish"}, format="json")
                if persona != "focal":
                    self.assertEqual(response.status_code, 403)
                    self.assertIn("đầu mối", response.json()["errors"][0]["message"])
        self.assertEqual(response.status_code, 200)
        self.assessment_a.refresh_from_db()
        self.assertEqual(self.assessment_a.status, Status.PUBLISHED)

    def test_the_api_lists_the_declared_actions_and_answers_409_for_a_wrong_state(self):
        self.api.force_authenticate(self.officer_a)
        response = self.api.post(self.url, {"action": "submit"}, format="json")
        self.assertEqual(response.status_code, 403)
        self.assertIn("lãnh đạo", response.json()["errors"][0]["message"])
        self.api.force_authenticate(self.leader_a)
        response = self.api.post(self.url, {"action": "submit"}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["actions"], [])
        response = self.api.post(self.url, {"action": "submit"}, format="json")
        self.assertEqual(response.status_code, 409)
        self.assertIn("Đã nộp", response.json()["errors"][0]["message"])
        self.api.force_authenticate(self.appraiser)
        response = self.api.post(self.url, {"action": "start_appraisal"}, format="json")
        self.assertEqual(
            response.json()["actions"],
            [
                {"slug": "request_explanation", "label": "Yêu cầu giải trình"},
                {"slug": "finalise", "label": "Chốt kết quả"},
            ],
        )
        response = self.api.post(self.url, {"action": "publish", "reason": "x" * 2001})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "reason")

    def test_a_wrong_state_on_the_page_answers_409_with_the_reason(self):
        self.set_status(self.assessment_a, Status.SUBMITTED)
        self.login_as("leader_a")
        response = self.client.post(
            reverse("parindex:assessment-action", args=[self.assessment_a.pk]),
            {"action": "submit"},
        )
        self.assertContains(response, "Đã nộp", status_code=409)
        with self.assertRaises(TransitionError):
            services.assessment_transition(
                assessment_id=self.assessment_a.pk, actor=self.leader_a, action="submit"
            )
