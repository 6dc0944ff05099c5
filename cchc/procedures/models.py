"""The procedure catalogue (TTHC): versioned procedures with legal bases, components and steps."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Unit
from cchc.core.roles import Role
from cchc.core.text import normalise


class ProcedureQuerySet(models.QuerySet):
    def current(self):
        """The catalogue as the public sees it: the current version of each procedure."""
        return self.filter(is_current=True)


class Procedure(models.Model):
    class TimeUnit(models.TextChoices):
        WORKING_DAYS = "working_days", _("ngày làm việc")
        DAYS = "days", _("ngày")

    class OnlineForm(models.TextChoices):
        FULL = "full", _("Toàn trình")
        PARTIAL = "partial", _("Một phần")
        NONE = "none", _("Không có")

    class FeeKind(models.TextChoices):
        UNKNOWN = "unknown", _("Chưa rõ")
        FREE = "free", _("Không thu phí")
        FIXED = "fixed", _("Mức cố định")
        PERCENTAGE = "percentage", _("Theo tỷ lệ phần trăm")
        TEXT = "text", _("Theo quy định (xem mô tả)")

    # All versions of one procedure share a series; dossiers keep the version they were filed under.
    series = models.UUIDField(_("chuỗi phiên bản"), default=uuid.uuid4, db_index=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    is_current = models.BooleanField(_("là phiên bản hiện hành"), default=True)
    code = models.CharField(_("mã TTHC quốc gia"), max_length=30, blank=True, db_index=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    search_text = models.TextField(_("nội dung tìm kiếm"), blank=True, editable=False)
    field = models.CharField(_("lĩnh vực"), max_length=200, db_index=True)
    level = models.CharField(_("cấp thực hiện"), max_length=100, blank=True, default="Cấp tỉnh")
    time = models.DecimalField(
        _("thời hạn giải quyết"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Để trống khi chưa rõ: thủ tục chưa nhận hồ sơ cho đến khi có thời hạn."),
    )
    time_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=20, choices=TimeUnit.choices, blank=True
    )
    full_online_time = models.DecimalField(
        _("thời hạn khi nộp toàn trình"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    fee_kind = models.CharField(
        _("loại phí, lệ phí"), max_length=20, choices=FeeKind.choices, default=FeeKind.UNKNOWN
    )
    fee_text = models.CharField(_("phí, lệ phí (nguyên văn)"), max_length=500, blank=True)
    fee_amount = models.DecimalField(
        _("mức thu cố định (đồng)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    fee_percent = models.DecimalField(
        _("tỷ lệ (%)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    fee_base = models.CharField(_("căn cứ tính tỷ lệ"), max_length=200, blank=True)
    fee_min = models.DecimalField(
        _("mức tối thiểu (đồng)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    fee_max = models.DecimalField(
        _("mức tối đa (đồng)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    online_form = models.CharField(
        _("dịch vụ công trực tuyến"), max_length=10, choices=OnlineForm.choices, blank=True
    )
    result_type = models.CharField(_("kết quả thực hiện"), max_length=300, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    legal_basis_text = models.TextField(_("căn cứ pháp lý (nguyên văn)"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["field", "name"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="procedure_version_unique"),
            models.UniqueConstraint(
                fields=["series"],
                condition=models.Q(is_current=True),
                name="procedure_one_current_version",
            ),
            models.CheckConstraint(
                condition=models.Q(time__isnull=True) | ~models.Q(time_unit=""),
                name="procedure_time_has_unit",
            ),
        ]
        indexes = [models.Index(fields=["is_current", "field"], name="procedure_current_field")]

    def __str__(self):
        return f"{self.code} {self.name}".strip() if self.code else self.name

    def save(self, *args, **kwargs):
        self.search_text = normalise(f"{self.code} {self.name} {self.field}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def accepts_dossiers(self) -> bool:
        """A procedure whose legal time is unknown cannot take dossiers."""
        return self.is_current and self.time is not None and bool(self.time_unit)

    def legal_time_for(self, *, full_online: bool = False) -> Decimal | None:
        if full_online and self.full_online_time is not None:
            return self.full_online_time
        return self.time

    @property
    def time_text(self) -> str:
        if self.time is None:
            return str(_("Chưa xác định"))
        number = format(self.time.normalize(), "f").replace(".", ",")
        return f"{number} {self.get_time_unit_display()}"

    def fee_for(self, base_value: Decimal | None = None) -> Decimal | None:
        """The fee in đồng, or None when it cannot be computed (unknown, text rule, no base)."""
        if self.fee_kind == self.FeeKind.FREE:
            return Decimal(0)
        if self.fee_kind == self.FeeKind.FIXED:
            return self.fee_amount
        if self.fee_kind == self.FeeKind.PERCENTAGE and base_value is not None:
            fee = (Decimal(base_value) * self.fee_percent / 100).quantize(Decimal(1))
            if self.fee_min is not None:
                fee = max(fee, self.fee_min)
            if self.fee_max is not None:
                fee = min(fee, self.fee_max)
            return fee
        return None

    @property
    def steps_total(self) -> Decimal:
        return sum((s.working_days for s in self.steps.all()), Decimal(0))


class LegalBasis(models.Model):
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="legal_bases", verbose_name=_("thủ tục")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("văn bản"), max_length=500)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)

    class Meta:
        verbose_name = _("căn cứ pháp lý")
        verbose_name_plural = _("căn cứ pháp lý")
        ordering = ["procedure", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="legal_basis_valid_range",
            )
        ]

    def __str__(self):
        return self.title

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class Component(models.Model):
    class Form(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        COPY = "copy", _("Bản sao")
        CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực")

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="components", verbose_name=_("thủ tục")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    copies = models.PositiveSmallIntegerField(_("số bộ"), default=1)
    form = models.CharField(
        _("hình thức"), max_length=20, choices=Form.choices, default=Form.ORIGINAL
    )
    required = models.BooleanField(_("bắt buộc"), default=True)
    template_file = models.FileField(
        _("mẫu đơn, tờ khai"), upload_to="procedures/templates/", blank=True
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["procedure", "order", "id"]

    def __str__(self):
        return self.name


class ProcedureStep(models.Model):
    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="steps", verbose_name=_("thủ tục")
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("bước"), max_length=300)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị thực hiện"),
    )
    role = models.CharField(_("vai trò thực hiện"), max_length=50, blank=True, choices=Role.choices)
    optional = models.BooleanField(
        _("có thể bỏ qua"),
        default=False,
        help_text=_(
            "Bước không bắt buộc: người xử lý bước trước có thể chuyển thẳng qua bước này."
        ),
    )
    is_decision = models.BooleanField(
        _("bước phê duyệt"),
        default=False,
        help_text=_(
            "Bước trình ký, phê duyệt: kết quả chỉ được cập nhật ở bước này "
            "(không đánh dấu bước nào thì là bước cuối)."
        ),
    )
    working_days = models.DecimalField(
        _("số ngày làm việc"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
    )

    class Meta:
        verbose_name = _("bước xử lý nội bộ")
        verbose_name_plural = _("bước xử lý nội bộ")
        ordering = ["procedure", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "order"], name="procedure_step_order_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(working_days__gt=0), name="procedure_step_days_positive"
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.name}"


class NationalProcedure(models.Model):
    """One procedure of the national catalogue, as imported from a LayDanhSachTTHC / LayThuTuc
    reply (`raw` keeps the LayThuTuc record when there is one)."""

    code = models.CharField(_("mã TTHC trên Cổng DVCQG"), max_length=60, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=1000)
    search_text = models.TextField(blank=True, editable=False)
    field_code = models.CharField(_("mã lĩnh vực"), max_length=60, blank=True)
    field_name = models.CharField(_("tên lĩnh vực"), max_length=300, blank=True)
    result_code = models.CharField(_("mã kết quả"), max_length=60, blank=True)
    public = models.BooleanField(_("đang công khai"), default=True)
    raw = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(_("nhập lúc"))

    class Meta:
        verbose_name = _("thủ tục trên Cổng DVCQG")
        verbose_name_plural = _("thủ tục trên Cổng DVCQG")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = normalise(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class ProcedureMapping(models.Model):
    """One national code per local procedure (all its versions share the series), and one local
    procedure per national code."""

    series = models.UUIDField(_("chuỗi phiên bản thủ tục"), unique=True)
    national = models.OneToOneField(
        NationalProcedure, on_delete=models.PROTECT, related_name="mapping"
    )
    score = models.FloatField(_("độ tương đồng tên"), null=True, blank=True)
    mapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapped_at = models.DateTimeField(_("ánh xạ lúc"))

    class Meta:
        verbose_name = _("ánh xạ thủ tục với Cổng DVCQG")
        verbose_name_plural = _("ánh xạ thủ tục với Cổng DVCQG")

    def __str__(self):
        return f"{self.series} -> {self.national_id}"


class FieldMapping(models.Model):
    """A local field of procedures (Procedure.field) and its national code (MaLinhVuc)."""

    field = models.CharField(_("lĩnh vực"), max_length=200, unique=True)
    national_code = models.CharField(_("mã lĩnh vực trên Cổng DVCQG"), max_length=60)
    national_name = models.CharField(_("tên lĩnh vực trên Cổng DVCQG"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ánh xạ lĩnh vực")
        verbose_name_plural = _("ánh xạ lĩnh vực")
        ordering = ["field"]

    def __str__(self):
        return f"{self.field} -> {self.national_code}"
