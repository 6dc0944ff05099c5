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
