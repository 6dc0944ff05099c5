"""Content-Security-Policy without a browser: the header on every page, and no template or
chart that would need 'unsafe-inline' (the browser test checks the pages themselves)."""

import re
from pathlib import Path
from xml.dom import minidom

from django.conf import settings
from django.test import TestCase

from cchc.core import charts

ROOT = Path(settings.BASE_DIR) / "cchc"
# Rendered to PDF by WeasyPrint only, never served to a browser.
PDF_ONLY = {"report_pdf.html", "result_pdf.html", "form.html", "book.html"}  # book: BM.06 print
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def templates():
    for path in ROOT.rglob("templates/**/*.html"):
        if path.name not in PDF_ONLY:
            yield path


class TemplateTests(TestCase):
    def test_no_template_has_inline_script_handlers_javascript_urls_or_styles(self):
        found = []
        paths = list(templates())
        self.assertGreater(len(paths), 50)
        for path in paths:
            text = path.read_text(encoding="utf-8")
            for name, pattern in (
                ("inline <script>", INLINE_SCRIPT),
                ("event handler attribute", HANDLER),
                ("javascript: URL", JS_URL),
                ("hx-on", re.compile(r"\shx-on")),
                ("style attribute", re.compile(r"\sstyle\s*=")),
                ("<style> element", re.compile(r"<style[\s>]")),
            ):
                if pattern.search(text):
                    found.append(f"{path.relative_to(ROOT)}: {name}")
        self.assertEqual(found, [])

    def test_charts_carry_no_inline_css(self):
        for svg in (
            charts.radar_svg(["Lĩnh vực 1", "Lĩnh vực 2", "Lĩnh vực 3"], [10, 55.5, 90], "Radar"),
            charts.bar_svg(["Đúng hạn", "Trễ hạn"], [12, 3], "Hồ sơ", "hồ sơ", horizontal=True),
            charts.line_svg(["T1", "T2"], {"Tiếp nhận": [3, 4], "Giải quyết": [2, 5]}, "Xu hướng"),
        ):
            self.assertNotIn("style=", svg)
            self.assertNotIn("<style", svg)
            root = minidom.parseString(svg).documentElement  # still well-formed XML
            self.assertEqual(root.getAttribute("stroke-linecap"), "butt")
            self.assertIn(' fill="#', svg)

    def test_inline_css_becomes_presentation_attributes(self):
        svg = (
            '<svg xmlns="http://www.w3.org/2000/svg"><defs><style type="text/css">'
            "*{stroke-linejoin: round; stroke-linecap: butt}</style></defs>"
            '<path d="M0 0" style="fill: #fff; stroke: #000"/><text x="1" style="font-family: \'DejaVu Sans\'; '
            'font-size: 10px" fill="red">a</text></svg>'
        )
        out = charts.svg_without_inline_style(svg)
        self.assertIn('<path d="M0 0" fill="#fff" stroke="#000"/>', out)
        self.assertIn('font-family="&#x27;DejaVu Sans&#x27;"', out)
        self.assertEqual(out.count('fill="red"'), 1)  # an attribute already there wins
        self.assertIn('stroke-linejoin="round"', out.split(">")[0])


class HeaderTests(TestCase):
    def test_pages_send_the_policy(self):
        policy = self.client.get("/tu-viet-tat/")["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        self.assertEqual(directives["script-src"], "'self'")
        self.assertNotIn("unsafe-inline", policy)
        self.assertNotIn("unsafe-eval", policy)
        self.assertEqual(directives["frame-ancestors"], "'none'")
        self.assertEqual(directives["object-src"], "'none'")
        self.assertEqual(directives["base-uri"], "'self'")
        self.assertEqual(directives["form-action"], "'self'")
        self.assertNotIn("data:", directives["img-src"])

    def test_only_the_api_docs_allow_data_images_and_they_have_no_inline_script(self):
        response = self.client.get("/api/docs/")
        self.assertIn("img-src 'self' data:", response["Content-Security-Policy"])
        html = response.content.decode()
        self.assertIsNone(INLINE_SCRIPT.search(html))
        self.assertNotIn("<style", html)
        script = self.client.get("/api/docs/?script=")
        self.assertEqual(script.status_code, 200)
        self.assertIn("SwaggerUIBundle", script.content.decode())
