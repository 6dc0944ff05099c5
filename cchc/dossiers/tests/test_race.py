"""Two eligible officers hand over the same dossier at the same moment: exactly one wins, the
other is told the dossier has moved on (SQLite file database and PostgreSQL alike)."""

import threading

from django.db import connection
from django.test import TransactionTestCase

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import VerifiedClient, make_agency, make_user
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, HandOver
from cchc.dossiers.tests.helpers import APPLICANT, at, make_procedure


class ConcurrentHandOverTests(TransactionTestCase):
    client_class = VerifiedClient  # staff sign-ins pass two-factor (cchc.core.testing)

    def setUp(self):
        agency = make_agency("SKHCN")
        office = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
        tech = Unit.objects.create(agency=agency, code="QLCN", name="Phòng Quản lý công nghệ")
        self.desks = [make_user(f"desk{n}", office, [Role.ONE_STOP_OFFICER]) for n in range(2)]
        procedure = make_procedure(
            components=(),
            steps=[
                ("Tiếp nhận, chuyển hồ sơ", "0.5", office, Role.ONE_STOP_OFFICER),
                ("Thẩm định", "3", tech, Role.SPECIALIST),
                ("Ký", "1", tech, Role.UNIT_LEADER),
            ],
        )
        self.dossier, _ = services.dossier_receive_paper(
            actor=self.desks[0], procedure=procedure, applicant=APPLICANT, at=at(2026, 3, 2, 9)
        )

    def test_two_hand_overs_of_the_same_step_exactly_one_succeeds(self):
        seen = {"step": self.dossier.current_step_id, "version": self.dossier.version}
        barrier = threading.Barrier(2)
        results = []

        def work(actor):
            try:
                dossier = Dossier.objects.get(pk=self.dossier.pk)
                barrier.wait(timeout=10)
                services.dossier_hand_over(actor=actor, dossier=dossier, **seen)
                results.append("ok")
            except services.StaleError as error:
                results.append(error.messages[0])
            except Exception as error:  # noqa: BLE001 - reported below
                results.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(desk,)) for desk in self.desks]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(sorted(results)[1:], ["ok"], results)
        self.assertEqual(
            sorted(results)[0],
            "Hồ sơ đã được chuyển sang bước 2 “Thẩm định”, hãy tải lại.",
        )
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        self.assertEqual(dossier.current_step.order, 2)
        self.assertEqual(dossier.handovers.filter(action=HandOver.Action.HAND_OVER).count(), 1)

    def test_a_stale_hand_over_through_the_api_gets_409_and_changes_nothing(self):
        stale = {"step": self.dossier.current_step_id, "version": self.dossier.version}
        services.dossier_hand_over(actor=self.desks[0], dossier=self.dossier, **stale)
        before = HandOver.objects.count()
        self.client.force_login(self.desks[1])
        response = self.client.post(
            f"/api/v1/dossiers/{self.dossier.code}/hand-over",
            stale,
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 409)
        self.assertIn("hãy tải lại", response.json()["errors"][0]["message"])
        self.assertEqual(HandOver.objects.count(), before)
        self.assertEqual(Dossier.objects.get(pk=self.dossier.pk).current_step.order, 2)
