"""The metrics the PAR leaves read honour `Scope.unit` (and stay as they were without it)."""

import datetime as dt

import time_machine
from django.utils import timezone

from cchc.core import registry
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.dossiers.models import HandOver
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at
from cchc.feedback import services as feedback
from cchc.feedback.models import Petition
from cchc.parindex.models import Evidence, Score
from cchc.parindex.tests.helpers import ParTestCase

JANUARY = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))


class DossierScopeTests(DeskTestCase):
    def setUp(self):
        from cchc.dossiers import services

        def paper(when):
            return services.dossier_receive_paper(
                actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=when
            )[0]

        self.early = paper(at(2026, 1, 5, 9))
        self.decide(self.early, at(2026, 1, 7, 9))  # through unit A's step
        self.late = paper(at(2026, 1, 6, 9))
        self.decide(self.late, at(2026, 1, 20, 9))
        self.waiting = paper(at(2026, 1, 12, 9))  # still at the desk (leadership office)

    def rate(self, unit=None, key="dossiers.on_time_rate"):
        return registry.metrics[key].compute(registry.Scope(self.agency, *JANUARY, unit=unit))

    @time_machine.travel(at(2026, 3, 1, 9), tick=False)
    def test_a_unit_counts_the_dossiers_whose_steps_it_handled(self):
        self.assertEqual(self.rate(), 0.5)  # the agency: unchanged
        self.assertEqual(self.rate(self.unit_a), 0.5)
        self.assertIsNone(self.rate(self.unit_b))  # B acted on none
        # A step B handled brings that dossier (only) into B's figures.
        HandOver.objects.filter(dossier=self.early, from_unit=self.unit_a).update(
            from_unit=self.unit_b
        )
        self.assertEqual(self.rate(self.unit_b), 1.0)
        self.assertEqual(self.rate(self.unit_b, "dossiers.online_rate"), 0.0)
        # The leadership office holds the waiting dossier and acted on all three.
        self.assertEqual(self.rate(self.leadership, "dossiers.online_rate"), 0.0)


class FeedbackScopeTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.handler = make_user("handler", cls.leadership, [Role.PETITION_HANDLER])

    def setUp(self):
        def make(unit):
            petition = feedback.petition_submit(
                agency=self.agency, sender_name="A", sender_phone="1", subject="S", content="C",
                consent_to_publish=False,
            )  # fmt: skip
            petition = feedback.petition_accept(actor=self.handler, petition=petition)
            Petition.objects.filter(pk=petition.pk).update(unit=unit)
            petition.refresh_from_db()
            return petition

        on_time = make(self.unit_a)
        feedback.petition_answer(actor=self.handler, petition=on_time, answer="A")
        late = make(self.unit_b)
        Petition.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(days=1))
        late.refresh_from_db()
        feedback.petition_answer(actor=self.handler, petition=late, answer="A")
        make(self.unit_b)  # accepted, not answered yet

    def rate(self, key, unit=None):
        today = timezone.localdate()
        return registry.metrics[key].compute(registry.Scope(self.agency, today, today, unit=unit))

    def test_a_unit_counts_the_petitions_it_handled(self):
        self.assertEqual(self.rate("feedback.on_time_rate"), 0.5)
        self.assertEqual(self.rate("feedback.on_time_rate", self.unit_a), 1.0)
        self.assertEqual(self.rate("feedback.on_time_rate", self.unit_b), 0.0)
        self.assertAlmostEqual(self.rate("feedback.answered_rate"), 2 / 3)
        self.assertEqual(self.rate("feedback.answered_rate", self.unit_a), 1.0)
        self.assertEqual(self.rate("feedback.answered_rate", self.unit_b), 0.5)
        self.assertIsNone(self.rate("feedback.answered_rate", self.leadership))


class EvidenceScopeTests(ParTestCase):
    def test_a_unit_counts_its_own_assessment_only(self):
        self.set_points(self.assessment_a, {"1.1.1": 1, "2.1.1": 1}, "self_points")
        self.set_points(self.assessment_b, {"1.1.1": 1}, "self_points")
        Evidence.objects.create(
            score=Score.objects.get(assessment=self.assessment_b, node__code="1.1.1"),
            path="par/qd.pdf",
            original_name="qd.pdf",
            mime="application/pdf",
            sha256="0" * 64,
            size=1,
        )
        metric = registry.metrics["parindex.evidence_coverage"]
        year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        self.assertAlmostEqual(metric.compute(registry.Scope(self.agency, *year)), 1 / 3)
        self.assertEqual(metric.compute(registry.Scope(self.agency, *year, self.unit_a)), 0.0)
        self.assertEqual(metric.compute(registry.Scope(self.agency, *year, self.unit_b)), 1.0)
        self.assertIsNone(metric.compute(registry.Scope(self.agency, *year, self.leadership)))
