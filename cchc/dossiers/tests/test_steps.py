"""Internal steps: only the people a step names move the dossier on; the decision only at the
decision step; nothing skipped; a stale hand-over is refused (issue 12)."""

from django.core.exceptions import PermissionDenied
from django.test import TestCase, override_settings

from cchc.core.testing import VerifiedClient
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, Status
from cchc.dossiers.tests.demo_desk import demo_user, file_and_accept, load_demo_catalogue
from cchc.procedures.models import Procedure


def seen(dossier):
    return {"step": dossier.current_step_id, "version": dossier.version}


@override_settings(SITE_AGENCY_CODE="SKHCN")
class DemoStepTests(TestCase):
    client_class = VerifiedClient  # staff sign-ins pass two-factor (cchc.core.testing)

    @classmethod
    def setUpTestData(cls):
        load_demo_catalogue()
        cls.procedure = Procedure.objects.current().get(code="2.002248")

    def hand_over(self, username, dossier, **kwargs):
        return services.dossier_hand_over(
            actor=demo_user(username), dossier=dossier, **seen(dossier), **kwargs
        )

    def test_a_received_dossier_is_at_the_first_step_and_each_step_s_people_move_it_on(self):
        dossier = file_and_accept(self.procedure)
        self.assertEqual(dossier.current_step.order, 1)
        dossier = self.hand_over("motcua", dossier)
        self.assertEqual((dossier.current_step.order, dossier.current_unit.code), (2, "QLCN"))
        dossier = self.hand_over("chuyenvien", dossier)
        self.assertEqual(dossier.current_step.order, 3)
        dossier = self.hand_over("truongphong", dossier)
        self.assertEqual((dossier.current_step.order, dossier.current_unit.code), (4, "BGD"))

    def test_the_agency_leader_cannot_decide_right_after_reception(self):
        dossier = file_and_accept(self.procedure)
        with self.assertRaises(PermissionDenied) as caught:
            services.dossier_decide(
                actor=demo_user("giamdoc"), dossier=dossier, result_text="Cấp", **seen(dossier)
            )
        self.assertIn("Tiếp nhận, chuyển hồ sơ", str(caught.exception))
        self.assertEqual(Dossier.objects.get(pk=dossier.pk).status, Status.RECEIVED)

    def test_a_specialist_of_the_step_s_unit_may_not_act_at_the_desk_s_step(self):
        dossier = file_and_accept(self.procedure)
        with self.assertRaises(PermissionDenied) as caught:
            self.hand_over("chuyenvien", dossier)
        message = str(caught.exception)
        for part in ("Tiếp nhận, chuyển hồ sơ", "Văn phòng Sở", "Cán bộ một cửa", "Phạm Thị Cửa"):
            self.assertIn(part, message)

    def test_the_unit_leader_lands_on_the_queue_after_handing_over(self):
        dossier = file_and_accept(self.procedure)
        dossier = self.hand_over("motcua", dossier)
        dossier = self.hand_over("chuyenvien", dossier)
        self.client.force_login(demo_user("truongphong"))
        response = self.client.post(
            f"/ho-so/{dossier.code}/thao-tac/hand-over/",
            {"hand-over-step": dossier.current_step_id, "hand-over-version": dossier.version},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.redirect_chain[-1][0], "/ho-so/")
        self.assertContains(response, "Ký giấy chứng nhận")

    def test_only_an_optional_step_may_be_skipped_and_going_back_needs_a_reason(self):
        from django.core.exceptions import ValidationError

        procedure = Procedure.objects.current().get(code="1.014438")
        steps = list(procedure.steps.order_by("order"))
        dossier = self.hand_over("motcua", file_and_accept(procedure))
        with self.assertRaises(ValidationError) as caught:  # "Xem xét" skipped: not optional
            self.hand_over("chuyenvienkh", dossier, to_step=steps[4])
        self.assertIn("to_step", caught.exception.message_dict)
        dossier = self.hand_over("chuyenvienkh", dossier, to_step=steps[3])  # over the optional
        self.assertEqual(dossier.current_step, steps[3])
        with self.assertRaises(ValidationError):
            services.dossier_send_back(
                actor=demo_user("truongphongkh"), dossier=dossier, to_step=steps[1], reason=" "
            )
        dossier = services.dossier_send_back(
            actor=demo_user("truongphongkh"),
            dossier=dossier,
            to_step=steps[1],
            reason="Thiếu tài liệu cơ sở vật chất",
            **seen(dossier),
        )
        self.assertEqual((dossier.current_step, dossier.status), (steps[1], Status.PROCESSING))
