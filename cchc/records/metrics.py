"""The records' metrics for the PAR Index: compute(scope) -> a fraction 0..1, or None when
there is no record to count. Every metric counts the unit's own records when `scope.unit` is
set and the whole agency's otherwise, and only records dated within scope.start..scope.end:
a year record counts when its year lies in start.year..end.year, a monthly record when its
month (stored as the 1st) lies in the month of `start`..`end` (the cut-off)."""

import datetime as dt

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from cchc.core.registry import Scope
from cchc.records.models import (
    AppraisalResult,
    DigitalMonth,
    FinanceYear,
    TrainingCourse,
    UnitStaffing,
)


def scoped(model, scope: Scope):
    queryset = model.objects.filter(agency=scope.agency)
    if scope.unit is not None:
        queryset = queryset.filter(unit=scope.unit)
    return queryset


def in_years(queryset, scope: Scope):
    return queryset.filter(year__gte=scope.start.year, year__lte=scope.end.year)


def in_months(queryset, scope: Scope):
    return queryset.filter(month__gte=dt.date(scope.start.year, scope.start.month, 1)).filter(
        month__lte=scope.end
    )


def _ratio(part, whole) -> float | None:
    if not whole:
        return None
    return min(1.0, float(part or 0) / float(whole))


def staffing_within_quota(scope: Scope) -> float | None:
    """Units within quota / units with a staffing record, in the year of scope.end: a unit is
    within quota when its headcount (có mặt) <= its staffing quota (biên chế được giao)."""
    rows = list(
        scoped(UnitStaffing, scope)
        .filter(year=scope.end.year)
        .values_list("headcount", "staffing_quota")
    )
    if not rows:
        return None
    return sum(1 for headcount, quota in rows if headcount <= quota) / len(rows)


def training_coverage(scope: Scope) -> float | None:
    """Attendees of the training courses of the period's years / headcount (có mặt) of the
    year of scope.end, capped at 1. None without a course or without a headcount."""
    attendees = in_years(scoped(TrainingCourse, scope), scope).aggregate(n=Sum("attendees"))["n"]
    headcount = (
        scoped(UnitStaffing, scope).filter(year=scope.end.year).aggregate(n=Sum("headcount"))["n"]
    )
    if attendees is None:
        return None
    return _ratio(attendees, headcount)


def appraisal_completion(scope: Scope) -> float | None:
    """Staff rated "hoàn thành nhiệm vụ" or better (excellent + good + completed) / every
    staff member appraised, over the appraisal results of the period's years."""
    totals = in_years(scoped(AppraisalResult, scope), scope).aggregate(
        excellent=Sum("excellent"),
        good=Sum("good"),
        completed=Sum("completed"),
        not_completed=Sum("not_completed"),
    )
    if totals["excellent"] is None:
        return None
    done = totals["excellent"] + totals["good"] + totals["completed"]
    return _ratio(done, done + totals["not_completed"])


def disbursement_rate(scope: Scope) -> float | None:
    """Public investment disbursed / planned (vốn giải ngân / vốn được giao) over the finance
    years of the period. Finance is kept for the whole agency: None for a unit."""
    if scope.unit is not None:
        return None
    totals = in_years(FinanceYear.objects.filter(agency=scope.agency), scope).aggregate(
        planned=Sum("investment_planned"), disbursed=Sum("investment_disbursed")
    )
    return _ratio(totals["disbursed"], totals["planned"])


def _latest_months(scope: Scope) -> list[DigitalMonth]:
    """Each unit's latest monthly record within the period (a stock figure)."""
    latest = {}
    for row in in_months(scoped(DigitalMonth, scope), scope).order_by("unit_id", "-month"):
        latest.setdefault(row.unit_id, row)
    return list(latest.values())


def email_coverage(scope: Scope) -> float | None:
    """Staff with an official e-mail box / staff, from each unit's latest month <= cut-off."""
    rows = _latest_months(scope)
    return _ratio(sum(r.staff_with_email for r in rows), sum(r.staff_total for r in rows))


def _document_totals(scope: Scope) -> dict:
    return in_months(scoped(DigitalMonth, scope), scope).aggregate(
        out_e=Sum("docs_out_electronic"),
        out_p=Sum("docs_out_paper"),
        in_e=Sum("docs_in_electronic"),
        in_p=Sum("docs_in_paper"),
        signed=Sum("docs_signed_digitally"),
    )


def electronic_document_share(scope: Scope) -> float | None:
    """Electronic documents (sent + received) / all documents sent + received in the period."""
    t = _document_totals(scope)
    if t["out_e"] is None:
        return None
    electronic = t["out_e"] + t["in_e"]
    return _ratio(electronic, electronic + t["out_p"] + t["in_p"])


def digital_signature_share(scope: Scope) -> float | None:
    """Documents sent signed digitally / electronic documents sent in the period."""
    t = _document_totals(scope)
    return _ratio(t["signed"], t["out_e"])


METRICS = [
    (
        "records.staffing_within_quota",
        _("Tỷ lệ đơn vị sử dụng biên chế trong số được giao"),
        staffing_within_quota,
    ),
    ("records.training_coverage", _("Tỷ lệ CCVC được đào tạo, bồi dưỡng"), training_coverage),
    (
        "records.appraisal_completion",
        _("Tỷ lệ CCVC được xếp loại hoàn thành nhiệm vụ trở lên"),
        appraisal_completion,
    ),
    ("records.disbursement_rate", _("Tỷ lệ giải ngân vốn đầu tư công"), disbursement_rate),
    (
        "records.email_coverage",
        _("Tỷ lệ CCVC có hòm thư điện tử công vụ"),
        email_coverage,
    ),
    (
        "records.electronic_document_share",
        _("Tỷ lệ văn bản đi, đến dạng điện tử"),
        electronic_document_share,
    ),
    (
        "records.digital_signature_share",
        _("Tỷ lệ văn bản đi điện tử được ký số"),
        digital_signature_share,
    ),
]


def register() -> None:
    from cchc.core import registry

    for name, label, compute in METRICS:
        registry.register_metric(name, label, compute)
