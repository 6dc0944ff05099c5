"""Writes of the procedure catalogue: import, edit (versioned), internal steps."""

import csv
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.utils.exceptions import InvalidFileException

from cchc.core.files import check_import_file, store_upload
from cchc.core.services import audit_record
from cchc.procedures.models import Component, LegalBasis, Procedure, ProcedureStep

FREE_WORDS = {"khong", "không", "mien phi", "miễn phí", "0", "0 đ", "0 đồng"}
_MONEY = r"(\d{1,3}(?:\.\d{3})+|\d+)\s*(?:đ|đồng|vnđ|VNĐ)?"


@dataclass
class Fee:
    kind: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    base: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None


def _money(text: str) -> Decimal:
    return Decimal(text.replace(".", ""))


def parse_fee(text: str) -> Fee:
    """Read a fee as written in the catalogue: blank, "Không", "500.000 đ", or
    "0,1% giá trị hợp đồng; tối thiểu 5.000.000 đ, tối đa 10.000.000 đ". Anything else is text."""
    text = (text or "").strip()
    if not text:
        return Fee(Procedure.FeeKind.UNKNOWN)
    if text.lower().rstrip(".") in FREE_WORDS:
        return Fee(Procedure.FeeKind.FREE, amount=Decimal(0))
    fixed = re.fullmatch(_MONEY, text, flags=re.IGNORECASE)
    if fixed:
        return Fee(Procedure.FeeKind.FIXED, amount=_money(fixed.group(1)))
    pct = re.match(r"^\s*(\d+(?:[.,]\d+)?)\s*%\s*([^;,]*)", text)
    if pct:
        minimum = re.search(r"tối thiểu\s+" + _MONEY, text, flags=re.IGNORECASE)
        maximum = re.search(r"tối đa\s+" + _MONEY, text, flags=re.IGNORECASE)
        return Fee(
            Procedure.FeeKind.PERCENTAGE,
            percent=Decimal(pct.group(1).replace(",", ".")),
            base=pct.group(2).strip(),
            minimum=_money(minimum.group(1)) if minimum else None,
            maximum=_money(maximum.group(1)) if maximum else None,
        )
    return Fee(Procedure.FeeKind.TEXT)


def apply_fee(procedure: Procedure, text: str) -> None:
    fee = parse_fee(text)
    procedure.fee_text = (text or "").strip()
    procedure.fee_kind = fee.kind
    procedure.fee_amount = fee.amount
    procedure.fee_percent = fee.percent
    procedure.fee_base = fee.base
    procedure.fee_min = fee.minimum
    procedure.fee_max = fee.maximum


def split_legal_bases(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    versioned: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


ONLINE_FORMS = {c.value for c in Procedure.OnlineForm}
TIME_UNITS = {c.value for c in Procedure.TimeUnit}


def _clean_row(row: dict) -> dict:
    """Validate one catalogue row; raise ValidationError with a Vietnamese message."""
    get = lambda key: str(row.get(key) or "").strip()  # noqa: E731
    data = {
        "code": get("code"),
        "name": get("name"),
        "field": get("field"),
        "time_unit": get("time_unit"),
        "online_form": get("online"),
        "fee": get("fee"),
        "legal_basis": get("legal_basis"),
        "note": get("note"),
        "time": None,
    }
    problems = []
    if not data["name"]:
        problems.append(_("thiếu tên thủ tục"))
    if not data["field"]:
        problems.append(_("thiếu lĩnh vực"))
    if data["code"] and not re.fullmatch(r"\d+\.\d{6}", data["code"]):
        problems.append(_("mã TTHC “%(code)s” không đúng dạng 1.234567") % {"code": data["code"]})
    if get("time"):
        try:
            data["time"] = Decimal(get("time").replace(",", "."))
            if not data["time"].is_finite():
                raise InvalidOperation
        except InvalidOperation:
            data["time"] = None
            problems.append(_("thời hạn “%(v)s” không phải là số") % {"v": get("time")})
        else:
            if data["time"] <= 0 or data["time"] > MAX_TIME or data["time"] % Decimal("0.5"):
                problems.append(
                    _("thời hạn phải dương, không quá %(max)s ngày và chỉ lẻ nửa ngày")
                    % {"max": MAX_TIME}
                )
        if data["time_unit"] not in TIME_UNITS:
            problems.append(_("đơn vị thời hạn phải là working_days hoặc days"))
    elif data["time_unit"] and data["time_unit"] not in TIME_UNITS:
        problems.append(_("đơn vị thời hạn phải là working_days hoặc days"))
    if data["online_form"] and data["online_form"] not in ONLINE_FORMS:
        problems.append(_("hình thức trực tuyến phải là full, partial hoặc none"))
    for key, limit in (("name", 500), ("field", 200), ("code", 30)):
        if len(data[key]) > limit:
            problems.append(
                _("“%(column)s” dài quá %(limit)s ký tự") % {"column": key, "limit": limit}
            )
    if problems:
        raise ValidationError("; ".join(problems))
    return data


REQUIRED_COLUMNS = ("name", "field", "time", "time_unit")
MAX_TIME = Decimal(1000)
MAX_ROWS = 5000  # a catalogue file (the national S&T catalogue has about 150 procedures)


def read_rows(path: Path) -> list[dict]:
    """The rows of a CSV (UTF-8) or Excel file; a file that cannot be read, or lacks the
    catalogue's columns, raises ValidationError with a Vietnamese message."""
    check_import_file(path.read_bytes(), name=path.name)  # too large, or a zip bomb
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            sheet = load_workbook(path, read_only=True, data_only=True).active
            rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2))
            header = [str(h or "").strip() for h in rows[0]] if rows else []
            found = [dict(zip(header, r, strict=False)) for r in rows[1:]]
        else:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                found = list(itertools.islice(reader, MAX_ROWS + 1))
                header = reader.fieldnames or []
                if any("\x00" in (v or "") for row in found for v in row.values()):
                    raise csv.Error("NUL")
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, InvalidFileException, KeyError):
        raise ValidationError(
            _("Không đọc được tệp: cần tệp CSV (mã UTF-8) hoặc Excel (.xlsx).")
        ) from None
    if len(found) > MAX_ROWS:
        raise ValidationError(_("Tệp quá nhiều dòng (tối đa %(max)d).") % {"max": MAX_ROWS})
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ValidationError(_("Tệp thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)})
    return found


def procedures_import(*, path: Path, actor=None) -> ImportReport:
    """Import a catalogue file. Rows with errors are reported and skipped; the others are saved
    (each row in its own transaction, so one bad row never leaves half a procedure)."""
    report = ImportReport()
    for number, row in enumerate(read_rows(path), start=2):
        try:
            data = _clean_row(row)
        except ValidationError as error:
            report.errors.append((number, " ".join(error.messages)))
            continue
        with transaction.atomic():
            outcome = _import_one(data, actor=actor)
        setattr(report, outcome, getattr(report, outcome) + 1)
    return report


def _import_one(data: dict, *, actor) -> str:
    existing = Procedure.objects.current().select_for_update(no_key=True, of=("self",))
    found = (
        existing.filter(code=data["code"]).first()
        if data["code"]
        else existing.filter(code="", name=data["name"]).first()
    )
    values = {
        "code": data["code"],
        "name": data["name"],
        "field": data["field"],
        "time": data["time"],
        "time_unit": data["time_unit"] if data["time"] is not None else "",
        "online_form": data["online_form"],
        "note": data["note"],
        "legal_basis_text": data["legal_basis"],
    }
    if found is None:
        procedure = Procedure(**values)
        apply_fee(procedure, data["fee"])
        procedure.save()
        _replace_legal_bases(procedure, data["legal_basis"])
        audit_record(actor=actor, obj=procedure, action="procedure.import", to_state="v1")
        return "created"
    if all(getattr(found, k) == v for k, v in values.items()) and found.fee_text == data["fee"]:
        return "unchanged"
    procedure, versioned = procedure_update(
        procedure=found, actor=actor, fee_text=data["fee"], **values
    )
    if data["legal_basis"] != found.legal_basis_text or versioned:
        _replace_legal_bases(procedure, data["legal_basis"])
    return "versioned" if versioned else "updated"


def _replace_legal_bases(procedure: Procedure, text: str) -> None:
    procedure.legal_bases.all().delete()
    LegalBasis.objects.bulk_create(
        LegalBasis(procedure=procedure, order=i, title=title[:500])
        for i, title in enumerate(split_legal_bases(text))
    )


def _has_dossiers(procedure: Procedure) -> bool:
    # The dossiers app points at procedures; the reverse name avoids importing it here.
    related = getattr(procedure, "dossiers", None)
    return related is not None and related.exists()


EDITABLE = (
    "code",
    "name",
    "field",
    "level",
    "time",
    "time_unit",
    "full_online_time",
    "online_form",
    "result_type",
    "note",
    "legal_basis_text",
)


@transaction.atomic
def procedure_update(*, procedure: Procedure, actor=None, fee_text: str | None = None, **changes):
    """Edit a procedure. When dossiers were filed under it, the edit becomes a new version and
    those dossiers keep the old one. Returns (the current procedure, whether a version was made)."""
    procedure = Procedure.objects.select_for_update(no_key=True, of=("self",)).get(pk=procedure.pk)
    if not procedure.is_current:
        raise ValidationError(_("Chỉ sửa được phiên bản hiện hành của thủ tục."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changed = {k: v for k, v in changes.items() if getattr(procedure, k) != v}
    fee_changed = fee_text is not None and fee_text.strip() != procedure.fee_text
    if not changed and not fee_changed:
        return procedure, False
    if changed.get("time") is not None or procedure.time is not None:
        time, unit = (
            changed.get("time", procedure.time),
            changed.get("time_unit", procedure.time_unit),
        )
        if time is not None and not unit:
            raise ValidationError(_("Thời hạn giải quyết cần có đơn vị (ngày làm việc hoặc ngày)."))
    versioned = _has_dossiers(procedure)
    if versioned:
        procedure = _new_version(procedure)
    for key, value in changed.items():
        setattr(procedure, key, value)
    if fee_changed:
        apply_fee(procedure, fee_text)
    procedure.save()
    audit_record(
        actor=actor,
        obj=procedure,
        action="procedure.version" if versioned else "procedure.update",
        from_state=f"v{procedure.version - 1}" if versioned else f"v{procedure.version}",
        to_state=f"v{procedure.version}",
        reason=", ".join(sorted(changed) + (["fee"] if fee_changed else [])),
    )
    return procedure, versioned


def _new_version(old: Procedure) -> Procedure:
    """Copy `old` (already locked) with its bases, components and steps as the next version."""
    Procedure.objects.filter(pk=old.pk).update(is_current=False)
    bases, components, steps = (
        list(old.legal_bases.all()),
        list(old.components.all()),
        list(old.steps.all()),
    )
    new = Procedure.objects.get(pk=old.pk)
    new.pk = None
    new.version = old.version + 1
    new.is_current = True
    new.save()
    for rows in (bases, components, steps):
        for row in rows:
            row.pk = None
            row.procedure = new
    LegalBasis.objects.bulk_create(bases)
    Component.objects.bulk_create(components)
    ProcedureStep.objects.bulk_create(steps)
    return new


def check_steps(procedure: Procedure, steps: list[dict]) -> list[str]:
    """Problems with a list of internal steps: their total may not exceed the legal time."""
    problems = []
    total = sum((Decimal(str(s["working_days"])) for s in steps), Decimal(0))
    if procedure.time is None:
        problems.append(_("Thủ tục chưa có thời hạn giải quyết: chưa thể lập quy trình nội bộ."))
    elif total > procedure.time:
        problems.append(
            _(
                "Tổng thời gian các bước (%(total)s ngày làm việc) vượt thời hạn giải quyết "
                "(%(legal)s)."
            )
            % {
                "total": format(total.normalize(), "f").replace(".", ","),
                "legal": procedure.time_text,
            }
        )
    for s in steps:
        if Decimal(str(s["working_days"])) <= 0 or Decimal(str(s["working_days"])) % Decimal("0.5"):
            problems.append(_("Bước “%(name)s”: số ngày phải dương và chỉ lẻ nửa ngày.") % s)
        if s.get("is_decision") and s.get("optional"):
            problems.append(_("Bước “%(name)s”: bước trình ký, phê duyệt không thể bỏ qua.") % s)
    if sum(1 for s in steps if s.get("is_decision")) > 1:
        problems.append(_("Chỉ một bước là bước trình ký, phê duyệt."))
    return problems


@transaction.atomic
def procedure_set_steps(*, procedure: Procedure, steps: list[dict], actor=None) -> Procedure:
    """Replace the internal workflow. steps: [{"name", "working_days", "unit", "role",
    "optional", "is_decision"}]; without a marked decision step the last step decides."""
    problems = check_steps(procedure, steps)
    if problems:
        raise ValidationError(problems)
    if _has_dossiers(procedure):
        procedure = _new_version(
            Procedure.objects.select_for_update(no_key=True, of=("self",)).get(pk=procedure.pk)
        )
    procedure.steps.all().delete()
    ProcedureStep.objects.bulk_create(
        ProcedureStep(
            procedure=procedure,
            order=i,
            name=s["name"],
            working_days=Decimal(str(s["working_days"])),
            unit=s.get("unit"),
            role=s.get("role", ""),
            optional=bool(s.get("optional", False)),
            is_decision=bool(s.get("is_decision", False)),
        )
        for i, s in enumerate(steps, start=1)
    )
    audit_record(
        actor=actor, obj=procedure, action="procedure.steps", to_state=f"v{procedure.version}"
    )
    return procedure


@transaction.atomic
def procedure_set_legal_bases(*, procedure: Procedure, bases: list[dict], actor=None) -> Procedure:
    """Replace the legal bases: [{"title", "valid_from", "valid_to"}], versioned when needed."""
    for b in bases:
        if b.get("valid_from") and b.get("valid_to") and b["valid_to"] < b["valid_from"]:
            raise ValidationError(
                _("“%(title)s”: ngày hết hiệu lực phải sau ngày có hiệu lực.")
                % {"title": b["title"]}
            )
    if _has_dossiers(procedure):
        procedure = _new_version(
            Procedure.objects.select_for_update(no_key=True, of=("self",)).get(pk=procedure.pk)
        )
    procedure.legal_bases.all().delete()
    LegalBasis.objects.bulk_create(
        LegalBasis(procedure=procedure, order=i, **b) for i, b in enumerate(bases, start=1)
    )
    procedure.legal_basis_text = "; ".join(b["title"] for b in bases)
    procedure.save(update_fields=["legal_basis_text"])
    audit_record(
        actor=actor, obj=procedure, action="procedure.legal_bases", to_state=f"v{procedure.version}"
    )
    return procedure


@transaction.atomic
def procedure_set_components(
    *, procedure: Procedure, components: list[dict], actor=None
) -> Procedure:
    """Replace the required components: [{"name", "copies", "form", "required",
    "template_file"}] where template_file is an optional checked upload (a component keeps its
    template otherwise); versioned like every edit of a procedure that already has dossiers
    (their files keep pointing at the old)."""
    if _has_dossiers(procedure):
        procedure = _new_version(
            Procedure.objects.select_for_update(no_key=True, of=("self",)).get(pk=procedure.pk)
        )
    kept = {c.name: c.template_file.name for c in procedure.components.all()}
    rows = []
    for i, c in enumerate(components, start=1):
        c = dict(c)
        upload = c.pop("template_file", None)
        template = (
            store_upload(upload, folder="procedures/templates") if upload else kept.get(c["name"])
        )
        rows.append(Component(procedure=procedure, order=i, template_file=template or "", **c))
    procedure.components.all().delete()
    Component.objects.bulk_create(rows)
    audit_record(
        actor=actor, obj=procedure, action="procedure.components", to_state=f"v{procedure.version}"
    )
    return procedure
