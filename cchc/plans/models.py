import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit
from cchc.core.years import YEAR_VALIDATORS, year_range


class ParField(models.TextChoices):
    """The 7 fields of the PAR Index (Decision 876/QĐ-BNV, par-framework-ministry-876.yaml)."""

    DIRECTION = "1", _("Công tác chỉ đạo, điều hành cải cách hành chính")
    INSTITUTIONS = "2", _("Cải cách thể chế")
    PROCEDURES = "3", _("Cải cách thủ tục hành chính")
    ORGANISATION = "4", _("Cải cách tổ chức bộ máy hành chính")
    CIVIL_SERVICE = "5", _("Cải cách chế độ công vụ")
    PUBLIC_FINANCE = "6", _("Cải cách tài chính công")
    DIGITAL_GOVERNMENT = "7", _("Xây dựng và phát triển Chính phủ điện tử, Chính phủ số")


class Plan(models.Model):
    """The agency's reform plan for one year (kế hoạch CCHC năm)."""

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="reform_plans", verbose_name=_("cơ quan")
    )
    year = models.PositiveSmallIntegerField(_("năm"), validators=YEAR_VALIDATORS)
    title = models.CharField(_("tên kế hoạch"), max_length=255)
    decision = models.CharField(_("số, ngày văn bản ban hành"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("kế hoạch CCHC")
        verbose_name_plural = _("kế hoạch CCHC")
        ordering = ["-year", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="plan_one_per_agency_year"),
            year_range("year", "plan_year_range"),
        ]

    def __str__(self):
        return self.title


class PlanTask(models.Model):
    """One task of a plan. The stored status never says "overdue": that is derived (see
    `effective_status`) from the deadline and the working calendar."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa thực hiện")
        IN_PROGRESS = "in_progress", _("Đang thực hiện")
        DONE = "done", _("Hoàn thành")

    OVERDUE = "overdue"
    STATUS_LABELS = {**dict(Status.choices), OVERDUE: _("Quá hạn")}

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("kế hoạch")
    )
    order = models.PositiveIntegerField(_("số thứ tự"), default=0)
    field = models.CharField(_("lĩnh vực CCHC"), max_length=1, choices=ParField.choices)
    content = models.TextField(_("nội dung nhiệm vụ"))
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="led_plan_tasks", verbose_name=_("chủ trì")
    )
    co_units = models.ManyToManyField(
        Unit, blank=True, related_name="co_plan_tasks", verbose_name=_("phối hợp")
    )
    deadline = models.DateField(_("thời hạn"))
    expected_output = models.CharField(_("sản phẩm"), max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    reminded_on = models.DateField(_("nhắc quá hạn lần cuối"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["plan_id", "order", "id"]
        indexes = [
            models.Index(fields=["plan", "field"], name="plantask_plan_field_idx"),
            models.Index(fields=["plan", "status", "deadline"], name="plantask_status_idx"),
            models.Index(fields=["lead_unit", "status"], name="plantask_lead_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="plantask_pct"),
            models.CheckConstraint(
                condition=models.Q(status="done", completed_on__isnull=False)
                | ~models.Q(status="done"),
                name="plantask_done_has_date",
            ),
        ]

    def __str__(self):
        return self.content[:80]

    @property
    def agency(self) -> Agency:
        return self.plan.agency

    def effective_deadline(self) -> dt.date:
        from cchc.plans.selectors import effective_deadline

        return effective_deadline(self.deadline)

    def effective_status(self, today: dt.date | None = None) -> str:
        from cchc.plans.selectors import task_status

        return task_status(self, today)

    def effective_status_label(self):
        return self.STATUS_LABELS[self.effective_status()]


class TaskNote(models.Model):
    task = models.ForeignKey(
        PlanTask, on_delete=models.CASCADE, related_name="notes", verbose_name=_("nhiệm vụ")
    )
    on = models.DateField(_("ngày"))
    text = models.TextField(_("nội dung"))
    progress = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name=_("người ghi")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ghi chú tiến độ")
        verbose_name_plural = _("ghi chú tiến độ")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="tasknote_pct")
        ]

    def __str__(self):
        return f"{self.on:%d/%m/%Y}: {self.text[:60]}"


class TaskEvidence(models.Model):
    task = models.ForeignKey(
        PlanTask, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("nhiệm vụ")
    )
    path = models.CharField(_("tệp lưu trữ"), max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=200)
    mime = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, verbose_name=_("người tải")
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tài liệu kiểm chứng")
        verbose_name_plural = _("tài liệu kiểm chứng")
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.original_name


class Regulation(models.Model):
    """The agency's own rules: working rules, internal spending rules, quality objectives..."""

    class Kind(models.TextChoices):
        WORKING_RULES = "working_rules", _("Quy chế làm việc")
        SPENDING_RULES = "spending_rules", _("Quy chế chi tiêu nội bộ")
        QUALITY_OBJECTIVES = "quality_objectives", _("Mục tiêu chất lượng")
        DEMOCRACY = "democracy", _("Quy chế dân chủ")
        ASSET_RULES = "asset_rules", _("Quy chế quản lý tài sản")
        OTHER = "other", _("Khác")

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="regulations", verbose_name=_("cơ quan")
    )
    kind = models.CharField(_("loại"), max_length=30, choices=Kind.choices)
    number = models.CharField(_("số hiệu"), max_length=60)
    title = models.CharField(_("trích yếu"), max_length=500)
    issued_on = models.DateField(_("ngày ban hành"))
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_until = models.DateField(_("hết hiệu lực"), null=True, blank=True)
    file_path = models.CharField(_("tệp"), max_length=300, blank=True)
    file_name = models.CharField(_("tên tệp"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("quy chế nội bộ")
        verbose_name_plural = _("quy chế nội bộ")
        ordering = ["-issued_on"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "number"], name="regulation_number_unique"),
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True)
                | models.Q(valid_until__gte=models.F("valid_from")),
                name="regulation_validity_order",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def in_force(self, on: dt.date) -> bool:
        return self.validity_on(on) == "in_force"

    def validity_on(self, on: dt.date) -> str:
        """ "future" (not yet in force), "in_force" or "expired" on that date."""
        if on < self.valid_from:
            return "future"
        return "in_force" if self.valid_until is None or on <= self.valid_until else "expired"


class LegalReview(models.Model):
    """One legal document reviewed in a year (rà soát văn bản QPPL) and the review's result."""

    class Result(models.TextChoices):
        KEEP = "keep", _("Giữ nguyên")
        AMEND = "amend", _("Sửa đổi, bổ sung")
        REPLACE = "replace", _("Thay thế")
        REPEAL = "repeal", _("Bãi bỏ")
        PROPOSE_NEW = "propose_new", _("Kiến nghị ban hành mới")

    class FollowUp(models.TextChoices):
        NONE = "none", _("Không cần xử lý")
        PROPOSED = "proposed", _("Đã kiến nghị")
        DONE = "done", _("Đã xử lý xong")

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="legal_reviews", verbose_name=_("cơ quan")
    )
    review_year = models.PositiveSmallIntegerField(_("năm rà soát"), validators=YEAR_VALIDATORS)
    doc_number = models.CharField(_("số hiệu văn bản"), max_length=60, blank=True)
    doc_type = models.CharField(_("loại văn bản"), max_length=60)
    title = models.CharField(_("trích yếu"), max_length=500)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=255)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    in_force = models.BooleanField(_("còn hiệu lực"), default=True)
    result = models.CharField(_("kết quả rà soát"), max_length=20, choices=Result.choices)
    note = models.TextField(_("ghi chú"), blank=True)
    follow_up = models.CharField(
        _("xử lý sau rà soát"), max_length=20, choices=FollowUp.choices, default=FollowUp.NONE
    )

    class Meta:
        verbose_name = _("rà soát văn bản QPPL")
        verbose_name_plural = _("rà soát văn bản QPPL")
        ordering = ["-review_year", "id"]
        indexes = [models.Index(fields=["agency", "review_year", "result"], name="lreview_idx")]
        constraints = [year_range("review_year", "lreview_year_range")]

    def __str__(self):
        return f"{self.doc_number} {self.title}".strip()


class ProcedureReview(models.Model):
    """A proposal about one procedure, linked to the catalogue by its national code (text)."""

    class Proposal(models.TextChoices):
        ABOLISH = "abolish", _("Bãi bỏ")
        SIMPLIFY = "simplify", _("Đơn giản hóa, sửa đổi, bổ sung")
        PUBLISH = "publish", _("Công bố mới")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đã đề xuất")
        ACCEPTED = "accepted", _("Đã được chấp thuận")
        REJECTED = "rejected", _("Không được chấp thuận")

    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        related_name="procedure_reviews",
        verbose_name=_("cơ quan"),
    )
    review_year = models.PositiveSmallIntegerField(_("năm rà soát"), validators=YEAR_VALIDATORS)
    procedure_code = models.CharField(
        _("mã TTHC"), max_length=30, blank=True, help_text=_("Mã trên Cơ sở dữ liệu quốc gia.")
    )
    procedure_name = models.CharField(_("tên thủ tục"), max_length=500)
    proposal = models.CharField(_("đề xuất"), max_length=20, choices=Proposal.choices)
    note = models.TextField(_("nội dung, lý do"), blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )

    class Meta:
        verbose_name = _("rà soát TTHC")
        verbose_name_plural = _("rà soát TTHC")
        ordering = ["-review_year", "id"]
        indexes = [models.Index(fields=["agency", "review_year", "proposal"], name="preview_idx")]
        constraints = [year_range("review_year", "preview_year_range")]

    def __str__(self):
        return self.procedure_name


class QualityRecord(models.Model):
    """An ISO 9001 quality system of one state body. The body is stored by name: most bodies an
    agency advises on ISO (the province's departments, district bodies) are not CCHC tenants."""

    class BodyType(models.TextChoices):
        PROVINCIAL_DEPARTMENT = "provincial_department", _("Cơ quan chuyên môn thuộc UBND tỉnh")
        DEPARTMENT_UNIT = "department_unit", _("Đơn vị thuộc sở, ngành")
        DISTRICT_BODY = "district_body", _("Cơ quan thuộc UBND cấp huyện, xã")
        OTHER = "other", _("Khác")

    class Standard(models.TextChoices):
        V2008 = "2008", "TCVN ISO 9001:2008"
        V2015 = "2015", "TCVN ISO 9001:2015"

    class Status(models.TextChoices):
        """Derived from the dates (`status_on`), never typed."""

        BUILDING = "building", _("Đang xây dựng, chưa công bố")
        VALID = "valid", _("Còn hiệu lực")
        EXPIRING = "expiring", _("Sắp hết hạn")
        EXPIRED = "expired", _("Hết hiệu lực")

    EXPIRING_DAYS = 90

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="quality_records", verbose_name=_("cơ quan")
    )
    body_name = models.CharField(_("cơ quan, đơn vị áp dụng"), max_length=255)
    body_type = models.CharField(_("loại cơ quan"), max_length=30, choices=BodyType.choices)
    standard = models.CharField(_("phiên bản tiêu chuẩn"), max_length=4, choices=Standard.choices)
    certifier = models.CharField(_("tổ chức chứng nhận"), max_length=255, blank=True)
    certified_on = models.DateField(_("ngày chứng nhận, công bố"), null=True, blank=True)
    surveillance_on = models.DateField(_("ngày đánh giá giám sát"), null=True, blank=True)
    expires_on = models.DateField(_("ngày hết hạn"), null=True, blank=True)
    scope = models.TextField(_("phạm vi áp dụng"), blank=True)

    class Meta:
        verbose_name = _("hệ thống quản lý chất lượng")
        verbose_name_plural = _("hệ thống quản lý chất lượng")
        ordering = ["body_type", "body_name"]
        indexes = [
            models.Index(fields=["agency", "body_type"], name="quality_type_idx"),
            models.Index(fields=["agency", "expires_on"], name="quality_expiry_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agency", "body_name"], name="quality_body_unique"),
        ]

    def __str__(self):
        return self.body_name

    def clean(self):
        if self.certified_on and self.expires_on and self.expires_on < self.certified_on:
            raise ValidationError(
                {"expires_on": _("Ngày hết hạn không thể trước ngày chứng nhận, công bố.")}
            )

    def status_on(self, today: dt.date) -> str:
        """Building (no dates yet, or a certification still to come), else valid, expiring (the
        certificate ends within EXPIRING_DAYS days, that day included) or expired."""
        if (self.certified_on is None and self.expires_on is None) or (
            self.certified_on is not None and self.certified_on > today
        ):
            return self.Status.BUILDING
        if self.expires_on is None:
            return self.Status.VALID
        if self.expires_on < today:
            return self.Status.EXPIRED
        if self.expires_on <= today + dt.timedelta(days=self.EXPIRING_DAYS):
            return self.Status.EXPIRING
        return self.Status.VALID
