"""Bad input never gives a 500 nor a half-written record: wrong types, garbage files."""

from django.urls import reverse

from cchc.parindex.models import Score, ScoreChange
from cchc.parindex.tests.helpers import ParTestCase


class ScoreInputTests(ParTestCase):
    def save(self, code, data):
        score = self.score(self.assessment_a, code)
        url = reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk])
        return self.client.post(url, data, HTTP_HX_REQUEST="true"), score

    def test_a_version_that_is_not_a_number_is_refused(self):
        self.login_as("leader_a")
        response, score = self.save("1.1.1", {"self_points": "1", "version": "abc"})
        self.assertContains(response, "Phiên bản không hợp lệ", status_code=400)
        self.assertIsNone(Score.objects.get(pk=score.pk).self_points)
        self.assertFalse(ScoreChange.objects.exists())

    def test_a_long_note_is_kept_whole_in_the_history(self):
        self.login_as("leader_a")
        note = "Thuyết minh dài. " * 250  # 4250 characters
        response, score = self.save("1.1.1", {"self_points": "1", "self_note": note})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Score.objects.get(pk=score.pk).self_note, note.strip())
        self.assertEqual(ScoreChange.objects.get(field="self_note").new, note.strip())

