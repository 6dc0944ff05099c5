from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit


class FeedbackSettings(models.Model):
    """Deadlines of one agency for petitions, in working days."""

    agency = models.OneToOneField(
        Agency, on_delete=models.CASCADE, related_name="feedback_settings"
    )
    triage_working_days = models.PositiveSmallIntegerField(
        _("hạn phân loại (ngày làm việc)"),
        default=5,
        help_text=_("Chuyển PAKN ngoài thẩm quyền trong 5 ngày làm việc (Nghị định 20/2008)."),
    )
    answer_working_days = models.PositiveSmallIntegerField(
        _("hạn trả lời (ngày làm việc)"), default=15
    )

    class Meta:
        verbose_name = _("cấu hình hạn xử lý PAKN")
        verbose_name_plural = _("cấu hình hạn xử lý PAKN")
        constraints = [
            models.CheckConstraint(
                condition=Q(triage_working_days__lte=5) & Q(triage_working_days__gte=1),
                name="feedback_triage_within_law",
            ),
            models.CheckConstraint(
                condition=Q(answer_working_days__gte=1), name="feedback_answer_days_positive"
            ),
        ]

    def __str__(self):
        return str(self.agency)


class Petition(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Đã tiếp nhận")
        ACCEPTED = "accepted", _("Đang xử lý")
        REFUSED = "refused", _("Từ chối xử lý")
        FORWARDED = "forwarded", _("Đã chuyển cơ quan có thẩm quyền")
        ANSWERED = "answered", _("Đã trả lời")
        PUBLISHED = "published", _("Đã trả lời, công khai")

    class Channel(models.TextChoices):
        WEB = "web", _("Cổng thông tin")
        API = "api", _("Ứng dụng (API)")
        PAPER = "paper", _("Văn bản giấy")
        PHONE = "phone", _("Điện thoại")

    code = models.CharField(_("mã PAKN"), max_length=30, unique=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="petitions", verbose_name=_("cơ quan")
    )
    sender_name = models.CharField(_("họ tên"), max_length=160)
    sender_phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    sender_email = models.EmailField(_("thư điện tử"), blank=True)
    sender_address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255)
    content = models.TextField(_("nội dung"), max_length=5000)
    # Free text on purpose: the procedures app is optional for this one.
    procedure_code = models.CharField(_("mã thủ tục liên quan"), max_length=50, blank=True)
    procedure_name = models.CharField(_("tên thủ tục liên quan"), max_length=500, blank=True)
    channel = models.CharField(
        _("kênh tiếp nhận"), max_length=20, choices=Channel.choices, default=Channel.WEB
    )
    consent_to_publish = models.BooleanField(_("đồng ý công khai"), default=False)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    received_at = models.DateTimeField(_("tiếp nhận lúc"), db_index=True)
    triage_due_at = models.DateTimeField(_("hạn phân loại"))
    triaged_at = models.DateTimeField(_("phân loại lúc"), null=True, blank=True)
    due_at = models.DateTimeField(_("hạn trả lời"), null=True, blank=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
        verbose_name=_("đơn vị xử lý"),
    )
    refusal_reason = models.TextField(_("lý do từ chối"), blank=True)
    forwarded_to = models.CharField(_("chuyển đến"), max_length=255, blank=True)
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("công khai lúc"), null=True, blank=True)
    search_title = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    search_body = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="petition_queue_idx"),
            models.Index(fields=["status", "-published_at"], name="petition_public_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""),
                name="petition_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(consent_to_publish=True),
                name="petition_published_with_consent",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["answered", "published"]) | Q(answered_at__isnull=False),
                name="petition_answer_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.ACCEPTED)


class PetitionAttachment(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField(_("tên tệp"), max_length=200)
    path = models.CharField(max_length=255)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")

    def __str__(self):
        return self.original_name
