import datetime as dt

from cchc.plans.models import Plan, PlanTask


def make_plan(agency, year=2024, title=None) -> Plan:
    return Plan.objects.create(agency=agency, year=year, title=title or f"Kế hoạch CCHC năm {year}")


def make_task(
    plan, lead_unit, *, deadline, status="not_started", completed_on=None, field="1", **extra
):
    order = plan.tasks.count() + 1
    return PlanTask.objects.create(
        plan=plan,
        order=order,
        field=field,
        content=extra.pop("content", f"Nhiệm vụ số {order}"),
        lead_unit=lead_unit,
        deadline=deadline,
        status=status,
        completed_on=completed_on,
        progress=100 if status == "done" else extra.pop("progress", 0),
        **extra,
    )


def d(year, month, day) -> dt.date:
    return dt.date(year, month, day)
