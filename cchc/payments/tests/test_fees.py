"""Fee lines: created when the officer asks for the fees, shown on the lookup page."""

from decimal import Decimal

from django.test import override_settings

from cchc.dossiers import services
from cchc.dossiers.models import FeeLine, PaidOnline, Status
from cchc.dossiers.tests.helpers import DeskTestCase, at
from cchc.payments.tests.helpers import PaymentTestCase


class FeeLinesTests(DeskTestCase):
    def processing(self):
        dossier, secret = self.file_online(at(2026, 3, 2, 9))
        services.dossier_accept(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 10))
        services.dossier_hand_over(actor=self.desk, dossier=dossier, at=at(2026, 3, 2, 11))
        return dossier, secret

    def test_asking_for_fees_creates_the_line_of_the_amount_given(self):
        self.procedure.fee_text = "Lệ phí cấp giấy chứng nhận"
        self.procedure.save(update_fields=["fee_text"])
        dossier, _secret = self.processing()
        dossier = services.dossier_require_fees(
            actor=self.officer_a, dossier=dossier, amount=Decimal(250000)
        )
        line = dossier.fees.get()
        self.assertEqual(
            (line.kind, line.code, line.name, line.amount, line.paid_at),
            (FeeLine.Kind.CHARGE, "2.002248", "Lệ phí cấp giấy chứng nhận", 250000, None),
        )
        dossier.refresh_from_db()
        self.assertEqual(
            (dossier.status, dossier.paid_online), (Status.FEES, PaidOnline.NOT_ONLINE)
        )

    def test_without_an_amount_the_procedures_fixed_fee_is_used(self):
        self.procedure.fee_kind, self.procedure.fee_amount = "fixed", Decimal(150000)
        self.procedure.save(update_fields=["fee_kind", "fee_amount"])
        dossier, _secret = self.processing()
        services.dossier_require_fees(actor=self.officer_a, dossier=dossier)
        self.assertEqual(list(dossier.fees.values_list("amount", flat=True)), [150000])

    def test_asking_again_replaces_the_unpaid_line_and_a_desk_payment_marks_it_paid(self):
        dossier, _secret = self.processing()
        services.dossier_require_fees(actor=self.officer_a, dossier=dossier, amount=Decimal(1))
        services.dossier_fees_paid(actor=self.officer_a, dossier=dossier, at=at(2026, 3, 4, 9))
        paid = dossier.fees.get()
        self.assertEqual(
            (paid.paid_at, paid.paid_online), (at(2026, 3, 4, 9), PaidOnline.NOT_ONLINE)
        )
        services.dossier_require_fees(actor=self.officer_a, dossier=dossier, amount=Decimal(7))
        services.dossier_fees_paid(actor=self.officer_a, dossier=dossier)
        services.dossier_require_fees(actor=self.officer_a, dossier=dossier, amount=Decimal(9))
        lines = [(line.amount, line.paid_at is None) for line in dossier.fees.all()]
        self.assertEqual(lines, [(1, False), (7, False), (9, True)])

    def test_zero_fees_make_no_line(self):
        dossier, _secret = self.processing()
        services.dossier_require_fees(actor=self.officer_a, dossier=dossier, amount=Decimal(0))
        self.assertFalse(dossier.fees.exists())


class LookupBlockTests(PaymentTestCase):
    def test_the_citizen_with_the_secret_sees_the_lines_the_total_and_the_button(self):
        response = self.client.get(
            "/ho-so/tra-cuu/", {"code": self.dossier.code, "secret": self.secret}
        )
        self.assertContains(response, 'id="payment-block"')
        self.assertContains(response, "Lệ phí giải quyết thủ tục hành chính")
        self.assertContains(response, 'id="payment-total">500.000<')
        self.assertContains(response, "Thanh toán trực tuyến</button>")
        self.assertContains(response, f'name="secret" value="{self.secret}"')

    def test_without_the_secret_nothing_of_the_fees_shows(self):
        response = self.client.get("/ho-so/tra-cuu/", {"code": self.dossier.code})
        self.assertContains(response, self.dossier.code)
        self.assertNotContains(response, "payment-block")

    @override_settings(PAYMENT_SECRET="")
    def test_without_a_platform_the_citizen_is_sent_to_the_desk(self):
        response = self.client.get(
            "/ho-so/tra-cuu/", {"code": self.dossier.code, "secret": self.secret}
        )
        self.assertContains(response, 'id="payment-total">500.000<')
        self.assertNotContains(response, "Thanh toán trực tuyến</button>")
        self.assertContains(response, "nộp phí, lệ phí tại Bộ phận tiếp nhận")
