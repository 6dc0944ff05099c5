"""Writes of the national mapping layer: import the DVCQG catalogue, map procedures and fields."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.selectors import site_agency
from cchc.core.services import audit_record
from cchc.procedures.models import FieldMapping, NationalProcedure, Procedure, ProcedureMapping
from cchc.procedures.national import similarity

# A national procedure code: digits, letters and dots, e.g. 1.004227.000.00.00.H56 or 2.002248.
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{2,59}$")
FIELD_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,59}$")
# Keys of a LayDanhSachTTHC row; a record with any other key is a full LayThuTuc record.
LIST_KEYS = {"MATTHC", "TENTTHC"}


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # (row, code, reason)


def _text(value) -> str:
    return str(value).strip() if isinstance(value, str | int) else ""


def _first(record: dict, key: str, problems: list[str]) -> dict:
    items = record.get(key)
    if items in (None, ""):
        return {}
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        problems.append(_("%(key)s phải là một danh sách các đối tượng.") % {"key": key})
        return {}
    return items[0] if items else {}


def _values(record: dict) -> tuple[dict, list[str]]:
    """The NationalProcedure fields of one reply record, and what is wrong with it."""
    problems = []
    code, name = _text(record.get("MATTHC")), _text(record.get("TENTTHC"))
    if not code:
        problems.append(_("Thiếu mã thủ tục (MATTHC)."))
    elif not CODE.match(code):
        problems.append(_("Mã thủ tục (MATTHC) không đúng định dạng."))
    if not name:
        problems.append(_("Thiếu tên thủ tục (TENTTHC)."))
    elif len(name) > 1000:
        problems.append(_("Tên thủ tục (TENTTHC) dài quá 1000 ký tự."))
    values = {"code": code, "name": name}
    if set(record) - LIST_KEYS:  # a LayThuTuc record: it carries the details
        domain = _first(record, "LINHVUCTHUCHIEN", problems)
        result = _first(record, "KETQUATHUCHIEN", problems)
        field_code = _text(domain.get("MALINHVUC"))
        if field_code and not FIELD_CODE.match(field_code):
            problems.append(_("Mã lĩnh vực (MALINHVUC) không đúng định dạng."))
        values.update(
            field_code=field_code,
            field_name=_text(domain.get("TENLINHVUC"))[:300],
            result_code=_text(result.get("MAKETQUA"))[:60],
            public=_text(record.get("TRANGTHAI")) == "1",
            raw=record,
        )
    return values, problems


def _reply_records(reply) -> list:
    """The records of a LayDanhSachTTHC / LayThuTuc reply; ValidationError when the reply
    itself is malformed (then nothing is written)."""
    if not isinstance(reply, dict):
        raise ValidationError(_("Phản hồi không phải là một đối tượng JSON {error_code, result}."))
    if "error_code" not in reply:
        raise ValidationError(_("Phản hồi thiếu error_code."))
    if str(reply["error_code"]).strip() != "0":
        raise ValidationError(
            _("Cổng DVCQG báo lỗi (error_code %(code)s): %(message)s")
            % {"code": reply["error_code"], "message": _text(reply.get("message")) or "—"}
        )
    records = reply.get("result")
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValidationError(_("Phản hồi thiếu danh sách thủ tục (result)."))
    if not records:
        raise ValidationError(_("Phản hồi không có thủ tục nào."))
    return records


@transaction.atomic
def national_catalogue_import(*, reply: dict, actor=None, at=None) -> ImportReport:
    """Upsert the national catalogue by MATTHC from a LayDanhSachTTHC reply (MATTHC, TENTTHC)
    or LayThuTuc records (the full record is kept in `raw`). Rows with problems are reported
    and skipped; a malformed reply raises ValidationError and writes nothing."""
    records = _reply_records(reply)
    at = at or timezone.now()
    report = ImportReport()
    seen = set()
    # Two imports at once would both create the same code: the unique code refuses the second.
    existing = {n.code: n for n in NationalProcedure.objects.select_for_update()}
    for number, record in enumerate(records, start=1):
        values, problems = _values(record)
        code = values["code"]
        if code in seen:
            problems.append(_("Mã thủ tục bị lặp trong tệp."))
        if problems:
            report.rejected.append((number, code, " ".join(problems)))
            continue
        seen.add(code)
        found = existing.get(code)
        if found is None:
            national = NationalProcedure.objects.create(imported_at=at, **values)
            report.created.append(code)
            audit_record(actor=actor, obj=national, action="national_procedure.import")
            continue
        changed = [k for k, v in values.items() if getattr(found, k) != v]
        if not changed:
            report.unchanged.append(code)
            continue
        for k in changed:
            setattr(found, k, values[k])
        found.imported_at = at
        found.save(update_fields=[*changed, "imported_at"])
        report.updated.append(code)
        audit_record(
            actor=actor,
            obj=found,
            action="national_procedure.update",
            reason=", ".join(sorted(changed)),
        )
    return report


@transaction.atomic
def procedure_map_national(
    *, procedure: Procedure, national: NationalProcedure, actor=None, remap: bool = False, at=None
) -> ProcedureMapping:
    """Map the procedure's series to one national code (1:1). A code held by another procedure
    is refused unless `remap`, which removes that procedure's mapping first."""
    # Two editors mapping the same code at once: the national row is locked until commit.
    national = NationalProcedure.objects.select_for_update().get(pk=national.pk)
    held = ProcedureMapping.objects.filter(national=national).exclude(series=procedure.series)
    holder = held.first()
    if holder is not None:
        other = Procedure.objects.current().filter(series=holder.series).first()
        if not remap:
            raise ValidationError(
                _(
                    "Mã %(code)s đã được ánh xạ với thủ tục “%(other)s”. Mỗi mã TTHC quốc gia "
                    "chỉ gắn với một thủ tục: chọn “Ánh xạ lại” để bỏ ánh xạ cũ và gắn mã này."
                )
                % {"code": national.code, "other": other.name if other else holder.series}
            )
        holder.delete()
        if other is not None:
            audit_record(
                actor=actor,
                obj=other,
                action="procedure.national_unmap",
                from_state=national.code,
                reason=_("Ánh xạ lại sang thủ tục khác"),
                agency=site_agency(),
            )
    mapping = ProcedureMapping.objects.select_for_update().filter(series=procedure.series).first()
    before = mapping.national.code if mapping else ""
    if mapping is not None and mapping.national_id == national.pk:
        return mapping
    score = similarity(procedure.name, national.name)
    fields = {
        "national": national,
        "score": score,
        "mapped_by": actor if actor is not None and actor.is_authenticated else None,
        "mapped_at": at or timezone.now(),
    }
    if mapping is None:
        mapping = ProcedureMapping.objects.create(series=procedure.series, **fields)
    else:
        for k, v in fields.items():
            setattr(mapping, k, v)
        mapping.save(update_fields=list(fields))
    audit_record(
        actor=actor,
        obj=procedure,
        action="procedure.national_map",
        from_state=before,
        to_state=national.code,
        reason=f"score={score}",
        agency=site_agency(),
    )
    return mapping


@transaction.atomic
def procedure_unmap_national(*, procedure: Procedure, actor=None) -> None:
    mapping = ProcedureMapping.objects.select_for_update().filter(series=procedure.series).first()
    if mapping is None:
        return
    code = mapping.national.code
    mapping.delete()
    audit_record(
        actor=actor,
        obj=procedure,
        action="procedure.national_unmap",
        from_state=code,
        agency=site_agency(),
    )


@transaction.atomic
def field_map_national(
    *, field: str, national_code: str, national_name: str = "", actor=None
) -> FieldMapping:
    """Map a local field (Procedure.field) to its national code (MaLinhVuc)."""
    national_code, national_name = national_code.strip(), national_name.strip()
    if not Procedure.objects.current().filter(field=field).exists():
        raise ValidationError(_("Lĩnh vực “%(field)s” không có trong danh mục.") % {"field": field})
    if not FIELD_CODE.match(national_code):
        raise ValidationError(_("Mã lĩnh vực trên Cổng DVCQG không hợp lệ."))
    mapping = FieldMapping.objects.select_for_update().filter(field=field).first()
    before = mapping.national_code if mapping else ""
    if mapping is None:
        mapping = FieldMapping.objects.create(
            field=field, national_code=national_code, national_name=national_name[:300]
        )
    elif (mapping.national_code, mapping.national_name) != (national_code, national_name):
        mapping.national_code, mapping.national_name = national_code, national_name[:300]
        mapping.save(update_fields=["national_code", "national_name"])
    else:
        return mapping
    audit_record(
        actor=actor,
        obj=mapping,
        action="field.national_map",
        from_state=before,
        to_state=national_code,
        agency=site_agency(),
    )
    return mapping
