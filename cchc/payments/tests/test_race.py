"""The callback and the reconciliation job confirm the same payment at the same moment: the
dossier leaves status 6 once (SQLite file database and PostgreSQL alike)."""

import threading
from decimal import Decimal

from django.db import connection
from django.test import TransactionTestCase

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.dossiers import services as dossier_services
from cchc.dossiers.models import Dossier, HandOver, Status
from cchc.dossiers.tests.helpers import APPLICANT, at, make_procedure
from cchc.payments import services
from cchc.payments.models import PaymentTransaction


class ConcurrentConfirmationTests(TransactionTestCase):
    def setUp(self):
        agency = make_agency("SKHCN")
        office = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
        desk = make_user("desk", office, [Role.ONE_STOP_OFFICER])
        procedure = make_procedure(
            components=(), steps=[("Thẩm định", "3", office), ("Ký", "1", office)]
        )
        dossier, _ = dossier_services.dossier_receive_paper(
            actor=desk, procedure=procedure, applicant=APPLICANT, at=at(2026, 3, 2, 9)
        )
        dossier_services.dossier_hand_over(actor=desk, dossier=dossier, at=at(2026, 3, 2, 10))
        dossier = dossier_services.dossier_require_fees(
            actor=desk, dossier=dossier, amount=Decimal(100000), at=at(2026, 3, 3, 9)
        )
        self.dossier = dossier
        self.payment = PaymentTransaction.objects.create(
            dossier=dossier,
            reference=f"{dossier.code}-RACE",
            amount=100000,
            line_ids=list(dossier.fees.values_list("pk", flat=True)),
            created_at=at(2026, 3, 3, 10),
        )

    def test_two_confirmations_at_once_move_the_dossier_once(self):
        barrier = threading.Barrier(2)
        results = []

        def work(code):
            try:
                payment = PaymentTransaction.objects.get(pk=self.payment.pk)
                barrier.wait(timeout=10)
                services.payment_confirm(payment=payment, platform_code=code)
                results.append("ok")
            except Exception as error:  # noqa: BLE001 - reported below
                results.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(c,)) for c in ("PP1", "PP2")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(results, ["ok", "ok"])
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        self.assertEqual(dossier.status, Status.PROCESSING)
        self.assertEqual(HandOver.objects.filter(dossier=dossier, action="fees_paid").count(), 1)
        self.assertEqual(PaymentTransaction.objects.get(pk=self.payment.pk).state, "paid")
