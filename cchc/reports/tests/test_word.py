import io

from docx import Document
from docx.oxml.ns import qn

from cchc.reports import documents, services
from cchc.reports.selectors import fmt_rate, tables
from cchc.reports.tests.base import ReportTestCase
from cchc.reports.tests.fakes import DOSSIERS, PAR, other_apps


def all_runs(doc):
    for paragraph in doc.paragraphs:
        yield from paragraph.runs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    yield from paragraph.runs


def find_run(doc, text):
    return next(run for run in all_runs(doc) if run.text == text)


class WordReportTests(ReportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        with other_apps():
            report = cls.snapshot(cls)
        cls.report = services.report_narrative_update(
            actor=cls.agency_leader,
            report=report,
            narrative={"overview": "Năm 2024 Sở hoàn thành kế hoạch.", "3": "Đã rà soát TTHC."},
        )
        cls.doc = Document(io.BytesIO(documents.build_docx(cls.report)))

    def test_the_page_is_a4_with_decree_30_margins(self):
        section = self.doc.sections[0]
        self.assertAlmostEqual(section.page_width.mm, 210, delta=0.5)
        self.assertAlmostEqual(section.page_height.mm, 297, delta=0.5)
        self.assertTrue(20 <= round(section.top_margin.mm) <= 25)
        self.assertTrue(20 <= round(section.bottom_margin.mm) <= 25)
        self.assertTrue(30 <= round(section.left_margin.mm) <= 35)
        self.assertTrue(15 <= round(section.right_margin.mm) <= 20)

    def test_every_run_is_times_new_roman_between_11_and_14_points(self):
        for run in all_runs(self.doc):
            if not run.text:
                continue
            self.assertEqual(run.font.name, "Times New Roman", run.text)
            self.assertEqual(
                run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")), "Times New Roman"
            )
            self.assertTrue(11 <= run.font.size.pt <= 14, run.text)
        normal = self.doc.styles["Normal"].font
        self.assertEqual((normal.name, normal.size.pt), ("Times New Roman", 14))

    def test_the_header_blocks_number_and_date_lines(self):
        left, right = self.doc.tables[0].rows[0].cells
        left_lines = [p.text for p in left.paragraphs]
        right_lines = [p.text for p in right.paragraphs]
        # The place name is held by no-break spaces; the agency line leaves out the province
        # the superior line already names.
        superior = "UBND TỈNH\u00a0THỬ\u00a0NGHIỆM"
        self.assertEqual(left_lines[0], superior)
        self.assertEqual(left_lines[1], "SỞ KHOA HỌC VÀ CÔNG NGHỆ")
        self.assertIn("Số: 05/BC-SKHCN", left_lines)
        self.assertEqual(right_lines[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        self.assertEqual(right_lines[1], "Độc lập - Tự do - Hạnh phúc")
        national = find_run(self.doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        self.assertTrue(national.bold)
        self.assertTrue(12 <= national.font.size.pt <= 13)
        motto = find_run(self.doc, "Độc lập - Tự do - Hạnh phúc")
        self.assertTrue(motto.bold)
        self.assertTrue(find_run(self.doc, superior).font.bold is False)
        self.assertTrue(find_run(self.doc, "SỞ KHOA HỌC VÀ CÔNG NGHỆ").bold)
        date = find_run(self.doc, "Thử Nghiệm, ngày 05 tháng 01 năm 2025")
        self.assertTrue(date.italic)

    def test_the_title_and_summary_are_centred_bold(self):
        texts = [p.text for p in self.doc.paragraphs]
        title = self.doc.paragraphs[texts.index("BÁO CÁO")]
        summary = self.doc.paragraphs[texts.index("Kết quả công tác cải cách hành chính năm 2024")]
        for paragraph in (title, summary):
            self.assertEqual(paragraph.alignment, 1)  # centre
            self.assertTrue(all(run.bold for run in paragraph.runs))
        self.assertIn("Năm 2024 Sở hoàn thành kế hoạch.", texts)
        self.assertTrue(any(t.startswith("IV. CẢI CÁCH THỦ TỤC HÀNH CHÍNH") for t in texts))

    def test_the_tables_hold_the_snapshot_figures(self):
        in_order = [t for part in documents.sections(self.report) for t in part["tables"]]
        self.assertEqual({t.key for t in in_order}, {t.key for t in tables(self.report.data)})
        expected = [t for t in in_order if not t.empty]
        grids = self.doc.tables[1:-1]
        self.assertEqual(len(grids), len(expected))
        captions = [p.text for p in self.doc.paragraphs if p.text.startswith("Bảng ")]
        self.assertEqual(captions, [f"Bảng {t.number}. {t.title}" for t in in_order])
        for grid, table in zip(grids, expected, strict=True):
            self.assertEqual([c.text for c in grid.rows[0].cells], table.headers)
            for row, cells in zip(grid.rows[1:], table.rows, strict=True):
                self.assertEqual([c.text for c in row.cells], [c.text for c in cells])
        plan = next(g for g, t in zip(grids, expected, strict=True) if t.key == "plan")
        values = {row.cells[0].text: row.cells[1].text for row in plan.rows[1:]}
        tasks = self.report.data["figures"]["plans.summary"]["tasks"]
        self.assertEqual(values["Tổng số nhiệm vụ"], str(tasks["total"]))
        self.assertEqual(values["Hoàn thành đúng hạn"], str(tasks["done_on_time"]))
        self.assertEqual(values["Tỷ lệ hoàn thành đúng hạn (đúng hạn / đến hạn)"], "25,0%")
        dossiers = next(g for g, t in zip(grids, expected, strict=True) if t.key == "dossiers")
        values = {row.cells[0].text: row.cells[1].text for row in dossiers.rows[1:]}
        self.assertEqual(values["Hồ sơ tiếp nhận trong năm"], "1.234")
        self.assertEqual(values["Tỷ lệ đúng hạn"], fmt_rate(DOSSIERS["on_time_rate"]))
        par = next(g for g, t in zip(grids, expected, strict=True) if t.key == "parindex")
        self.assertEqual(par.rows[-1].cells[1].text, "82,125")
        self.assertEqual(par.rows[1].cells[1].text, "9,50")
        self.assertEqual(PAR["fields"][0]["points"], 9.5)

    def test_the_charts_are_pictures_and_the_signature_block_closes_the_report(self):
        self.assertEqual(len(self.doc.inline_shapes), 4)
        left, right = self.doc.tables[-1].rows[0].cells
        heading = left.paragraphs[0].runs[0]
        self.assertEqual(heading.text, "Nơi nhận:")
        self.assertTrue(heading.bold and heading.italic)
        self.assertEqual(heading.font.size.pt, 12)
        self.assertEqual(
            [p.text for p in left.paragraphs[1:]], ["- UBND tỉnh;", "- Sở Nội vụ;", "- Lưu: VT."]
        )
        self.assertEqual(left.paragraphs[1].runs[0].font.size.pt, 11)
        self.assertEqual(right.paragraphs[0].text, "GIÁM ĐỐC")
        self.assertEqual(right.paragraphs[-1].text, "Nguyễn Văn Ký")

    def test_a_year_without_data_says_so_instead_of_empty_tables(self):
        import datetime as dt

        report = self.snapshot(year=2019, as_of=dt.date(2019, 12, 31), number=1)
        doc = Document(io.BytesIO(documents.build_docx(report)))
        texts = [p.text for p in doc.paragraphs]
        self.assertTrue(any("Năm 2019 chưa có dữ liệu" in t for t in texts))
        self.assertEqual(len(doc.tables), 2)  # the header and the signature block only


SUPERIOR = "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ"
AGENCY = "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
NBSP = "\u00a0"


class OfficialHeaderTests(ReportTestCase):
    """The two-column header (Decree 30/2020) of the Word and PDF report with a real place name:
    the standard lines fit their columns and "TỈNH PHÚ THỌ" is never split."""

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
            cls.report = cls.snapshot(cls)

    def test_word_columns_fit_the_standard_lines_and_keep_the_place_name_whole(self):
        doc = Document(io.BytesIO(documents.build_docx(self.report)))
        header = doc.tables[0]
        left, right = header.rows[0].cells
        # Widths per column and per cell, and no cell padding eating into them.
        self.assertEqual([c.width for c in header.columns], [left.width, right.width])
        self.assertAlmostEqual(left.width.mm + right.width.mm, 165, delta=0.5)
        margins = header._tbl.tblPr.find(qn("w:tblCellMar"))
        for side in ("left", "right"):
            self.assertEqual(margins.find(qn(f"w:{side}")).get(qn("w:w")), "0")
        superior, agency = left.paragraphs[0].runs, left.paragraphs[1].runs
        self.assertEqual(
            [r.text for r in superior],
            [SUPERIOR.replace("TỈNH PHÚ THỌ", "TỈNH" + NBSP + "PHÚ" + NBSP + "THỌ")],
        )
        self.assertEqual([r.text for r in agency], [AGENCY])
        self.assertFalse(superior[0].bold)
        self.assertTrue(agency[0].bold)
        # Liberation Serif (the metric twin of Times New Roman) widths of the standard lines.
        fits = {
            (SUPERIOR, False, superior[0].font.size.pt, left),
            (AGENCY, True, agency[0].font.size.pt, left),
            (
                documents.NATIONAL_TITLE,
                True,
                find_run(doc, documents.NATIONAL_TITLE).font.size.pt,
                right,
            ),
            (documents.MOTTO, True, find_run(doc, documents.MOTTO).font.size.pt, right),
        }
        for text, bold, size, cell in fits:
            self.assertLessEqual(text_mm(text, bold, size), cell.width.mm, text)
        self.assertTrue(12 <= superior[0].font.size.pt <= 13)
        self.assertTrue(12 <= agency[0].font.size.pt <= 13)
        self.assertTrue(13 <= find_run(doc, documents.MOTTO).font.size.pt <= 14)

    def test_pdf_header_lines_are_unbroken(self):
        from pypdf import PdfReader

        content = documents.build_pdf(self.report)
        text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
        lines = [line.replace(NBSP, " ").strip() for line in text.splitlines()]
        for line, following in zip(lines, lines[1:], strict=False):
            self.assertFalse(
                line.endswith("PHÚ") and following.startswith("THỌ"), f"{line!r} / {following!r}"
            )
        for whole in (SUPERIOR, AGENCY, documents.NATIONAL_TITLE, documents.MOTTO):
            self.assertTrue(any(whole in line for line in lines), f"{whole!r} broken:\n{text}")
        # The agency line leaves out the province the superior line already names.
        self.assertFalse(any("CÔNG NGHỆ TỈNH PHÚ THỌ" in line for line in lines), text)


def text_mm(text: str, bold: bool, size: float) -> float:
    from PIL import ImageFont

    style = "Bold" if bold else "Regular"
    font = ImageFont.truetype(
        f"/usr/share/fonts/truetype/liberation2/LiberationSerif-{style}.ttf", 1000
    )
    return font.getlength(text) / 1000 * size * 25.4 / 72
