"""The platform's callback: verified, exact, idempotent; and the citizen's return page."""

from django.contrib.auth import get_user_model

from cchc.core.models import AuditEntry
from cchc.dossiers.models import HandOver, PaidOnline, Status
from cchc.payments.models import PaymentTransaction
from cchc.payments.tests.helpers import PARTNER, PaymentTestCase, mac


class CallbackTests(PaymentTestCase):
    def setUp(self):
        super().setUp()
        self.start()
        self.payment = PaymentTransaction.objects.get(dossier=self.dossier)

    def message(self, **changes):
        message = {
            "LoaiBanTin": "PAY_NOTIFY",
            "MaLoi": "00",
            "MaDoiTac": PARTNER,
            "MaThamChieu": self.payment.reference,
            "SoTien": "500000",
            "MaTienTe": "VND",
            "MaGiaoDich": "PP0001",
            "MaNganHang": "970436",
            "ThoiGianGD": "20260303100500",
            "ThongTinGiaoDich": "Nop phi",
            **changes,
        }
        message["MaXacThuc"] = mac(message, "callback")
        return message

    def call_back(self, message):
        return self.client.post("/thanh-toan/ket-qua/", message, content_type="application/json")

    def snapshot(self):
        self.dossier.refresh_from_db()
        self.payment.refresh_from_db()
        return (
            self.dossier.status,
            self.dossier.paid_online,
            self.dossier.version,
            self.payment.state,
            list(self.dossier.fees.values_list("paid_at", "paid_online")),
            HandOver.objects.filter(dossier=self.dossier).count(),
            AuditEntry.objects.count(),
        )

    def test_a_paid_callback_confirms_and_the_dossier_leaves_status_6(self):
        response = self.call_back(self.message())
        self.assertEqual(response.status_code, 200)
        answer = response.json()
        self.assertEqual(
            {k: answer[k] for k in ("MaLoi", "MoTaLoi", "MaDoiTac", "MaThamChieu")},
            {
                "MaLoi": "00",
                "MoTaLoi": "Thành công",
                "MaDoiTac": PARTNER,
                "MaThamChieu": self.payment.reference,
            },
        )
        self.assertEqual(answer["MaXacThuc"], mac(answer, "callback-reply"))
        self.dossier.refresh_from_db()
        self.payment.refresh_from_db()
        self.assertEqual(self.dossier.status, Status.PROCESSING)
        self.assertEqual(self.dossier.paid_online, PaidOnline.NATIONAL)
        self.assertEqual((self.payment.state, self.payment.platform_code), ("paid", "PP0001"))
        line = self.dossier.fees.get()
        self.assertIsNotNone(line.paid_at)
        self.assertEqual(line.paid_online, PaidOnline.NATIONAL)
        step = self.dossier.handovers.order_by("-id").first()
        self.assertEqual(step.action, "fees_paid")
        self.assertEqual(step.from_user.username, "nen-tang-thanh-toan")
        self.assertFalse(step.from_user.is_active)
        self.assertFalse(step.from_user.has_usable_password())

    def test_a_second_identical_callback_changes_nothing(self):
        self.assertEqual(self.call_back(self.message()).status_code, 200)
        before = self.snapshot()
        response = self.call_back(self.message())
        self.assertEqual(response.json()["MaLoi"], "00")
        self.assertEqual(self.snapshot(), before)

    def test_a_forged_callback_is_refused_and_changes_nothing(self):
        before = self.snapshot()
        forged = self.message()
        forged["MaXacThuc"] = mac(forged, "callback", secret="doan-mo")
        response = self.call_back(forged)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["MaLoi"], "99")
        unsigned = self.message()
        del unsigned["MaXacThuc"]
        self.assertEqual(self.call_back(unsigned).json()["MaLoi"], "99")
        self.assertEqual(self.snapshot(), before)

    def test_a_signed_callback_with_another_amount_or_reference_is_refused(self):
        before = self.snapshot()
        for changes in ({"SoTien": "5000"}, {"MaThamChieu": "KHAC-1"}, {"MaTienTe": "USD"}):
            response = self.call_back(self.message(**changes))
            self.assertEqual(response.json()["MaLoi"], "99", changes)
        self.assertEqual(self.snapshot(), before)

    def test_bad_input_gets_a_json_refusal_not_an_error(self):
        for body in (b"{not json", b"[]", b""):
            response = self.client.post(
                "/thanh-toan/ket-qua/", body, content_type="application/json"
            )
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json()["MaLoi"], "99")
        self.assertEqual(self.client.get("/thanh-toan/ket-qua/").status_code, 405)

    def test_a_failed_payment_leaves_the_dossier_in_6_and_it_can_be_paid_again(self):
        self.call_back(self.message(MaLoi="24"))
        self.dossier.refresh_from_db()
        self.payment.refresh_from_db()
        self.assertEqual((self.dossier.status, self.payment.state), (Status.FEES, "failed"))
        self.assertIsNone(self.dossier.fees.get().paid_at)
        self.assertEqual(self.start().status_code, 302)
        self.assertEqual(PaymentTransaction.objects.filter(state="pending").count(), 1)

    def test_the_system_account_cannot_ask_for_fees_paid_before_the_payment(self):
        from django.core.exceptions import PermissionDenied

        from cchc.dossiers import services
        from cchc.payments.services import platform_actor

        with self.assertRaises(PermissionDenied):
            services.dossier_fees_paid(actor=platform_actor(), dossier=self.dossier)
        # and an ordinary account of that name (active, with a password) never may
        get_user_model().objects.filter(username="nen-tang-thanh-toan").update(is_active=True)
        self.dossier.paid_online = PaidOnline.NATIONAL
        self.dossier.save(update_fields=["paid_online"])
        with self.assertRaises(PermissionDenied):
            services.dossier_fees_paid(
                actor=get_user_model().objects.get(username="nen-tang-thanh-toan"),
                dossier=self.dossier,
            )


class ReturnPageTests(PaymentTestCase):
    def test_the_page_shows_the_recorded_state_whatever_the_query_says(self):
        self.start()
        payment = PaymentTransaction.objects.get(dossier=self.dossier)
        url = f"/thanh-toan/tro-ve/{payment.reference}/"
        response = self.client.get(url, {"MaLoi": "00", "TrangThaiGD": "1"})
        self.assertContains(response, 'data-state="pending"')
        self.platform.settle(payment.reference)  # paid on the platform, no callback yet
        PaymentTransaction.objects.filter(pk=payment.pk).update(checked_at=None)
        response = self.client.get(url)
        self.assertContains(response, 'data-state="paid"')
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.status, Status.PROCESSING)

    def test_an_unknown_reference_is_404(self):
        self.assertEqual(self.client.get("/thanh-toan/tro-ve/KHONG-CO/").status_code, 404)
