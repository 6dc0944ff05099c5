from django.template import Context, Template
from django.test import TestCase

from cchc.core import abbreviations
from cchc.core.models import Abbreviation

TERMS = {
    "CCHC": "Cải cách hành chính",
    "QPPL": "Quy phạm pháp luật",
    "VBQPPL": "Văn bản quy phạm pháp luật",
    "KH&CN": "Khoa học và Công nghệ",
}


class ExpandTests(TestCase):
    def test_it_wraps_known_abbreviations_in_text(self):
        html = abbreviations.expand("Kết quả CCHC năm 2025", TERMS)
        self.assertEqual(html, 'Kết quả <abbr title="Cải cách hành chính">CCHC</abbr> năm 2025')

    def test_the_longest_term_wins(self):
        html = abbreviations.expand("Rà soát VBQPPL và QPPL", TERMS)
        self.assertIn('<abbr title="Văn bản quy phạm pháp luật">VBQPPL</abbr>', html)
        self.assertIn('<abbr title="Quy phạm pháp luật">QPPL</abbr>', html)
        self.assertEqual(html.count("<abbr"), 2)

    def test_it_matches_terms_with_an_ampersand_in_escaped_html(self):
        html = abbreviations.expand("Sở KH&amp;CN tỉnh", TERMS)
        self.assertIn('<abbr title="Khoa học và Công nghệ">KH&amp;CN</abbr>', html)

    def test_it_leaves_attributes_and_links_alone(self):
        source = '<a href="/cchc/" title="CCHC">Trang CCHC</a> <img alt="CCHC" src="x.png"> và CCHC'
        html = abbreviations.expand(source, TERMS)
        self.assertTrue(
            html.startswith(
                '<a href="/cchc/" title="CCHC">Trang CCHC</a> <img alt="CCHC" src="x.png">'
            )
        )
        self.assertEqual(html.count("<abbr"), 1)

    def test_it_does_not_match_inside_words(self):
        self.assertEqual(abbreviations.expand("CCHCX và XCCHC", TERMS), "CCHCX và XCCHC")

    def test_it_does_not_nest_abbr(self):
        source = '<abbr title="x">CCHC</abbr> CCHC'
        self.assertEqual(abbreviations.expand(source, TERMS).count("<abbr"), 2)


class FilterTests(TestCase):
    def setUp(self):
        Abbreviation.objects.create(abbreviation="TTHC", expansion='Thủ tục "hành chính"')

    def render(self, text, safe=False):
        template = Template(
            "{% load cchc %}{{ text|abbreviate }}"
            if not safe
            else "{% load cchc %}{{ text|safe|abbreviate }}"
        )
        return template.render(Context({"text": text}))

    def test_plain_text_is_escaped_then_expanded(self):
        html = self.render("<script>alert(1)</script> TTHC")
        self.assertIn("&lt;script&gt;", html)
        self.assertIn('<abbr title="Thủ tục &quot;hành chính&quot;">TTHC</abbr>', html)

    def test_an_edit_in_admin_is_seen_at_once(self):
        self.assertIn("Thủ tục", self.render("TTHC"))
        Abbreviation.objects.filter(abbreviation="TTHC").delete()
        abbreviations.forget_glossary()
        Abbreviation.objects.create(abbreviation="PAKN", expansion="Phản ánh, kiến nghị")
        self.assertNotIn("<abbr", self.render("TTHC"))
        self.assertIn("Phản ánh", self.render("PAKN"))


class GlossaryPageTests(TestCase):
    def setUp(self):
        Abbreviation.objects.create(abbreviation="CCHC", expansion="Cải cách hành chính")
        Abbreviation.objects.create(abbreviation="PAKN", expansion="Phản ánh, kiến nghị")

    def test_it_lists_every_abbreviation(self):
        response = self.client.get("/tu-viet-tat/")
        self.assertContains(response, "<h1>Từ viết tắt</h1>", html=True)
        self.assertContains(response, "Cải cách hành chính")
        self.assertContains(response, "Phản ánh, kiến nghị")

    def test_it_filters(self):
        response = self.client.get("/tu-viet-tat/", {"q": "kiến"})
        self.assertContains(response, "PAKN")
        self.assertNotContains(response, "Cải cách hành chính")

    def test_a_huge_query_or_a_bad_page_is_not_an_error(self):
        self.assertEqual(self.client.get("/tu-viet-tat/", {"q": "x" * 5000}).status_code, 200)
        self.assertEqual(self.client.get("/tu-viet-tat/", {"page": "abc"}).status_code, 200)
        self.assertEqual(self.client.get("/tu-viet-tat/", {"page": "99999"}).status_code, 200)

    def test_it_uses_a_fixed_number_of_queries(self):
        self.client.get("/tu-viet-tat/")  # warm the site-agency cache
        with self.assertNumQueries(2):
            self.client.get("/tu-viet-tat/")
