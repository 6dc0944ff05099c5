"""Reads of the plans app: who may see what, derived task status, counts and the completion rate."""

import datetime as dt
from collections import Counter

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cchc.core.models import Agency, Unit
from cchc.core.permissions import may_manage_agency, scoped_to_agency
from cchc.core.workcalendar import WorkingCalendar
from cchc.plans.models import (
    LegalReview,
    ParField,
    Plan,
    PlanTask,
    ProcedureReview,
    QualityRecord,
    Regulation,
)

EXPIRING_DAYS = QualityRecord.EXPIRING_DAYS


# --- query parameters ---------------------------------------------------------------------


# --- permissions -------------------------------------------------------------------------


def plans_for_user(user) -> QuerySet:
    return scoped_to_agency(Plan.objects.select_related("agency"), user)


def get_plan_for_user(user, pk) -> Plan:
    return get_object_or_404(plans_for_user(user), pk=pk)


def tasks_for_user(user) -> QuerySet:
    return scoped_to_agency(
        PlanTask.objects.select_related("plan__agency", "lead_unit"), user, "plan__agency_id"
    )


def get_task_for_user(user, pk) -> PlanTask:
    return get_object_or_404(tasks_for_user(user).prefetch_related("co_units"), pk=pk)


def may_update_task(user, task: PlanTask) -> bool:
    """The lead unit reports progress on its own tasks; agency-wide roles on every task."""
    if may_manage_agency(user, task.plan.agency_id):
        return True
    return user.is_authenticated and user.unit_id == task.lead_unit_id


def regulations_for_user(user) -> QuerySet:
    return scoped_to_agency(Regulation.objects.select_related("agency"), user)


def legal_reviews_for_user(user) -> QuerySet:
    return scoped_to_agency(LegalReview.objects.select_related("agency"), user)


def procedure_reviews_for_user(user) -> QuerySet:
    return scoped_to_agency(ProcedureReview.objects.select_related("agency"), user)


def quality_records_for_user(user) -> QuerySet:
    return scoped_to_agency(QualityRecord.objects.select_related("agency"), user)


def regulations_listed(user, *, today: dt.date) -> list[Regulation]:
    """The regulation list page; each carries `validity`: "future", "in_force" or "expired"."""
    items = list(regulations_for_user(user))
    for item in items:
        item.validity = item.validity_on(today)
    return items


def legal_reviews_listed(user, *, year=None, result="", ids=()) -> QuerySet:
    """The legal review list page: the person's records, filtered as asked."""
    items = legal_reviews_for_user(user)
    if year:
        items = items.filter(review_year=year)
    if result in LegalReview.Result.values:
        items = items.filter(result=result)
    return items.filter(pk__in=ids) if ids else items


def procedure_reviews_listed(user, *, year=None, proposal="", ids=()) -> QuerySet:
    items = procedure_reviews_for_user(user)
    if year:
        items = items.filter(review_year=year)
    if proposal in ProcedureReview.Proposal.values:
        items = items.filter(proposal=proposal)
    return items.filter(pk__in=ids) if ids else items


def quality_records_listed(
    user, *, today: dt.date, body_type="", status="", expiring=False
) -> list[QualityRecord]:
    """The ISO list page; each record carries `shown_status` (derived from its dates today),
    its label, and `expiring` (certificate ends within 90 days)."""
    items = quality_records_for_user(user)
    if body_type in QualityRecord.BodyType.values:
        items = items.filter(body_type=body_type)
    items = list(items)
    for item in items:
        item.shown_status = item.status_on(today)
        item.shown_status_label = QualityRecord.Status(item.shown_status).label
        item.expiring = item.shown_status == QualityRecord.Status.EXPIRING
    if status in QualityRecord.Status.values:
        items = [i for i in items if i.shown_status == status]
    return [i for i in items if i.expiring] if expiring else items


def count_by(items, attr: str, choices) -> list[tuple[str, str, int]]:
    """(code, label, count) for each choice, counted over records already in memory."""
    counts = Counter(getattr(i, attr) for i in items)
    return [(code, label, counts[code]) for code, label in choices]


def plan_of_year(agency: Agency, year: int) -> Plan | None:
    return Plan.objects.filter(agency=agency, year=year).first()


def units_of_agency(agency_id: int) -> QuerySet:
    return Unit.objects.filter(agency_id=agency_id).order_by("order", "name")


# --- derived task status ---------------------------------------------------------------------


def effective_deadline(deadline: dt.date, cal: WorkingCalendar | None = None) -> dt.date:
    """A deadline on a weekend or holiday moves to the next working day (Civil Code art. 148)."""
    return (cal or WorkingCalendar()).next_working_day(deadline)


def task_status(task: PlanTask, today: dt.date | None = None, cal=None) -> str:
    if task.status == PlanTask.Status.DONE:
        return PlanTask.Status.DONE
    today = today or timezone.localdate()
    if today > effective_deadline(task.deadline, cal):
        return PlanTask.OVERDUE
    return task.status


def done_on_time(task: PlanTask, cal=None) -> bool:
    return (
        task.status == PlanTask.Status.DONE
        and task.completed_on is not None
        and task.completed_on <= effective_deadline(task.deadline, cal)
    )


def plan_tasks(plan: Plan) -> QuerySet:
    return plan.tasks.select_related("lead_unit").prefetch_related(
        Prefetch("co_units", queryset=Unit.objects.order_by("order", "name"))
    )


def plan_tasks_listed(
    plan: Plan, *, today: dt.date | None = None, status="", field="", ids=()
) -> list[PlanTask]:
    """The plan's tasks, each with `shown_status` (overdue derived) and its label, filtered."""
    cal = WorkingCalendar()
    tasks = list(plan_tasks(plan))
    for task in tasks:
        task.shown_status = task_status(task, today, cal)
        task.shown_status_label = PlanTask.STATUS_LABELS[task.shown_status]
    if status in PlanTask.STATUS_LABELS:
        tasks = [t for t in tasks if t.shown_status == status]
    if field in ParField.values:
        tasks = [t for t in tasks if t.field == field]
    if ids:
        tasks = [t for t in tasks if t.pk in set(ids)]
    return tasks


def overdue_tasks(today: dt.date | None = None) -> list[PlanTask]:
    today = today or timezone.localdate()
    cal = WorkingCalendar()
    candidates = (
        PlanTask.objects.exclude(status=PlanTask.Status.DONE)
        .filter(deadline__lt=today)
        .select_related("plan__agency", "lead_unit")
    )
    return [t for t in candidates if task_status(t, today, cal) == PlanTask.OVERDUE]


# --- counts ----------------------------------------------------------------------------------


def plan_summary(agency: Agency, start: dt.date, end: dt.date, *, unit=None) -> dict | None:
    """Task counts of the agency's plans whose year falls in [start, end], seen at `end`
    (only the tasks `unit` led, when given).

    Completion rate = tasks done by their deadline / tasks due by `end` (None: nothing due).
    """
    tasks = PlanTask.objects.filter(
        plan__agency=agency, plan__year__gte=start.year, plan__year__lte=end.year
    )
    if unit is not None:
        tasks = tasks.filter(lead_unit=unit)
    tasks = list(tasks.select_related("lead_unit").order_by("order", "id"))
    if not tasks:
        return None
    cal = WorkingCalendar()
    as_of = min(end, timezone.localdate())
    by_status: dict[str, list[int]] = {
        s: [] for s in (*PlanTask.Status.values, PlanTask.OVERDUE, "due", "done_on_time")
    }
    by_field = {code: Counter() for code in ParField.values}
    # The tasks behind each field's "done" and "overdue" numbers, for the report's links.
    field_ids = {code: {"done": [], "overdue": []} for code in ParField.values}
    by_month = {m: Counter() for m in range(1, end.month + 1)} if end.year == start.year else {}
    for task in tasks:
        # A task finished after the reporting date was not yet done at that date.
        snapshot_task = task
        if task.status == PlanTask.Status.DONE and task.completed_on and task.completed_on > end:
            snapshot_task = PlanTask(
                deadline=task.deadline, status=PlanTask.Status.IN_PROGRESS, progress=task.progress
            )
        status = task_status(snapshot_task, as_of, cal)
        by_status[status].append(task.pk)
        due = effective_deadline(task.deadline, cal) <= end
        counts = by_field[task.field]
        counts["total"] += 1
        counts[status] += 1
        if status in (PlanTask.Status.DONE, PlanTask.OVERDUE):
            field_ids[task.field][status].append(task.pk)
        month = by_month.get(task.deadline.month) if task.deadline.year == end.year else None
        if due:
            by_status["due"].append(task.pk)
            counts["due"] += 1
            if month is not None:
                month["due"] += 1
            if done_on_time(snapshot_task, cal):
                by_status["done_on_time"].append(task.pk)
                counts["done_on_time"] += 1
                if month is not None:
                    month["done_on_time"] += 1
    due = len(by_status["due"])
    on_time = len(by_status["done_on_time"])
    return {
        "total": len(tasks),
        "not_started": len(by_status[PlanTask.Status.NOT_STARTED]),
        "in_progress": len(by_status[PlanTask.Status.IN_PROGRESS]),
        "done": len(by_status[PlanTask.Status.DONE]),
        "overdue": len(by_status[PlanTask.OVERDUE]),
        "due": due,
        "done_on_time": on_time,
        "completion_rate": (on_time / due) if due else None,
        "by_field": [
            {
                "code": code,
                "name": str(ParField(code).label),
                "total": by_field[code]["total"],
                "done": by_field[code][PlanTask.Status.DONE],
                "done_ids": field_ids[code]["done"],
                "overdue": by_field[code][PlanTask.OVERDUE],
                "overdue_ids": field_ids[code]["overdue"],
                "due": by_field[code]["due"],
                "done_on_time": by_field[code]["done_on_time"],
            }
            for code in ParField.values
        ],
        "by_month": [
            {"month": m, "due": c["due"], "done_on_time": c["done_on_time"]}
            for m, c in by_month.items()
        ],
        "ids": dict(by_status),
    }


def completion_rate(scope) -> float | None:
    summary = plan_summary(scope.agency, scope.start, scope.end, unit=scope.unit)
    return None if summary is None else summary["completion_rate"]


def _review_counts(model, agency: Agency, year: int, field: str, choices, key: str):
    """Reviews of one year counted per choice of `field`, with the ids behind each count."""
    rows = list(model.objects.filter(agency=agency, review_year=year).values_list("id", field))
    if not rows:
        return None
    ids = {code: [pk for pk, value in rows if value == code] for code, _label in choices}
    return {
        "total": len(rows),
        key: [
            {"code": code, "label": str(label), "count": len(ids[code]), "ids": ids[code]}
            for code, label in choices
        ],
    }


def legal_review_counts(agency: Agency, year: int) -> dict | None:
    return _review_counts(
        LegalReview, agency, year, "result", LegalReview.Result.choices, "by_result"
    )


def procedure_review_counts(agency: Agency, year: int) -> dict | None:
    return _review_counts(
        ProcedureReview, agency, year, "proposal", ProcedureReview.Proposal.choices, "by_proposal"
    )


def regulation_summary(agency: Agency, on: dt.date) -> dict | None:
    rows = list(Regulation.objects.filter(agency=agency, issued_on__lte=on))
    if not rows:
        return None
    return {
        "total": len(rows),
        "in_force": sum(1 for r in rows if r.in_force(on)),
        "items": [
            {
                "id": r.pk,
                "number": r.number,
                "title": r.title,
                "kind": str(r.get_kind_display()),
                "issued_on": r.issued_on.isoformat(),
                "in_force": r.in_force(on),
                "validity": r.validity_on(on),
            }
            for r in rows
        ],
    }


def quality_counts(agency: Agency, today: dt.date) -> dict | None:
    rows = list(QualityRecord.objects.filter(agency=agency))
    if not rows:
        return None
    status = {r.pk: r.status_on(today) for r in rows}
    expiring = [r for r in rows if status[r.pk] == QualityRecord.Status.EXPIRING]
    return {
        "total": len(rows),
        "by_type": [
            {
                "code": code,
                "label": str(label),
                "count": sum(1 for r in rows if r.body_type == code),
            }
            for code, label in QualityRecord.BodyType.choices
        ],
        "by_status": [
            {
                "code": code,
                "label": str(label),
                "count": sum(1 for r in rows if status[r.pk] == code),
            }
            for code, label in QualityRecord.Status.choices
        ],
        "by_standard": [
            {"code": code, "label": str(label), "count": sum(1 for r in rows if r.standard == code)}
            for code, label in QualityRecord.Standard.choices
        ],
        "expiring": len(expiring),
        "expiring_ids": [r.pk for r in expiring],
    }


def plans_figure(agency: Agency, start: dt.date, end: dt.date) -> dict | None:
    """The registered figure "plans.summary": everything this app counts for [start, end]."""
    summary = plan_summary(agency, start, end)
    year = end.year
    legal = legal_review_counts(agency, year)
    procedures = procedure_review_counts(agency, year)
    regulations = regulation_summary(agency, end)
    quality = quality_counts(agency, end)
    # Standing records (regulations, ISO systems) alone do not make a year with data.
    if not any([summary, legal, procedures]):
        return None
    return {
        "tasks": summary,
        "legal_reviews": legal,
        "procedure_reviews": procedures,
        "regulations": regulations,
        "quality": quality,
    }
