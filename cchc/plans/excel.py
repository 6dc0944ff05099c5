"""The plan as an Excel workbook, one row per task, in the column layout offices already use."""

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cchc.core.excel import cell_date as _date
from cchc.core.excel import cell_text as _text
from cchc.core.excel import workbook_bytes
from cchc.core.files import check_import_file
from cchc.core.text import normalise
from cchc.plans.models import ParField, Plan, PlanTask

# (key, header, width)
COLUMNS = [
    ("order", "STT", 6),
    ("field", "Lĩnh vực", 12),
    ("content", "Nội dung nhiệm vụ", 60),
    ("lead_unit", "Đơn vị chủ trì", 22),
    ("co_units", "Đơn vị phối hợp", 22),
    ("deadline", "Thời hạn", 14),
    ("expected_output", "Sản phẩm", 40),
    ("status", "Trạng thái", 16),
    ("progress", "Tiến độ (%)", 10),
    ("completed_on", "Ngày hoàn thành", 14),
    # The task's id: a re-imported row with it updates that task; a row without it is new.
    ("task_id", "Mã nhiệm vụ", 12),
]
REQUIRED = {"field", "content", "lead_unit", "deadline"}
HEADER_KEYS = {normalise(header): key for key, header, _w in COLUMNS}
MAX_ROWS = 2000


def deadline_in_range(deadline: dt.date, year: int) -> bool:
    """A task of the plan for `year` is due within that year, give or take one."""
    return year - 1 <= deadline.year <= year + 1


def export_plan(plan: Plan, tasks) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Ke hoach"
    sheet["A1"] = f"KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM {plan.year}"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = plan.agency.name
    for col, (_key, header, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=3, column=col, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    for number, task in enumerate(tasks, start=1):
        row = 3 + number
        values = [
            number,
            task.field,
            task.content,
            task.lead_unit.code,
            ", ".join(u.code for u in task.co_units.all()),
            task.deadline,
            task.expected_output,
            str(PlanTask.Status(task.status).label),
            task.progress,
            task.completed_on,
            task.pk,
        ]
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    legend = book.create_sheet("Linh vuc")
    legend.append(["Mã", "Lĩnh vực CCHC"])
    for code, label in ParField.choices:
        legend.append([code, str(label)])
    return workbook_bytes(book)


@dataclass
class ParsedRow:
    row: int
    field: str
    content: str
    lead_unit: object
    co_units: list
    deadline: dt.date
    expected_output: str
    status: str
    progress: int
    completed_on: dt.date | None
    task_id: int | None = None


@dataclass
class ParseResult:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[tuple[int | None, str]] = field(default_factory=list)


def _field(value) -> str | None:
    text = _text(value)
    if not text:
        return None
    head = text.split(".")[0].strip()
    if head in ParField.values:
        return head
    wanted = normalise(text)
    for code, label in ParField.choices:
        if normalise(str(label)) == wanted:
            return code
    return None


def _status(value) -> str | None:
    text = normalise(_text(value))
    if not text:
        return PlanTask.Status.NOT_STARTED
    for code, label in PlanTask.Status.choices:
        if text in (code, normalise(str(label))):
            return code
    return None


def parse_workbook(data: bytes, *, units, year: int | None = None) -> ParseResult:
    """Read every row and report every problem; the caller imports only when there is none.

    With `year` (the plan's), deadlines outside the years around it are refused as wrong dates.
    """
    result = ParseResult()
    try:
        check_import_file(data, name=_("bảng tính"))
    except ValidationError as exc:  # too large, or a zip bomb: never opened
        result.errors.append((None, " ".join(exc.messages)))
        return result
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # Read now (a read-only sheet is parsed lazily, so a damaged one fails here), and no
        # further than the header rows and one row past the limit.
        rows = iter(list(book.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 11)))
    except Exception:
        result.errors.append((None, _("Tệp không phải bảng tính Excel (.xlsx) đọc được.")))
        return result
    header_map: dict[int, str] = {}
    header_row = 0
    for number, values in enumerate(rows, start=1):
        if number > 10:
            break
        found = {i: HEADER_KEYS.get(normalise(_text(v))) for i, v in enumerate(values or ())}
        found = {i: k for i, k in found.items() if k}
        if "content" in found.values():
            header_map, header_row = found, number
            break
    if not header_map:
        result.errors.append(
            (None, _("Không tìm thấy dòng tiêu đề có cột “Nội dung nhiệm vụ” trong 10 dòng đầu."))
        )
        return result
    missing = REQUIRED - set(header_map.values())
    if missing:
        names = ", ".join(f"“{h}”" for k, h, _w in COLUMNS if k in missing)
        result.errors.append((header_row, _("Thiếu cột bắt buộc: %(names)s.") % {"names": names}))
        return result
    by_code = {normalise(u.code): u for u in units}
    by_name = {normalise(u.name): u for u in units}

    def unit(text):
        key = normalise(text)
        return by_code.get(key) or by_name.get(key)

    rows_of_id: dict[int, int] = {}

    for number, values in enumerate(rows, start=header_row + 1):
        cells = {key: (values[i] if i < len(values) else None) for i, key in header_map.items()}
        # Counted before skipping blank rows: a sheet of a million blank rows stops here too.
        if number - header_row > MAX_ROWS:
            result.errors.append((number, _("Quá %(n)d dòng nhiệm vụ.") % {"n": MAX_ROWS}))
            break
        if all(_text(v) == "" for v in cells.values()):
            continue
        problems = []
        content = _text(cells.get("content"))
        if not content:
            problems.append(_("thiếu nội dung nhiệm vụ"))
        field_code = _field(cells.get("field"))
        if field_code is None:
            problems.append(
                _("lĩnh vực “%(v)s” không có (dùng mã 1 đến 7)") % {"v": _text(cells.get("field"))}
            )
        lead = unit(_text(cells.get("lead_unit")))
        if lead is None:
            problems.append(
                _("không có đơn vị chủ trì “%(v)s”") % {"v": _text(cells.get("lead_unit"))}
            )
        co_units = []
        for part in _text(cells.get("co_units")).replace(";", ",").split(","):
            if part.strip():
                found = unit(part)
                if found is None:
                    problems.append(_("không có đơn vị phối hợp “%(v)s”") % {"v": part.strip()})
                else:
                    co_units.append(found)
        deadline = completed_on = None
        try:
            deadline = _date(cells.get("deadline"))
            if deadline is None:
                problems.append(_("thiếu thời hạn"))
            elif year is not None and not deadline_in_range(deadline, year):
                problems.append(
                    _("thời hạn %(v)s nằm ngoài các năm %(a)d-%(b)d của kế hoạch")
                    % {"v": f"{deadline:%d/%m/%Y}", "a": year - 1, "b": year + 1}
                )
        except ValueError as exc:
            problems.append(_("thời hạn “%(v)s” không phải ngày (dd/mm/yyyy)") % {"v": exc})
        try:
            completed_on = _date(cells.get("completed_on"))
            if completed_on and completed_on > timezone.localdate():
                problems.append(
                    _("ngày hoàn thành %(v)s sau hôm nay") % {"v": f"{completed_on:%d/%m/%Y}"}
                )
        except ValueError as exc:
            problems.append(_("ngày hoàn thành “%(v)s” không phải ngày (dd/mm/yyyy)") % {"v": exc})
        status = _status(cells.get("status"))
        if status is None:
            problems.append(_("trạng thái “%(v)s” không có") % {"v": _text(cells.get("status"))})
        progress_text = _text(cells.get("progress")) or "0"
        try:
            progress = int(float(progress_text.rstrip("%")))
            if not 0 <= progress <= 100:
                raise ValueError
        except (ValueError, OverflowError):  # "abc", "nan", "inf", 1e400
            progress = 0
            problems.append(_("tiến độ “%(v)s” phải từ 0 đến 100") % {"v": progress_text})
        id_text = _text(cells.get("task_id"))
        task_id = None
        if id_text:
            if id_text.isascii() and id_text.isdigit() and len(id_text) <= 9:
                task_id = int(id_text)
                if task_id in rows_of_id:
                    problems.append(
                        _("mã nhiệm vụ “%(v)s” đã có ở dòng %(row)d")
                        % {"v": id_text, "row": rows_of_id[task_id]}
                    )
                else:
                    rows_of_id[task_id] = number
            else:
                problems.append(
                    _("mã nhiệm vụ “%(v)s” không hợp lệ (để trống cho nhiệm vụ mới)")
                    % {"v": id_text}
                )
        if status == PlanTask.Status.DONE and completed_on is None and not problems:
            problems.append(_("nhiệm vụ hoàn thành cần ngày hoàn thành"))
        if problems:
            text = "; ".join(problems)
            result.errors.append((number, text[0].upper() + text[1:] + "."))
            continue
        result.rows.append(
            ParsedRow(
                row=number,
                field=field_code,
                content=content,
                lead_unit=lead,
                co_units=co_units,
                deadline=deadline,
                expected_output=_text(cells.get("expected_output"))[:500],
                status=status,
                progress=100 if status == PlanTask.Status.DONE else progress,
                completed_on=completed_on if status == PlanTask.Status.DONE else None,
                task_id=task_id,
            )
        )
    if not result.rows and not result.errors:
        result.errors.append((None, _("Tệp không có dòng nhiệm vụ nào.")))
    return result
