"""Every Excel file the product writes stores people's text as text (formula injection)."""

import io
import re
from pathlib import Path

from django.test import SimpleTestCase
from openpyxl import Workbook, load_workbook

from cchc.core import excel

# What a spreadsheet may read as the start of a formula (OWASP, CSV injection) and what
# openpyxl itself would turn into one.
TRICKY = [
    '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def cells(content: bytes):
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def assert_kept_as_text(test, content: bytes, text: str):
    """The loaded workbook has the text, as a string with the quote prefix, and no formula."""
    found = [c for c in cells(content) if c.value == text]
    test.assertTrue(found, f"{text!r} is not in the workbook")
    for cell in found:
        test.assertEqual(cell.data_type, "s", text)
        test.assertTrue(cell.quotePrefix, text)
    test.assertEqual([c.coordinate for c in cells(content) if c.data_type == "f"], [])


class WorkbookBytesTests(SimpleTestCase):
    def test_text_that_starts_like_a_formula_is_stored_as_text_in_both_modes(self):
        for write_only in (False, True):
            book = Workbook(write_only=write_only)
            sheet = book.create_sheet("S")
            excel.append(sheet, [*TRICKY, "bình thường", 12, None])
            content = excel.workbook_bytes(book)
            for text in TRICKY:
                with self.subTest(write_only=write_only, text=text):
                    assert_kept_as_text(self, content, text)
            plain = {c.value: c for c in cells(content)}
            self.assertFalse(plain["bình thường"].quotePrefix)
            self.assertEqual(plain[12].data_type, "n")

    def test_cells_set_directly_are_guarded_when_the_book_is_saved(self):
        book = Workbook()
        book.active["A1"] = TRICKY[0]
        book.active.cell(row=2, column=1, value=TRICKY[3])
        content = excel.workbook_bytes(book)
        assert_kept_as_text(self, content, TRICKY[0])
        assert_kept_as_text(self, content, TRICKY[3])


class OneWriterTests(SimpleTestCase):
    def test_every_workbook_the_product_writes_is_saved_by_the_core_helper(self):
        root = Path(__file__).resolve().parents[2]
        unguarded = []
        for path in root.rglob("*.py"):
            if "tests" in path.parts or path.name == "excel.py" and path.parent.name == "core":
                continue
            source = path.read_text(encoding="utf-8")
            if re.search(r"\bWorkbook\(", source) and (
                ".save(" in source and "workbook_bytes" not in source
            ):
                unguarded.append(str(path.relative_to(root)))
            if re.search(r"\b(book|wb)\.save\(", source):
                unguarded.append(str(path.relative_to(root)))
        self.assertEqual(sorted(set(unguarded)), [])
