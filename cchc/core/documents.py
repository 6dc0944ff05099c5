"""PDF from HTML templates through WeasyPrint, in Times New Roman or its metric twin, and the
two-column header of official documents (Decree 30/2020)."""

import re

from django.template.loader import render_to_string

# Official documents use Times New Roman; Liberation Serif (fonts-liberation) has the same
# metrics and every Vietnamese glyph.
SERIF = '"Times New Roman", "Liberation Serif", serif'
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
_PLACE = re.compile(r"\s+((?:TỈNH|THÀNH PHỐ|TP\.?)\s+.+)$")


def header_names(superior_body: str, name: str) -> tuple[str, str]:
    """The issuing body's two header lines in capitals. When the superior line already names the
    province ("ỦY BAN NHÂN DÂN TỈNH PHÚ THỌ"), the agency line leaves it out ("SỞ KHOA HỌC VÀ
    CÔNG NGHỆ"), as official documents do; the place name is never split between them."""
    superior, agency = (superior_body or "").strip().upper(), (name or "").strip().upper()
    place = _PLACE.search(superior)
    if place and agency.endswith(" " + place.group(1)):
        agency = agency[: -len(place.group(1))].rstrip()
    return _keep_place(superior), _keep_place(agency)


def _keep_place(line: str) -> str:
    """Join the words of the place name with no-break spaces: a line too long for its column
    wraps before "TỈNH PHÚ THỌ", never inside it."""
    place = _PLACE.search(line)
    if not place:
        return line
    return line[: place.start(1)] + place.group(1).replace(" ", "\u00a0")


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "serif_font": SERIF})
    return HTML(string=html, base_url=base_url).write_pdf()


def render_pdf_string(html: str, *, uncompressed: bool = False) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf(uncompressed_pdf=uncompressed)
