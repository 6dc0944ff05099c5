from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency
from cchc.core.years import YEAR_VALIDATORS, year_range

NARRATIVE_SECTIONS = [
    ("overview", _("Tình hình chung")),
    ("1", _("Công tác chỉ đạo, điều hành cải cách hành chính")),
    ("2", _("Cải cách thể chế")),
    ("3", _("Cải cách thủ tục hành chính")),
    ("4", _("Cải cách tổ chức bộ máy hành chính")),
    ("5", _("Cải cách chế độ công vụ")),
    ("6", _("Cải cách tài chính công")),
    ("7", _("Xây dựng và phát triển Chính phủ điện tử, Chính phủ số")),
    ("limitations", _("Tồn tại, hạn chế và nguyên nhân")),
    ("next_year", _("Phương hướng, nhiệm vụ năm tới")),
    ("recommendations", _("Kiến nghị, đề xuất")),
]


class ReportSnapshot(models.Model):
    """The annual reform report: figures frozen at `as_of`, the editors' narrative, and the
    generated files (Word, PDF, Excel) in storage."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        QUEUED = "queued", _("Đang chờ tạo tệp")
        GENERATING = "generating", _("Đang tạo tệp")
        READY = "ready", _("Đã tạo tệp")
        FAILED = "failed", _("Lỗi khi tạo tệp")

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="reform_reports", verbose_name=_("cơ quan")
    )
    year = models.PositiveSmallIntegerField(_("năm báo cáo"), validators=YEAR_VALIDATORS)
    as_of = models.DateField(_("số liệu tính đến ngày"))
    number = models.PositiveIntegerField(
        _("số văn bản"),
        validators=[
            MinValueValidator(1, _("Số văn bản bắt đầu từ 1.")),
            MaxValueValidator(99999, _("Số văn bản quá lớn.")),
        ],
    )
    issued_on = models.DateField(_("ngày ban hành"))
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, default="GIÁM ĐỐC")
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận."))
    data = models.JSONField(_("số liệu"), default=dict)
    narrative = models.JSONField(_("phần viết"), default=dict, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ tạo tệp (%)"), default=0)
    progress_text = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    docx_path = models.CharField(max_length=300, blank=True)
    pdf_path = models.CharField(max_length=300, blank=True)
    xlsx_path = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("báo cáo CCHC năm")
        verbose_name_plural = _("báo cáo CCHC năm")
        ordering = ["-year", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "number"], name="report_number_unique"
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_pct"),
            year_range("year", "report_year_range"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="report_number_min"),
        ]
        indexes = [models.Index(fields=["agency", "year"], name="report_agency_year_idx")]

    def __str__(self):
        return f"Báo cáo kết quả công tác CCHC năm {self.year} ({self.number_text})"

    @property
    def number_text(self) -> str:
        return f"{self.number:02d}/BC-{self.agency.short_name}"

    @property
    def is_empty(self) -> bool:
        return bool(self.data.get("empty"))
