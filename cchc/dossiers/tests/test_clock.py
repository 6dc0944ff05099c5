from cchc.dossiers import services
from cchc.dossiers.models import Channel, Status
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at, make_procedure


class DueDateTests(DeskTestCase):
    def test_a_filing_across_tet_skips_the_holidays(self):
        dossier, _ = self.file_online(at(2026, 2, 13, 9))
        dossier = services.dossier_accept(actor=self.desk, dossier=dossier, at=at(2026, 2, 13, 10))
        self.assertEqual(dossier.due_at, at(2026, 2, 27, 10))
        texts = " ".join(s["text"] for s in dossier.due_explanation)
        self.assertIn("16/02/2026", texts)
        self.assertIn("20/02/2026", texts)

    def test_a_calendar_day_procedure_ending_on_a_sunday_ends_on_monday(self):
        procedure = make_procedure(time="30", unit="days")
        dossier, _ = services.dossier_receive_paper(
            actor=self.desk, procedure=procedure, applicant=APPLICANT, at=at(2026, 3, 6, 9)
        )
        # 06/03 + 30 days = Sunday 05/04/2026: the period ends at the end of Monday 06/04.
        self.assertEqual(dossier.due_at, at(2026, 4, 6, 23, 59).replace(second=59))

    def test_a_paper_dossier_after_15_00_counts_from_the_next_working_day(self):
        before, _ = services.dossier_receive_paper(
            actor=self.desk,
            procedure=self.procedure,
            applicant=APPLICANT,
            at=at(2026, 3, 10, 14, 59),
        )
        after, _ = services.dossier_receive_paper(
            actor=self.desk,
            procedure=self.procedure,
            applicant=APPLICANT,
            at=at(2026, 3, 10, 15, 30),
        )
        self.assertEqual(before.due_at, at(2026, 3, 17, 14, 59))
        self.assertEqual(after.due_at, at(2026, 3, 17, 17, 0))
        self.assertIn("15:00", after.due_explanation[0]["text"])

    def test_a_paper_dossier_of_friday_evening_counts_from_a_make_up_saturday(self):
        # holidays: Saturday 22/08/2026 is a working day (the day off moved to 31/08).
        dossier, _ = services.dossier_receive_paper(
            actor=self.desk,
            procedure=self.procedure,
            applicant=APPLICANT,
            at=at(2026, 8, 21, 16),
        )
        self.assertIn("07:30 thứ Bảy 22/08/2026", dossier.due_explanation[0]["text"])

    def test_the_15_00_rule_does_not_apply_online(self):
        dossier, _ = self.file_online(at(2026, 3, 10, 15))
        dossier = services.dossier_accept(
            actor=self.desk, dossier=dossier, at=at(2026, 3, 10, 15, 30)
        )
        self.assertEqual(dossier.due_at, at(2026, 3, 17, 15, 30))

    def test_a_supplement_pause_restarts_the_full_time(self):
        dossier, secret = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 3, 2, 9)
        )
        services.dossier_hand_over(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 10))
        services.dossier_request_supplement(
            actor=self.officer_a, dossier=dossier, items="Bản sao hợp đồng", at=at(2026, 3, 3, 9)
        )
        from cchc.dossiers.tests.helpers import pdf_upload

        dossier = services.dossier_supplement(
            dossier=dossier, files={"x": pdf_upload()}, at=at(2026, 3, 9, 8)
        )
        self.assertEqual(dossier.status, Status.PROCESSING)
        # Five full working days from Monday 09/03 08:00, not what was left of the first period.
        self.assertEqual(dossier.due_at, at(2026, 3, 16, 8))
        self.assertEqual(dossier.due_explanation[0]["kind"], "pause")
        self.assertEqual(dossier.channel, Channel.IN_PERSON)
