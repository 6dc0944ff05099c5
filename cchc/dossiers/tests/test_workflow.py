from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cchc.core.models import AuditEntry
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, HandOver, Status
from cchc.dossiers.tests.helpers import APPLICANT, DeskTestCase, at


class WorkflowTests(DeskTestCase):
    def received(self, when=None):
        dossier, _ = self.file_online(at(2026, 3, 2, 8))
        with self.captureOnCommitCallbacks(execute=True):
            return services.dossier_accept(
                actor=self.desk, dossier=dossier, at=when or at(2026, 3, 2, 9)
            )

    def test_accepting_starts_the_clock_records_a_hand_over_and_mails_the_applicant(self):
        dossier = self.received()
        self.assertEqual(dossier.status, Status.RECEIVED)
        self.assertEqual(dossier.due_at, at(2026, 3, 9, 9))
        self.assertTrue(HandOver.objects.filter(dossier=dossier, action="accept").exists())
        self.assertTrue(
            AuditEntry.objects.filter(object_id=str(dossier.pk), action="dossier.accept").exists()
        )
        self.assertEqual(mail.outbox[-1].to, ["an@example.vn"])
        self.assertIn(dossier.code, mail.outbox[-1].subject)

    def test_only_the_desk_may_accept(self):
        dossier, _ = self.file_online(at(2026, 3, 2, 8))
        for persona in ("officer_a", "outsider", "citizen"):
            with self.assertRaises(PermissionDenied):
                services.dossier_accept(actor=self.persona(persona), dossier=dossier)
        self.assertEqual(Dossier.objects.get(pk=dossier.pk).status, Status.SUBMITTED)

    def test_a_transition_from_the_wrong_status_is_refused_and_nothing_changes(self):
        dossier = self.received()
        before = HandOver.objects.count()
        with self.assertRaises(services.TransitionError):
            services.dossier_return(actor=self.desk, dossier=dossier)
        self.assertEqual(HandOver.objects.count(), before)
        self.assertEqual(Dossier.objects.get(pk=dossier.pk).status, Status.RECEIVED)

    def test_steps_are_classified_on_hand_over(self):
        dossier = self.received()
        services.dossier_hand_over(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 10))
        dossier.refresh_from_db()
        self.assertEqual(dossier.current_unit, self.unit_a)
        self.assertEqual(dossier.step_due_at, at(2026, 3, 5, 10))
        # Officer B cannot move a dossier that sits at unit A.
        with self.assertRaises(PermissionDenied):
            services.dossier_hand_over(actor=self.officer_b, dossier=dossier, at=at(2026, 3, 6, 10))
        services.dossier_hand_over(actor=self.officer_a, dossier=dossier, at=at(2026, 3, 6, 10))
        last = HandOver.objects.filter(dossier=dossier).last()
        self.assertEqual(last.outcome, "late")
        with self.assertRaises(services.TransitionError):
            services.dossier_hand_over(
                actor=self.agency_leader, dossier=dossier, at=at(2026, 3, 6, 11)
            )
        dossier = services.dossier_decide(
            actor=self.agency_leader,
            dossier=dossier,
            result_text="Cấp giấy chứng nhận",
            at=at(2026, 3, 6, 14),
        )
        self.assertEqual(dossier.outcome, "early")

    def test_it_refuses_a_late_supplement_without_a_reason(self):
        dossier = self.received()
        with self.assertRaises(ValidationError) as caught:
            services.dossier_request_supplement(
                actor=self.desk, dossier=dossier, items="Hợp đồng", at=at(2026, 3, 6, 10)
            )
        self.assertIn("3 ngày làm việc", " ".join(caught.exception.messages))
        self.assertFalse(dossier.supplements.exists())
        request = services.dossier_request_supplement(
            actor=self.desk,
            dossier=dossier,
            items="Hợp đồng",
            late_reason="Phát hiện khi thẩm định",
            at=at(2026, 3, 6, 10),
        )
        self.assertTrue(request.late)
        self.assertTrue(Dossier.objects.get(pk=dossier.pk).late_supplement)

    def test_the_3_day_limit_counts_a_paper_dossier_after_15_00_from_the_next_working_day(self):
        # Received Monday 2/3 at 16:00: counted from Tuesday; Thursday at closing is 3 days.
        dossier, _ = services.dossier_receive_paper(
            actor=self.desk, procedure=self.procedure, applicant=APPLICANT, at=at(2026, 3, 2, 16)
        )
        request = services.dossier_request_supplement(
            actor=self.desk, dossier=dossier, items="Hợp đồng", at=at(2026, 3, 5, 17)
        )
        self.assertFalse(request.late)

    def test_an_apology_gives_one_new_appointment_only(self):
        dossier = self.received()
        with self.captureOnCommitCallbacks(execute=True):
            dossier = services.dossier_apologise(
                actor=self.desk,
                dossier=dossier,
                reason="Chờ ý kiến liên ngành",
                new_due_at=at(2026, 3, 12, 9),
                at=at(2026, 3, 5, 9),
            )
        self.assertEqual(dossier.appointment_at, at(2026, 3, 12, 9))
        self.assertIn("hẹn lại", mail.outbox[-1].subject)
        with self.assertRaises(services.TransitionError):
            services.dossier_apologise(
                actor=self.desk,
                dossier=dossier,
                reason="Lần hai",
                new_due_at=at(2026, 3, 20, 9),
                at=at(2026, 3, 5, 10),
            )

    def test_after_the_one_new_appointment_the_apology_is_no_longer_offered(self):
        # The table, not only the service, knows the one-time rule: no button, no API action.
        dossier = self.received()
        self.assertIn("apologise", [t.slug for t in services.FLOW.available(self.desk, dossier)])
        dossier = services.dossier_apologise(
            actor=self.desk,
            dossier=dossier,
            reason="Chờ ý kiến liên ngành",
            new_due_at=at(2026, 3, 12, 9),
            at=at(2026, 3, 5, 9),
        )
        self.assertNotIn("apologise", [t.slug for t in services.FLOW.available(self.desk, dossier)])
        kind, reason = services.FLOW.refusal("apologise", self.desk, dossier)
        self.assertEqual(kind, "condition")
        self.assertIn("hẹn lại một lần", reason)

    def test_an_apology_less_than_one_working_day_before_due_is_refused(self):
        dossier = self.received()
        with self.assertRaises(ValidationError):
            services.dossier_apologise(
                actor=self.desk,
                dossier=dossier,
                reason="Muộn",
                new_due_at=at(2026, 3, 12, 9),
                at=at(2026, 3, 6, 14),
            )
        self.assertIsNone(Dossier.objects.get(pk=dossier.pk).appointment_at)

    def test_refusal_needs_a_reason(self):
        dossier, _ = self.file_online(at(2026, 3, 2, 8))
        with self.assertRaises(ValidationError):
            services.dossier_refuse(actor=self.desk, dossier=dossier, reason=" ")
        dossier = services.dossier_refuse(
            actor=self.desk, dossier=dossier, reason="Không thuộc thẩm quyền"
        )
        self.assertEqual(dossier.status, Status.REFUSED)

    def test_a_supplement_at_reception_returns_the_dossier_to_the_desk(self):
        dossier, _ = self.file_online(at(2026, 3, 2, 8))
        services.dossier_request_supplement(
            actor=self.desk, dossier=dossier, items="Bản chụp rõ hơn", at=at(2026, 3, 2, 9)
        )
        from cchc.dossiers.tests.helpers import pdf_upload

        dossier = services.dossier_supplement(
            dossier=dossier, files={"x": pdf_upload()}, at=at(2026, 3, 3, 9)
        )
        self.assertEqual(dossier.status, Status.SUBMITTED)
        self.assertIsNone(dossier.due_at)

    def test_a_procedure_without_legal_time_cannot_take_dossiers(self):
        from cchc.dossiers.tests.helpers import APPLICANT, make_procedure

        unknown = make_procedure(time=None)
        with self.assertRaises(ValidationError):
            services.dossier_receive_paper(actor=self.desk, procedure=unknown, applicant=APPLICANT)
        self.assertFalse(Dossier.objects.filter(procedure=unknown).exists())

    def test_the_applicant_is_mailed_on_supplement_result_and_return(self):
        dossier = self.received()
        with self.captureOnCommitCallbacks(execute=True):
            services.dossier_request_supplement(
                actor=self.desk, dossier=dossier, items="Bản sao hợp đồng", at=at(2026, 3, 3, 9)
            )
        self.assertIn("cần bổ sung", mail.outbox[-1].subject)
        self.assertIn("Bản sao hợp đồng", mail.outbox[-1].body)
        from cchc.dossiers.tests.helpers import pdf_upload

        services.dossier_supplement(
            dossier=dossier, files={"x": pdf_upload()}, at=at(2026, 3, 4, 9)
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.decide(dossier, at(2026, 3, 5, 9), result_text="Đã cấp")
            services.dossier_return(actor=self.desk, dossier=dossier, at=at(2026, 3, 5, 10))
        self.assertEqual(
            [m.subject.split(" — ")[0].split(" ", 3)[-1] for m in mail.outbox[-2:]],
            ["đã có kết quả", "đã trả kết quả"],
        )
        self.assertIn("đã có kết quả", mail.outbox[-2].subject)
        self.assertIn("đã trả kết quả", mail.outbox[-1].subject)

    def test_nothing_is_mailed_when_the_transaction_fails(self):
        dossier = self.received()
        sent = len(mail.outbox)
        with self.captureOnCommitCallbacks(execute=True), self.assertRaises(ValidationError):
            services.dossier_apologise(
                actor=self.desk,
                dossier=dossier,
                reason="x",
                new_due_at=at(2026, 3, 1, 9),
                at=at(2026, 3, 3, 9),
            )
        self.assertEqual(len(mail.outbox), sent)

    def test_a_failed_transition_leaves_no_stored_file_behind(self):
        from django.core.files.storage import default_storage

        from cchc.dossiers.models import DossierFile
        from cchc.dossiers.tests.helpers import pdf_upload

        def stored():
            root = f"dossiers/{self.agency.code}"
            folders, _ = default_storage.listdir(root)
            return {
                f"{root}/{d}/{f}"
                for d in folders
                for f in default_storage.listdir(f"{root}/{d}")[1]
            }

        dossier = self.received()
        before = stored()  # the storage outlives each test's rolled-back rows
        self.assertTrue(set(DossierFile.objects.values_list("path", flat=True)) <= before)
        with self.assertRaises(services.TransitionError):
            services.dossier_supplement(dossier=dossier, files={"x": pdf_upload()})
        self.assertEqual(stored(), before)
        self.assertEqual(dossier.files.count(), 1)

    def test_an_officer_of_another_unit_cannot_ask_for_a_supplement(self):
        dossier = self.received()
        services.dossier_hand_over(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 10))
        with self.assertRaises(PermissionDenied):
            services.dossier_request_supplement(
                actor=self.officer_b, dossier=dossier, items="x", at=at(2026, 3, 3, 9)
            )
        services.dossier_request_supplement(
            actor=self.officer_a, dossier=dossier, items="x", at=at(2026, 3, 3, 9)
        )
        self.assertEqual(dossier.supplements.count(), 1)
