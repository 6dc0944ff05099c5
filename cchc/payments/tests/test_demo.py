from decimal import Decimal

from django.test import TestCase

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.testing import make_agency, make_user
from cchc.dossiers import services
from cchc.dossiers.models import Dossier, PaidOnline
from cchc.dossiers.tests.helpers import APPLICANT, at, make_procedure
from cchc.payments import demo


class DemoTests(TestCase):
    def test_demo_dossiers_that_owed_a_fee_get_their_line_once(self):
        agency = make_agency("SKHCN")
        office = Unit.objects.create(agency=agency, code="VP", name="Văn phòng")
        desk = make_user("desk", office, [Role.ONE_STOP_OFFICER])
        procedure = make_procedure(components=())
        owed, _ = services.dossier_receive_paper(
            actor=desk, procedure=procedure, applicant=APPLICANT, at=at(2026, 3, 2, 9)
        )
        free, _ = services.dossier_receive_paper(
            actor=desk, procedure=procedure, applicant=APPLICANT, at=at(2026, 3, 2, 9)
        )
        Dossier.objects.filter(pk=owed.pk).update(
            fee_amount=Decimal(300000), decided_at=at(2026, 3, 5, 9)
        )
        self.assertEqual(demo.load(), {"fee_lines": 1, "paid_online": 0})
        line = owed.fees.get()
        self.assertEqual((line.amount, line.paid_at), (300000, at(2026, 3, 5, 9)))
        self.assertEqual(Dossier.objects.get(pk=owed.pk).paid_online, PaidOnline.NOT_ONLINE)
        self.assertFalse(free.fees.exists())
        self.assertEqual(demo.load(), {"fee_lines": 0, "paid_online": 0})
