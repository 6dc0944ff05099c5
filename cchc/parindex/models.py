"""PAR Index: frameworks (trees of criteria), periods, assessments per (period, unit), scores."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit

POINTS = {"max_digits": 7, "decimal_places": 3}

SAMPLE_BANNER = _(
    "Bộ tiêu chí mẫu — thay bằng Bảng 1 của Quyết định 876/QĐ-BNV trước khi chấm điểm thật"
)


class Framework(models.Model):
    """A versioned criteria set (bộ tiêu chí): one per (code, year)."""

    class Level(models.TextChoices):
        MINISTRY = "ministry", _("Cấp bộ")
        PROVINCE = "province", _("Cấp tỉnh")
        DEPARTMENT = "department", _("Cấp sở, ngành")
        CUSTOM = "custom", _("Tùy chỉnh")

    code = models.CharField(_("mã bộ tiêu chí"), max_length=50)
    name = models.CharField(_("tên"), max_length=300)
    year = models.PositiveSmallIntegerField(_("năm áp dụng"))
    level = models.CharField(_("cấp"), max_length=20, choices=Level.choices)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=500, blank=True)
    scale = models.DecimalField(_("thang điểm"), **POINTS)
    self_assessment_points = models.DecimalField(_("điểm tự đánh giá"), **POINTS)
    survey_points = models.DecimalField(_("điểm điều tra XHH"), **POINTS)
    sample = models.BooleanField(_("bộ tiêu chí mẫu"), default=False)
    # The agency whose focal point imported it: only that agency may replace it while unused.
    # Empty for shared sets loaded by an administrator (command, demo).
    agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="par_frameworks",
        verbose_name=_("cơ quan nhập"),
    )
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = _("bộ tiêu chí")
        ordering = ["-year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "year"], name="par_framework_code_year"),
            models.CheckConstraint(condition=models.Q(scale__gt=0), name="par_framework_scale_pos"),
        ]

    def __str__(self):
        return f"{self.name} ({self.year})"

    @property
    def is_locked(self) -> bool:
        """A framework used by a period never changes (a new year copies it)."""
        return self.periods.exists()


class Node(models.Model):
    """A field, criterion or component criterion; leaves carry the scoring rule."""

    class Level(models.IntegerChoices):
        FIELD = 1, _("Lĩnh vực")
        CRITERION = 2, _("Tiêu chí")
        COMPONENT = 3, _("Tiêu chí thành phần")

    class Rule(models.TextChoices):
        MANUAL = "manual", _("Chấm tay")
        CHOICE = "choice", _("Chọn mức")
        RATIO = "ratio", _("Tỷ lệ")
        SURVEY = "survey", _("Điều tra XHH")
        METRIC = "metric", _("Số liệu tự động")
        BONUS = "bonus", _("Điểm thưởng")
        PENALTY = "penalty", _("Điểm trừ")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("mã"), max_length=30)
    name = models.CharField(_("tên"), max_length=500)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices)
    order = models.PositiveIntegerField(_("thứ tự"))
    max_points = models.DecimalField(_("điểm tối đa"), **POINTS)
    is_leaf = models.BooleanField(_("là tiêu chí chấm điểm"), default=False)
    rule_kind = models.CharField(_("cách chấm"), max_length=20, choices=Rule.choices, blank=True)
    rule_params = models.JSONField(_("tham số"), default=dict, blank=True)
    metric = models.CharField(_("số liệu"), max_length=100, blank=True)
    evidence_hint = models.CharField(_("tài liệu kiểm chứng cần có"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        ordering = ["framework", "order"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="par_node_code_unique"),
            models.CheckConstraint(
                condition=models.Q(max_points__gte=0), name="par_node_max_nonneg"
            ),
        ]
        indexes = [models.Index(fields=["framework", "is_leaf"], name="par_node_leaf_idx")]

    def __str__(self):
        return f"{self.code}. {self.name}"

    @property
    def field_code(self) -> str:
        return self.code.split(".")[0]

    @property
    def is_extra(self) -> bool:
        """Bonus and penalty leaves sit outside the scale."""
        return self.rule_kind in (self.Rule.BONUS, self.Rule.PENALTY)


class Period(models.Model):
    """An assessment period: a framework + a year + the assessed units + deadlines."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="par_periods")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="periods")
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    name = models.CharField(_("tên kỳ"), max_length=200)
    self_deadline = models.DateField(_("hạn tự đánh giá"), null=True, blank=True)
    appraisal_deadline = models.DateField(_("hạn thẩm định"), null=True, blank=True)
    explanation_deadline = models.DateField(_("hạn giải trình"), null=True, blank=True)
    publication_deadline = models.DateField(_("hạn công bố"), null=True, blank=True)
    # The day the metric leaves count the other apps' records up to; empty: 31 December.
    data_date = models.DateField(
        _("số liệu tính đến ngày"),
        null=True,
        blank=True,
        help_text=_("Để trống: tính đến 31/12 của năm đánh giá (không quá ngày hôm nay)."),
    )
    appraisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="par_appraised_periods"
    )

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "framework", "year"], name="par_period_unique"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.data_date and self.year and self.data_date.year != self.year:
            raise ValidationError(
                {
                    "data_date": _("Ngày tính số liệu phải thuộc năm đánh giá %(year)s.")
                    % {"year": self.year}
                }
            )

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    def cut_off(self, today: dt.date | None = None) -> dt.date:
        """The data date of the metric leaves: the chosen day (else 31/12), never after today."""
        today = today or timezone.localdate()
        return min(self.data_date or dt.date(self.year, 12, 31), today)


class Assessment(models.Model):
    """One assessed unit in one period, with its status flow (docs/design.md)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang tự đánh giá")
        SUBMITTED = "submitted", _("Đã nộp")
        APPRAISING = "appraising", _("Đang thẩm định")
        EXPLANATION_REQUESTED = "explanation_requested", _("Yêu cầu giải trình")
        RE_APPRAISING = "re_appraising", _("Thẩm định lần 2")
        FINALISED = "finalised", _("Đã chốt kết quả")
        PUBLISHED = "published", _("Đã công bố")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="par_assessments")
    status = models.CharField(
        _("trạng thái"), max_length=30, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # When the metric leaves were last computed, and the data date they count up to; on
    # submit they are computed one last time and stay as they were (frozen).
    metrics_computed_at = models.DateTimeField(
        _("số liệu tự động cập nhật lúc"), null=True, blank=True
    )
    metrics_data_date = models.DateField(_("số liệu tự động tính đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("bản đánh giá")
        verbose_name_plural = _("bản đánh giá")
        ordering = ["period", "unit__order", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["period", "unit"], name="par_assessment_unique")
        ]
        indexes = [models.Index(fields=["period", "status"], name="par_assessment_status_idx")]

    def __str__(self):
        return f"{self.unit.name} – {self.period.name}"

    @property
    def agency(self):
        return self.period.agency

    @property
    def is_final(self) -> bool:
        return self.status in (self.Status.FINALISED, self.Status.PUBLISHED)

    @property
    def metrics_frozen(self) -> bool:
        """Past self-assessment the metric leaves keep the values frozen on submit."""
        return self.status != self.Status.DRAFT


class Score(models.Model):
    """One leaf of one assessment: self, appraisal round 1, explanation, round 2, final."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="scores")
    self_points = models.DecimalField(_("điểm tự chấm"), null=True, blank=True, **POINTS)
    self_measured = models.DecimalField(
        _("tỷ lệ đạt được (%)"), null=True, blank=True, max_digits=7, decimal_places=3
    )
    self_note = models.TextField(_("thuyết minh"), blank=True)
    survey_points = models.DecimalField(_("điểm điều tra XHH"), null=True, blank=True, **POINTS)
    round1_points = models.DecimalField(_("điểm thẩm định lần 1"), null=True, blank=True, **POINTS)
    round1_reason = models.TextField(_("lý do thẩm định lần 1"), blank=True)
    explanation = models.TextField(_("giải trình"), blank=True)
    round2_points = models.DecimalField(_("điểm thẩm định lần 2"), null=True, blank=True, **POINTS)
    round2_reason = models.TextField(_("lý do thẩm định lần 2"), blank=True)
    final_points = models.DecimalField(_("điểm chính thức"), null=True, blank=True, **POINTS)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("điểm")
        verbose_name_plural = _("điểm")
        ordering = ["assessment", "node__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "node"], name="par_score_unique"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__isnull": True})
                    | models.Q(**{f"{name}__gte": 0}),
                    name=f"par_score_{name}_nonneg",
                )
                for name in (
                    "self_points",
                    "survey_points",
                    "round1_points",
                    "round2_points",
                    "final_points",
                )
            ),
            models.CheckConstraint(
                condition=models.Q(self_measured__isnull=True)
                | models.Q(self_measured__gte=0, self_measured__lte=100),
                name="par_score_measured_percent",
            ),
        ]

    def __str__(self):
        return f"{self.node.code} – {self.assessment_id}"

    @property
    def effective_points(self) -> Decimal | None:
        return effective_points(
            self.node.rule_kind,
            self.final_points,
            self.round2_points,
            self.round1_points,
            self.self_points,
            self.survey_points,
        )


def effective_points(kind, final, round2, round1, self_points, survey) -> Decimal | None:
    """The points that count now: the latest stage that has a value."""
    if final is not None:
        return final
    if kind == Node.Rule.SURVEY:
        return survey
    for value in (round2, round1, self_points):
        if value is not None:
            return value
    return None


class ScoreChange(models.Model):
    """Every change of every score field: who, when, old, new, why."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=30)
    old = models.TextField(blank=True)  # notes and reasons are kept whole (up to 5000 chars)
    new = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["score", "at"], name="par_change_score_idx")]

    def __str__(self):
        return f"{self.field}: {self.old} → {self.new}"

    @property
    def field_label(self) -> str:
        if self.field == "evidence":
            return str(_("Tài liệu kiểm chứng"))
        try:
            return capfirst(str(Score._meta.get_field(self.field).verbose_name))
        except FieldDoesNotExist:
            return self.field


class Evidence(models.Model):
    """An evidence file (tài liệu kiểm chứng) attached to a score."""

    class Stage(models.TextChoices):
        SELF = "self", _("Tự đánh giá")
        EXPLANATION = "explanation", _("Giải trình")

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SELF)
    path = models.CharField(max_length=300)
    original_name = models.CharField(max_length=200)
    mime = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class Assignment(models.Model):
    """A criterion (or leaf) of an assessment given to a responsible internal unit and person."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    responsible_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="par_assignments",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "node"], name="par_assignment_unique")
        ]

    def __str__(self):
        return f"{self.node_id} → {self.person_id or self.responsible_unit_id}"
