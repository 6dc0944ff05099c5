"""Excel import of any kind of record (kinds.py): the template, and reading every row of an
uploaded book into unsaved model instances with every problem reported, row by row."""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cchc.core.excel import append, cell_date, cell_number, cell_text, workbook_bytes
from cchc.core.files import check_import_file
from cchc.core.text import normalise
from cchc.records.kinds import Kind

MAX_ROWS = 2000
TRUE_WORDS = {"co", "x", "1", "true", "dung", "da", "yes", "roi"}
FALSE_WORDS = {"khong", "0", "false", "chua", "no", ""}


def header(kind: Kind, name: str) -> str:
    f = kind.model._meta.get_field(name)
    text = kind.label(name)
    if name == "unit":
        text += " (mã hoặc tên)"
    elif isinstance(f, models.DateField) and name == "month":
        text += " (mm/yyyy)"
    elif isinstance(f, models.DateField):
        text += " (dd/mm/yyyy)"
    return text


def template(kind: Kind) -> bytes:
    """The empty book to fill in: row 1 the Vietnamese headers, a second sheet of the choices."""
    book = Workbook()
    sheet = book.active
    sheet.title = "So lieu"
    append(sheet, [header(kind, name) for name in kind.excel_fields])
    for col in range(1, len(kind.excel_fields) + 1):
        sheet.cell(row=1, column=col).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(col)].width = 24
    choices = [
        (kind.label(name), kind.model._meta.get_field(name).choices)
        for name in kind.excel_fields
        if kind.model._meta.get_field(name).choices
    ]
    if choices:
        legend = book.create_sheet("Gia tri")
        append(legend, ["Cột", "Mã", "Giá trị"])
        for label, options in choices:
            for code, text in options:
                append(legend, [label, code, str(text)])
    return workbook_bytes(book)


@dataclass
class ParseResult:
    rows: list = field(default_factory=list)  # (row number, unsaved model instance)
    columns: list[str] = field(default_factory=list)  # the fields the file has a column for
    errors: list[tuple[int | None, str]] = field(default_factory=list)


def _month(value):
    if isinstance(value, dt.datetime | dt.date):
        return cell_date(value).replace(day=1)
    text = cell_text(value)
    if not text:
        return None
    for sep in ("/", "-", "."):
        parts = text.split(sep)
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            month, year = (int(p) for p in parts)
            if len(parts[0]) == 4:
                year, month = month, year
            try:
                return dt.date(year, month, 1)
            except ValueError:
                raise ValueError(text) from None
    return cell_date(value).replace(day=1)


def _value(kind: Kind, name: str, raw, unit_of):
    """The field's value from a cell, or raise ValueError with the Vietnamese reason."""
    f = kind.model._meta.get_field(name)
    label = kind.label(name)
    text = cell_text(raw)
    if name == "unit":
        if not text:
            return None
        unit = unit_of(text)
        if unit is None:
            raise ValueError(_("không có đơn vị “%(v)s” trong cơ quan") % {"v": text})
        return unit
    if f.choices:
        if not text:
            return ""
        wanted = normalise(text)
        for code, choice in f.choices:
            if wanted in (normalise(str(code)), normalise(str(choice))):
                return code
        raise ValueError(
            _("%(f)s “%(v)s” không có trong danh sách (xem trang “Gia tri”)")
            % {"f": label, "v": text}
        )
    if isinstance(f, models.BooleanField):
        word = normalise(text)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("%(f)s phải là “có” hoặc “không”") % {"f": label})
    if isinstance(f, models.DateField):
        try:
            return _month(raw) if name == "month" else cell_date(raw)
        except ValueError:
            fmt = "mm/yyyy" if name == "month" else "dd/mm/yyyy"
            raise ValueError(
                _("%(f)s “%(v)s” không phải ngày (%(fmt)s)") % {"f": label, "v": text, "fmt": fmt}
            ) from None
    if isinstance(f, models.PositiveIntegerField | models.PositiveSmallIntegerField):
        try:
            number = cell_number(raw)
        except ValueError:
            number = -1
        if number is not None and number < 0:
            raise ValueError(_("%(f)s phải là số nguyên không âm") % {"f": label})
        return number
    if isinstance(f, models.DecimalField):
        try:
            number = cell_number(raw, whole=f.decimal_places == 0)
        except ValueError:
            number = -1
        if number is not None and number < 0:
            raise ValueError(_("%(f)s phải là số tiền (đồng) không âm") % {"f": label})
        return number
    return text


def _messages(exc: ValidationError, kind: Kind) -> list[str]:
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    out = []
    for name, messages in exc.message_dict.items():
        for message in messages:
            if name in kind.form_fields:
                out.append(f"{kind.label(name)}: {message}")
            else:
                out.append(message)
    return out


def parse_workbook(kind: Kind, data: bytes, *, agency, units) -> ParseResult:
    """Read every row into model instances (unsaved, each full_clean()ed against the agency's
    records) and report every problem; the caller writes only when there is none."""
    result = ParseResult()
    try:
        check_import_file(data, name=_("bảng tính"))
    except ValidationError as exc:
        result.errors.append((None, " ".join(exc.messages)))
        return result
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 11))
    except Exception:
        result.errors.append((None, _("Tệp không phải bảng tính Excel (.xlsx) đọc được.")))
        return result
    headers = {normalise(header(kind, n)): n for n in kind.excel_fields}
    headers.update({normalise(kind.label(n)): n for n in kind.excel_fields})
    header_map, header_row = {}, 0
    for number, values in enumerate(rows[:10], start=1):
        found = {i: headers.get(normalise(cell_text(v))) for i, v in enumerate(values or ())}
        found = {i: k for i, k in found.items() if k}
        if len(found) >= 2 or (found and len(kind.excel_fields) == 1):
            header_map, header_row = found, number
            break
    if not header_map:
        result.errors.append(
            (
                None,
                _(
                    "Không tìm thấy dòng tiêu đề của mẫu trong 10 dòng đầu; hãy dùng tệp mẫu tải về."
                ),
            )
        )
        return result
    required = [
        n
        for n in kind.excel_fields
        if not kind.model._meta.get_field(n).blank
        and not kind.model._meta.get_field(n).has_default()
    ]
    missing = [n for n in required if n not in header_map.values()]
    if missing:
        names = ", ".join(f"“{header(kind, n)}”" for n in missing)
        result.errors.append((header_row, _("Thiếu cột bắt buộc: %(names)s.") % {"names": names}))
        return result
    result.columns = list(header_map.values())
    by_code = {normalise(u.code): u for u in units}
    by_name = {normalise(u.name): u for u in units}

    def unit_of(text):
        key = normalise(text)
        return by_code.get(key) or by_name.get(key)

    seen: dict[tuple, int] = {}
    for number, values in enumerate(rows[header_row:], start=header_row + 1):
        if number - header_row > MAX_ROWS:
            result.errors.append((number, _("Quá %(n)d dòng.") % {"n": MAX_ROWS}))
            break
        cells = {
            name: (values[i] if values and i < len(values) else None)
            for i, name in header_map.items()
        }
        if all(cell_text(v) == "" for v in cells.values()):
            continue
        problems, data = [], {}
        for name, raw in cells.items():
            try:
                value = _value(kind, name, raw, unit_of)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if value is None and kind.model._meta.get_field(name).has_default():
                continue
            data[name] = value
        if problems:
            result.errors.append((number, _sentence(problems)))
            continue
        record = kind.model(agency=agency, **data)
        try:
            record.full_clean(validate_unique=False, validate_constraints=False)
            _check_constraints(kind, record)
        except ValidationError as exc:
            result.errors.append((number, _sentence(_messages(exc, kind))))
            continue
        if kind.key:
            key = tuple(getattr(record, f"{n}_id" if n == "unit" else n) for n in kind.key)
            if key in seen:
                result.errors.append((number, _("Trùng với dòng %(row)d.") % {"row": seen[key]}))
                continue
            seen[key] = number
        result.rows.append((number, record))
    if not result.rows and not result.errors:
        result.errors.append((None, _("Tệp không có dòng số liệu nào.")))
    return result


def _check_constraints(kind: Kind, record) -> None:
    """The check constraints (not the unique ones: a row matching a key updates that record)."""
    errors = []
    for constraint in kind.model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            try:
                constraint.validate(kind.model, record)
            except ValidationError as exc:
                errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)


def _sentence(problems: list[str]) -> str:
    text = "; ".join(str(p).rstrip(".") for p in problems)
    return text[0].upper() + text[1:] + "."
