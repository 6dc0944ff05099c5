"""Who sees a dossier's payments: its agency's staff on the dossier page, nobody else."""

from cchc.payments.models import PaymentTransaction
from cchc.payments.tests.helpers import PaymentTestCase


class AccessTests(PaymentTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.make_other_agency_personas()

    def setUp(self):
        super().setUp()
        self.start()
        self.payment = PaymentTransaction.objects.get()
        self.url = f"/ho-so/{self.dossier.code}/"

    def test_the_agencys_staff_see_the_lines_and_transactions_on_the_dossier_page(self):
        for name in ("officer_a", "agency_leader", "desk"):
            self.client.force_login(getattr(self, name))
            response = self.client.get(self.url)
            self.assertContains(response, 'id="dossier-payments"', msg_prefix=name)
            self.assertContains(response, self.payment.reference, msg_prefix=name)
            self.assertContains(response, "Đang chờ thanh toán", msg_prefix=name)

    def test_other_agency_staff_the_citizen_and_the_anonymous_never_see_them(self):
        for name in ("outsider", "outsider_leader", "outsider_chief", "citizen", "anonymous"):
            self.login_as(name)
            response = self.client.get(self.url)
            self.assertIn(response.status_code, (302, 404), name)
            self.assertNotContains(
                response, self.payment.reference, status_code=response.status_code
            )

    def test_other_agency_staff_cannot_start_or_settle_a_payment(self):
        self.login_as("outsider_chief")
        before = list(PaymentTransaction.objects.values_list("state", flat=True))
        response = self.client.post(
            "/thanh-toan/bat-dau/", {"code": self.dossier.code, "secret": ""}
        )
        self.assertEqual(response.status_code, 400)
        response = self.client.post(
            "/thanh-toan/ket-qua/",
            {"MaThamChieu": self.payment.reference, "MaLoi": "00"},
            content_type="application/json",
        )
        self.assertEqual(response.json()["MaLoi"], "99")
        self.assertEqual(list(PaymentTransaction.objects.values_list("state", flat=True)), before)
