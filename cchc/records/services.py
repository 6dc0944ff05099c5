"""Writes of the records app (pages, API and demo all call these): every change is validated
in full, written in one transaction and audited against the record's agency."""

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.models import Agency, Unit
from cchc.core.services import audit_record
from cchc.records import excel
from cchc.records.kinds import Kind


class ImportRefused(ValidationError):
    """An Excel import with problems: `rows` lists (row number or None, message)."""

    def __init__(self, rows):
        self.rows = rows
        super().__init__(_("Tệp có %(n)d lỗi; chưa nhập dòng nào.") % {"n": len(rows)})


def _check_unit(kind: Kind, agency: Agency, data: dict) -> None:
    unit = data.get("unit")
    if unit is not None and unit.agency_id != agency.pk:
        raise ValidationError({"unit": _("Đơn vị không thuộc cơ quan này.")})


def record_create(*, actor, kind: Kind, agency: Agency, **data):
    _check_unit(kind, agency, data)
    record = kind.model(agency=agency, **data)
    record.full_clean()
    with transaction.atomic():
        record.save()
        audit_record(
            actor=actor, obj=record, action=f"{kind.audit_name}_create", to_state="created"
        )
    return record


def record_update(*, actor, kind: Kind, record, **changes):
    _check_unit(kind, record.agency, changes)
    with transaction.atomic():
        record = kind.model.objects.select_for_update().get(pk=record.pk)
        changed = [name for name, value in changes.items() if getattr(record, name) != value]
        for name, value in changes.items():
            setattr(record, name, value)
        record.full_clean()
        if changed:
            record.save()
            audit_record(
                actor=actor,
                obj=record,
                action=f"{kind.audit_name}_update",
                reason=", ".join(changed),
            )
    return record


def record_delete(*, actor, kind: Kind, record) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            obj=record,
            action=f"{kind.audit_name}_delete",
            to_state="deleted",
            agency=record.agency,
        )
        record.delete()


@dataclasses.dataclass
class ImportReport:
    added: list = dataclasses.field(default_factory=list)
    updated: list = dataclasses.field(default_factory=list)


def records_import(*, actor, kind: Kind, agency: Agency, data: bytes) -> ImportReport:
    """Import every row or none: any problem refuses the whole file with a row-by-row report.
    A row matching a record's unique key (kind.key) updates that record; others are added."""
    units = list(Unit.objects.filter(agency=agency))
    parsed = excel.parse_workbook(kind, data, agency=agency, units=units)
    if parsed.errors:
        raise ImportRefused(sorted(parsed.errors, key=lambda e: (e[0] is not None, e[0] or 0)))
    report = ImportReport()
    errors = []
    with transaction.atomic():
        for number, record in parsed.rows:
            existing = None
            if kind.key:
                lookup = {n: getattr(record, n) for n in kind.key}
                existing = (
                    kind.model.objects.select_for_update().filter(agency=agency, **lookup).first()
                )
            if existing is not None:
                for name in parsed.columns:  # a column left out of the file keeps its value
                    setattr(existing, name, getattr(record, name))
                record = existing
            try:
                record.full_clean()
            except ValidationError as exc:
                errors.append((number, excel._sentence(excel._messages(exc, kind))))
                continue
            record.save()
            (report.updated if existing is not None else report.added).append(record)
        if errors:
            raise ImportRefused(errors)
        audit_record(
            actor=actor,
            obj=agency,
            action=f"{kind.audit_name}_import",
            reason=_("Nhập Excel: thêm %(a)d, cập nhật %(u)d dòng.")
            % {"a": len(report.added), "u": len(report.updated)},
            agency=agency,
        )
    return report
