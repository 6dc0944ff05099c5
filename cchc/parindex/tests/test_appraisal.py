"""Appraisal: side by side, reasons, explanation, round 2, final, history, no lost update."""

import threading
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import TransactionTestCase, skipUnlessDBFeature
from django.urls import reverse

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.parindex.models import Assessment, Score, ScoreChange
from cchc.parindex.services import StaleScore, assessment_transition, period_create, score_update
from cchc.parindex.tests.helpers import ParTestCase, small_framework

S = Assessment.Status


class AppraisalFlowTests(ParTestCase):
    def setUp(self):
        self.set_points(
            self.assessment_a, {"1.1.1": 2, "1.1.2": 2, "1.2": 2, "2.1.1": 1}, "self_points"
        )
        assessment_transition(
            assessment_id=self.assessment_a.pk, actor=self.leader_a, action="submit"
        )
        assessment_transition(
            assessment_id=self.assessment_a.pk, actor=self.appraiser, action="start_appraisal"
        )

    def test_a_differing_appraisal_needs_a_reason(self):
        score = self.score(self.assessment_a, "1.1.1")
        with self.assertRaises(ValidationError) as caught:
            score_update(
                score_id=score.pk, actor=self.appraiser, changes={"round1_points": "1"}, version=0
            )
        self.assertIn("cần ghi lý do", str(caught.exception))
        self.assertIsNone(Score.objects.get(pk=score.pk).round1_points)
        score_update(
            score_id=score.pk, actor=self.appraiser, changes={"round1_points": "2"}, version=0
        )  # same: no reason
        score_update(
            score_id=score.pk,
            actor=self.appraiser,
            changes={"round1_points": "1.5", "round1_reason": "Thiếu báo cáo quý"},
            version=1,
        )
        self.assertEqual(Score.objects.get(pk=score.pk).round1_points, Decimal("1.5"))

    def test_only_the_periods_appraisers_appraise(self):
        score = self.score(self.assessment_a, "1.1.1")
        outsider_appraiser = make_user("other_appraiser", self.leadership, [Role.APPRAISER])
        for actor in (self.leader_a, self.agency_leader, outsider_appraiser):
            with self.assertRaises(PermissionDenied):
                score_update(
                    score_id=score.pk, actor=actor, changes={"round1_points": "2"}, version=0
                )

    def test_the_page_shows_self_and_appraisal_side_by_side_to_appraisers(self):
        self.login_as("appraiser")
        self.client.force_login(self.appraiser)
        response = self.client.get(reverse("parindex:field", args=[self.assessment_a.pk, "1"]))
        self.assertContains(response, "Điểm thẩm định lần 1")
        self.assertContains(response, 'class="self-points">2')
        score = self.score(self.assessment_a, "1.1.1")
        response = self.client.post(
            reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk]),
            {"round1_points": "1", "round1_reason": "", "version": score.version},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(response, "cần ghi lý do", status_code=400)

    def test_the_whole_flow_to_a_final_result_with_history(self):
        score = self.score(self.assessment_a, "2.1.1")
        score_update(
            score_id=score.pk,
            actor=self.appraiser,
            changes={"round1_points": "0.5", "round1_reason": "Chưa đủ"},
            version=0,
        )
        assessment_transition(
            assessment_id=self.assessment_a.pk, actor=self.appraiser, action="request_explanation"
        )
        with self.assertRaises(PermissionDenied):
            score_update(
                score_id=score.pk, actor=self.officer_a, changes={"explanation": "x"}, version=1
            )
        score_update(
            score_id=score.pk,
            actor=self.leader_a,
            changes={"explanation": "Đã bổ sung báo cáo"},
            version=1,
        )
        assessment_transition(
            assessment_id=self.assessment_a.pk, actor=self.leader_a, action="submit_explanation"
        )
        with self.assertRaises(ValidationError):  # round 1 is over
            score_update(
                score_id=score.pk,
                actor=self.appraiser,
                changes={"round1_points": "1", "round1_reason": "x"},
                version=2,
            )
        score_update(
            score_id=score.pk,
            actor=self.appraiser,
            changes={"round2_points": "0.75", "round2_reason": "Chấp nhận một phần"},
            version=2,
        )
        assessment_transition(
            assessment_id=self.assessment_a.pk, actor=self.appraiser, action="finalise"
        )
        score.refresh_from_db()
        self.assertEqual(score.final_points, Decimal("0.75"))
        self.assertEqual(self.score(self.assessment_a, "1.1.1").final_points, Decimal("2"))
        history = list(
            ScoreChange.objects.filter(score=score)
            .order_by("at", "id")
            .values_list("field", "old", "new", "actor__username")
        )
        self.assertEqual(
            [h[0] for h in history],
            [
                "round1_points",
                "round1_reason",
                "explanation",
                "round2_points",
                "round2_reason",
                "final_points",
            ],
        )
        self.assertEqual(history[0][1:], ("", "0,5", "appraiser"))
        self.client.force_login(self.leader_a)
        page = self.client.get(
            reverse("parindex:score-history", args=[self.assessment_a.pk, score.pk])
        )
        self.assertContains(page, "Chấp nhận một phần")
        self.assertContains(page, "Điểm thẩm định lần 2")
        # Published results are public; before that the result page is not.
        self.client.logout()
        url = reverse("parindex:result", args=[self.assessment_a.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        with self.assertRaises(PermissionDenied):
            assessment_transition(
                assessment_id=self.assessment_a.pk, actor=self.appraiser, action="publish"
            )
        assessment_transition(
            assessment_id=self.assessment_a.pk, actor=self.focal, action="publish"
        )
        self.assertContains(self.client.get(url), 'id="index">')

    def test_a_stale_version_is_refused_and_nothing_is_lost(self):
        score = self.score(self.assessment_a, "1.1.1")
        read_by_both = score.version
        score_update(
            score_id=score.pk,
            actor=self.appraiser,
            changes={"round1_points": "1", "round1_reason": "A"},
            version=read_by_both,
        )
        with self.assertRaises(StaleScore):
            score_update(
                score_id=score.pk,
                actor=self.appraiser2,
                changes={"round1_points": "0", "round1_reason": "B"},
                version=read_by_both,
            )
        score.refresh_from_db()
        self.assertEqual((score.round1_points, score.round1_reason), (Decimal("1"), "A"))
        # Having seen A's change, B may now change it (and A's value stays in the history).
        score_update(
            score_id=score.pk,
            actor=self.appraiser2,
            changes={"round1_points": "0", "round1_reason": "B"},
            version=score.version,
        )
        olds = list(
            ScoreChange.objects.filter(score=score, field="round1_points")
            .order_by("id")
            .values_list("old", "new")
        )
        self.assertEqual(olds, [("", "1"), ("1", "0")])

    def test_the_page_answers_409_with_the_current_values_on_a_stale_save(self):
        score = self.score(self.assessment_a, "1.1.1")
        score_update(
            score_id=score.pk,
            actor=self.appraiser,
            changes={"round1_points": "1", "round1_reason": "A"},
            version=0,
        )
        self.client.force_login(self.appraiser2)
        response = self.client.post(
            reverse("parindex:score-save", args=[self.assessment_a.pk, score.pk]),
            {"round1_points": "0", "round1_reason": "B", "version": 0},
            HTTP_HX_REQUEST="true",
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "vừa được người khác thay đổi", status_code=409)
        self.assertContains(response, "Thẩm định lần 1", status_code=409)
        self.assertEqual(Score.objects.get(pk=score.pk).round1_reason, "A")


class ConcurrentAppraisalTests(TransactionTestCase):
    """Two appraisers saving the same score at the same moment, on real connections."""

    @skipUnlessDBFeature("has_select_for_update")
    def test_two_appraisers_never_lose_each_others_change(self):
        self._run()

    def test_two_appraisers_never_lose_each_others_change_under_the_sqlite_write_lock(self):
        if connection.features.has_select_for_update:
            self.skipTest("covered by the row-lock test")
        self._run()

    def _run(self):
        agency = make_agency()
        unit = Unit.objects.create(agency=agency, code="A", name="A")
        appraisers = [make_user(f"ap{i}", unit, [Role.APPRAISER]) for i in range(2)]
        period = period_create(
            agency=agency,
            framework=small_framework(),
            year=2025,
            name="K",
            units=[unit],
            appraisers=appraisers,
        )
        assessment = period.assessments.get()
        Assessment.objects.filter(pk=assessment.pk).update(status=S.APPRAISING)
        score = Score.objects.get(assessment=assessment, node__code="1.1.1")
        barrier = threading.Barrier(2)
        outcomes = []

        def save(actor, points):
            try:
                barrier.wait(timeout=10)
                score_update(
                    score_id=score.pk,
                    actor=actor,
                    changes={"round1_points": points, "round1_reason": actor.username},
                    version=0,
                )
                outcomes.append(("ok", actor.username))
            except StaleScore:
                outcomes.append(("stale", actor.username))
            finally:
                connection.close()

        threads = [
            threading.Thread(target=save, args=(a, p))
            for a, p in zip(appraisers, ("1", "0.5"), strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        kinds = sorted(o[0] for o in outcomes)
        self.assertEqual(kinds, ["ok", "stale"], outcomes)
        winner = next(name for kind, name in outcomes if kind == "ok")
        score.refresh_from_db()
        self.assertEqual(score.round1_reason, winner)
        self.assertEqual(score.version, 1)
        self.assertEqual(ScoreChange.objects.filter(score=score, field="round1_points").count(), 1)


class ConcurrentFrameworkCopyTests(TransactionTestCase):
    """Two 'copy to a new year' at the same moment: one wins, the other gets a clear error."""

    @skipUnlessDBFeature("has_select_for_update")
    def test_a_copy_racing_an_uncommitted_one_is_refused_not_a_server_error(self):
        from django.core.exceptions import ValidationError
        from django.db import transaction

        from cchc.parindex.models import Framework
        from cchc.parindex.services import framework_copy

        framework = small_framework()
        started, finish = threading.Event(), threading.Event()

        def first_copy():
            try:
                with transaction.atomic():
                    framework_copy(framework=framework, year=2031)
                    started.set()
                    finish.wait(timeout=10)  # hold the new row uncommitted
            finally:
                connection.close()

        thread = threading.Thread(target=first_copy)
        thread.start()
        self.assertTrue(started.wait(timeout=10))
        # The first copy is not committed: the existence check passes, the insert then waits
        # on the unique (code, year) index and fails once the first one commits.
        threading.Timer(0.5, finish.set).start()
        with self.assertRaises(ValidationError) as refused:
            framework_copy(framework=framework, year=2031)
        thread.join(timeout=10)
        self.assertIn("year", refused.exception.message_dict)
        self.assertEqual(Framework.objects.filter(code=framework.code, year=2031).count(), 1)
