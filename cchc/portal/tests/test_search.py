import datetime as dt

from django.core.cache import cache
from django.test import TestCase

from cchc.core import registry
from cchc.core.testing import make_agency
from cchc.portal.search import highlight
from cchc.portal.tests import factories as f


class SearchTests(TestCase):
    def setUp(self):
        cache.clear()
        make_agency("SKHCN")
        cat = f.category()
        self.title_old = f.article(cat, "Rà soát thủ tục hành chính năm 2024", days_ago=400)
        self.body_new = f.article(
            cat, "Hội nghị giao ban", body="<p>Bàn về thủ tục hành chính mới.</p>", days_ago=1
        )
        self.title_new = f.article(cat, "Đơn giản hóa THỦ TỤC HÀNH CHÍNH", days_ago=2)
        self.draft = f.article(cat, "Thủ tục hành chính nháp", status="draft")
        self.other = f.article(cat, "Đo lường chất lượng", days_ago=3)

    def _titles(self, q):
        response = self.client.get("/tim-kiem/", {"q": q})
        self.assertEqual(response.status_code, 200)
        return [r["title"] for r in response.context["items"]]

    def test_it_ignores_case_and_diacritics(self):
        expected = [self.title_new.title, self.title_old.title, self.body_new.title]
        self.assertEqual(self._titles("thu tuc hanh chinh"), expected)
        self.assertEqual(self._titles("THỦ TỤC"), expected)

    def test_d_matches_đ(self):
        self.assertEqual(self._titles("do luong"), ["Đo lường chất lượng"])
        self.assertEqual(self._titles("ĐO LƯỜNG"), ["Đo lường chất lượng"])

    def test_title_matches_rank_above_body_matches_and_newer_above_older(self):
        titles = self._titles("thủ tục hành chính")
        self.assertLess(titles.index(self.title_old.title), titles.index(self.body_new.title))
        self.assertLess(titles.index(self.title_new.title), titles.index(self.title_old.title))
        self.assertNotIn(self.draft.title, titles)

    def test_matches_are_highlighted_and_escaped(self):
        f.article(f.category(), "<script>alert(1)</script> thủ tục")
        html = self.client.get("/tim-kiem/", {"q": "thu tuc"}).content.decode()
        self.assertIn("<mark>THỦ TỤC</mark>", html)
        self.assertNotIn("<script>alert(1)</script>", html)
        self.assertIn("&lt;script&gt;", html)

    def test_empty_and_oversized_queries_get_a_clear_message(self):
        response = self.client.get("/tim-kiem/", {"q": "   "})
        self.assertContains(response, "Hãy nhập từ khóa cần tìm.")
        response = self.client.get("/tim-kiem/", {"q": "a" * 1000})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Từ khóa quá dài", status_code=400)

    def test_results_are_paged(self):
        cat = f.category()
        for n in range(25):
            f.article(cat, f"Khoa học số {n}", days_ago=n + 1)
        first = self.client.get("/tim-kiem/", {"q": "khoa hoc"})
        self.assertEqual(len(first.context["items"]), 10)
        third = self.client.get("/tim-kiem/", {"q": "khoa hoc", "page": 3})
        self.assertEqual(len(third.context["items"]), 5)
        self.assertEqual(
            self.client.get("/tim-kiem/", {"q": "khoa hoc", "page": 9}).status_code, 404
        )

    def test_every_registered_source_is_asked_and_merged_by_score(self):
        def procedures(query, limit):
            return [
                {
                    "title": "Thủ tục hành chính cấp phép",
                    "url": "/thu-tuc/1/",
                    "snippet": "",
                    "date": dt.date.today(),
                    "score": 9.0,
                }
            ]

        registry.register_search("test.procedures", "Thủ tục", procedures)
        try:
            titles = self._titles("thu tuc")
        finally:
            registry.search_sources.pop("test.procedures")
        self.assertEqual(titles[0], "Thủ tục hành chính cấp phép")

    def test_highlight_keeps_original_text_and_marks_diacritic_forms(self):
        self.assertEqual(
            str(highlight("Đường đi & thủ tục", ["duong", "thu tuc"])),
            "<mark>Đường</mark> đi &amp; <mark>thủ tục</mark>",
        )


class WholeWordTests(TestCase):
    def test_a_term_matches_whole_words_only_and_punctuation_is_ignored(self):
        cache.clear()
        cat = f.category()
        f.article(cat, "Thành lập hội đồng KH&CN")
        f.article(cat, "Hành chính công")

        def titles(q):
            return [r["title"] for r in self.client.get("/tim-kiem/", {"q": q}).context["items"]]

        self.assertEqual(titles("hanh"), ["Hành chính công"])
        self.assertEqual(titles("kh&cn"), ["Thành lập hội đồng KH&CN"])
        self.assertEqual(str(highlight("Thành hành", ["hanh"])), "Thành <mark>hành</mark>")


class SearchSchemaTests(TestCase):
    def test_each_database_has_what_its_search_needs(self):
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
                self.assertEqual(cursor.fetchone(), (1,))
                cursor.execute(
                    "SELECT 1 FROM pg_indexes WHERE indexname = 'article_search_vector_gin'"
                )
                self.assertEqual(cursor.fetchone(), (1,))
            else:
                indexes = connection.introspection.get_constraints(cursor, "portal_article")
                indexed = {tuple(c["columns"]) for c in indexes.values() if c["index"]}
                self.assertIn(("search_title",), indexed)
