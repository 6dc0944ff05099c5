from django.db import models
from django.utils.translation import gettext_lazy as _


class SignedDocument(models.Model):
    """A PDF the agency signed for a dossier: its BM.01 receipt (signed once, at the first
    download, and served from storage afterwards) or a result file approved at the decision."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Giấy tiếp nhận hồ sơ và hẹn trả kết quả (BM.01)")
        RESULT = "result", _("Kết quả giải quyết")

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="signed_documents"
    )
    file = models.OneToOneField(
        "dossiers.DossierFile",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signature",
    )
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    path = models.CharField(_("tệp đã ký"), max_length=300)
    signer = models.CharField(_("người ký"), max_length=500)
    signed_at = models.DateTimeField(_("thời điểm ký"))
    sha256 = models.CharField(_("SHA-256 của tệp đã ký"), max_length=64, db_index=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(kind="receipt"),
                name="esign_one_receipt_per_dossier",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="receipt", file__isnull=True)
                | models.Q(kind="result", file__isnull=False),
                name="esign_result_has_its_file",
            ),
        ]

    def __str__(self):
        return f"{self.dossier_id} {self.kind} {self.signed_at:%Y-%m-%d %H:%M}"
