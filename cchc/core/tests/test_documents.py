import re

from django.test import SimpleTestCase

from cchc.core.documents import SERIF, render_pdf_string

LETTERS = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
)
STYLES = ["", "font-weight: bold", "font-style: italic", "font-style: italic; font-weight: bold"]


class VietnamesePdfFontTests(SimpleTestCase):
    def test_every_vietnamese_letter_is_drawn_in_the_official_serif_in_every_style(self):
        text = "Độc lập - Tự do - Hạnh phúc " + LETTERS + LETTERS.upper()
        html = "".join(f"<p style='font-family: {SERIF}; {style}'>{text}</p>" for style in STYLES)
        pdf = render_pdf_string(html, uncompressed=True)
        fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z\-]+)", pdf))
        # Any letter the serif lacked would be drawn by a fallback font such as DejaVu.
        self.assertEqual(
            fonts,
            {
                b"Liberation-Serif",
                b"Liberation-Serif-Bold",
                b"Liberation-Serif-Italic",
                b"Liberation-Serif-Bold-Italic",
            },
        )
