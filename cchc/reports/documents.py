"""The annual report as Word (Decree 30/2020 layout), PDF and an Excel appendix, all built from
the frozen snapshot through the same `tables()` and `chart_specs()`."""

import base64
import io

from django.http import FileResponse, Http404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core.documents import (
    MOTTO,
    NATIONAL_TITLE,
    SERIF,
    header_names,
    render_pdf_string,
)
from cchc.core.files import upload_response
from cchc.reports.models import NARRATIVE_SECTIONS, ReportSnapshot
from cchc.reports.selectors import (
    NO_DATA,
    chart_specs,
    fmt_date_line,
    fmt_rate,
    render_chart,
    tables,
)

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
# HỘI CHỦ NGHĨA VIỆT NAM" at 12 pt bold 87.7 mm (Times New Roman). The PDF uses the same mm.
HEADER_COLUMNS_MM = (73, 92)
SIGN_COLUMNS_MM = (80, 85)
TEXT_WIDTH_MM = 210 - MARGINS_MM["left"] - MARGINS_MM["right"]
# Tables up to this many rows are kept on one page (with their caption); longer ones break
# between rows and repeat their header row.
SHORT_TABLE_ROWS = 15
# Cell padding (both sides) and the average advance of a 13 pt Times New Roman character, to
# size table columns to their content.
CELL_PADDING_MM = 4.0
CHAR_MM = 13 * 0.5 * 25.4 / 72
NUMBER_COLUMN_MM = 22.0
NO_TABLE_DATA = gettext_lazy("Chưa có dữ liệu.")


def report_title(report: ReportSnapshot) -> str:
    return f"Kết quả công tác cải cách hành chính năm {report.year}"


def recipients(report: ReportSnapshot) -> list[str]:
    """The "Nơi nhận" lines as printed (Decree 30/2020, Annex I): each starts with "- " and ends
    with ";", the last one, "- Lưu: VT, ...", with "." — whatever the editor typed around them."""
    names = []
    for line in report.recipients.splitlines():
        name = line.strip().lstrip("-–+*• ").strip().rstrip(";.,").strip()
        if name:
            names.append(name)
    archive = [n for n in names if n.casefold().startswith("lưu")]
    names = [n for n in names if n not in archive] or [_("Như trên")]
    names.append(archive[-1] if archive else _("Lưu: VT"))
    return [f"- {name};" for name in names[:-1]] + [f"- {names[-1]}."]


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _text_mm(text: str) -> float:
    return len(text) * CHAR_MM


def table_layout(table, total: float = TEXT_WIDTH_MM) -> dict:
    """Column widths (mm) and alignments fitted to the content: numeric columns as narrow as
    their numbers (right-aligned), text columns share the rest, the one with the longest texts
    (the labels) taking what is left over. Word and PDF use the same layout."""
    n = len(table.headers)
    columns = [
        [table.headers[c]] + [row[c].text for row in table.rows if c < len(row)] for c in range(n)
    ]
    numeric = [
        any(_is_number(row[c].value) for row in table.rows if c < len(row))
        and sum(_is_number(row[c].value) for row in table.rows if c < len(row)) * 2
        >= len(table.rows)
        and all(
            _is_number(row[c].value) or row[c].text == NO_DATA or len(row[c].text) <= 20
            for row in table.rows
            if c < len(row)
        )
        and c > 0
        for c in range(n)
    ]
    # The narrowest a column may be: its longest word (texts wrap between words only).
    least = [
        max(_text_mm(word) for text in col for word in (text.split() or [""])) + CELL_PADDING_MM
        for col in columns
    ]
    # What a column takes with every cell on one line (the header may wrap).
    want = [
        max([least[c]] + [_text_mm(text) + CELL_PADDING_MM for text in columns[c][1:]])
        for c in range(n)
    ]
    for c in range(n):
        if numeric[c]:  # room for a two-line header over the numbers
            want[c] = max(want[c], NUMBER_COLUMN_MM)
    texts = [c for c in range(n) if not numeric[c]] or [0]
    # The text column with the most to say (the first one on a tie) takes what is left.
    widest = max(texts, key=lambda c: (want[c], -c))
    fixed = sum(want[c] for c in range(n) if c not in texts)
    room = total - fixed
    widths = list(want)
    if room < sum(least[c] for c in texts):  # too wide anyway: everything shrinks alike
        widths = [w * total / sum(want) for w in want]
    elif sum(want[c] for c in texts) <= room:
        widths[widest] += room - sum(want[c] for c in texts)
    else:  # each text column gets its least plus a share of the rest
        spare = room - sum(least[c] for c in texts)
        extra = sum(want[c] - least[c] for c in texts)
        for c in texts:
            widths[c] = least[c] + spare * (want[c] - least[c]) / extra
    widths = [round(w, 1) for w in widths]
    widths[widest] = round(widths[widest] + total - sum(widths), 1)
    aligns = [
        "right" if numeric[c] else ("left" if c == 0 or want[c] > 40 else "center")
        for c in range(n)
    ]
    return {
        "table": table,
        "short": len(table.rows) <= SHORT_TABLE_ROWS,
        "widths": widths,
        "columns": [{"width": f"{w:.1f}", "align": a} for w, a in zip(widths, aligns, strict=True)],
        "aligns": aligns,
        "rows": [
            [(cell, aligns[c] if c < n else "left") for c, cell in enumerate(row)]
            for row in table.rows
        ],
    }


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
                "grids": [table_layout(t) for t in section_tables],
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


def _twips(mm: float) -> str:
    return str(round(mm / 25.4 * 1440))


def _fixed_widths(table, widths_mm) -> None:
    """Fixed layout: the table width, its grid columns and every cell agree, so that Word and
    LibreOffice keep the widths instead of fitting the columns to their text."""
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table.autofit = False  # w:tblLayout w:type="fixed"
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = tbl_pr.makeelement(qn("w:tblW"), {})
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), _twips(sum(widths_mm)))
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _row_flag(row, tag: str) -> None:
    """w:cantSplit or w:tblHeader on a row, in the order the schema wants (Word is strict)."""
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    if tr_pr.find(qn(f"w:{tag}")) is not None:
        return
    element = tr_pr.makeelement(qn(f"w:{tag}"), {})
    if tag == "cantSplit":
        tr_pr.insert(0, element)
    else:
        tr_pr.append(element)


def _keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _header_table(doc):
    """The header's two cells at fixed widths and no left/right cell padding."""
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1, cols=2)
    _fixed_widths(table, HEADER_COLUMNS_MM)
    _row_flag(table.rows[0], "cantSplit")
    tbl_pr = table._tbl.tblPr
    margins = tbl_pr.makeelement(qn("w:tblCellMar"), {})
    for side in ("left", "right"):
        margins.append(margins.makeelement(qn(f"w:{side}"), {qn("w:w"): "0", qn("w:type"): "dxa"}))
    look = tbl_pr.find(qn("w:tblLook"))  # tblCellMar comes before tblLook in the schema
    if look is not None:
        look.addprevious(margins)
    else:
        tbl_pr.append(margins)
    return table.rows[0].cells


def _body_para(doc, text):
    from docx.shared import Mm

    paragraph = _para(doc, text, 14, align="justify", space_after=6)
    paragraph.paragraph_format.first_line_indent = Mm(10)
    paragraph.paragraph_format.line_spacing = 1.15
    return paragraph


def _grid(doc, layout) -> None:
    """A numbered table: the header row repeats on every page, no row splits across pages, a
    short table stays on one page with its caption."""
    table = layout["table"]
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    grid.style = "Table Grid"
    _fixed_widths(grid, layout["widths"])
    _row_flag(grid.rows[0], "tblHeader")
    for i, text in enumerate(table.headers):
        _cell_para(grid.rows[0].cells[i], text, 13, bold=True)
    for r, row in enumerate(layout["rows"], start=1):
        for c, (cell, align) in enumerate(row):
            _cell_para(
                grid.rows[r].cells[c], cell.text, 13, align=None if align == "left" else align
            )
    last = len(grid.rows) - 1
    for r, row in enumerate(grid.rows):
        _row_flag(row, "cantSplit")
        if r == 0 or (layout["short"] and r < last):
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    _keep_with_next(paragraph)


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
    _keep_with_next(_para(doc, "BÁO CÁO", 14, bold=True, align="center"))
    last = _para(doc, report_title(report), 14, bold=True, align="center", space_after=12)
    if report.is_empty:
        last = _body_para(doc, empty_statement(report))
    if progress:
        progress(40, _("Đang viết các phần của báo cáo"))
    for part in sections(report):
        # Headings keep with what follows; `last` is the last paragraph of text.
        _keep_with_next(_para(doc, part["heading"], 14, bold=True, align="justify", space_after=6))
        for text in part["paragraphs"]:
            last = _body_para(doc, text)
        for layout in part["grids"]:
            table = layout["table"]
            caption = _para(
                doc, f"Bảng {table.number}. {table.title}", 13, bold=True, align="center"
            )
            _keep_with_next(caption)
            if table.empty:
                last = _para(
                    doc, str(NO_TABLE_DATA), 13, italic=True, align="center", space_after=6
                )
                continue
            _grid(doc, layout)
            last = _para(doc, f"Nguồn: {table.source}", 11, italic=True, space_after=6)
        for spec in part["charts"]:
            doc.add_picture(io.BytesIO(render_chart(spec, "png")), width=Mm(140))
            _keep_with_next(doc.paragraphs[-1])
            last = _para(doc, spec["title"], 12, italic=True, align="center", space_after=6)

    if progress:
        progress(55, _("Đang hoàn thiện phần ký và nơi nhận"))
    # The last paragraph goes to the page of the signature: never a page of signature only.
    _keep_with_next(last)
    _keep_with_next(_para(doc, ""))
    sign = doc.add_table(rows=1, cols=2)
    _fixed_widths(sign, SIGN_COLUMNS_MM)
    _row_flag(sign.rows[0], "cantSplit")
    left, right = sign.rows[0].cells
    _cell_para(left, _("Nơi nhận:"), 12, bold=True, italic=True, align=None)
    for line in recipients(report):
        _cell_para(left, line, 11, align=None)
    _cell_para(right, report.signer_title.upper(), 14, bold=True)
    for _i in range(3):
        _cell_para(right, "", 14)
    _cell_para(right, report.signer_name, 14, bold=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------------


def closing(parts: list[dict]) -> tuple[list[dict], list[dict]]:
    """Split off the end of the body that goes on the signature's page: the last paragraph,
    with the headings of the empty sections after it (and its own when it is its section's
    only paragraph). Tables and charts stay in the body."""
    body, end = list(parts), []
    while body and not body[-1]["grids"] and not body[-1]["charts"]:
        last = body.pop()
        if len(last["paragraphs"]) > 1:
            body.append({**last, "paragraphs": last["paragraphs"][:-1]})
            end.insert(0, {"heading": "", "paragraphs": last["paragraphs"][-1:]})
            break
        end.insert(0, {"heading": last["heading"], "paragraphs": last["paragraphs"]})
        if last["paragraphs"]:
            break
    return body, end


def pdf_html(report: ReportSnapshot) -> str:
    """The HTML WeasyPrint lays out as the PDF."""
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
    parts, end = closing(parts)
    agency = report.data.get("agency") or {}
    superior, name = header_names(agency.get("superior_body"), agency.get("name"))
    return render_to_string(
        "reports/report_pdf.html",
        {
            "report": report,
            "agency": agency,
            "header_superior": superior,
            "header_agency": name,
            "header_columns": [f"{w:.1f}" for w in HEADER_COLUMNS_MM],
            "sign_columns": [f"{w:.1f}" for w in SIGN_COLUMNS_MM],
            "title": report_title(report),
            "date_line": fmt_date_line(agency.get("place_name", ""), report.issued_on),
            "national_title": NATIONAL_TITLE,
            "motto": MOTTO,
            "sections": parts,
            "closing": end,
            "no_table_data": NO_TABLE_DATA,
            "empty_statement": empty_statement(report) if report.is_empty else "",
            "recipients": recipients(report),
            "margins": MARGINS_MM,
            "serif_font": SERIF,
        },
    )


def build_pdf(report: ReportSnapshot) -> bytes:
    return render_pdf_string(pdf_html(report))


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
    # The appendix numbers its tables as the report does; numbers stay numbers (offices sum
    # them), shown as in the report through their number format.
    for table in [t for part in sections(report) for t in part["tables"]]:
        sheet = book.create_sheet(f"Bang {table.number}")
        sheet.append([f"Bảng {table.number}. {table.title}"])
        sheet["A1"].font = Font(bold=True)
        if table.empty:
            sheet.append([str(NO_TABLE_DATA)])
            continue
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values = [excel_value(cell) for cell in row]
            sheet.append([value for value, _format in values])
            for out, (_value, number_format) in zip(sheet[sheet.max_row], values, strict=False):
                if number_format:
                    out.number_format = number_format
        sheet.append([f"Nguồn: {table.source}"])
        sheet.column_dimensions["A"].width = 50
    return workbook_bytes(book)


def excel_value(cell) -> tuple[object, str]:
    """A table cell for the appendix: (value, number format). A number keeps its frozen value
    with a format that shows it as the report does ("1.234", "9,50", "85,7%"); anything else
    is its text."""
    value, text = cell.value, cell.text
    if not _is_number(value) or not any(ch.isdigit() for ch in text):
        return text, ""
    digits = text.rstrip("%").strip()
    decimals = len(digits.rsplit(",", 1)[1]) if "," in digits else 0
    number_format = "#,##0" + ("." + "0" * decimals if decimals else "")
    if text.endswith("%"):
        if text == fmt_rate(value):  # a fraction 0..1 shown as a percentage
            number_format = "0" + ("." + "0" * decimals if decimals else "") + "%"
        else:  # already a percentage (e.g. 71.5 shown "71,5%")
            number_format += '"%"'
    return value, number_format


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
