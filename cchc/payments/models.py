"""One attempt to pay a dossier's fees through the national payment platform."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentTransaction(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Đang chờ thanh toán")
        PAID = "paid", _("Đã thanh toán")
        FAILED = "failed", _("Không thành công")

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="payments"
    )
    # MaThamChieu: our reference, unique at the platform for this partner (MaDoiTac).
    reference = models.CharField(_("mã tham chiếu"), max_length=40, unique=True)
    amount = models.DecimalField(_("số tiền"), max_digits=14, decimal_places=0)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.PENDING
    )
    # The fee lines the transaction pays (ids of FeeLine), fixed when it was started.
    line_ids = models.JSONField(default=list)
    redirect_url = models.URLField(_("địa chỉ trang thanh toán"), max_length=1000, blank=True)
    # What the platform answered when it settled: MaGiaoDich, MaNganHang, MaLoi.
    platform_code = models.CharField(_("mã giao dịch của nền tảng"), max_length=60, blank=True)
    bank_code = models.CharField(_("mã ngân hàng"), max_length=20, blank=True)
    error_code = models.CharField(_("mã lỗi"), max_length=10, blank=True)
    request = models.JSONField(_("bản tin khởi tạo"), default=dict)
    created_at = models.DateTimeField(_("tạo lúc"))
    settled_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    checked_at = models.DateTimeField(_("đối soát lần cuối lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "created_at"], name="payment_pending")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
            # One payment under way per dossier: a second click resumes it.
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(state="pending"),
                name="payment_one_pending_per_dossier",
            ),
        ]

    def __str__(self):
        return self.reference
