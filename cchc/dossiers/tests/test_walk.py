"""Every procedure of the demo catalogue worked end to end through the API by the demo's own
people: filed online, received, moved through every internal step by the account who may act
there, decided at the decision step, returned, and seen in the public lookup. On the way,
deciding early, acting at the wrong unit and acting twice are refused with nothing changed."""

import sys
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings

from cchc.core.testing import VerifiedClient
from cchc.core.tests.test_permission_matrix import fingerprint
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, Status
from cchc.dossiers.tests.demo_desk import demo_user, load_demo_catalogue, workable_procedures
from cchc.dossiers.tests.helpers import PDF


@override_settings(SITE_AGENCY_CODE="SKHCN")
class DemoCatalogueWalkTests(TestCase):
    client_class = VerifiedClient  # staff sign-ins pass two-factor (cchc.core.testing)

    @classmethod
    def setUpTestData(cls):
        load_demo_catalogue()

    def api(self, username, dossier_code, action, **data):
        self.client.force_login(demo_user(username))
        return self.client.post(
            f"/api/v1/dossiers/{dossier_code}/{action}", data, content_type="application/json"
        )

    def detail(self, username, code):
        self.client.force_login(demo_user(username))
        response = self.client.get(f"/api/v1/dossiers/{code}")
        self.assertEqual(response.status_code, 200)
        return response.json()

    def refused(self, username, code, action, status, **data):
        """The action is refused with `status`, a message, and no row of the project changed."""
        before = fingerprint()
        response = self.api(username, code, action, **data)
        statuses = status if isinstance(status, tuple) else (status,)
        self.assertIn(response.status_code, statuses, (username, action, response.content))
        self.assertTrue(response.json()["errors"][0]["message"])
        self.assertEqual(fingerprint(), before, (username, action))
        return response.json()["errors"][0]["message"]

    def file_online(self, procedure):
        self.client.logout()
        data = {
            "procedure": procedure.pk,
            "applicant_kind": "organisation",
            "name": "Công ty TNHH Công nghệ Việt Trì",
            "id_number": "2600123456",
            "phone": "0912345678",
            "address": "Việt Trì, Phú Thọ",
        }
        for c in procedure.components.all():
            data[f"component_{c.pk}"] = SimpleUploadedFile(
                "giay-to.pdf", PDF, content_type="application/pdf"
            )
        response = self.client.post("/api/v1/dossiers/", data)
        self.assertEqual(response.status_code, 201, response.content)
        return response.json()

    def test_every_demo_procedure_is_worked_from_filing_to_public_lookup(self):
        started = time.perf_counter()
        procedures = workable_procedures()
        self.assertGreaterEqual(len(procedures), 9)
        steps_walked = 0
        for procedure in procedures:
            with self.subTest(procedure=procedure.name[:60]):
                steps_walked += self.walk(procedure)
        elapsed = time.perf_counter() - started
        print(
            f"\nwalked {len(procedures)} procedures, {steps_walked} internal steps "
            f"in {elapsed:.1f} s",
            file=sys.stderr,
        )

    def walk(self, procedure) -> int:
        steps = list(procedure.steps.select_related("unit").order_by("order"))
        self.assertTrue(steps, procedure.name)
        decision = next(s for s in steps if s.is_decision)
        filed = self.file_online(procedure)
        code = filed["code"]
        self.assertIn(code, self.queue("motcua", loc="new"))  # the desk's queue of new filings
        self.assertEqual(self.api("motcua", code, "accept").status_code, 200)
        body = self.detail("motcua", code)
        self.assertEqual(body["step"]["id"], steps[0].pk)

        # Deciding right after reception is refused, and says at which step the dossier is.
        message = self.refused(
            "giamdoc",
            code,
            "decide",
            403,
            result_text="x",
            step=steps[0].pk,
            version=body["version"],
        )
        self.assertIn(steps[0].name, message)

        walked = 0
        for step in steps:
            body = self.detail("motcua", code)
            self.assertEqual(body["step"]["id"], step.pk)
            seen = {"step": step.pk, "version": body["version"]}
            actor = self.person_for(step)
            # The one who acts finds it in their queue, filtered by the step it is at.
            self.assertIn(code, self.queue(actor, step=step.pk), (actor, step.name))
            # Someone of another unit who sees the dossier may not act here: told why.
            stranger = "giamdoc" if step.unit.code == "VP" else "motcua"
            message = self.refused(
                stranger,
                code,
                "hand-over"
                if step.order < decision.order
                else ("decide" if step == decision else "return"),
                403,
                result_text="x",
                **seen,
            )
            self.assertIn(step.name, message)
            walked += 1
            if step.order < decision.order:
                self.assertEqual(self.api(actor, code, "hand-over", **seen).status_code, 200)
                # The same hand-over again (a double click): the dossier has moved on; one who
                # no longer sees it (handed to another unit) gets 404.
                message = self.refused(actor, code, "hand-over", (409, 404), **seen)
                if self.client.get(f"/api/v1/dossiers/{code}").status_code == 200:
                    self.assertIn("hãy tải lại", message)
            elif step == decision:
                response = self.api(actor, code, "decide", result_text="Đã cấp", **seen)
                self.assertEqual(response.status_code, 200, response.content)
                self.assertEqual(response.json()["status"], Status.DECIDED)
                # Deciding twice is refused (404 for a unit leader: it left the unit).
                again = response.json()["version"]
                step_now = response.json()["step"]["id"] if response.json()["step"] else None
                self.refused(
                    actor, code, "decide", (409, 404), result_text="x", step=step_now, version=again
                )
            else:
                response = self.api(actor, code, "return")
                self.assertEqual(response.status_code, 200, response.content)
                break
        self.assertEqual(Dossier.objects.get(code=code).status, Status.RETURNED)
        self.assert_control_slip(code, steps, decision)
        self.client.logout()
        lookup = self.client.get("/api/v1/dossiers/lookup", {"code": code}).json()
        self.assertEqual(lookup["status"], Status.RETURNED)
        # The applicant, signed in, adds it to "my dossiers" with the code and secret.
        self.client.force_login(demo_user("congdan"))
        response = self.client.post(
            "/api/v1/dossiers/mine",
            {"code": code, "secret": filed["secret"]},
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        mine = {d["code"]: d for d in self.client.get("/api/v1/dossiers/mine").json()}
        self.assertEqual(mine[code]["status"], Status.RETURNED)
        self.assertIn("bm01", [f["code"] for f in mine[code]["forms"]])
        self.client.logout()
        return walked

    def queue(self, username, **filters) -> set[str]:
        self.client.force_login(demo_user(username))
        response = self.client.get("/api/v1/dossiers/queue", filters)
        self.assertEqual(response.status_code, 200, response.content)
        return {d["code"] for d in response.json()["results"]}

    def assert_control_slip(self, code, steps, decision):
        """BM.05 has a row for each step handed on and for the decision, each with the step's
        due and its result (early / on time / late)."""
        self.client.force_login(demo_user("motcua"))
        response = self.client.get(f"/ho-so/{code}/mau/bm05.html")
        self.assertEqual(response.status_code, 200)
        measured = [r for r in response.context["rows"] if r["outcome"]]
        self.assertEqual(len(measured), decision.order, [r["label"] for r in measured])
        for row, step in zip(measured, steps, strict=False):
            self.assertIn(step.name, row["label"])
            self.assertIsNotNone(row["step_due"], row["label"])

    def person_for(self, step) -> str:
        """The demo account who may act at the step (the loader gave each step one)."""
        people = [p for p in services.step_people(step) if not p.is_superuser]
        self.assertTrue(people, f"no demo account for step {step}")
        return people[0].username
