"""The annual report ready to sign (Decree 30/2020): the layout of the Word file, the PDF pages,
their agreement, and the Excel appendix's cell types."""

import io
import re

from django.test import SimpleTestCase
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph
from openpyxl import load_workbook

from cchc.core.registry import Cell, Table
from cchc.reports import documents, services
from cchc.reports.forms import NarrativeForm
from cchc.reports.models import NARRATIVE_SECTIONS, ReportSnapshot
from cchc.reports.tests.base import ReportTestCase
from cchc.reports.tests.fakes import DOSSIERS, PAR, other_apps

NBSP = "\u00a0"
LONG = (
    "Trong năm, Sở đã triển khai đồng bộ các nhiệm vụ cải cách hành chính theo kế hoạch, gắn "
    "với chuyển đổi số, nâng cao chất lượng phục vụ người dân và doanh nghiệp; kết quả cụ thể "
    "được tổng hợp trong các bảng số liệu dưới đây, mỗi số liệu dẫn tới các bản ghi được đếm."
)
NARRATIVE = {
    "overview": f"{LONG}\nNăm 2024 Sở hoàn thành kế hoạch CCHC.",
    "1": f"Sở ban hành kế hoạch CCHC ngay từ đầu năm.\n{LONG}",
    "3": "Đã rà soát bộ TTHC thuộc phạm vi quản lý.",
    "limitations": "Một số nhiệm vụ hoàn thành chậm so với thời hạn.",
    "next_year": LONG,
    "recommendations": (
        "Đề nghị UBND tỉnh quan tâm bố trí kinh phí cho chuyển đổi số.\n"
        "Đề nghị Sở Nội vụ hướng dẫn chấm điểm Chỉ số CCHC sớm hơn."
    ),
}
# As an editor may type them: stray dashes, punctuation and blank lines.
RECIPIENTS = "UBND tỉnh Phú Thọ;\n- Sở Nội vụ.\n\nLưu: VT, VP.\nBan Giám đốc Sở,"
PRINTED_RECIPIENTS = [
    "- UBND tỉnh Phú Thọ;",
    "- Sở Nội vụ;",
    "- Ban Giám đốc Sở;",
    "- Lưu: VT, VP.",
]


def body_items(doc):
    """The Word body in reading order: paragraphs and tables."""
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, doc)
        elif child.tag == qn("w:tbl"):
            yield DocxTable(child, doc)


def words(text: str) -> str:
    return " ".join(text.replace(NBSP, " ").split())


def word_sequence(doc, headings) -> list[tuple[str, str]]:
    """Headings, table captions and table cells of the Word body (header and signature left
    out), in reading order."""
    items = list(body_items(doc))
    grids = [item for item in items if isinstance(item, DocxTable)][1:-1]
    out = []
    for item in items:
        if isinstance(item, Paragraph):
            if item.text in headings:
                out.append(("heading", words(item.text)))
            elif re.match(r"Bảng \d+\. ", item.text):
                out.append(("caption", words(item.text)))
        elif any(item._tbl is grid._tbl for grid in grids):
            for row in item.rows:
                out.extend(("cell", words(cell.text)) for cell in row.cells)
    return out


def pdf_document(report):
    from weasyprint import HTML

    return HTML(string=documents.pdf_html(report)).render()


def walk(box, ancestors=()):
    yield box, ancestors
    for child in getattr(box, "children", ()):
        yield from walk(child, (*ancestors, box))


def classes(box) -> set:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def pdf_sequence(document) -> list[tuple[str, str]]:
    """Headings, table captions and table cells of the laid-out PDF, in page order; an element
    split over two pages counts once."""
    from weasyprint.formatting_structure.boxes import TextBox

    found: dict[int, list] = {}
    for page in document.pages:
        for box, ancestors in walk(page._page_box):
            if not isinstance(box, TextBox):
                continue
            owner = None
            for ancestor in reversed(ancestors):
                tag = ancestor.element_tag
                if tag == "h2":
                    owner = ("heading", ancestor)
                elif tag == "p" and "caption" in classes(ancestor):
                    owner = ("caption", ancestor)
                elif tag in ("td", "th") and any(
                    a.element_tag == "table" and "grid" in classes(a) for a in ancestors
                ):
                    owner = ("cell", ancestor)
                if owner:
                    break
            if owner:
                kind, element_box = owner
                entry = found.setdefault(id(element_box.element), [kind, []])
                entry[1].append(box.text)
    return [(kind, words(" ".join(texts))) for kind, texts in found.values()]


def page_texts(document, *, without_signature=False) -> list[str]:
    from weasyprint.formatting_structure.boxes import TextBox

    out = []
    for page in document.pages:
        texts = []
        for box, ancestors in walk(page._page_box):
            if not isinstance(box, TextBox):
                continue
            if without_signature and any("sign" in classes(a) for a in ancestors):
                continue
            texts.append(box.text)
        out.append(words(" ".join(texts)))
    return out


def number_of(text: str) -> float:
    """The number a report cell shows: "1.234" -> 1234, "9,50" -> 9.5, "85,7%" -> 85.7."""
    return float(text.rstrip("%").replace(".", "").replace(",", "."))


class LayoutTestCase(ReportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        from cchc.core.models import Agency

        Agency.objects.filter(pk=cls.agency.pk).update(
            name="Sở Khoa học và Công nghệ tỉnh Phú Thọ",
            superior_body="Ủy ban nhân dân tỉnh Phú Thọ",
            place_name="Phú Thọ",
        )
        cls.agency.refresh_from_db()
        with other_apps():
            report = cls.snapshot(cls, recipients=RECIPIENTS)
        cls.report = services.report_narrative_update(
            actor=cls.agency_leader, report=report, narrative=NARRATIVE
        )
        cls.parts = documents.sections(cls.report)
        cls.doc = Document(io.BytesIO(documents.build_docx(cls.report)))


class WordLayoutTests(LayoutTestCase):
    def test_the_header_table_has_fixed_widths_and_the_motto_is_one_run(self):
        header = self.doc.tables[0]
        tbl_pr = header._tbl.tblPr
        self.assertEqual(tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")), "fixed")
        tbl_w = tbl_pr.find(qn("w:tblW"))
        self.assertEqual(tbl_w.get(qn("w:type")), "dxa")
        self.assertEqual(int(tbl_w.get(qn("w:w"))), round(165 / 25.4 * 1440))
        grid = [int(col.get(qn("w:w"))) for col in header._tbl.tblGrid.iterchildren()]
        self.assertEqual(grid, [round(mm / 25.4 * 1440) for mm in documents.HEADER_COLUMNS_MM])
        # Word refuses properties out of the schema's order.
        names = [child.tag.split("}")[1] for child in tbl_pr.iterchildren()]
        self.assertEqual(names[-2:], ["tblCellMar", "tblLook"])
        self.assertLess(names.index("tblW"), names.index("tblLayout"))
        left, right = header.rows[0].cells
        self.assertEqual([round(left.width.mm), round(right.width.mm)], [73, 92])
        national, motto = right.paragraphs[0], right.paragraphs[1]
        self.assertEqual([r.text for r in national.runs], [documents.NATIONAL_TITLE])
        self.assertEqual([r.text for r in motto.runs], [documents.MOTTO])
        self.assertTrue(motto.runs[0].bold)
        # The place name of the superior body is held together by no-break spaces.
        self.assertIn("TỈNH" + NBSP + "PHÚ" + NBSP + "THỌ", left.paragraphs[0].text)

    def test_every_section_is_there_in_order_and_holds_its_text_and_tables(self):
        texts = [p.text for p in self.doc.paragraphs]
        labels = [str(label).upper() for _code, label in NARRATIVE_SECTIONS]
        headings = [t for t in texts if re.match(r"^[IVX]+\. ", t)]
        self.assertEqual([h.split(". ", 1)[1] for h in headings], labels)
        self.assertEqual(headings[-1], "XI. KIẾN NGHỊ, ĐỀ XUẤT")
        items = list(body_items(self.doc))
        for part in self.parts:
            start = next(
                i for i, item in enumerate(items) if getattr(item, "text", None) == part["heading"]
            )
            following = [
                i
                for i, item in enumerate(items)
                if i > start and getattr(item, "text", "") in headings
            ]
            body = items[start + 1 : following[0] if following else None]
            body_texts = [item.text for item in body if isinstance(item, Paragraph)]
            for paragraph in part["paragraphs"]:
                self.assertIn(paragraph, body_texts, part["code"])
            for table in part["tables"]:
                self.assertIn(f"Bảng {table.number}. {table.title}", body_texts, part["code"])
            if NARRATIVE.get(part["code"]) or part["tables"]:
                self.assertTrue(any(t.strip() for t in body_texts), part["code"])
        recommendations = NARRATIVE["recommendations"].splitlines()
        self.assertEqual(texts[-len(recommendations) - 1 : -1], recommendations)

    def test_every_table_figure_is_the_frozen_value(self):
        grids = self.doc.tables[1:-1]
        shown = [g for part in self.parts for g in part["grids"] if not g["table"].empty]
        self.assertEqual(len(grids), len(shown))
        checked = 0
        for grid, layout in zip(grids, shown, strict=True):
            table = layout["table"]
            self.assertEqual([c.text for c in grid.rows[0].cells], table.headers)
            for row, cells in zip(grid.rows[1:], table.rows, strict=True):
                for out, cell in zip(row.cells, cells, strict=True):
                    self.assertEqual(out.text, cell.text)
                    if isinstance(cell.value, int | float) and out.text[:1].isdigit():
                        expected = cell.value
                        if out.text == documents.fmt_rate(cell.value):
                            expected = round(cell.value * 100, 1)
                        self.assertAlmostEqual(number_of(out.text), expected, 3, out.text)
                        checked += 1
        self.assertGreater(checked, 20)
        dossiers = next(
            g for g, s in zip(grids, shown, strict=True) if s["table"].key == "dossiers"
        )
        values = {row.cells[0].text: row.cells[1].text for row in dossiers.rows[1:]}
        self.assertEqual(number_of(values["Hồ sơ tiếp nhận trong năm"]), DOSSIERS["received"])
        par = next(g for g, s in zip(grids, shown, strict=True) if s["table"].key == "parindex")
        self.assertEqual(number_of(par.rows[1].cells[1].text), PAR["fields"][0]["points"])

    def test_tables_have_fitted_fixed_columns_and_repeat_their_header_row(self):
        grids = self.doc.tables[1:-1]
        shown = [g for part in self.parts for g in part["grids"] if not g["table"].empty]
        for grid, layout in zip(grids, shown, strict=True):
            tbl_pr = grid._tbl.tblPr
            self.assertEqual(tbl_pr.find(qn("w:tblLayout")).get(qn("w:type")), "fixed")
            widths = [c.width.mm for c in grid.rows[0].cells]
            self.assertAlmostEqual(sum(widths), documents.TEXT_WIDTH_MM, delta=0.5)
            if len(widths) > 1 and layout["aligns"][1] == "right":
                # A label column and number columns: labels wide, numbers narrow.
                self.assertEqual(max(widths), widths[0], layout["table"].key)
            rows = grid.rows
            flags = [child.tag.split("}")[1] for child in rows[0]._tr.trPr.iterchildren()]
            self.assertEqual(flags, ["cantSplit", "tblHeader"])  # the schema's order
            for r, row in enumerate(rows):
                self.assertIsNotNone(row._tr.trPr.find(qn("w:cantSplit")))
                keep = row.cells[0].paragraphs[0].paragraph_format.keep_with_next
                if layout["short"]:
                    self.assertEqual(bool(keep), r < len(rows) - 1, (layout["table"].key, r))
                for c, cell in enumerate(row.cells[1:], start=1):
                    if r and layout["aligns"][c] == "right":
                        self.assertEqual(cell.paragraphs[0].alignment, 2)  # right
        plan = next(g for g in shown if g["table"].key == "plan")
        self.assertEqual(plan["aligns"], ["left", "right"])
        self.assertLess(plan["widths"][1], 40)
        par = next(g for g in shown if g["table"].key == "parindex")
        self.assertEqual(par["aligns"], ["left", "right", "right", "right"])

    def test_headings_and_captions_keep_with_what_follows(self):
        headings = {part["heading"] for part in self.parts}
        for paragraph in self.doc.paragraphs:
            if paragraph.text in headings or re.match(r"Bảng \d+\. ", paragraph.text):
                self.assertTrue(paragraph.paragraph_format.keep_with_next, paragraph.text)

    def test_the_signature_stays_with_the_last_paragraph_and_recipients_are_punctuated(self):
        items = list(body_items(self.doc))
        sign = items[-1] if isinstance(items[-1], DocxTable) else items[-2]
        index = next(i for i, item in enumerate(items) if item is sign)
        before = [item for item in items[:index] if isinstance(item, Paragraph)]
        last_text = next(p for p in reversed(before) if p.text)
        self.assertEqual(last_text.text, NARRATIVE["recommendations"].splitlines()[-1])
        for paragraph in before[before.index(last_text) :]:
            self.assertTrue(paragraph.paragraph_format.keep_with_next, repr(paragraph.text))
        self.assertIsNotNone(sign.rows[0]._tr.trPr.find(qn("w:cantSplit")))
        left, right = sign.rows[0].cells
        self.assertEqual([p.text for p in left.paragraphs[1:]], PRINTED_RECIPIENTS)
        self.assertEqual(right.paragraphs[0].text, "GIÁM ĐỐC")
        self.assertTrue(right.paragraphs[0].runs[0].bold)
        self.assertTrue(right.paragraphs[-1].runs[0].bold)


class RecipientsTests(SimpleTestCase):
    def lines(self, text):
        return documents.recipients(ReportSnapshot(recipients=text))

    def test_the_archive_line_comes_last_with_a_full_stop(self):
        self.assertEqual(
            self.lines("Lưu: VT, VP;\nUBND tỉnh;;\n  - Sở Nội vụ  "),
            ["- UBND tỉnh;", "- Sở Nội vụ;", "- Lưu: VT, VP."],
        )

    def test_without_an_archive_line_one_is_added_and_nothing_typed_gives_the_default(self):
        self.assertEqual(self.lines("Sở Nội vụ."), ["- Sở Nội vụ;", "- Lưu: VT."])
        self.assertEqual(self.lines(" \n"), ["- Như trên;", "- Lưu: VT."])


class ClosingTests(SimpleTestCase):
    def part(self, heading, paragraphs=(), grids=()):
        return {
            "heading": heading,
            "paragraphs": list(paragraphs),
            "grids": list(grids),
            "charts": [],
        }

    def test_the_last_paragraph_and_the_empty_sections_after_it_go_with_the_signature(self):
        parts = [self.part("I", ["a"], grids=[{}]), self.part("X", ["b", "c"]), self.part("XI")]
        body, end = documents.closing(parts)
        self.assertEqual(
            [(p["heading"], p["paragraphs"]) for p in body], [("I", ["a"]), ("X", ["b"])]
        )
        self.assertEqual(
            end, [{"heading": "", "paragraphs": ["c"]}, {"heading": "XI", "paragraphs": []}]
        )

    def test_a_lone_paragraph_takes_its_heading_and_tables_stay_in_the_body(self):
        body, end = documents.closing([self.part("I", ["a"]), self.part("II", ["b"])])
        self.assertEqual([p["heading"] for p in body], ["I"])
        self.assertEqual(end, [{"heading": "II", "paragraphs": ["b"]}])
        parts = [self.part("I", ["a"], grids=[{}])]
        self.assertEqual(documents.closing(parts), (parts, []))


class TableLayoutTests(SimpleTestCase):
    def test_number_columns_are_narrow_and_a_long_title_column_shares_the_rest(self):
        table = Table(
            "t",
            "2",
            "T",
            ["Số, ký hiệu", "Trích yếu", "Ngày ban hành", "Số lượng"],
            rows=[
                [
                    Cell("12/2024/QĐ-UBND"),
                    Cell("Quy định " + "rất dài " * 20),
                    Cell("01/02/2024"),
                    Cell("1.234", "", 1234),
                ]
            ],
        )
        layout = documents.table_layout(table)
        widths = layout["widths"]
        self.assertAlmostEqual(sum(widths), documents.TEXT_WIDTH_MM, delta=0.05)
        self.assertEqual(max(widths), widths[1])
        self.assertEqual(layout["aligns"][3], "right")
        self.assertLess(widths[3], 30)
        # The longest word of every column fits it.
        self.assertGreater(widths[0], len("12/2024/QĐ-UBND") * documents.CHAR_MM)
        self.assertGreater(widths[2], len("01/02/2024") * documents.CHAR_MM)


class PdfLayoutTests(LayoutTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Laid-out pages cannot be deep-copied per test as setUpTestData's attributes are.
        cls.document = pdf_document(cls.report)

    def test_the_report_runs_over_pages_and_no_page_holds_only_the_signature(self):
        pages = self.document.pages
        self.assertGreaterEqual(len(pages), 2)
        for number, text in enumerate(page_texts(self.document, without_signature=True), 1):
            self.assertTrue(text.strip(), f"page {number} holds only the signature block")
        last = page_texts(self.document)[-1]
        self.assertIn(words(NARRATIVE["recommendations"].splitlines()[-1]), last)
        self.assertIn("Nơi nhận:", last)
        for line in PRINTED_RECIPIENTS:
            self.assertIn(line, last)

    def test_the_national_title_and_motto_are_one_line_each(self):
        from pypdf import PdfReader
        from weasyprint.formatting_structure.boxes import LineBox

        for name in ("national", "motto"):
            lines = [
                box
                for box, ancestors in walk(self.document.pages[0]._page_box)
                if isinstance(box, LineBox) and name in classes(box)
            ]
            self.assertEqual(len(lines), 1, name)
        content = documents.build_pdf(self.report)
        first = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        lines = [line.replace(NBSP, " ").strip() for line in first.splitlines()]
        for whole in (documents.NATIONAL_TITLE, documents.MOTTO, "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ"):
            self.assertTrue(any(whole in line for line in lines), f"{whole!r}:\n{first}")

    def test_pdf_and_word_have_the_same_headings_tables_and_cells(self):
        headings = {part["heading"] for part in self.parts}

        def squashed(sequence):
            # Text boxes of a line broken after "/" or "-" come back joined by a space that is
            # not in the text: compare the characters, not where the lines broke.
            return [(kind, re.sub(r"\s+", "", text)) for kind, text in sequence]

        word = squashed(word_sequence(self.doc, headings))
        pdf = squashed(pdf_sequence(self.document))
        self.assertEqual(
            [t for t in pdf if t[0] == "heading"], [t for t in word if t[0] == "heading"]
        )
        self.assertEqual(
            [t for t in pdf if t[0] == "caption"], [t for t in word if t[0] == "caption"]
        )
        self.assertEqual(pdf, word)
        self.assertEqual(len([t for t in word if t[0] == "heading"]), len(NARRATIVE_SECTIONS))
        self.assertGreater(len([t for t in word if t[0] == "cell"]), 40)


class DemoAgencyHeaderTests(ReportTestCase):
    """Every demo agency's header keeps its lines whole in the PDF: the national title and
    motto on one line each, a long body name wrapping between words, never inside its place."""

    def test_each_demo_agency_header(self):
        from pypdf import PdfReader

        from cchc.core.demo import AGENCIES
        from cchc.core.models import Agency

        for demo in AGENCIES:
            with self.subTest(demo["code"]):
                Agency.objects.filter(pk=self.agency.pk).update(
                    name=demo["name"],
                    superior_body=demo["superior_body"],
                    place_name=demo["place_name"],
                )
                self.agency.refresh_from_db()
                report = self.snapshot(number=len(demo["code"]) + ReportSnapshot.objects.count())
                first = PdfReader(io.BytesIO(documents.build_pdf(report))).pages[0]
                lines = [words(line) for line in first.extract_text().splitlines()]
                place = demo["place_name"].upper()
                self.assertTrue(any(f"TỈNH {place}" in line for line in lines), lines)
                head, tail = place.rsplit(" ", 1)
                for line, following in zip(lines, lines[1:], strict=False):
                    self.assertFalse(line.endswith(head) and following.startswith(tail), lines)
                for whole in (documents.NATIONAL_TITLE, documents.MOTTO):
                    self.assertTrue(any(whole in line for line in lines), lines)


class ExcelAppendixTests(LayoutTestCase):
    def test_numbers_are_numbers_with_formats_and_text_is_text(self):
        book = load_workbook(io.BytesIO(documents.build_xlsx(self.report)))
        in_order = [t for part in self.parts for t in part["tables"]]
        numbers = 0
        for table in in_order:
            sheet = book[f"Bang {table.number}"]
            self.assertEqual(sheet["A1"].value, f"Bảng {table.number}. {table.title}")
            if table.empty:
                continue
            self.assertEqual([c.value for c in sheet[2]], table.headers)
            for r, row in enumerate(table.rows, start=3):
                for out, cell in zip(sheet[r], row, strict=False):
                    if isinstance(cell.value, int | float) and cell.text[:1].isdigit():
                        self.assertEqual(out.data_type, "n", cell.text)
                        self.assertEqual(out.value, cell.value)
                        self.assertNotEqual(out.number_format, "General", cell.text)
                        numbers += 1
                    else:
                        self.assertEqual(out.data_type, "s", cell.text)
                        self.assertEqual(out.value, cell.text)
        self.assertGreater(numbers, 20)
        dossiers = book[f"Bang {next(t.number for t in in_order if t.key == 'dossiers')}"]
        formats = {
            row[0].value: (row[1].value, row[1].number_format)
            for row in dossiers.iter_rows(min_row=3)
            if len(row) > 1
        }
        self.assertEqual(formats["Hồ sơ tiếp nhận trong năm"], (DOSSIERS["received"], "#,##0"))
        self.assertEqual(formats["Tỷ lệ đúng hạn"], (DOSSIERS["on_time_rate"], "0.0%"))
        par = book[f"Bang {next(t.number for t in in_order if t.key == 'parindex')}"]
        self.assertEqual((par["B3"].value, par["B3"].number_format), (9.5, "#,##0.00"))
        self.assertEqual(par["D3"].value, PAR["fields"][0]["percent"])
        self.assertEqual(par["D3"].number_format, '#,##0.0"%"')


class RecommendationsSectionTests(LayoutTestCase):
    def test_the_editor_form_offers_it_and_the_detail_page_shows_it(self):
        self.assertIn("recommendations", NarrativeForm().fields)
        self.assertEqual(list(NarrativeForm().fields)[-1], "recommendations")
        url = reverse("reports:report-detail", args=[self.report.pk])
        self.login_as("agency_leader")
        response = self.client.post(
            url, {**NARRATIVE, "recommendations": "Đề nghị bổ sung biên chế."}
        )
        self.assertEqual(response.status_code, 302)
        self.report.refresh_from_db()
        self.assertEqual(self.report.narrative["recommendations"], "Đề nghị bổ sung biên chế.")
        response = self.client.get(url)
        self.assertContains(response, "XI. KIẾN NGHỊ, ĐỀ XUẤT")
        self.assertContains(response, "Đề nghị bổ sung biên chế.")

    def test_another_agencys_leader_cannot_write_it(self):
        self.make_other_agency_personas()
        url = reverse("reports:report-detail", args=[self.report.pk])
        self.login_as("outsider_chief")
        response = self.client.post(url, {"recommendations": "Không được ghi."})
        self.assertEqual(response.status_code, 404)
        self.report.refresh_from_db()
        self.assertEqual(self.report.narrative["recommendations"], NARRATIVE["recommendations"])


class SignaturePageBreakTests(ReportTestCase):
    def test_the_signature_never_opens_a_page_alone_whatever_the_length_of_the_text(self):
        import datetime as dt

        report = self.snapshot(year=2019, as_of=dt.date(2019, 12, 31), number=1)
        self.assertTrue(report.is_empty)  # no tables or charts: quick to lay out
        moved = 0
        for count in range(13, 21):  # unkept, 16 and 17 leave it alone
            with self.subTest(paragraphs=count):
                paragraphs = [f"Đoạn {i}. {LONG}" for i in range(1, count + 1)]
                report.narrative = {"overview": "\n".join(paragraphs)}
                document = pdf_document(report)
                pages = page_texts(document)
                bare = page_texts(document, without_signature=True)
                self.assertTrue(all(text.strip() for text in bare), count)
                self.assertIn("Nơi nhận:", pages[-1])
                # The last paragraph is printed on the signature's page.
                self.assertIn(words(paragraphs[-1]), pages[-1])
                if words(paragraphs[-2]) not in pages[-1]:
                    moved += 1
        # Some of these lengths put the page break just before the signature block.
        self.assertGreater(moved, 0)
