"""A task's status changes are the declared transitions of `services.FLOW`: the same table
gives the buttons of the task page, the API's available actions, the one dispatch of both and
the service's refusals (403 with the reason for "who", 409 for a wrong state)."""

import datetime as dt
from unittest import mock

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cchc.core.models import AuditEntry
from cchc.core.testing import PersonaTestCase
from cchc.core.transitions import TransitionError
from cchc.plans import services
from cchc.plans.tests.factories import d, make_plan, make_task


class TaskTransitionTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()

    def setUp(self):
        self.plan = make_plan(self.agency, 2024)
        self.task = make_task(self.plan, self.unit_a, deadline=d(2024, 3, 1))
        self.page = reverse("plans:task-detail", args=[self.task.pk])
        self.api = reverse("api:plans-task-detail", args=[self.task.pk])

    def action(self, slug, *, api=False):
        name = "api:plans-task-action" if api else "plans:task-action"
        return reverse(name, args=[self.task.pk, slug])

    def post_api(self, slug, data=None):
        return self.client.post(self.action(slug, api=True), data or {}, "application/json")

    def slugs(self):
        return [a["slug"] for a in self.client.get(self.api).json()["actions"]]

    def test_the_lead_unit_runs_the_declared_actions_on_the_page_and_in_the_api(self):
        self.login_as("officer_a")
        body = self.client.get(self.api).json()
        self.assertEqual(body["actions"][0], {"slug": "start", "label": "Bắt đầu thực hiện"})
        self.assertEqual(self.slugs(), ["start", "complete"])
        page = self.client.get(self.page)
        self.assertContains(page, self.action("start"))
        self.assertNotContains(page, self.action("reopen"))

        self.assertRedirects(self.client.post(self.action("start")), self.page)
        entry = AuditEntry.objects.get(action="task_status")
        self.assertEqual((entry.from_state, entry.to_state), ("not_started", "in_progress"))

        # The transition's form checks the input in the API as on the page.
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        response = self.post_api("complete", {"completed_on": tomorrow.isoformat()})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "completed_on")
        response = self.post_api("complete", {"completed_on": "2024-03-01", "note": "Xong"})
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json()["status"], "done")
        self.assertEqual([a["slug"] for a in response.json()["actions"]], ["reopen", "reset"])
        entry = AuditEntry.objects.filter(action="task_status").latest("pk")
        self.assertEqual(
            (entry.from_state, entry.to_state, entry.reason), ("in_progress", "done", "Xong")
        )

        # A wrong state: 409 with the state named, nothing changed.
        response = self.post_api("start")
        self.assertEqual(response.status_code, 409)
        self.assertIn("Hoàn thành", str(response.json()))
        self.task.refresh_from_db()
        self.assertEqual((self.task.status, self.task.completed_on), ("done", d(2024, 3, 1)))

    def test_a_malformed_documented_field_is_refused_even_by_an_action_that_ignores_it(self):
        # Found by the API fuzzer: "start" accepted completed_on="m\x00…" with 200.
        self.login_as("officer_a")
        response = self.post_api("start", {"completed_on": "m\x00v"})
        self.assertEqual(response.status_code, 400, response.content)
        self.assertEqual(response.json()["errors"][0]["field"], "completed_on")
        self.task.refresh_from_db()
        self.assertEqual(self.task.status, "not_started")

    def test_a_transition_taken_out_of_the_table_is_gone_everywhere(self):
        self.login_as("officer_a")
        with mock.patch.dict(services.FLOW.transitions):
            del services.FLOW.transitions["complete"]
            self.assertEqual(self.slugs(), ["start"])
            self.assertNotContains(self.client.get(self.page), self.action("complete"))
            self.assertEqual(self.client.post(self.action("complete")).status_code, 404)
            self.assertEqual(self.post_api("complete").status_code, 404)
            # Nor can the progress report, the PATCH or the service mark it done.
            response = self.client.patch(self.api, {"status": "done"}, "application/json")
            self.assertEqual(response.status_code, 409)
            response = self.client.post(
                self.page, {"action": "progress", "status": "done", "progress": "100"}
            )
            self.assertEqual(response.status_code, 400)
            with self.assertRaises(TransitionError):
                services.task_update(actor=self.agency_leader, task=self.task, status="done")
        self.task.refresh_from_db()
        self.assertEqual(self.task.status, "not_started")
        self.assertFalse(AuditEntry.objects.filter(action="task_status").exists())

    def test_another_unit_and_the_same_role_in_another_agency_are_refused_with_the_reason(self):
        self.login_as("officer_b")
        self.assertEqual(self.slugs(), [])
        response = self.post_api("start")
        self.assertEqual(response.status_code, 403)
        self.assertIn(self.unit_a.name, str(response.json()))
        response = self.client.post(self.action("start"))
        self.assertContains(response, self.unit_a.name, status_code=403)
        # Every agency-wide role, but of another agency: refused, and the task is not shown.
        with self.assertRaises(PermissionDenied) as refused:
            services.task_start(actor=self.outsider_chief, task=self.task)
        self.assertIn("cơ quan khác", str(refused.exception))
        self.login_as("outsider_chief")
        self.assertEqual(self.post_api("start").status_code, 404)
        self.task.refresh_from_db()
        self.assertEqual(self.task.status, "not_started")
        self.assertFalse(AuditEntry.objects.filter(action="task_status").exists())
