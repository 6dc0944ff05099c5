"""The annual report as Word (Decree 30/2020 layout), PDF and an Excel appendix, all built from
the frozen snapshot through the same `tables()` and `chart_specs()`."""

import base64
import io

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from cchc.core.documents import MOTTO, NATIONAL_TITLE, header_names, render_pdf
from cchc.core.files import upload_response
from cchc.reports.models import NARRATIVE_SECTIONS, ReportSnapshot
from cchc.reports.selectors import chart_specs, fmt_date_line, render_chart, tables

FONT = "Times New Roman"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
CHART_SECTION = {
    "par_radar": "overview",
    "par_trend": "overview",
    "plan_fields": "1",
    "plan_months": "1",
    "dossier_months": "3",
}
# Decree 30/2020, Annex I: A4; margins top/bottom 20-25, left 30-35, right 15-20 mm.
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
# The header's columns share the 165 mm text width, without cell padding, so that the standard
# lines fit on one line each: "ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ" at 12 pt is 69.8 mm, "CỘNG HÒA XÃ
# HỘI CHỦ NGHĨA VIỆT NAM" at 12 pt bold 87.7 mm (Times New Roman). The PDF uses 44 % / 56 %.
HEADER_COLUMNS_MM = (73, 92)


def report_title(report: ReportSnapshot) -> str:
    return f"Kết quả công tác cải cách hành chính năm {report.year}"


def recipients(report: ReportSnapshot) -> list[str]:
    lines = [line.strip() for line in report.recipients.splitlines() if line.strip()]
    return lines or ["Như trên", "Lưu: VT"]


def sections(report: ReportSnapshot) -> list[dict]:
    """The body in order: heading, narrative paragraphs, tables and charts of each section."""
    data = report.data
    all_tables = [] if report.is_empty else tables(data, data.get("plan_id"))
    specs = [] if report.is_empty else chart_specs(data)
    out = []
    number = table_number = 0
    for code, label in NARRATIVE_SECTIONS:
        text = (report.narrative or {}).get(code, "").strip()
        section_tables = [t for t in all_tables if t.section == code]
        section_charts = [s for s in specs if CHART_SECTION.get(s["key"]) == code]
        if report.is_empty and not text:
            continue
        for table in section_tables:
            table_number += 1
            table.number = table_number
        heading = f"{ROMAN[number]}. {str(label).upper()}"
        number += 1
        out.append(
            {
                "code": code,
                "heading": heading,
                "paragraphs": [p.strip() for p in text.splitlines() if p.strip()],
                "tables": section_tables,
                "charts": section_charts,
            }
        )
    return out


def empty_statement(report: ReportSnapshot) -> str:
    return _(
        "Năm %(year)d chưa có dữ liệu về công tác cải cách hành chính trên hệ thống "
        "(số liệu tính đến ngày %(day)s)."
    ) % {"year": report.year, "day": f"{report.as_of:%d/%m/%Y}"}


# --- Word ------------------------------------------------------------------------------------


def _font(run, size, bold=False, italic=False):
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    return run


def _para(container, text="", size=14, bold=False, italic=False, align=None, space_after=0):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = container.add_paragraph()
    paragraph.alignment = {
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        None: WD_ALIGN_PARAGRAPH.LEFT,
    }[align]
    paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.space_before = Pt(0)
    if text:
        _font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def _cell_para(cell, text, size=13, bold=False, italic=False, align="center"):
    # A new cell holds one empty paragraph: use it for the first line.
    if len(cell.paragraphs) == 1 and not cell.paragraphs[0].text:
        paragraph = cell.paragraphs[0]
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        paragraph.alignment = {
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            None: WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        if text:
            _font(paragraph.add_run(text), size, bold, italic)
        return paragraph
    return _para(cell, text, size, bold, italic, align)


def _header_table(doc):
    """The header's two cells at fixed widths (grid, cells and layout agree, so Word and
    LibreOffice keep them) and no left/right cell padding."""
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table = doc.add_table(rows=1, cols=2)
    table.autofit = False
    for column, cell, width in zip(
        table.columns, table.rows[0].cells, HEADER_COLUMNS_MM, strict=True
    ):
        column.width = cell.width = Mm(width)
    tbl_pr = table._tbl.tblPr
    margins = tbl_pr.makeelement(qn("w:tblCellMar"), {})
    for side in ("left", "right"):
        margins.append(margins.makeelement(qn(f"w:{side}"), {qn("w:w"): "0", qn("w:type"): "dxa"}))
    tbl_pr.append(margins)
    return table.rows[0].cells


def build_docx(report: ReportSnapshot, progress=None) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    agency = report.data.get("agency") or {}
    superior, name = header_names(agency.get("superior_body"), agency.get("name"))
    left, right = _header_table(doc)
    if superior:
        _cell_para(left, superior, 12)
    _cell_para(left, name, 12, bold=True)
    _cell_para(left, "_______", 13)
    _cell_para(left, f"Số: {report.number_text}", 13)
    _cell_para(right, NATIONAL_TITLE, 12, bold=True)
    _cell_para(right, MOTTO, 13, bold=True)
    _cell_para(right, "_______________", 13)
    _cell_para(
        right, fmt_date_line(agency.get("place_name", ""), report.issued_on), 14, italic=True
    )

    _para(doc, "", 14)
    _para(doc, "BÁO CÁO", 14, bold=True, align="center")
    _para(doc, report_title(report), 14, bold=True, align="center", space_after=12)
    if report.is_empty:
        _para(doc, empty_statement(report), 14, align="justify", space_after=6)
    if progress:
        progress(40, _("Đang viết các phần của báo cáo"))
    for part in sections(report):
        _para(doc, part["heading"], 14, bold=True, align="justify", space_after=6)
        for text in part["paragraphs"]:
            paragraph = _para(doc, text, 14, align="justify", space_after=6)
            paragraph.paragraph_format.first_line_indent = Mm(10)
        for table in part["tables"]:
            _para(doc, f"Bảng {table.number}. {table.title}", 13, bold=True, align="center")
            if table.empty:
                _para(doc, "Chưa có dữ liệu.", 13, italic=True, align="center", space_after=6)
                continue
            grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
            grid.style = "Table Grid"
            for i, text in enumerate(table.headers):
                _cell_para(grid.rows[0].cells[i], text, 13, bold=True)
            for r, row in enumerate(table.rows, start=1):
                for c, cell in enumerate(row):
                    _cell_para(
                        grid.rows[r].cells[c], cell.text, 13, align=None if c == 0 else "center"
                    )
            _para(doc, f"Nguồn: {table.source}", 11, italic=True, space_after=6)
        for spec in part["charts"]:
            doc.add_picture(io.BytesIO(render_chart(spec, "png")), width=Mm(140))
            _para(doc, spec["title"], 12, italic=True, align="center", space_after=6)

    if progress:
        progress(55, _("Đang hoàn thiện phần ký và nơi nhận"))
    _para(doc, "")
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    _cell_para(left, "Nơi nhận:", 12, bold=True, italic=True, align=None)
    for line in recipients(report):
        _cell_para(left, f"- {line};", 11, align=None)
    _cell_para(right, report.signer_title.upper(), 14, bold=True)
    for _i in range(3):
        _cell_para(right, "", 14)
    _cell_para(right, report.signer_name, 14, bold=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def build_pdf(report: ReportSnapshot) -> bytes:
    parts = sections(report)
    for part in parts:
        part["chart_images"] = [
            {
                "title": spec["title"],
                "src": "data:image/png;base64,"
                + base64.b64encode(render_chart(spec, "png")).decode(),
            }
            for spec in part["charts"]
        ]
    agency = report.data.get("agency") or {}
    superior, name = header_names(agency.get("superior_body"), agency.get("name"))
    return render_pdf(
        "reports/report_pdf.html",
        {
            "report": report,
            "agency": agency,
            "header_superior": superior,
            "header_agency": name,
            "title": report_title(report),
            "date_line": fmt_date_line(agency.get("place_name", ""), report.issued_on),
            "national_title": NATIONAL_TITLE,
            "motto": MOTTO,
            "sections": parts,
            "empty_statement": empty_statement(report) if report.is_empty else "",
            "recipients": recipients(report),
            "margins": MARGINS_MM,
        },
    )


# --- Excel appendix ---------------------------------------------------------------------------


def build_xlsx(report: ReportSnapshot) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cchc.core.excel import workbook_bytes

    book = Workbook()
    info = book.active
    info.title = "Thong tin"
    info.append([f"Phụ lục số liệu báo cáo {report.number_text}"])
    info["A1"].font = Font(bold=True)
    info.append(["Báo cáo", report_title(report)])
    info.append(["Số liệu tính đến ngày", report.as_of.strftime("%d/%m/%Y")])
    info.append(["Chụp số liệu lúc", report.data.get("taken_at", "")])
    if report.is_empty:
        info.append([empty_statement(report)])
        return workbook_bytes(book)
    # The appendix numbers its tables as the report does.
    for table in [t for part in sections(report) for t in part["tables"]]:
        sheet = book.create_sheet(f"Bang {table.number}")
        sheet.append([f"Bảng {table.number}. {table.title}"])
        sheet["A1"].font = Font(bold=True)
        if table.empty:
            sheet.append(["Chưa có dữ liệu."])
            continue
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([_excel_value(cell) for cell in row])
        sheet.append([f"Nguồn: {table.source}"])
        sheet.column_dimensions["A"].width = 50
    return workbook_bytes(book)


def _excel_value(cell):
    # Counts stay numbers in the appendix so offices can sum them; rates stay as shown.
    if isinstance(cell.value, int) and not isinstance(cell.value, bool):
        return cell.value
    return cell.text


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_response(report: ReportSnapshot, fmt: str) -> FileResponse:
    """The stored Word, PDF or Excel file as a download; 404 while it does not exist."""
    path = getattr(report, f"{fmt}_path", "") if fmt in CONTENT_TYPES else ""
    if not path:
        raise Http404
    return upload_response(path, filename=file_name(report, fmt), mime=CONTENT_TYPES[fmt])


def file_name(report: ReportSnapshot, extension: str) -> str:
    return f"bao-cao-cchc-{report.year}-so-{report.number:02d}.{extension}"
