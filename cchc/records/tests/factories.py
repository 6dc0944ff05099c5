"""Records for tests: explicit dates, nothing read from today."""

import datetime as dt
from decimal import Decimal

from cchc.records import models as m


def staffing(unit, year=2025, quota=10, headcount=9, deputies=2):
    return m.UnitStaffing.objects.create(
        agency=unit.agency,
        unit=unit,
        year=year,
        functions_decision="12/QĐ-SKHCN",
        functions_decided_on=dt.date(year, 1, 10),
        staffing_quota=quota,
        headcount=headcount,
        deputy_heads=deputies,
    )


def digital(unit, month, staff=10, email=9, out_e=80, out_p=20, in_e=90, in_p=10, signed=60):
    return m.DigitalMonth.objects.create(
        agency=unit.agency,
        unit=unit,
        month=month,
        staff_total=staff,
        staff_with_email=email,
        docs_out_electronic=out_e,
        docs_out_paper=out_p,
        docs_in_electronic=in_e,
        docs_in_paper=in_p,
        docs_signed_digitally=signed,
        dossiers_reusing_data=5,
    )


def training(unit, year=2025, attendees=5, title="Bồi dưỡng kỹ năng số", hours=16):
    return m.TrainingCourse.objects.create(
        agency=unit.agency, unit=unit, year=year, title=title, attendees=attendees, hours=hours
    )


def appraisal(unit, year=2025, excellent=1, good=5, completed=3, not_completed=1):
    return m.AppraisalResult.objects.create(
        agency=unit.agency,
        unit=unit,
        year=year,
        excellent=excellent,
        good=good,
        completed=completed,
        not_completed=not_completed,
    )


def finance(agency, year=2025, planned=1_000_000_000, disbursed=850_000_000):
    return m.FinanceYear.objects.create(
        agency=agency,
        year=year,
        spending_regulation="05/QĐ-SKHCN",
        spending_regulation_issued_on=dt.date(year, 1, 15),
        investment_planned=Decimal(planned),
        investment_disbursed=Decimal(disbursed),
        asset_inventory_done=True,
        budget_settlement_due=dt.date(year, 3, 31),
        budget_settlement_published_on=dt.date(year, 3, 20),
    )


def one_of_each(agency, unit, text="Nội dung") -> dict:
    """One record of every kind (kinds.py) in `agency`, its text fields carrying `text`."""
    from cchc.records.kinds import KINDS

    day = dt.date(2025, 6, 1)
    values = {
        "unit": unit,
        "year": 2025,
        "month": day,
        "kind": None,  # per model: its first choice
        "level": "2",
        "form": "reprimand",
    }
    records = {}
    for kind in KINDS:
        data = {}
        for name in kind.form_fields:
            field = kind.model._meta.get_field(name)
            if name == "kind":
                data[name] = field.choices[0][0]
            elif name in values:
                data[name] = values[name]
            elif field.get_internal_type() == "DateField":
                data[name] = day
            elif field.get_internal_type() in ("CharField", "TextField"):
                data[name] = f"{text} {kind.slug}"[: field.max_length or 255]
            elif field.get_internal_type() == "DecimalField":
                data[name] = Decimal(100)
        records[kind.slug] = kind.model.objects.create(agency=agency, **data)
    return records
