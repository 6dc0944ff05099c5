"""The records' figures (plain JSON-able dicts, frozen into report snapshots, each number with
the ids of the records behind it) and the numbered tables of report sections 4-7 built from
them, each number linking to the list page of exactly those records."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core import registry
from cchc.core.registry import Cell, Scope, Table
from cchc.records import metrics
from cchc.records.models import (
    AppraisalResult,
    DigitalMonth,
    DisciplinaryCase,
    FinanceYear,
    JobPositionPlan,
    Reorganisation,
    SecurityEvent,
    ServiceUnitAutonomy,
    StaffRound,
    TrainingCourse,
    UnitStaffing,
    WorkingHoursInspection,
)


def _fmt_number(value, decimals=0):
    from cchc.reports.selectors import fmt_number

    return fmt_number(value, decimals)


def _fmt_rate(value):
    from cchc.reports.selectors import fmt_rate

    return fmt_rate(value)


def _iso(day):
    return day.isoformat() if day else None


def _dmy(text):
    return dt.date.fromisoformat(text).strftime("%d/%m/%Y") if text else ""


def link(kind_slug: str, ids) -> str:
    """The list page of exactly these records, "" when there are none."""
    ids = sorted(set(ids or ()))
    if not ids:
        return ""
    return reverse("records:list", kwargs={"kind": kind_slug}) + "?ids=" + ",".join(map(str, ids))


def count_cell(value, kind_slug, ids) -> Cell:
    return Cell(_fmt_number(value), link(kind_slug, ids) if value else "", value)


def rate_cell(value, kind_slug="", ids=()) -> Cell:
    return Cell(_fmt_rate(value), link(kind_slug, ids) if value is not None else "", value)


def text_cell(text, kind_slug="", ids=()) -> Cell:
    return Cell(str(text or ""), link(kind_slug, ids), text)


def _in_period(queryset, field, start, end):
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lte": end})


def _years(queryset, start, end):
    return queryset.filter(year__gte=start.year, year__lte=end.year)


# --- figures -----------------------------------------------------------------------------------


def organisation(agency, start: dt.date, end: dt.date) -> dict | None:
    """Field 4: each unit's staffing in the year of `end`, and the reorganisation decisions."""
    staffing = list(
        UnitStaffing.objects.filter(agency=agency, year=end.year)
        .select_related("unit")
        .order_by("unit__order", "unit__code")
    )
    reorganisations = list(
        _in_period(Reorganisation.objects.filter(agency=agency), "decided_on", start, end)
        .select_related("unit")
        .order_by("decided_on", "pk")
    )
    if not staffing and not reorganisations:
        return None
    rows = [
        {
            "id": s.pk,
            "unit": s.unit.name,
            "decision": s.functions_decision,
            "decided_on": _iso(s.functions_decided_on),
            "quota": s.staffing_quota,
            "headcount": s.headcount,
            "deputies": s.deputy_heads,
            "within_quota": s.within_quota,
        }
        for s in staffing
    ]
    return {
        "year": end.year,
        "staffing": rows,
        "staffing_ids": [r["id"] for r in rows],
        "within_quota_ids": [r["id"] for r in rows if r["within_quota"]],
        "totals": {
            "quota": sum(r["quota"] for r in rows),
            "headcount": sum(r["headcount"] for r in rows),
            "deputies": sum(r["deputies"] for r in rows),
        },
        "within_quota_rate": metrics.staffing_within_quota(Scope(agency, start, end)),
        "reorganisations": [
            {
                "id": r.pk,
                "decision": r.decision,
                "decided_on": _iso(r.decided_on),
                "unit": r.unit.name if r.unit else "",
                "summary": r.summary,
            }
            for r in reorganisations
        ],
    }


GRADES = (
    ("excellent", gettext_lazy("Hoàn thành xuất sắc nhiệm vụ")),
    ("good", gettext_lazy("Hoàn thành tốt nhiệm vụ")),
    ("completed", gettext_lazy("Hoàn thành nhiệm vụ")),
    ("not_completed", gettext_lazy("Không hoàn thành nhiệm vụ")),
)


def civil_service(agency, start: dt.date, end: dt.date) -> dict | None:
    """Field 5: job positions, recruitment and promotion rounds, training, appraisal results,
    discipline and working-hours inspections of the period."""
    scope = Scope(agency, start, end)
    plan = JobPositionPlan.objects.filter(agency=agency, year__lte=end.year).order_by("-year")
    plan = plan.first()
    rounds = list(
        _in_period(StaffRound.objects.filter(agency=agency), "held_on", start, end).order_by(
            "held_on", "pk"
        )
    )
    courses = list(_years(TrainingCourse.objects.filter(agency=agency), start, end))
    appraisals = list(_years(AppraisalResult.objects.filter(agency=agency), start, end))
    cases = list(
        _in_period(DisciplinaryCase.objects.filter(agency=agency), "decided_on", start, end)
        .select_related("unit")
        .order_by("decided_on", "pk")
    )
    inspections = list(
        _in_period(WorkingHoursInspection.objects.filter(agency=agency), "inspected_on", start, end)
    )
    if not any([rounds, courses, appraisals, cases, inspections]) and plan is None:
        return None
    appraisal = {grade: sum(getattr(a, grade) for a in appraisals) for grade, _label in GRADES}
    return {
        "job_position_plan": None
        if plan is None
        else {
            "id": plan.pk,
            "year": plan.year,
            "decision": plan.decision,
            "approved_on": _iso(plan.approved_on),
            "positions": plan.positions,
        },
        "rounds": [
            {
                "id": r.pk,
                "kind": r.kind,
                "kind_label": str(r.get_kind_display()),
                "title": r.title,
                "held_on": _iso(r.held_on),
                "positions": r.positions,
                "selected": r.selected,
            }
            for r in rounds
        ],
        "training": {
            "courses": len(courses),
            "attendees": sum(c.attendees for c in courses),
            "hours": sum(c.hours for c in courses),
            "ids": [c.pk for c in courses],
            "coverage": metrics.training_coverage(scope),
        },
        "appraisal": {
            **appraisal,
            "total": sum(appraisal.values()),
            "ids": {grade: [a.pk for a in appraisals if getattr(a, grade)] for grade, _l in GRADES},
            "all_ids": [a.pk for a in appraisals],
            "completion": metrics.appraisal_completion(scope),
        },
        "discipline": [
            {
                "id": c.pk,
                "decided_on": _iso(c.decided_on),
                "unit": c.unit.name,
                "form": c.form,
                "form_label": str(c.get_form_display()),
            }
            for c in cases
        ],
        "inspections": {
            "count": len(inspections),
            "people_checked": sum(i.people_checked for i in inspections),
            "violations": sum(i.violations for i in inspections),
            "ids": [i.pk for i in inspections],
            "violation_ids": [i.pk for i in inspections if i.violations],
        },
    }


def public_finance(agency, start: dt.date, end: dt.date) -> dict | None:
    """Field 6: the finance year of `end` and the autonomy level of each public service unit."""
    finance = FinanceYear.objects.filter(agency=agency, year=end.year).first()
    autonomy = list(ServiceUnitAutonomy.objects.filter(agency=agency, year=end.year))
    if finance is None and not autonomy:
        return None
    levels = [
        {
            "level": code,
            "label": str(label),
            "count": sum(1 for a in autonomy if a.level == code),
            "ids": [a.pk for a in autonomy if a.level == code],
        }
        for code, label in ServiceUnitAutonomy.Level.choices
    ]
    return {
        "year": end.year,
        "finance": None
        if finance is None
        else {
            "id": finance.pk,
            "spending_regulation": finance.spending_regulation,
            "spending_regulation_issued_on": _iso(finance.spending_regulation_issued_on),
            "investment_planned": int(finance.investment_planned),
            "investment_disbursed": int(finance.investment_disbursed),
            "disbursement_rate": metrics.disbursement_rate(
                Scope(agency, dt.date(end.year, 1, 1), end)
            ),
            "asset_inventory_done": finance.asset_inventory_done,
            "budget_settlement_due": _iso(finance.budget_settlement_due),
            "budget_settlement_published_on": _iso(finance.budget_settlement_published_on),
            "settlement_on_time": finance.settlement_on_time,
        },
        "autonomy": levels,
    }


def digital_government(agency, start: dt.date, end: dt.date) -> dict | None:
    """Field 7: monthly totals of the agency's units, the period's rates, security events."""
    scope = Scope(agency, start, end)
    months = list(metrics.in_months(DigitalMonth.objects.filter(agency=agency), scope))
    events = list(
        _in_period(SecurityEvent.objects.filter(agency=agency), "occurred_on", start, end).order_by(
            "occurred_on", "pk"
        )
    )
    if not months and not events:
        return None
    by_month: dict[dt.date, list] = {}
    for row in months:
        by_month.setdefault(row.month, []).append(row)
    monthly = []
    for month in sorted(by_month):
        rows = by_month[month]
        staff = sum(r.staff_total for r in rows)
        email = sum(r.staff_with_email for r in rows)
        electronic = sum(r.docs_out_electronic + r.docs_in_electronic for r in rows)
        documents = electronic + sum(r.docs_out_paper + r.docs_in_paper for r in rows)
        out_e = sum(r.docs_out_electronic for r in rows)
        signed = sum(r.docs_signed_digitally for r in rows)
        monthly.append(
            {
                "month": month.strftime("%Y-%m"),
                "ids": [r.pk for r in rows],
                "staff_total": staff,
                "staff_with_email": email,
                "email_coverage": email / staff if staff else None,
                "documents": documents,
                "electronic": electronic,
                "electronic_share": electronic / documents if documents else None,
                "out_electronic": out_e,
                "signed": signed,
                "signature_share": signed / out_e if out_e else None,
                "dossiers_reusing_data": sum(r.dossiers_reusing_data for r in rows),
            }
        )
    latest = metrics._latest_months(scope)
    return {
        "months": monthly,
        "ids": [r.pk for r in months],
        "latest_ids": [r.pk for r in latest],
        "email_coverage": metrics.email_coverage(scope),
        "electronic_document_share": metrics.electronic_document_share(scope),
        "digital_signature_share": metrics.digital_signature_share(scope),
        "dossiers_reusing_data": sum(m["dossiers_reusing_data"] for m in monthly),
        "security": [
            {
                "id": e.pk,
                "occurred_on": _iso(e.occurred_on),
                "kind": e.kind,
                "kind_label": str(e.get_kind_display()),
                "summary": e.summary,
                "resolved": e.resolved,
            }
            for e in events
        ],
    }


# --- report tables -----------------------------------------------------------------------------


def _table(key, section, title, headers, source, rows) -> Table:
    return Table(
        key=key,
        section=section,
        title=str(title),
        headers=[str(h) for h in headers],
        rows=rows,
        source=str(source),
        empty=not rows,
    )


def staffing_table(value, context) -> Table:
    rows = []
    for r in (value or {}).get("staffing", []):
        ids = [r["id"]]
        rows.append(
            [
                text_cell(r["unit"], "bien-che", ids),
                count_cell(r["quota"], "bien-che", ids),
                count_cell(r["headcount"], "bien-che", ids),
                count_cell(r["deputies"], "bien-che", ids),
                text_cell(_("Có") if r["within_quota"] else _("Vượt biên chế"), "bien-che", ids),
            ]
        )
    if rows:
        t, ids = value["totals"], value["staffing_ids"]
        rows.append(
            [
                text_cell(_("Tổng cộng"), "bien-che", ids),
                count_cell(t["quota"], "bien-che", ids),
                count_cell(t["headcount"], "bien-che", ids),
                count_cell(t["deputies"], "bien-che", ids),
                rate_cell(value["within_quota_rate"], "bien-che", value["within_quota_ids"]),
            ]
        )
    return _table(
        "records.staffing",
        "4",
        _("Biên chế của các đơn vị năm %(y)d") % {"y": context.year},
        [_("Đơn vị"), _("Biên chế được giao"), _("Có mặt"), _("Cấp phó"), _("Trong biên chế")],
        _("Số liệu biên chế của từng đơn vị"),
        rows,
    )


def reorganisation_table(value, context) -> Table:
    rows = [
        [
            text_cell(r["decision"], "sap-xep-to-chuc", [r["id"]]),
            text_cell(_dmy(r["decided_on"])),
            text_cell(r["unit"]),
            text_cell(r["summary"]),
        ]
        for r in (value or {}).get("reorganisations", [])
    ]
    return _table(
        "records.reorganisations",
        "4",
        _("Quyết định sắp xếp, kiện toàn tổ chức bộ máy"),
        [_("Số quyết định"), _("Ngày"), _("Đơn vị"), _("Nội dung")],
        _("Các quyết định sắp xếp, kiện toàn tổ chức trong kỳ"),
        rows,
    )


def rounds_table(value, context) -> Table:
    rows = []
    plan = (value or {}).get("job_position_plan")
    if plan:
        rows.append(
            [
                text_cell(
                    _("Đề án vị trí việc làm (%(d)s)") % {"d": plan["decision"]},
                    "vi-tri-viec-lam",
                    [plan["id"]],
                ),
                text_cell(_dmy(plan["approved_on"])),
                count_cell(plan["positions"], "vi-tri-viec-lam", [plan["id"]]),
                text_cell(""),
            ]
        )
    for r in (value or {}).get("rounds", []):
        ids = [r["id"]]
        rows.append(
            [
                text_cell(f"{r['kind_label']}: {r['title']}", "tuyen-dung-nang-ngach", ids),
                text_cell(_dmy(r["held_on"])),
                count_cell(r["positions"], "tuyen-dung-nang-ngach", ids),
                count_cell(r["selected"], "tuyen-dung-nang-ngach", ids),
            ]
        )
    return _table(
        "records.civil_service_rounds",
        "5",
        _("Vị trí việc làm, tuyển dụng và nâng ngạch"),
        [_("Nội dung"), _("Ngày"), _("Chỉ tiêu, số vị trí"), _("Trúng tuyển")],
        _("Đề án vị trí việc làm và các kỳ tuyển dụng, thi, xét nâng ngạch"),
        rows,
    )


def training_table(value, context) -> Table:
    training = (value or {}).get("training")
    rows = []
    if training and training["courses"]:
        ids = training["ids"]
        rows.append(
            [
                count_cell(training["courses"], "dao-tao-boi-duong", ids),
                count_cell(training["attendees"], "dao-tao-boi-duong", ids),
                count_cell(training["hours"], "dao-tao-boi-duong", ids),
                rate_cell(training["coverage"], "dao-tao-boi-duong", ids),
            ]
        )
    return _table(
        "records.training",
        "5",
        _("Đào tạo, bồi dưỡng CCVC"),
        [_("Số lớp"), _("Lượt người tham gia"), _("Số giờ"), _("Tỷ lệ so với số có mặt")],
        _("Các lớp đào tạo, bồi dưỡng của các đơn vị"),
        rows,
    )


def appraisal_table(value, context) -> Table:
    appraisal = (value or {}).get("appraisal")
    rows = []
    if appraisal and appraisal["total"]:
        for grade, label in GRADES:
            ids = appraisal["ids"][grade]
            share = appraisal[grade] / appraisal["total"]
            rows.append(
                [
                    text_cell(label),
                    count_cell(appraisal[grade], "danh-gia-xep-loai", ids),
                    rate_cell(share, "danh-gia-xep-loai", ids if appraisal[grade] else ()),
                ]
            )
        rows.append(
            [
                text_cell(_("Tổng số được đánh giá")),
                count_cell(appraisal["total"], "danh-gia-xep-loai", appraisal["all_ids"]),
                rate_cell(appraisal["completion"], "danh-gia-xep-loai", appraisal["all_ids"]),
            ]
        )
    return _table(
        "records.appraisal",
        "5",
        _("Kết quả đánh giá, xếp loại CCVC"),
        [_("Mức xếp loại"), _("Số người"), _("Tỷ lệ")],
        _("Kết quả đánh giá, xếp loại của các đơn vị"),
        rows,
    )


def discipline_table(value, context) -> Table:
    value = value or {}
    cases = value.get("discipline", [])
    inspections = value.get("inspections") or {}
    rows = []
    if cases or inspections.get("count"):
        case_ids = [c["id"] for c in cases]
        ids = inspections.get("ids", [])
        rows = [
            [text_cell(_("Số vụ việc bị kỷ luật")), count_cell(len(cases), "ky-luat", case_ids)],
            [
                text_cell(_("Số lần kiểm tra kỷ luật, kỷ cương giờ làm việc")),
                count_cell(inspections.get("count", 0), "kiem-tra-gio-lam-viec", ids),
            ],
            [
                text_cell(_("Số người được kiểm tra")),
                count_cell(inspections.get("people_checked", 0), "kiem-tra-gio-lam-viec", ids),
            ],
            [
                text_cell(_("Số người vi phạm")),
                count_cell(
                    inspections.get("violations", 0),
                    "kiem-tra-gio-lam-viec",
                    inspections.get("violation_ids", []),
                ),
            ],
        ]
    return _table(
        "records.discipline",
        "5",
        _("Kỷ luật, kỷ cương hành chính"),
        [_("Nội dung"), _("Số lượng")],
        _("Các vụ việc kỷ luật và các lần kiểm tra giờ làm việc trong kỳ"),
        rows,
    )


def finance_table(value, context) -> Table:
    finance = (value or {}).get("finance")
    rows = []
    if finance:
        ids, slug = [finance["id"]], "tai-chinh-cong"
        regulation = finance["spending_regulation"] or _("Chưa ban hành")
        if finance["spending_regulation_issued_on"]:
            regulation += " " + _("ngày %(d)s") % {
                "d": _dmy(finance["spending_regulation_issued_on"])
            }
        if finance["budget_settlement_published_on"]:
            settlement = _dmy(finance["budget_settlement_published_on"])
            if finance["settlement_on_time"] is False:
                settlement += " (" + _("quá hạn") + ")"
        else:
            settlement = _("Chưa công khai")
        rows = [
            [text_cell(_("Quy chế chi tiêu nội bộ")), text_cell(regulation, slug, ids)],
            [
                text_cell(_("Vốn đầu tư công được giao (đồng)")),
                count_cell(finance["investment_planned"], slug, ids),
            ],
            [
                text_cell(_("Vốn đầu tư công đã giải ngân (đồng)")),
                count_cell(finance["investment_disbursed"], slug, ids),
            ],
            [text_cell(_("Tỷ lệ giải ngân")), rate_cell(finance["disbursement_rate"], slug, ids)],
            [
                text_cell(_("Kiểm kê tài sản công")),
                text_cell(
                    _("Đã thực hiện") if finance["asset_inventory_done"] else _("Chưa thực hiện"),
                    slug,
                    ids,
                ),
            ],
            [text_cell(_("Công khai quyết toán ngân sách")), text_cell(settlement, slug, ids)],
        ]
    return _table(
        "records.finance",
        "6",
        _("Quản lý, sử dụng ngân sách và tài sản công năm %(y)d") % {"y": context.year},
        [_("Nội dung"), _("Kết quả")],
        _("Số liệu tài chính công của năm"),
        rows,
    )


def autonomy_table(value, context) -> Table:
    levels = (value or {}).get("autonomy", [])
    rows = []
    if any(level["count"] for level in levels):
        rows = [
            [
                text_cell(level["label"]),
                count_cell(level["count"], "tu-chu-don-vi-su-nghiep", level["ids"]),
            ]
            for level in levels
        ]
    return _table(
        "records.autonomy",
        "6",
        _("Mức tự chủ tài chính của đơn vị sự nghiệp công lập (Nghị định 60/2021/NĐ-CP)"),
        [_("Mức tự chủ"), _("Số đơn vị")],
        _("Mức tự chủ của từng đơn vị sự nghiệp trong năm"),
        rows,
    )


def digital_table(value, context) -> Table:
    slug = "chinh-phu-so"
    rows = []
    value = value or {}
    for m in value.get("months", []):
        ids = m["ids"]
        month = dt.date.fromisoformat(m["month"] + "-01").strftime("%m/%Y")
        rows.append(
            [
                text_cell(month, slug, ids),
                rate_cell(m["email_coverage"], slug, ids),
                rate_cell(m["electronic_share"], slug, ids),
                rate_cell(m["signature_share"], slug, ids),
                count_cell(m["dossiers_reusing_data"], slug, ids),
            ]
        )
    if rows:
        ids = value["ids"]
        rows.append(
            [
                text_cell(_("Cả kỳ"), slug, ids),
                rate_cell(value["email_coverage"], slug, value["latest_ids"]),
                rate_cell(value["electronic_document_share"], slug, ids),
                rate_cell(value["digital_signature_share"], slug, ids),
                count_cell(value["dossiers_reusing_data"], slug, ids),
            ]
        )
    return _table(
        "records.digital_monthly",
        "7",
        _("Chính phủ điện tử, chính phủ số theo tháng"),
        [
            _("Tháng"),
            _("CCVC có hòm thư điện tử công vụ"),
            _("Văn bản đi, đến dạng điện tử"),
            _("Văn bản đi được ký số"),
            _("Hồ sơ tái sử dụng dữ liệu"),
        ],
        _("Số liệu chính phủ số hằng tháng của các đơn vị; cả kỳ: hòm thư theo tháng gần nhất"),
        rows,
    )


def security_table(value, context) -> Table:
    rows = [
        [
            text_cell(_dmy(e["occurred_on"]), "an-toan-thong-tin", [e["id"]]),
            text_cell(e["kind_label"]),
            text_cell(e["summary"]),
            text_cell(_("Đã xử lý") if e["resolved"] else _("Đang xử lý")),
        ]
        for e in (value or {}).get("security", [])
    ]
    return _table(
        "records.security",
        "7",
        _("Sự cố và kiểm tra an toàn thông tin"),
        [_("Ngày"), _("Loại"), _("Nội dung"), _("Tình trạng")],
        _("Các sự cố, đợt kiểm tra an toàn thông tin trong kỳ"),
        rows,
    )


FIGURES = [
    ("records.organisation", gettext_lazy("Tổ chức bộ máy"), organisation),
    ("records.civil_service", gettext_lazy("Chế độ công vụ"), civil_service),
    ("records.public_finance", gettext_lazy("Tài chính công"), public_finance),
    (
        "records.digital_government",
        gettext_lazy("Chính phủ điện tử, chính phủ số"),
        digital_government,
    ),
]
TABLES = [
    ("records.staffing", "4", "records.organisation", staffing_table, 40),
    ("records.reorganisations", "4", "records.organisation", reorganisation_table, 41),
    ("records.civil_service_rounds", "5", "records.civil_service", rounds_table, 50),
    ("records.training", "5", "records.civil_service", training_table, 51),
    ("records.appraisal", "5", "records.civil_service", appraisal_table, 52),
    ("records.discipline", "5", "records.civil_service", discipline_table, 53),
    ("records.finance", "6", "records.public_finance", finance_table, 60),
    ("records.autonomy", "6", "records.public_finance", autonomy_table, 61),
    ("records.digital_monthly", "7", "records.digital_government", digital_table, 70),
    ("records.security", "7", "records.digital_government", security_table, 71),
]


def _get(key):
    return lambda value: (value or {}).get(key)


def register() -> None:
    for name, label, compute in FIGURES:
        registry.register_figure(name, label, compute)
    for key, section, figure, build, order in TABLES:
        registry.register_report_table(
            key, section=section, figure=figure, build=build, order=order
        )
    registry.register_dashboard_figure(
        "records.email_coverage",
        gettext_lazy("CCVC có hòm thư điện tử công vụ"),
        figure="records.digital_government",
        value=_get("email_coverage"),
        link=lambda value, context: link("chinh-phu-so", (value or {}).get("latest_ids")),
        kind="rate",
        order=70,
    )
    registry.register_dashboard_figure(
        "records.electronic_document_share",
        gettext_lazy("Văn bản đi, đến dạng điện tử"),
        figure="records.digital_government",
        value=_get("electronic_document_share"),
        link=lambda value, context: link("chinh-phu-so", (value or {}).get("ids")),
        kind="rate",
        order=71,
    )
    registry.register_dashboard_figure(
        "records.staffing_within_quota",
        gettext_lazy("Đơn vị sử dụng biên chế trong số được giao"),
        figure="records.organisation",
        value=_get("within_quota_rate"),
        link=lambda value, context: link("bien-che", (value or {}).get("staffing_ids")),
        kind="rate",
        order=40,
    )
