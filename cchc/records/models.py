"""Records of PAR fields 4-7 (Decree 30/2020 report sections 4-7): dated figures, never text
written for the report. Every record belongs to an agency; per-unit records also to one of its
units. Years use cchc.core.years; months are stored as the 1st of the month."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cchc.core.models import Agency, Unit
from cchc.core.years import YEAR_VALIDATORS, year_range

MONEY = {"max_digits": 18, "decimal_places": 0}


def _year():
    return models.PositiveSmallIntegerField(_("năm"), validators=YEAR_VALIDATORS)


def _count(label):
    return models.PositiveIntegerField(label, default=0)


class AgencyRecord(models.Model):
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="+", verbose_name=_("cơ quan")
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        unit = self.unit if getattr(self, "unit_id", None) else None
        if unit is not None and self.agency_id and unit.agency_id != self.agency_id:
            raise ValidationError({"unit": _("Đơn vị không thuộc cơ quan này.")})


class UnitRecord(AgencyRecord):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )

    class Meta:
        abstract = True


# --- field 4: organisation -----------------------------------------------------------------


class UnitStaffing(UnitRecord):
    year = _year()
    functions_decision = models.CharField(
        _("số quyết định chức năng, nhiệm vụ"), max_length=100, blank=True
    )
    functions_decided_on = models.DateField(
        _("ngày quyết định chức năng, nhiệm vụ"), null=True, blank=True
    )
    staffing_quota = _count(_("biên chế được giao"))
    headcount = _count(_("số có mặt"))
    deputy_heads = _count(_("số cấp phó"))

    class Meta:
        verbose_name = _("biên chế của đơn vị")
        verbose_name_plural = _("biên chế của các đơn vị")
        ordering = ["-year", "unit__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="records_staffing_unit_year",
                violation_error_message=_("Đơn vị đã có số liệu biên chế của năm này."),
            ),
            year_range("year", "records_staffing_year_range"),
        ]

    def __str__(self):
        return f"{self.unit} – {self.year}"

    @property
    def within_quota(self) -> bool:
        return self.headcount <= self.staffing_quota


class Reorganisation(AgencyRecord):
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("đơn vị"),
    )
    decision = models.CharField(_("số quyết định"), max_length=100)
    decided_on = models.DateField(_("ngày quyết định"))
    summary = models.TextField(_("nội dung sắp xếp, kiện toàn"))

    class Meta:
        verbose_name = _("quyết định sắp xếp, kiện toàn tổ chức")
        verbose_name_plural = _("quyết định sắp xếp, kiện toàn tổ chức")
        ordering = ["-decided_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "decision"],
                name="records_reorganisation_decision",
                violation_error_message=_("Số quyết định này đã có."),
            ),
        ]

    def __str__(self):
        return f"{self.decision} ({self.decided_on:%d/%m/%Y})"


# --- field 5: civil service ----------------------------------------------------------------


class JobPositionPlan(AgencyRecord):
    year = _year()
    decision = models.CharField(_("số quyết định phê duyệt"), max_length=100)
    approved_on = models.DateField(_("ngày phê duyệt"))
    positions = _count(_("số vị trí việc làm"))

    class Meta:
        verbose_name = _("đề án vị trí việc làm")
        verbose_name_plural = _("đề án vị trí việc làm")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"],
                name="records_jobplan_agency_year",
                violation_error_message=_("Cơ quan đã có đề án vị trí việc làm của năm này."),
            ),
            year_range("year", "records_jobplan_year_range"),
        ]

    def __str__(self):
        return f"{self.decision} – {self.year}"


class StaffRound(AgencyRecord):
    class Kind(models.TextChoices):
        RECRUITMENT = "recruitment", _("Tuyển dụng")
        PROMOTION = "promotion", _("Thi, xét nâng ngạch")

    year = _year()
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("tên kỳ tuyển dụng, nâng ngạch"), max_length=255)
    held_on = models.DateField(_("ngày tổ chức"))
    positions = _count(_("chỉ tiêu"))
    selected = _count(_("số trúng tuyển"))

    class Meta:
        verbose_name = _("kỳ tuyển dụng, nâng ngạch")
        verbose_name_plural = _("kỳ tuyển dụng, nâng ngạch")
        ordering = ["-year", "-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "kind", "title"],
                name="records_round_unique",
                violation_error_message=_("Kỳ này đã có trong năm."),
            ),
            models.CheckConstraint(
                condition=Q(selected__lte=F("positions")),
                name="records_round_selected_lte_positions",
                violation_error_message=_("Số trúng tuyển không được vượt chỉ tiêu."),
            ),
            year_range("year", "records_round_year_range"),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"


class TrainingCourse(UnitRecord):
    year = _year()
    title = models.CharField(_("tên lớp đào tạo, bồi dưỡng"), max_length=255)
    attendees = _count(_("số người tham gia"))
    hours = _count(_("số giờ"))

    class Meta:
        verbose_name = _("lớp đào tạo, bồi dưỡng")
        verbose_name_plural = _("lớp đào tạo, bồi dưỡng")
        ordering = ["-year", "unit__order", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "title"],
                name="records_training_unique",
                violation_error_message=_("Đơn vị đã có lớp này trong năm."),
            ),
            year_range("year", "records_training_year_range"),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"


class AppraisalResult(UnitRecord):
    year = _year()
    excellent = _count(_("hoàn thành xuất sắc nhiệm vụ"))
    good = _count(_("hoàn thành tốt nhiệm vụ"))
    completed = _count(_("hoàn thành nhiệm vụ"))
    not_completed = _count(_("không hoàn thành nhiệm vụ"))

    class Meta:
        verbose_name = _("kết quả đánh giá, xếp loại")
        verbose_name_plural = _("kết quả đánh giá, xếp loại")
        ordering = ["-year", "unit__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="records_appraisal_unit_year",
                violation_error_message=_("Đơn vị đã có kết quả đánh giá của năm này."),
            ),
            year_range("year", "records_appraisal_year_range"),
        ]

    def __str__(self):
        return f"{self.unit} – {self.year}"

    @property
    def total(self) -> int:
        return self.excellent + self.good + self.completed + self.not_completed


class DisciplinaryCase(UnitRecord):
    class Form(models.TextChoices):
        REPRIMAND = "reprimand", _("Khiển trách")
        WARNING = "warning", _("Cảnh cáo")
        SALARY_DOWN = "salary_down", _("Hạ bậc lương")
        DEMOTION = "demotion", _("Giáng chức")
        DISMISSAL_POST = "dismissal_post", _("Cách chức")
        DISMISSAL = "dismissal", _("Buộc thôi việc")

    decided_on = models.DateField(_("ngày quyết định kỷ luật"))
    form = models.CharField(_("hình thức kỷ luật"), max_length=20, choices=Form.choices)
    summary = models.TextField(_("nội dung vi phạm"))

    class Meta:
        verbose_name = _("vụ việc kỷ luật")
        verbose_name_plural = _("vụ việc kỷ luật")
        ordering = ["-decided_on", "-pk"]

    def __str__(self):
        return f"{self.get_form_display()} ({self.decided_on:%d/%m/%Y})"


class WorkingHoursInspection(UnitRecord):
    inspected_on = models.DateField(_("ngày kiểm tra"))
    people_checked = _count(_("số người được kiểm tra"))
    violations = _count(_("số người vi phạm"))

    class Meta:
        verbose_name = _("kiểm tra kỷ luật, kỷ cương giờ làm việc")
        verbose_name_plural = _("kiểm tra kỷ luật, kỷ cương giờ làm việc")
        ordering = ["-inspected_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "inspected_on"],
                name="records_inspection_unit_day",
                violation_error_message=_("Đơn vị đã có lần kiểm tra ngày này."),
            ),
            models.CheckConstraint(
                condition=Q(violations__lte=F("people_checked")),
                name="records_inspection_violations_lte_checked",
                violation_error_message=_(
                    "Số người vi phạm không được vượt số người được kiểm tra."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.unit} ({self.inspected_on:%d/%m/%Y})"


# --- field 6: public finance ---------------------------------------------------------------


class FinanceYear(AgencyRecord):
    year = _year()
    spending_regulation = models.CharField(
        _("số quy chế chi tiêu nội bộ"), max_length=100, blank=True
    )
    spending_regulation_issued_on = models.DateField(
        _("ngày ban hành quy chế chi tiêu nội bộ"), null=True, blank=True
    )
    investment_planned = models.DecimalField(_("vốn đầu tư công được giao (đồng)"), **MONEY)
    investment_disbursed = models.DecimalField(_("vốn đầu tư công đã giải ngân (đồng)"), **MONEY)
    asset_inventory_done = models.BooleanField(_("đã kiểm kê tài sản công"), default=False)
    budget_settlement_due = models.DateField(
        _("hạn công khai quyết toán ngân sách"), null=True, blank=True
    )
    budget_settlement_published_on = models.DateField(
        _("ngày công khai quyết toán ngân sách"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("tài chính công của năm")
        verbose_name_plural = _("tài chính công các năm")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year"],
                name="records_finance_agency_year",
                violation_error_message=_("Cơ quan đã có số liệu tài chính của năm này."),
            ),
            models.CheckConstraint(
                condition=Q(investment_planned__gte=0) & Q(investment_disbursed__gte=0),
                name="records_finance_money_not_negative",
                violation_error_message=_("Số tiền không được âm."),
            ),
            models.CheckConstraint(
                condition=Q(investment_disbursed__lte=F("investment_planned")),
                name="records_finance_disbursed_lte_planned",
                violation_error_message=_("Vốn đã giải ngân không được vượt vốn được giao."),
            ),
            year_range("year", "records_finance_year_range"),
        ]

    def __str__(self):
        return str(self.year)

    @property
    def settlement_on_time(self) -> bool | None:
        if self.budget_settlement_due is None:
            return None
        published = self.budget_settlement_published_on
        return published is not None and published <= self.budget_settlement_due


class ServiceUnitAutonomy(UnitRecord):
    class Level(models.TextChoices):
        FULL = "1", _("Tự bảo đảm chi thường xuyên và chi đầu tư")
        RECURRENT = "2", _("Tự bảo đảm chi thường xuyên")
        PARTIAL = "3", _("Tự bảo đảm một phần chi thường xuyên")
        STATE = "4", _("Do Nhà nước bảo đảm chi thường xuyên")

    year = _year()
    level = models.CharField(
        _("mức tự chủ (Nghị định 60/2021)"), max_length=1, choices=Level.choices
    )

    class Meta:
        verbose_name = _("mức tự chủ của đơn vị sự nghiệp")
        verbose_name_plural = _("mức tự chủ của đơn vị sự nghiệp")
        ordering = ["-year", "unit__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year"],
                name="records_autonomy_unit_year",
                violation_error_message=_("Đơn vị đã có mức tự chủ của năm này."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=["1", "2", "3", "4"]),
                name="records_autonomy_level_valid",
                violation_error_message=_("Mức tự chủ không hợp lệ."),
            ),
            year_range("year", "records_autonomy_year_range"),
        ]

    def __str__(self):
        return f"{self.unit} – {self.year}"


# --- field 7: digital government -----------------------------------------------------------


class DigitalMonth(UnitRecord):
    month = models.DateField(_("tháng"), help_text=_("Ngày 1 của tháng."))
    staff_total = _count(_("tổng số CCVC"))
    staff_with_email = _count(_("số CCVC có hòm thư điện tử công vụ"))
    docs_out_electronic = _count(_("văn bản đi điện tử"))
    docs_out_paper = _count(_("văn bản đi giấy"))
    docs_in_electronic = _count(_("văn bản đến điện tử"))
    docs_in_paper = _count(_("văn bản đến giấy"))
    docs_signed_digitally = _count(_("văn bản đi ký số"))
    dossiers_reusing_data = _count(_("hồ sơ tái sử dụng dữ liệu"))

    class Meta:
        verbose_name = _("số liệu chính phủ số của tháng")
        verbose_name_plural = _("số liệu chính phủ số theo tháng")
        ordering = ["-month", "unit__order", "unit__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "month"],
                name="records_digital_unit_month",
                violation_error_message=_("Đơn vị đã có số liệu của tháng này."),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="records_digital_month_first_day",
                violation_error_message=_("Tháng được lưu là ngày 1 của tháng."),
            ),
            models.CheckConstraint(
                condition=Q(staff_with_email__lte=F("staff_total")),
                name="records_digital_email_lte_staff",
                violation_error_message=_("Số CCVC có hòm thư không được vượt tổng số CCVC."),
            ),
            models.CheckConstraint(
                condition=Q(docs_signed_digitally__lte=F("docs_out_electronic")),
                name="records_digital_signed_lte_electronic",
                violation_error_message=_(
                    "Số văn bản ký số không được vượt số văn bản đi điện tử."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.month:%m/%Y}"

    def clean(self):
        if self.month and self.month.day != 1:
            self.month = self.month.replace(day=1)
        super().clean()


class SecurityEvent(AgencyRecord):
    class Kind(models.TextChoices):
        INCIDENT = "incident", _("Sự cố an toàn thông tin")
        AUDIT = "audit", _("Kiểm tra, đánh giá an toàn thông tin")

    occurred_on = models.DateField(_("ngày"))
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    summary = models.TextField(_("nội dung"))
    resolved = models.BooleanField(_("đã xử lý xong"), default=False)

    class Meta:
        verbose_name = _("sự kiện an toàn thông tin")
        verbose_name_plural = _("sự kiện an toàn thông tin")
        ordering = ["-occurred_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.occurred_on:%d/%m/%Y})"
