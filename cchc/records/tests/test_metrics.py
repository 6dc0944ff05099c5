import datetime as dt

from cchc.core import registry
from cchc.core.registry import Scope
from cchc.core.testing import PersonaTestCase
from cchc.records import metrics
from cchc.records.tests import factories as f

Y2026 = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))


class MetricTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # unit A within quota, unit B over it; 2025 is another year
        f.staffing(cls.unit_a, 2026, quota=10, headcount=10)
        f.staffing(cls.unit_b, 2026, quota=5, headcount=6)
        f.staffing(cls.unit_b, 2025, quota=10, headcount=6)
        f.staffing(cls.other_unit, 2026, quota=1, headcount=9)
        f.training(cls.unit_a, 2026, attendees=4)
        f.training(cls.unit_b, 2026, attendees=9)  # more than its headcount: capped
        f.training(cls.unit_b, 2024, attendees=50)
        f.appraisal(cls.unit_a, 2026, excellent=2, good=5, completed=2, not_completed=1)
        f.appraisal(cls.unit_b, 2026, excellent=0, good=2, completed=2, not_completed=0)
        f.finance(cls.agency, 2026, planned=1000, disbursed=600)
        f.finance(cls.agency, 2024, planned=1000, disbursed=0)
        # digital: unit A 10 staff, e-mail 8 then 10; unit B 5 staff, 2 e-mail
        f.digital(
            cls.unit_a,
            dt.date(2026, 5, 1),
            staff=10,
            email=8,
            out_e=30,
            out_p=10,
            in_e=40,
            in_p=20,
            signed=15,
        )
        f.digital(
            cls.unit_a,
            dt.date(2026, 6, 1),
            staff=10,
            email=10,
            out_e=50,
            out_p=0,
            in_e=50,
            in_p=0,
            signed=50,
        )
        f.digital(
            cls.unit_b,
            dt.date(2026, 6, 1),
            staff=5,
            email=2,
            out_e=10,
            out_p=10,
            in_e=0,
            in_p=20,
            signed=0,
        )
        # after the cut-off, and in the other agency: never counted
        f.digital(
            cls.unit_a,
            dt.date(2026, 7, 1),
            staff=10,
            email=0,
            out_e=0,
            out_p=999,
            in_e=0,
            in_p=999,
            signed=0,
        )
        f.digital(
            cls.other_unit,
            dt.date(2026, 6, 1),
            staff=100,
            email=0,
            out_e=0,
            out_p=500,
            in_e=0,
            in_p=0,
            signed=0,
        )

    def value(self, name, unit=None, period=Y2026):
        return registry.metrics[name].compute(Scope(self.agency, *period, unit=unit))

    def test_the_seven_metrics_are_registered(self):
        names = {n for n in registry.metrics if n.startswith("records.")}
        self.assertEqual(names, {n for n, _l, _c in metrics.METRICS})
        self.assertEqual(len(names), 7)

    def test_staffing_within_quota(self):
        self.assertEqual(self.value("records.staffing_within_quota"), 0.5)
        self.assertEqual(self.value("records.staffing_within_quota", self.unit_a), 1.0)
        self.assertEqual(self.value("records.staffing_within_quota", self.unit_b), 0.0)
        period = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
        self.assertEqual(self.value("records.staffing_within_quota", period=period), 1.0)
        self.assertIsNone(self.value("records.staffing_within_quota", self.leadership))

    def test_training_coverage(self):
        self.assertAlmostEqual(self.value("records.training_coverage"), 13 / 16)
        self.assertAlmostEqual(self.value("records.training_coverage", self.unit_a), 0.4)
        self.assertEqual(self.value("records.training_coverage", self.unit_b), 1.0)  # capped
        self.assertIsNone(self.value("records.training_coverage", self.leadership))

    def test_appraisal_completion(self):
        self.assertAlmostEqual(self.value("records.appraisal_completion"), 13 / 14)
        self.assertAlmostEqual(self.value("records.appraisal_completion", self.unit_a), 0.9)
        self.assertEqual(self.value("records.appraisal_completion", self.unit_b), 1.0)

    def test_disbursement_rate(self):
        self.assertAlmostEqual(self.value("records.disbursement_rate"), 0.6)
        whole = (dt.date(2024, 1, 1), dt.date(2026, 6, 30))
        self.assertAlmostEqual(self.value("records.disbursement_rate", period=whole), 0.3)
        # finance is the agency's: a unit has none
        self.assertIsNone(self.value("records.disbursement_rate", self.unit_a))

    def test_email_coverage_uses_each_unit_latest_month_up_to_the_cut_off(self):
        self.assertAlmostEqual(self.value("records.email_coverage"), 12 / 15)
        self.assertEqual(self.value("records.email_coverage", self.unit_a), 1.0)
        self.assertAlmostEqual(self.value("records.email_coverage", self.unit_b), 0.4)
        may = (dt.date(2026, 1, 1), dt.date(2026, 5, 31))
        self.assertAlmostEqual(self.value("records.email_coverage", self.unit_a, may), 0.8)
        # July (after the cut-off) would bring unit A to 0
        july = (dt.date(2026, 1, 1), dt.date(2026, 7, 31))
        self.assertEqual(self.value("records.email_coverage", self.unit_a, july), 0.0)

    def test_electronic_document_share(self):
        self.assertAlmostEqual(self.value("records.electronic_document_share"), 180 / 240)
        self.assertAlmostEqual(
            self.value("records.electronic_document_share", self.unit_a), 170 / 200
        )
        self.assertAlmostEqual(self.value("records.electronic_document_share", self.unit_b), 0.25)
        self.assertIsNone(self.value("records.electronic_document_share", self.leadership))

    def test_digital_signature_share(self):
        self.assertAlmostEqual(self.value("records.digital_signature_share"), 65 / 90)
        self.assertAlmostEqual(self.value("records.digital_signature_share", self.unit_a), 65 / 80)
        self.assertEqual(self.value("records.digital_signature_share", self.unit_b), 0.0)

    def test_a_month_after_the_cut_off_is_not_counted(self):
        may = (dt.date(2026, 1, 1), dt.date(2026, 5, 31))
        self.assertAlmostEqual(
            self.value("records.electronic_document_share", self.unit_a, may), 70 / 100
        )
        self.assertAlmostEqual(self.value("records.digital_signature_share", self.unit_a, may), 0.5)

    def test_no_data_is_none(self):
        empty = (dt.date(2010, 1, 1), dt.date(2010, 12, 31))
        for name, _label, _compute in metrics.METRICS:
            self.assertIsNone(self.value(name, period=empty), name)
