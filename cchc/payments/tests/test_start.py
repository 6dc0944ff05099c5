"""Starting a payment: the signed init message, the redirect to the platform's page."""

from django.test import override_settings

from cchc.core.models import AuditEntry
from cchc.dossiers.models import Status
from cchc.nationalportal.codes import parse_national_time
from cchc.payments.models import PaymentTransaction
from cchc.payments.tests.helpers import PARTNER, PaymentTestCase, mac


class StartTests(PaymentTestCase):
    def test_the_citizen_is_sent_to_the_platforms_page_with_a_correctly_signed_message(self):
        response = self.start()
        payment = PaymentTransaction.objects.get(dossier=self.dossier)
        self.assertRedirects(
            response,
            f"http://127.0.0.1:{self.server.server_port}/thanhtoan/{payment.reference}",
            fetch_redirect_response=False,
        )
        self.assertEqual((payment.state, payment.amount), ("pending", 500000))
        sent = self.platform.transactions[payment.reference]["message"]
        self.assertEqual(sent, payment.request)
        self.assertEqual(sent["MaXacThuc"], mac(sent, "init"))
        self.assertEqual(
            {k: sent[k] for k in ("LoaiBanTin", "MaDoiTac", "SoTien", "MaTienTe", "NgonNgu")},
            {
                "LoaiBanTin": "PAY_INIT",
                "MaDoiTac": PARTNER,
                "SoTien": "500000",
                "MaTienTe": "VND",
                "NgonNgu": "vi",
            },
        )
        self.assertEqual(len(sent["ThoiGianGD"]), 14)
        parse_national_time(sent["ThoiGianGD"])
        receipt = sent["ThongTinBienLai"]
        self.assertEqual(
            {
                k: receipt[k]
                for k in ("MaDichVu", "MaDonVi", "MaHoSo", "MaTTHC", "TKThuHuong", "HoTenNguoiNop")
            },
            {
                "MaDichVu": "2",
                "MaDonVi": "000.00.12.H56",
                "MaHoSo": self.dossier.code,
                "MaTTHC": "2.002248",
                "TKThuHuong": "1234567890",
                "HoTenNguoiNop": "Nguyễn Văn An",
            },
        )
        self.assertEqual(
            receipt["PhiLePhi"],
            [
                {
                    "LoaiPhiLePhi": "2",
                    "MaPhiLePhi": "2.002248",
                    "TenPhiLePhi": "Lệ phí giải quyết thủ tục hành chính",
                    "SoTien": "500000",
                }
            ],
        )
        self.assertTrue(
            AuditEntry.objects.filter(action="payment.start", object_id=str(payment.pk)).exists()
        )

    def test_the_time_is_written_on_the_24_hour_clock(self):
        import time_machine

        with time_machine.travel("2026-03-03 15:30:00+07:00", tick=False):
            self.start()
        sent = PaymentTransaction.objects.get(dossier=self.dossier).request
        self.assertEqual(sent["ThoiGianGD"], "20260303153000")

    def test_a_second_click_resumes_the_transaction_under_way(self):
        first, second = self.start(), self.start()
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(PaymentTransaction.objects.count(), 1)
        self.assertEqual(len(self.platform.transactions), 1)

    def test_a_transaction_under_way_for_other_lines_is_not_resumed(self):
        from decimal import Decimal

        from cchc.dossiers import services

        self.start()
        services.dossier_fees_paid(actor=self.officer_a, dossier=self.dossier)  # at the desk
        services.dossier_require_fees(
            actor=self.officer_a, dossier=self.dossier, amount=Decimal(20000)
        )
        response = self.start()
        self.assertContains(response, "đang chờ kết quả", status_code=409)
        self.assertEqual(PaymentTransaction.objects.count(), 1)

    def test_a_wrong_secret_starts_nothing(self):
        response = self.start(secret="SAIMA123")
        self.assertContains(response, "Mã hồ sơ hoặc mã tra cứu không đúng.", status_code=400)
        self.assertFalse(PaymentTransaction.objects.exists())
        self.assertEqual(self.platform.transactions, {})

    def test_secrets_tried_here_count_with_the_lookups_and_a_flood_gets_429(self):
        from django.core.cache import cache

        cache.clear()
        with override_settings(RATE_LIMITS={"dossier-lookup": "2/h"}, RATE_LIMIT_SCALE=1):
            for _ in range(2):
                self.assertEqual(self.start(secret="SAIMA123").status_code, 400)
            response = self.start()  # the right secret, refused all the same
        cache.clear()
        self.assertContains(response, "quá nhiều lần", status_code=429)
        self.assertFalse(PaymentTransaction.objects.exists())
        self.assertEqual(self.platform.transactions, {})

    def test_a_dossier_not_waiting_for_fees_cannot_be_paid(self):
        from cchc.dossiers import services

        services.dossier_fees_paid(actor=self.officer_a, dossier=self.dossier)
        response = self.start()
        self.assertContains(response, "không ở trạng thái chờ nộp phí", status_code=409)
        self.assertFalse(PaymentTransaction.objects.exists())

    def test_a_platform_that_does_not_answer_gives_a_clear_message_and_nothing_pending(self):
        with override_settings(PAYMENT_PLATFORM_URL="http://127.0.0.1:9/"):
            response = self.start()
        self.assertContains(response, "Nền tảng thanh toán chưa sẵn sàng", status_code=409)
        self.assertEqual(PaymentTransaction.objects.get().state, "failed")
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.status, Status.FEES)
        # and the citizen may try again once it is back
        again = self.start()
        self.assertEqual(again.status_code, 302, again.content.decode()[-800:])
        self.assertEqual(PaymentTransaction.objects.filter(state="pending").count(), 1)

    def test_a_wrongly_signed_init_is_refused_by_the_platform(self):
        with override_settings(PAYMENT_SECRET="khong-phai-khoa-nay"):
            response = self.start()
        self.assertEqual(response.status_code, 409)
        self.assertEqual(self.platform.transactions, {})

    def test_only_post_starts(self):
        self.assertEqual(self.client.get("/thanh-toan/bat-dau/").status_code, 405)
