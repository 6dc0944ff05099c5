import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cchc.core.testing import PersonaTestCase
from cchc.records import models as m
from cchc.records.tests import factories as f


class ConstraintTests(PersonaTestCase):
    def test_one_staffing_record_per_unit_and_year(self):
        f.staffing(self.unit_a, 2025)
        with self.assertRaises(IntegrityError), transaction.atomic():
            f.staffing(self.unit_a, 2025)
        f.staffing(self.unit_a, 2026)  # another year is fine
        self.assertEqual(m.UnitStaffing.objects.filter(unit=self.unit_a).count(), 2)

    def test_year_outside_2000_2100_is_refused_by_the_database_and_by_validation(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            f.staffing(self.unit_a, 1999)
        record = m.UnitStaffing(agency=self.agency, unit=self.unit_a, year=2101)
        with self.assertRaises(ValidationError) as caught:
            record.full_clean()
        self.assertIn("year", caught.exception.message_dict)

    def test_staff_with_email_cannot_exceed_staff(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            f.digital(self.unit_a, dt.date(2026, 1, 1), staff=5, email=6)

    def test_digitally_signed_cannot_exceed_electronic_documents_sent(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            f.digital(self.unit_a, dt.date(2026, 1, 1), out_e=10, signed=11)

    def test_month_is_stored_on_the_first_day(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            f.digital(self.unit_a, dt.date(2026, 1, 15))
        record = m.DigitalMonth(
            agency=self.agency, unit=self.unit_a, month=dt.date(2026, 2, 17), staff_total=1
        )
        record.full_clean()  # clean() moves it to the 1st
        self.assertEqual(record.month, dt.date(2026, 2, 1))

    def test_disbursed_cannot_exceed_planned(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            f.finance(self.agency, planned=100, disbursed=101)

    def test_selected_cannot_exceed_positions_and_violations_cannot_exceed_checked(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            m.StaffRound.objects.create(
                agency=self.agency,
                year=2025,
                kind="recruitment",
                title="Tuyển dụng 2025",
                held_on=dt.date(2025, 6, 1),
                positions=3,
                selected=4,
            )
        with self.assertRaises(IntegrityError), transaction.atomic():
            m.WorkingHoursInspection.objects.create(
                agency=self.agency,
                unit=self.unit_a,
                inspected_on=dt.date(2025, 6, 1),
                people_checked=3,
                violations=4,
            )

    def test_autonomy_level_must_be_one_of_the_four(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            m.ServiceUnitAutonomy.objects.create(
                agency=self.agency, unit=self.unit_a, year=2025, level="5"
            )

    def test_unit_of_another_agency_is_refused(self):
        record = m.UnitStaffing(agency=self.agency, unit=self.other_unit, year=2025)
        with self.assertRaises(ValidationError) as caught:
            record.full_clean()
        self.assertIn("unit", caught.exception.message_dict)
