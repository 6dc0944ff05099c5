"""Every page action (POST) and the remaining pages, by persona: the server decides."""

from django.urls import reverse

from cchc.parindex.models import Assignment, Framework, Score
from cchc.parindex.tests.helpers import ParTestCase
from cchc.parindex.tests.test_access import PERSONAS

PEOPLE = (*PERSONAS, "appraiser", "focal")


class PageActionAccessTests(ParTestCase):
    def expected(self, **overrides):
        return {**dict.fromkeys(PEOPLE, 404), **overrides}

    def status(self, persona, method, url, data=None):
        self.login_as(persona)
        if method == "get":
            return self.client.get(url).status_code
        return self.client.post(url, data or {}, HTTP_HX_REQUEST="true").status_code

    def test_each_page_and_action_answers_each_persona(self):
        a = self.assessment_a
        score = self.score(a, "1.1.1")
        readers = dict.fromkeys(
            ("officer_a", "leader_a", "agency_leader", "appraiser", "focal"), 200
        )
        node = self.framework.nodes.get(code="1")
        cases = [
            ("get", reverse("parindex:field", args=[a.pk, "1"]), None, self.expected(**readers)),
            (
                "get",
                reverse("parindex:period-export", args=[self.period.pk]),
                None,
                self.expected(agency_leader=200, appraiser=200, focal=200),
            ),
            (
                "get",
                reverse("parindex:survey-import", args=[self.period.pk]),
                None,
                self.expected(focal=200),
            ),
            ("get", reverse("parindex:period-new"), None, self.expected(focal=200)),
            ("get", reverse("parindex:framework-import"), None, self.expected(focal=200)),
            (
                "post",
                reverse("parindex:score-save", args=[a.pk, score.pk]),
                {"self_note": "Ghi chú", "version": 0},
                self.expected(leader_a=200),
            ),
            (
                "post",
                reverse("parindex:evidence-upload", args=[a.pk, score.pk]),
                {},
                self.expected(leader_a=302),  # no file: a message, nothing written
            ),
            (
                "post",
                reverse("parindex:assessment-action", args=[a.pk]),
                {"action": "publish"},
                # A draft is not published, whoever asks: 409 with the reason.
                self.expected(**dict.fromkeys(readers, 409)),
            ),
            (
                "post",
                reverse("parindex:metrics-refresh", args=[a.pk]),
                {},
                self.expected(leader_a=302),
            ),
            (
                "post",
                reverse("parindex:assignments", args=[a.pk]),
                {"node": node.pk, "person": self.officer_a.pk},
                self.expected(leader_a=302, focal=302),
            ),
            (
                "post",
                reverse("parindex:framework-copy", args=[self.framework.pk]),
                {"year": "2030"},
                self.expected(focal=302),
            ),
        ]
        for method, url, data, expected in cases:
            for persona, status in expected.items():
                with self.subTest(url=url, persona=persona):
                    self.assertEqual(self.status(persona, method, url, data), status)
        self.assertEqual(Score.objects.get(pk=score.pk).self_note, "Ghi chú")
        self.assertEqual(Assignment.objects.filter(assessment=a).count(), 1)
        self.assertEqual(Framework.objects.filter(year=2030).count(), 1)
        self.assessment_a.refresh_from_db()
        self.assertEqual(self.assessment_a.status, "draft")
