"""PDF from HTML templates through WeasyPrint, in Times New Roman or its metric twin."""

from django.template.loader import render_to_string

# Official documents use Times New Roman; Liberation Serif (fonts-liberation) has the same
# metrics and every Vietnamese glyph.
SERIF = '"Times New Roman", "Liberation Serif", serif'


def render_pdf(template_name: str, context: dict, *, base_url: str | None = None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, {**context, "serif_font": SERIF})
    return HTML(string=html, base_url=base_url).write_pdf()


def render_pdf_string(html: str, *, uncompressed: bool = False) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf(uncompressed_pdf=uncompressed)
