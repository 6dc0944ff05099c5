"""The one declaration per kind of record that drives the pages, the Excel import, the API and
the audit: which PAR field it belongs to, its title, its list and Excel columns, the fields that
identify a row on import (a row matching them updates that record) and its date or year."""

from dataclasses import dataclass

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from cchc.records import models as m

FIELDS = {
    "4": _("Cải cách tổ chức bộ máy"),
    "5": _("Cải cách chế độ công vụ"),
    "6": _("Cải cách tài chính công"),
    "7": _("Chính phủ điện tử, chính phủ số"),
}


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type
    field: str  # the PAR field, "4".."7"
    title: object  # plural, Vietnamese
    columns: tuple[str, ...]  # shown in the list
    key: tuple[str, ...] = ()  # a unique key within the agency; () = every imported row is new
    period: str = "year"  # the year field, or the date field whose year files the record
    excel: tuple[str, ...] = ()  # Excel columns; default: every editable field

    @cached_property
    def form_fields(self) -> list[str]:
        return [
            f.name
            for f in self.model._meta.concrete_fields
            if f.editable and f.name not in ("id", "agency")
        ]

    @property
    def excel_fields(self) -> list[str]:
        return list(self.excel or self.form_fields)

    @property
    def has_unit(self) -> bool:
        return "unit" in self.form_fields

    @property
    def unit_required(self) -> bool:
        return self.has_unit and not self.model._meta.get_field("unit").null

    @property
    def year_lookup(self) -> str:
        return "year" if self.period == "year" else f"{self.period}__year"

    def label(self, name: str) -> str:
        return str(self.model._meta.get_field(name).verbose_name).capitalize()

    @property
    def audit_name(self) -> str:
        return self.slug.replace("-", "_")


KINDS = [
    Kind(
        "bien-che",
        m.UnitStaffing,
        "4",
        _("Biên chế, chức năng nhiệm vụ của đơn vị"),
        ("year", "unit", "functions_decision", "staffing_quota", "headcount", "deputy_heads"),
        key=("unit", "year"),
    ),
    Kind(
        "sap-xep-to-chuc",
        m.Reorganisation,
        "4",
        _("Quyết định sắp xếp, kiện toàn tổ chức"),
        ("decided_on", "decision", "unit", "summary"),
        key=("decision",),
        period="decided_on",
    ),
    Kind(
        "vi-tri-viec-lam",
        m.JobPositionPlan,
        "5",
        _("Đề án vị trí việc làm"),
        ("year", "decision", "approved_on", "positions"),
        key=("year",),
    ),
    Kind(
        "tuyen-dung-nang-ngach",
        m.StaffRound,
        "5",
        _("Tuyển dụng, thi và xét nâng ngạch"),
        ("year", "kind", "title", "held_on", "positions", "selected"),
        key=("year", "kind", "title"),
    ),
    Kind(
        "dao-tao-boi-duong",
        m.TrainingCourse,
        "5",
        _("Đào tạo, bồi dưỡng"),
        ("year", "unit", "title", "attendees", "hours"),
        key=("unit", "year", "title"),
    ),
    Kind(
        "danh-gia-xep-loai",
        m.AppraisalResult,
        "5",
        _("Đánh giá, xếp loại CCVC"),
        ("year", "unit", "excellent", "good", "completed", "not_completed"),
        key=("unit", "year"),
    ),
    Kind(
        "ky-luat",
        m.DisciplinaryCase,
        "5",
        _("Kỷ luật CCVC"),
        ("decided_on", "unit", "form", "summary"),
        period="decided_on",
    ),
    Kind(
        "kiem-tra-gio-lam-viec",
        m.WorkingHoursInspection,
        "5",
        _("Kiểm tra kỷ luật, kỷ cương giờ làm việc"),
        ("inspected_on", "unit", "people_checked", "violations"),
        key=("unit", "inspected_on"),
        period="inspected_on",
    ),
    Kind(
        "tai-chinh-cong",
        m.FinanceYear,
        "6",
        _("Tài chính công của năm"),
        (
            "year",
            "spending_regulation",
            "investment_planned",
            "investment_disbursed",
            "asset_inventory_done",
            "budget_settlement_published_on",
        ),
        key=("year",),
    ),
    Kind(
        "tu-chu-don-vi-su-nghiep",
        m.ServiceUnitAutonomy,
        "6",
        _("Cơ chế tự chủ của đơn vị sự nghiệp"),
        ("year", "unit", "level"),
        key=("unit", "year"),
    ),
    Kind(
        "chinh-phu-so",
        m.DigitalMonth,
        "7",
        _("Số liệu chính phủ số theo tháng"),
        (
            "month",
            "unit",
            "staff_total",
            "staff_with_email",
            "docs_out_electronic",
            "docs_out_paper",
            "docs_in_electronic",
            "docs_in_paper",
            "docs_signed_digitally",
            "dossiers_reusing_data",
        ),
        key=("unit", "month"),
        period="month",
    ),
    Kind(
        "an-toan-thong-tin",
        m.SecurityEvent,
        "7",
        _("Sự cố, kiểm tra an toàn thông tin"),
        ("occurred_on", "kind", "summary", "resolved"),
        period="occurred_on",
    ),
]
BY_SLUG = {k.slug: k for k in KINDS}
BY_MODEL = {k.model: k for k in KINDS}


def get(slug: str) -> Kind:
    from django.http import Http404

    try:
        return BY_SLUG[slug]
    except KeyError:
        raise Http404 from None
