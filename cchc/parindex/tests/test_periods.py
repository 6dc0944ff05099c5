"""Opening periods, copying a framework for a new year, assigning criteria."""

from django.urls import reverse

from cchc.parindex.models import Assignment, Framework, Period, Score
from cchc.parindex.tests.helpers import ParTestCase


class PeriodPageTests(ParTestCase):
    def test_the_focal_point_opens_a_period_with_a_score_row_per_leaf_and_unit(self):
        url = reverse("parindex:period-new")
        for persona in ("officer_a", "leader_a", "agency_leader", "citizen", "anonymous"):
            self.login_as(persona)
            self.assertEqual(self.client.get(url).status_code, 404, persona)
        self.client.force_login(self.focal)
        data = {
            "framework": self.framework.pk,
            "year": 2026,
            "name": "Kỳ 2026",
            "units": [self.unit_a.pk, self.unit_b.pk],
            "appraisers": [self.appraiser.pk],
            "self_deadline": "2026-12-15",
        }
        response = self.client.post(url, data)
        period = Period.objects.get(name="Kỳ 2026")
        self.assertRedirects(response, reverse("parindex:period", args=[period.pk]))
        self.assertEqual(Score.objects.filter(assessment__period=period).count(), 2 * 5)
        self.assertEqual(list(period.appraisers.all()), [self.appraiser])
        response = self.client.post(url, data)
        self.assertContains(response, "Đã có kỳ đánh giá", status_code=400)
        response = self.client.post(url, {**data, "year": 2027, "units": [self.other_unit.pk]})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Period.objects.filter(year=2027).exists())

    def test_a_new_year_copies_the_framework(self):
        self.client.force_login(self.focal)
        url = reverse("parindex:framework-copy", args=[self.framework.pk])
        response = self.client.post(url, {"year": "2026"})
        copy = Framework.objects.get(code=self.framework.code, year=2026)
        self.assertRedirects(response, reverse("parindex:framework-detail", args=[copy.pk]))
        self.assertEqual(copy.nodes.count(), self.framework.nodes.count())
        response = self.client.post(url, {"year": "2026"}, follow=True)
        self.assertContains(response, "Đã có bộ tiêu chí")
        self.login_as("officer_a")
        self.assertEqual(self.client.post(url, {"year": "2027"}).status_code, 404)

    def test_the_units_focal_point_assigns_criteria_and_missing_work_is_grouped_by_person(self):
        url = reverse("parindex:assignments", args=[self.assessment_a.pk])
        node = self.framework.nodes.get(code="1")
        self.login_as("officer_a")
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertNotContains(self.client.get(url), "Giao tiêu chí</h2>")
        self.assertEqual(
            self.client.post(url, {"node": node.pk, "person": self.officer_a.pk}).status_code, 404
        )
        self.login_as("officer_b")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.login_as("leader_a")
        response = self.client.post(
            url, {"node": node.pk, "person": self.officer_a.pk, "responsible_unit": self.unit_a.pk}
        )
        self.assertRedirects(response, url)
        self.assertTrue(
            Assignment.objects.filter(assessment=self.assessment_a, person=self.officer_a).exists()
        )
        self.assertContains(
            self.client.post(url, {"node": node.pk}),
            "Chọn đơn vị hoặc người phụ trách",
            status_code=400,
        )
        missing = self.client.get(reverse("parindex:missing", args=[self.assessment_a.pk]))
        self.assertContains(missing, "officer_a (Phòng A)")
        self.assertContains(missing, "Chưa giao cho ai")
        # The assigned officer may now score field 1's leaves.
        self.login_as("officer_a")
        score = self.score(self.assessment_a, "1.2")
        self.client.post(
            reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk]),
            {"self_measured": "80", "version": 0},
        )
        self.assertEqual(Score.objects.get(pk=score.pk).self_points, 2)
