"""REST API: periods, assessment scores, score PATCH by role and status, result, what-if."""

from decimal import Decimal

from rest_framework.test import APIClient

from cchc.parindex.models import Assessment, Score
from cchc.parindex.services import assessment_transition
from cchc.parindex.tests.helpers import ParTestCase

FULL = {"1.1.1": 2, "1.1.2": 2, "1.2": 2, "2.1.1": 2, "2.2": 2}


class ApiTests(ParTestCase):
    def setUp(self):
        self.api = APIClient()

    def as_(self, persona):
        self.api.logout()
        user = self.persona(persona)
        if user is not None:
            self.api.force_authenticate(user)

    def test_periods_are_listed_for_staff_of_the_agency_and_public_when_published(self):
        for persona, count in {
            "officer_a": 1,
            "agency_leader": 1,
            "outsider": 0,
            "citizen": 0,
            "anonymous": 0,
        }.items():
            self.as_(persona)
            response = self.api.get("/api/v1/par/periods/")
            self.assertEqual(response.status_code, 200)
            self.assertEqual(len(response.json()), count, persona)
        self.set_status(self.assessment_b, Assessment.Status.PUBLISHED)
        self.as_("anonymous")
        self.assertEqual(len(self.api.get("/api/v1/par/periods/").json()), 1)

    def test_assessment_scores_are_read_by_role(self):
        url = f"/api/v1/par/assessments/{self.assessment_a.pk}/"
        expected = {
            "officer_a": 200,
            "leader_a": 200,
            "agency_leader": 200,
            "officer_b": 404,
            "outsider": 404,
            "citizen": 404,
        }
        for persona, status in expected.items():
            self.as_(persona)
            self.assertEqual(self.api.get(url).status_code, status, persona)
        self.as_("anonymous")
        self.assertEqual(self.api.get(url).status_code, 404)
        self.as_("leader_a")
        body = self.api.get(url).json()
        self.assertEqual(len(body["scores"]), 5)
        self.assertEqual(body["scores"][0]["code"], "1.1.1")
        self.assertEqual(body["status"], "draft")

    def test_patch_respects_role_status_and_version(self):
        score = self.score(self.assessment_a, "1.1.1")
        url = f"/api/v1/par/scores/{score.pk}/"
        self.as_("officer_b")
        one = {"self_points": "1", "version": 0}
        self.assertEqual(self.api.patch(url, one, format="json").status_code, 404)
        self.as_("officer_a")
        self.assertEqual(self.api.patch(url, one, format="json").status_code, 403)
        self.as_("leader_a")
        response = self.api.patch(url, {"self_points": "1"}, format="json")
        self.assertEqual(response.status_code, 400)  # every change needs the version read
        self.assertEqual(response.json()["errors"][0]["field"], "version")
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        response = self.api.patch(url, {"self_points": "3", "version": 0}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "self_points")
        self.assertIn("Điểm tối đa", response.json()["errors"][0]["message"])
        response = self.api.patch(
            url, {"self_points": "1.75", "self_note": "Thiếu", "version": 0}, format="json"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["version"], 1)
        self.assertEqual(Decimal(response.json()["self_points"]), Decimal("1.75"))
        response = self.api.patch(url, {"self_points": "2", "version": 0}, format="json")
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json()["current"]["version"], 1)
        self.assertEqual(Score.objects.get(pk=score.pk).self_points, Decimal("1.75"))
        self.as_("appraiser")
        response = self.api.patch(
            url, {"round1_points": "1", "round1_reason": "x", "version": 1}, format="json"
        )
        self.assertEqual(response.status_code, 400)  # not in appraisal yet
        assessment_transition(
            assessment_id=self.assessment_a.pk, actor=self.leader_a, action="submit"
        )
        assessment_transition(
            assessment_id=self.assessment_a.pk, actor=self.appraiser, action="start_appraisal"
        )
        response = self.api.patch(
            url, {"round1_points": "1", "round1_reason": "Thiếu minh chứng"}, format="json"
        )
        self.assertEqual(response.status_code, 400)  # an appraisal needs the version read
        self.assertEqual(response.json()["errors"][0]["field"], "version")
        version = Score.objects.get(pk=score.pk).version
        response = self.api.patch(url, {"round1_points": "1", "version": version}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["field"], "round1_reason")
        response = self.api.patch(
            url,
            {"round1_points": "1", "round1_reason": "Thiếu minh chứng", "version": version},
            format="json",
        )
        self.assertEqual(response.status_code, 200)
        self.as_("leader_a")
        version = Score.objects.get(pk=score.pk).version
        response = self.api.patch(url, {"self_points": "2", "version": version}, format="json")
        self.assertEqual(response.status_code, 400)  # self-assessment closed during appraisal

    def test_the_result_has_the_documented_shape(self):
        self.set_points(self.assessment_a, {**FULL, "1.1.1": 1})
        self.set_points(self.assessment_b, FULL)
        self.as_("leader_a")
        response = self.api.get(f"/api/v1/par/assessments/{self.assessment_a.pk}/result")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        for key in (
            "total",
            "index",
            "scale",
            "fields",
            "criteria_at_max",
            "criteria_total",
            "components_at_max",
            "components_total",
            "rank",
            "units_ranked",
            "lost",
            "previous_index",
        ):
            self.assertIn(key, body)
        self.assertEqual(body["total"], 9.0)
        self.assertEqual(body["index_text"], "90,000")
        self.assertIs(body["sample"], False)
        self.assertEqual((body["rank"], body["units_ranked"]), (2, 2))
        self.assertEqual(body["lost"], [{"code": "1.1.1", "lost": 1.0}])
        self.assertEqual(set(body["fields"][0]), {"code", "name", "points", "max", "percent"})
        self.as_("anonymous")
        self.assertEqual(
            self.api.get(f"/api/v1/par/assessments/{self.assessment_a.pk}/result").status_code, 404
        )
        self.set_status(self.assessment_a, Assessment.Status.PUBLISHED)
        self.assertEqual(
            self.api.get(f"/api/v1/par/assessments/{self.assessment_a.pk}/result").status_code, 200
        )

    def test_what_if_saves_nothing(self):
        self.set_points(self.assessment_a, {**FULL, "1.1.1": 1, "2.1.1": 0})
        self.set_points(self.assessment_b, FULL)
        self.as_("leader_a")
        url = f"/api/v1/par/assessments/{self.assessment_a.pk}/whatif"
        response = self.api.post(url, {"leaves": ["1.1.1"], "fields": ["2"]}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["total"], 10.0)
        self.assertEqual(response.json()["rank"], 1)
        self.assertEqual(
            Score.objects.get(assessment=self.assessment_a, node__code="1.1.1").final_points, 1
        )
        response = self.api.post(url, {"leaves": ["9.9"]}, format="json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("9.9", response.json()["errors"][0]["message"])
        self.assertEqual(self.api.post(url, {}, format="json").status_code, 400)
        self.as_("officer_b")
        self.assertEqual(self.api.post(url, {"leaves": ["1.1.1"]}, format="json").status_code, 404)

    def test_the_endpoints_are_in_the_schema(self):
        schema = self.client.get("/api/schema/", {"format": "json"}).json()
        for path in (
            "/api/v1/par/periods/",
            "/api/v1/par/assessments/{id}/",
            "/api/v1/par/assessments/{id}/result",
            "/api/v1/par/assessments/{id}/whatif",
            "/api/v1/par/scores/{id}/",
        ):
            self.assertIn(path, schema["paths"])
        self.assertIn("patch", schema["paths"]["/api/v1/par/scores/{id}/"])


class ActionApiTests(ParTestCase):
    def test_the_status_flow_through_the_api(self):
        api = APIClient()
        url = f"/api/v1/par/assessments/{self.assessment_a.pk}/actions"
        api.force_authenticate(self.officer_a)
        self.assertEqual(api.post(url, {"action": "submit"}, format="json").status_code, 403)
        api.force_authenticate(self.officer_b)
        self.assertEqual(api.post(url, {"action": "submit"}, format="json").status_code, 404)
        api.force_authenticate(self.leader_a)
        response = api.post(url, {"action": "submit"}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "submitted")
        response = api.post(url, {"action": "submit"}, format="json")
        self.assertEqual(response.status_code, 409)
        self.assertIn("Đã nộp", response.json()["errors"][0]["message"])
        self.assertEqual(api.post(url, {"action": "fly"}, format="json").status_code, 400)
        api.force_authenticate(self.appraiser)
        response = api.post(url, {"action": "start_appraisal"}, format="json")
        self.assertEqual(response.json()["allowed_actions"], ["request_explanation", "finalise"])


class ImportApiTests(ParTestCase):
    def test_framework_import_reports_every_problem_or_creates_it(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from cchc.parindex.models import Framework
        from cchc.parindex.tests.helpers import SMALL_YAML

        api = APIClient()
        url = "/api/v1/par/frameworks/import"
        api.force_authenticate(self.agency_leader)
        self.assertEqual(
            api.post(url, {"file": SimpleUploadedFile("f.yaml", b"x")}).status_code, 404
        )
        api.force_authenticate(self.focal)
        broken = (
            SMALL_YAML.replace("code: TEST", "code: API")
            .replace("scale: 10", "scale: 9")
            .replace("rule: {kind: manual}}", "rule: {kind: guess}}")
        )
        response = api.post(url, {"file": SimpleUploadedFile("f.yaml", broken.encode())})
        self.assertEqual(response.status_code, 400)
        messages = [e["message"] for e in response.json()["errors"]]
        self.assertTrue(any("guess" in m and "mã 2.1.1" in m for m in messages), messages)
        self.assertFalse(Framework.objects.filter(code="API").exists())
        good = SMALL_YAML.replace("code: TEST", "code: API")
        response = api.post(url, {"file": SimpleUploadedFile("f.yaml", good.encode())})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["code"], "API")

    def test_survey_import_through_the_api(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        api = APIClient()
        url = f"/api/v1/par/periods/{self.period.pk}/survey"
        api.force_authenticate(self.officer_a)
        self.assertEqual(
            api.post(
                url, {"file": SimpleUploadedFile("s.csv", b"unit,code,points\nA,2.2,1\n")}
            ).status_code,
            404,
        )
        api.force_authenticate(self.focal)
        response = api.post(
            url, {"file": SimpleUploadedFile("s.csv", b"unit,code,points\nA,2.2,1\nB,2.2,9\n")}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("dòng 3", response.json()["errors"][0]["message"])
        self.assertIsNone(self.score(self.assessment_a, "2.2").survey_points)
        response = api.post(
            url, {"file": SimpleUploadedFile("s.csv", b"unit,code,points\nA,2.2,1\nB,2.2,2\n")}
        )
        self.assertEqual(response.json(), {"imported": 2})
