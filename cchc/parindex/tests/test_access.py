"""Every page by persona, and list pages in a number of queries that does not grow with units."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from cchc.parindex.models import Assessment, Score
from cchc.parindex.services import period_create
from cchc.parindex.tests.helpers import SMALL_YAML, ParTestCase

PERSONAS = (
    "officer_a",
    "leader_a",
    "officer_b",
    "agency_leader",
    "outsider",
    "citizen",
    "anonymous",
)


class PageAccessTests(ParTestCase):
    def pages(self):
        a, score = self.assessment_a, self.score(self.assessment_a, "1.1.1")
        return {
            reverse("parindex:home"): dict.fromkeys(PERSONAS, 200),
            reverse("parindex:framework-list"): {
                **dict.fromkeys(PERSONAS, 200),
                "citizen": 404,
                "anonymous": 404,
            },
            reverse("parindex:framework-detail", args=[self.framework.pk]): {
                **dict.fromkeys(PERSONAS, 200),
                "citizen": 404,
                "anonymous": 404,
            },
            reverse("parindex:period", args=[self.period.pk]): {
                "officer_a": 200,
                "leader_a": 200,
                "officer_b": 200,
                "agency_leader": 200,
                "outsider": 404,
                "citizen": 404,
                "anonymous": 404,
            },
            reverse("parindex:assessment", args=[a.pk]): self.unit_a_only(),
            reverse("parindex:missing", args=[a.pk]): self.unit_a_only(),
            reverse("parindex:assignments", args=[a.pk]): self.unit_a_only(),
            reverse("parindex:score-history", args=[a.pk, score.pk]): self.unit_a_only(),
            reverse("parindex:result", args=[a.pk]): self.unit_a_only(),
            reverse("parindex:result-pdf", args=[a.pk]): self.unit_a_only(),
        }

    def unit_a_only(self):
        return {
            "officer_a": 200,
            "leader_a": 200,
            "officer_b": 404,
            "agency_leader": 200,
            "outsider": 404,
            "citizen": 404,
            "anonymous": 404,
        }

    def test_each_page_answers_each_persona(self):
        for url, expected in self.pages().items():
            for persona, status in expected.items():
                self.login_as(persona)
                self.assertEqual(self.client.get(url).status_code, status, f"{url} as {persona}")

    def test_the_appraiser_reads_every_assessment_of_the_period(self):
        self.client.force_login(self.appraiser)
        for assessment in (self.assessment_a, self.assessment_b):
            self.assertEqual(
                self.client.get(reverse("parindex:assessment", args=[assessment.pk])).status_code,
                200,
            )

    def test_published_results_are_public_and_nothing_else(self):
        self.set_status(self.assessment_a, Assessment.Status.PUBLISHED)
        self.login_as("anonymous")
        self.assertEqual(
            self.client.get(reverse("parindex:result", args=[self.assessment_a.pk])).status_code,
            200,
        )
        self.assertEqual(
            self.client.get(
                reverse("parindex:result-pdf", args=[self.assessment_a.pk])
            ).status_code,
            200,
        )
        self.assertEqual(
            self.client.get(
                reverse("parindex:assessment", args=[self.assessment_a.pk])
            ).status_code,
            404,
        )
        self.assertEqual(
            self.client.get(
                reverse("parindex:field", args=[self.assessment_a.pk, "1"])
            ).status_code,
            404,
        )


class QueryCountTests(ParTestCase):
    def count(self, url):
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def test_list_pages_do_not_grow_with_the_number_of_units(self):
        self.login_as("agency_leader")
        small = period_create(
            agency=self.agency, framework=self.framework, year=2031, name="Nhỏ", units=[self.unit_a]
        )
        many_units = [self.agency.units.create(code=f"X{i}", name=f"Đơn vị {i}") for i in range(8)]
        big = period_create(
            agency=self.agency, framework=self.framework, year=2032, name="Lớn", units=many_units
        )
        for name in ("period", "period-export"):
            before = self.count(reverse(f"parindex:{name}", args=[small.pk]))
            after = self.count(reverse(f"parindex:{name}", args=[big.pk]))
            self.assertLessEqual(after, before + 1, name)  # +1: the big period has a previous one
        a_small = small.assessments.get()
        a_big = big.assessments.first()
        for name in ("result", "field", "assessment"):
            args = [a_small.pk, "1"] if name == "field" else [a_small.pk]
            big_args = [a_big.pk, "1"] if name == "field" else [a_big.pk]
            self.assertLessEqual(
                self.count(reverse(f"parindex:{name}", args=big_args)),
                self.count(reverse(f"parindex:{name}", args=args)) + 4,
                name,
            )
        self.assertLess(self.count(reverse("parindex:result", args=[a_big.pk])), 25)


class PreviousYearTests(ParTestCase):
    def test_the_public_sees_no_comparison_with_an_unpublished_year(self):
        from cchc.parindex.services import framework_copy

        older = framework_copy(framework=self.framework, year=2024)
        before = period_create(
            agency=self.agency, framework=older, year=2024, name="Kỳ 2024", units=[self.unit_a]
        )
        last_year = before.assessments.get()
        Score.objects.filter(assessment=last_year).update(final_points=1)
        self.set_status(self.assessment_a, Assessment.Status.PUBLISHED)
        api = APIClient()
        url = f"/api/v1/par/assessments/{self.assessment_a.pk}/result"
        api.force_authenticate(self.leader_a)  # reads the unit's own last year
        self.assertEqual(api.get(url).json()["previous_index"], 50.0)
        api.logout()
        self.assertIsNone(api.get(url).json()["previous_index"])
        whatif = f"/api/v1/par/assessments/{self.assessment_a.pk}/whatif"
        self.assertIsNone(
            api.post(whatif, {"fields": ["1"]}, format="json").json()["previous_index"]
        )
        page = self.client.get(reverse("parindex:result", args=[self.assessment_a.pk]))
        self.assertNotContains(page, "Kỳ trước")
        self.assertNotContains(page, "50,000")
        self.set_status(last_year, Assessment.Status.PUBLISHED)
        self.assertEqual(api.get(url).json()["previous_index"], 50.0)
        self.assertContains(
            self.client.get(reverse("parindex:result", args=[self.assessment_a.pk])), "Kỳ trước"
        )


class ApiAccessTests(ParTestCase):
    """Every endpoint by persona, on a draft assessment of unit A: the server decides."""

    PEOPLE = (*PERSONAS, "appraiser", "focal")

    def call(self, persona, method, url, data=None):
        api = APIClient()
        user = self.persona(persona)
        if user is not None:
            api.force_authenticate(user)
        if method == "get":
            return api.get(url).status_code
        if method in ("patch", "json"):
            send = api.patch if method == "patch" else api.post
            return send(url, data, format="json").status_code
        return api.post(url, data).status_code  # multipart

    def expected(self, **overrides):
        return {**dict.fromkeys(self.PEOPLE, 404), **overrides}

    def test_each_endpoint_answers_each_persona(self):
        a = self.assessment_a
        score = self.score(a, "1.1.1")
        readers = {"officer_a": 200, "leader_a": 200, "agency_leader": 200}
        readers.update(appraiser=200, focal=200)
        yaml_file = lambda: SimpleUploadedFile("f.yaml", SMALL_YAML.encode())  # noqa: E731
        csv_file = lambda: SimpleUploadedFile("s.csv", b"unit,code,points\nA,2.2,1\n")  # noqa: E731
        cases = [
            ("get", f"/api/v1/par/assessments/{a.pk}/", None, self.expected(**readers)),
            ("get", f"/api/v1/par/assessments/{a.pk}/result", None, self.expected(**readers)),
            (
                "json",
                f"/api/v1/par/assessments/{a.pk}/whatif",
                {"fields": ["1"]},
                self.expected(**readers),  # open to all, like the published result it reads
            ),
            (
                "patch",
                f"/api/v1/par/scores/{score.pk}/",
                {"self_note": "Ghi chú", "version": 0},
                self.expected(
                    officer_a=403,
                    leader_a=200,
                    agency_leader=403,
                    appraiser=403,
                    focal=403,
                    anonymous=401,
                ),
            ),
            (
                "json",
                f"/api/v1/par/assessments/{a.pk}/actions",
                {"action": "publish"},
                # 409: a draft is not published, whoever asks (who may: test_transitions).
                self.expected(**dict.fromkeys(readers, 409), anonymous=401),
            ),
            (
                "multipart",
                "/api/v1/par/frameworks/import",
                "yaml",
                self.expected(focal=400, anonymous=401),  # 400: TEST 2025 is in use
            ),
            (
                "multipart",
                f"/api/v1/par/periods/{self.period.pk}/survey",
                "csv",
                self.expected(focal=200, anonymous=401),
            ),
        ]
        for method, url, data, expected in cases:
            for persona, status in expected.items():
                body = {"file": yaml_file()} if data == "yaml" else data
                body = {"file": csv_file()} if data == "csv" else body
                with self.subTest(url=url, persona=persona):
                    self.assertEqual(self.call(persona, method, url, body), status)
        self.assertEqual(self.score(a, "1.1.1").self_note, "Ghi chú")
        self.assertEqual(self.score(a, "2.2").survey_points, 1)

    def test_the_public_reads_only_published_results(self):
        self.set_status(self.assessment_b, Assessment.Status.PUBLISHED)
        for persona in ("citizen", "anonymous", "outsider"):
            with self.subTest(persona=persona):
                url = "/api/v1/par/assessments/{}/result"
                self.assertEqual(self.call(persona, "get", url.format(self.assessment_b.pk)), 200)
                self.assertEqual(self.call(persona, "get", url.format(self.assessment_a.pk)), 404)
                self.assertEqual(
                    self.call(persona, "get", f"/api/v1/par/assessments/{self.assessment_b.pk}/"),
                    404,
                )
