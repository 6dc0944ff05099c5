import re

from django.template.loader import render_to_string
from django.test import SimpleTestCase

from cchc.core.documents import SERIF

MOTTO = "Độc lập - Tự do - Hạnh phúc"


def fonts_and_text(html: str) -> dict[str, set[str]]:
    """Render through WeasyPrint uncompressed: {embedded font name: characters it draws}."""
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf(uncompressed_pdf=True)
    names = re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z\-]+)", pdf)
    maps = re.findall(rb"beginbfchar(.*?)endbfchar", pdf, re.S)
    drawn: dict[str, set[str]] = {}
    for name, cmap in zip(names, maps, strict=False):
        chars = {chr(int(x, 16)) for x in re.findall(rb"<[0-9a-fA-F]+> <([0-9a-fA-F]{4})>", cmap)}
        drawn.setdefault(name.decode(), set()).update(chars)
    return drawn


class VietnamesePdfTests(SimpleTestCase):
    def test_the_national_motto_is_drawn_entirely_in_the_official_serif(self):
        html = f"<p style='font-family: {SERIF}; font-weight: bold'>{MOTTO}</p>"
        drawn = fonts_and_text(html)
        serif = {
            n: c
            for n, c in drawn.items()
            if n.replace("-", "").startswith(("LiberationSerif", "TimesNewRoman"))
        }
        # A glyph the serif lacks would be drawn by a fallback font (or not at all).
        self.assertEqual(set(drawn), set(serif), f"fallback fonts used: {drawn}")
        self.assertTrue(set(MOTTO) - {" "} <= set().union(*serif.values()), drawn)

    def test_the_form_template_uses_the_serif(self):
        html = render_to_string(
            "dossiers/forms/form.html",
            {"serif_font": SERIF, "form_title": MOTTO, "page_size": "A5"},
        )
        self.assertIn("Liberation Serif", html)
        self.assertIn("size: A5", html)
