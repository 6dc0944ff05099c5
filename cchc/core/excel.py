"""The one way the product writes an Excel file: people's text stays text.

A cell whose text starts with "=" becomes a formula in openpyxl, and text starting with
"+", "-", "@", a tab or a carriage return is read as one by a spreadsheet once the cell is
edited (formula or CSV injection, OWASP). Such a cell is stored as a string with Excel's
quote prefix: the reader sees exactly the text that was typed, and it never runs.

Build the book with openpyxl as usual; add rows to a write-only sheet with `append` (its
cells cannot be revisited), and turn the book into bytes with `workbook_bytes`, which
guards every cell of an ordinary book before saving.
"""

import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _as_text(cell):
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def append(sheet, values) -> None:
    """`sheet.append(values)` with risky text written as text (ordinary or write-only sheet)."""
    if getattr(sheet.parent, "write_only", False):
        values = [
            _as_text(WriteOnlyCell(sheet, value)) if _risky(value) else value for value in values
        ]
    sheet.append(values)


def guard(book: Workbook) -> None:
    """Store every cell of an ordinary book that reads as a formula as plain text."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell, Cell) and (_risky(cell.value) or cell.data_type == "f"):
                    _as_text(cell)


def workbook_bytes(book: Workbook) -> bytes:
    if not book.write_only:
        guard(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading cells of an imported sheet (shared by every app's Excel import) --------------------


def cell_text(value) -> str:
    """A cell as text: None is "", a whole float (Excel's numbers) loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def cell_date(value):
    """A date from an Excel date cell or text dd/mm/yyyy (also yyyy-mm-dd, dd-mm-yyyy,
    dd.mm.yyyy); None when empty; ValueError(text) when it is not a date."""
    import datetime as dt

    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def cell_number(value, *, whole: bool = True):
    """A number from a cell ("1.234.567" and "1 234 567" group thousands, "12,5" has a decimal
    comma); None when empty; ValueError(text) when it is not one (or, with `whole`, not whole)."""
    from decimal import Decimal, InvalidOperation

    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(str(value))
    if isinstance(value, int):
        return value if whole else Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(str(value))
        if whole:
            if not value.is_integer():
                raise ValueError(cell_text(value))
            return int(value)
        return Decimal(str(value))
    import re

    text = cell_text(value).replace(" ", "").replace("\u00a0", "")
    if "," in text or re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")  # dots group thousands ("1.234.567" or "1.234,5")
    text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(cell_text(value)) from None
    if not number.is_finite():
        raise ValueError(cell_text(value))
    if whole:
        if number != number.to_integral_value():
            raise ValueError(cell_text(value))
        return int(number)
    return number
