"""Writes of online payment: start a transaction on the national payment platform, take its
callback, reconcile the transactions it never called back about."""

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.models import User
from cchc.core.services import audit_record
from cchc.dossiers import services as dossier_services
from cchc.dossiers.models import Dossier, PaidOnline, Status
from cchc.payments import gateway
from cchc.payments.models import PaymentTransaction
from cchc.procedures.national import national_for

State = PaymentTransaction.State


def platform_actor() -> User:
    """The system account the platform's confirmations are recorded under (see
    dossiers.services.PAYMENT_PLATFORM_USERNAME): inactive, with no usable password."""
    user, _created = User.objects.get_or_create(
        username=dossier_services.PAYMENT_PLATFORM_USERNAME,
        defaults={
            "is_active": False,
            "password": make_password(None),
            "last_name": "Nền tảng thanh toán",
            "first_name": "Cổng DVCQG",
        },
    )
    return user


def _reference(dossier: Dossier) -> str:
    """MaThamChieu: the dossier code and a random part (the return page is found by it)."""
    return f"{dossier.code}-{secrets.token_hex(5).upper()}"[:40]


def payment_start(*, dossier: Dossier, ip: str = "", at=None) -> PaymentTransaction:
    """Start (or resume) the payment of the dossier's unpaid fee lines; the returned
    transaction carries the platform's payment page address."""
    if not gateway.configured():
        raise ValidationError(_("Cơ quan chưa kết nối thanh toán trực tuyến."))
    moment = at or timezone.now()
    with transaction.atomic():
        # Two clicks at once would start two transactions: the dossier row is locked.
        dossier = (
            Dossier.objects.select_for_update(no_key=True, of=("self",))
            .select_related("procedure", "agency")
            .get(pk=dossier.pk)
        )
        if not dossier.agency.national_code:
            raise ValidationError(_("Cơ quan chưa có mã định danh đơn vị trên Cổng DVCQG."))
        if dossier.status != Status.FEES:
            raise ValidationError(_("Hồ sơ không ở trạng thái chờ nộp phí, lệ phí."))
        lines = list(dossier.fees.filter(paid_at__isnull=True))
        pending = dossier.payments.filter(state=State.PENDING).first()
        if pending is not None:
            # Resumed only while it pays exactly the lines due; else the platform's answer
            # about it (callback or reconciliation) is awaited: never two payments at once.
            if pending.redirect_url and pending.line_ids == [line.pk for line in lines]:
                return pending
            raise ValidationError(
                _(
                    "Một giao dịch trước đó đang chờ kết quả từ nền tảng thanh toán; "
                    "vui lòng thử lại sau ít phút."
                )
            )
        total = sum(line.amount for line in lines)
        if not lines or total <= 0:
            raise ValidationError(_("Hồ sơ không còn khoản phí, lệ phí nào phải nộp."))
        reference = _reference(dossier)
        message = gateway.init_message(
            dossier=dossier,
            reference=reference,
            lines=lines,
            ip=ip,
            at=moment,
            national=national_for(dossier.procedure),
        )
        payment = PaymentTransaction.objects.create(
            dossier=dossier,
            reference=reference,
            amount=total,
            line_ids=[line.pk for line in lines],
            request=message,
            created_at=moment,
        )
        audit_record(
            actor=None,
            obj=payment,
            action="payment.start",
            to_state=State.PENDING,
            agency=dossier.agency,
        )
    try:  # outside the lock: the platform may be slow
        payment.redirect_url = gateway.send_init(message)
    except gateway.PlatformError as error:
        _settle(payment, State.FAILED, error_code=gateway.OTHER_ERROR, at=moment, note=str(error))
        raise ValidationError(
            _("Nền tảng thanh toán chưa sẵn sàng; vui lòng thử lại sau.")
        ) from error
    payment.save(update_fields=["redirect_url"])
    return payment


def _settle(payment, state, *, at, error_code="", platform_code="", bank_code="", note=""):
    """Move a pending (or failed) transaction to paid, or a pending one to failed; returns
    the locked transaction and whether it changed. Call it inside an atomic block or alone."""
    with transaction.atomic():
        locked = PaymentTransaction.objects.select_for_update().get(pk=payment.pk)
        allowed = {State.PAID: {State.PENDING, State.FAILED}, State.FAILED: {State.PENDING}}
        if locked.state not in allowed[state]:
            return locked, False  # a repeat, or a failure reported after the payment
        previous = locked.state
        locked.state, locked.settled_at = state, at
        locked.error_code = error_code
        locked.platform_code = platform_code or locked.platform_code
        locked.bank_code = bank_code or locked.bank_code
        locked.save(
            update_fields=["state", "settled_at", "error_code", "platform_code", "bank_code"]
        )
        audit_record(
            actor=None,
            obj=locked,
            action=f"payment.{state}",
            from_state=previous,
            to_state=state,
            reason=note[:500],
            agency=payment.dossier.agency,
        )
    return locked, True


def payment_confirm(
    *, payment: PaymentTransaction, platform_code: str = "", bank_code: str = "", at=None
) -> PaymentTransaction:
    """The platform says the money was taken: the transaction and its lines are paid, the
    dossier is paid on DVCQG (DuocThanhToanTrucTuyen 1) and, when nothing is left to pay,
    leaves status 6 through the workflow's "fees-paid". A repeat changes nothing."""
    moment = at or timezone.now()
    with transaction.atomic():
        # The callback and the reconciliation job may confirm at once: the dossier row first.
        dossier = Dossier.objects.select_for_update(no_key=True, of=("self",)).get(
            pk=payment.dossier_id
        )
        payment, changed = _settle(
            payment,
            State.PAID,
            at=moment,
            error_code=gateway.OK,
            platform_code=platform_code,
            bank_code=bank_code,
        )
        if not changed:
            return payment
        dossier.fees.filter(pk__in=payment.line_ids, paid_at__isnull=True).update(
            paid_at=moment, paid_online=PaidOnline.NATIONAL
        )
        Dossier.objects.filter(pk=dossier.pk).update(paid_online=PaidOnline.NATIONAL)
        if dossier.status == Status.FEES and not dossier.fees.filter(paid_at__isnull=True).exists():
            dossier_services.dossier_fees_paid(actor=platform_actor(), dossier=dossier, at=moment)
    return payment


def payment_fail(*, payment: PaymentTransaction, error_code: str, at=None) -> PaymentTransaction:
    """Cancelled or refused on the platform: the dossier stays in status 6, payable again."""
    payment, _changed = _settle(
        payment,
        State.FAILED,
        error_code=(error_code or gateway.OTHER_ERROR)[:10],
        at=at or timezone.now(),
    )
    return payment


def _answer(code: str, description: str, reference: str, at) -> dict:
    return gateway.callback_answer(code, description, reference, at=at)


def payment_callback(*, message, at=None) -> dict:
    """The platform's result of one transaction. Refused (MaLoi 99, nothing changed) unless
    signed with our secret, for our partner code, a known reference and its exact amount."""
    moment = at or timezone.now()
    if not isinstance(message, dict):
        return _answer(gateway.OTHER_ERROR, "Bản tin không hợp lệ", "", moment)
    reference = str(message.get("MaThamChieu", ""))[:40]
    if not gateway.is_signed(message, "callback"):
        return _answer(gateway.OTHER_ERROR, "Sai mã xác thực", reference, moment)
    payment = PaymentTransaction.objects.select_related("dossier").filter(reference=reference)
    payment = payment.first()
    if message.get("MaDoiTac") != settings.PAYMENT_PARTNER_CODE or payment is None:
        return _answer(gateway.OTHER_ERROR, "Không tìm thấy giao dịch", reference, moment)
    if message.get("SoTien") != gateway.amount_text(payment.amount) or (
        message.get("MaTienTe") != gateway.CURRENCY
    ):
        return _answer(gateway.OTHER_ERROR, "Số tiền không khớp", reference, moment)
    if message.get("MaLoi") == gateway.OK:
        payment_confirm(
            payment=payment,
            platform_code=str(message.get("MaGiaoDich", ""))[:60],
            bank_code=str(message.get("MaNganHang", ""))[:20],
            at=moment,
        )
    else:
        payment_fail(payment=payment, error_code=str(message.get("MaLoi", "")), at=moment)
    return _answer(gateway.OK, "Thành công", reference, moment)


def payment_check(*, payment: PaymentTransaction, at=None) -> PaymentTransaction:
    """Ask the platform about one pending transaction (TrangThaiGD 1 paid, 4 failed, 3 still
    pending). Raises gateway.PlatformError when it cannot answer."""
    moment = at or timezone.now()
    reply = gateway.query(payment.reference, at=moment)
    state = reply.get("TrangThaiGD")
    if state == gateway.SETTLED and reply.get("SoTien") == gateway.amount_text(payment.amount):
        return payment_confirm(
            payment=payment,
            platform_code=str(reply.get("MaGiaoDich", ""))[:60],
            bank_code=str(reply.get("MaNganHang", ""))[:20],
            at=moment,
        )
    if state == gateway.CANCELLED:
        return payment_fail(payment=payment, error_code=str(reply.get("MaLoi", "")), at=moment)
    PaymentTransaction.objects.filter(pk=payment.pk).update(checked_at=moment)
    return payment


def payments_reconcile(*, older_than_minutes: int | None = None, at=None) -> dict:
    """Check every transaction still pending after `older_than_minutes`; one that the platform
    cannot answer for is counted and tried again next time, without stopping the others."""
    moment = at or timezone.now()
    minutes = (
        settings.PAYMENT_RECONCILE_AFTER_MINUTES
        if older_than_minutes is None
        else older_than_minutes
    )
    counts = {"paid": 0, "failed": 0, "pending": 0, "errors": 0}
    due = PaymentTransaction.objects.filter(
        state=State.PENDING, created_at__lte=moment - dt.timedelta(minutes=minutes)
    ).order_by("created_at", "id")
    for payment in due:
        try:
            checked = payment_check(payment=payment, at=moment)
        except gateway.PlatformError:
            counts["errors"] += 1
            continue
        counts[checked.state] += 1
    return counts
