"""What CCHC owes the national portal (the outbox) and what it received from it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency


class OutboxMessage(models.Model):
    """One change to report, written in the transaction of the change itself: never lost when
    the process dies after the commit, never sent for a change that rolled back."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENT = "sent", _("Đã gửi, được xác nhận")
        FAILED = "failed", _("Gửi lỗi, sẽ thử lại")
        DEAD = "dead", _("Gửi lỗi, ngừng thử lại")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.CASCADE, related_name="outbox"
    )
    # The national service the message ends in (DongBoHoSoMC, DongBoTrangThaiHoSo, DongBoDanhGia).
    service = models.CharField(_("dịch vụ"), max_length=60)
    event = models.CharField(_("sự kiện"), max_length=60, blank=True)
    payload = models.JSONField(null=True, blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lần tới lúc"), null=True, blank=True)
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    # A worker's claim: others leave the dossier's messages alone until then (a worker that
    # died mid-send loses its claim when this passes; the resend is idempotent).
    locked_until = models.DateTimeField(_("đang gửi đến"), null=True, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    sent_at = models.DateTimeField(_("gửi xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tin chờ gửi Cổng DVCQG")
        verbose_name_plural = _("tin chờ gửi Cổng DVCQG")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["dossier", "state"], name="outbox_dossier_state"),
        ]

    def __str__(self):
        return f"{self.service} {self.dossier_id} {self.state}"


class InboundReceipt(models.Model):
    """A dossier the national portal pushed to us: once per national dossier code."""

    national_code = models.CharField(_("mã hồ sơ trên Cổng DVCQG"), max_length=60, unique=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="inbound_receipt"
    )
    received_at = models.DateTimeField(_("nhận lúc"))
    body_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("hồ sơ nhận từ Cổng DVCQG")
        verbose_name_plural = _("hồ sơ nhận từ Cổng DVCQG")
        ordering = ["-received_at"]

    def __str__(self):
        return self.national_code


class SyncLog(models.Model):
    """One call to or from the national side: what was sent, what came back, how long it took."""

    class Direction(models.TextChoices):
        OUT = "out", _("Gửi đi")
        IN = "in", _("Nhận về")

    class State(models.TextChoices):
        OK = "ok", _("Thành công")
        ERROR = "error", _("Lỗi")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="national_sync_log",
    )
    message = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    direction = models.CharField(_("chiều"), max_length=3, choices=Direction.choices)
    service = models.CharField(_("dịch vụ"), max_length=60)
    at = models.DateTimeField(_("lúc"))
    payload = models.JSONField(_("nội dung gửi"), null=True, blank=True)
    reply = models.JSONField(_("phản hồi"), null=True, blank=True)
    state = models.CharField(_("kết quả"), max_length=5, choices=State.choices)
    error = models.TextField(_("lỗi"), blank=True)
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)

    class Meta:
        verbose_name = _("nhật ký đồng bộ Cổng DVCQG")
        verbose_name_plural = _("nhật ký đồng bộ Cổng DVCQG")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "at"], name="synclog_dossier_at")]

    def __str__(self):
        return f"{self.direction} {self.service} {self.state}"
