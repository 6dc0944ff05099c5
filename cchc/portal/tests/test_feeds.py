from django.core.cache import cache
from django.test import TestCase

from cchc.portal.models import Page
from cchc.portal.tests import factories as f


class FeedTests(TestCase):
    def setUp(self):
        cache.clear()
        self.cat = f.category("Thông báo", "thong-bao")
        self.public = f.article(self.cat, "Thông báo tuyển dụng")
        self.draft = f.article(self.cat, "Nháp bí mật", status="draft")

    def test_category_rss_lists_public_articles_only(self):
        response = self.client.get("/rss/thong-bao/")
        self.assertEqual(response["Content-Type"][:19], "application/rss+xml")
        self.assertContains(response, "Thông báo tuyển dụng")
        self.assertNotContains(response, "Nháp bí mật")
        self.assertEqual(self.client.get("/rss/khong-co/").status_code, 404)

    def test_sitemap_and_robots(self):
        Page.objects.create(slug="gioi-thieu", title="Giới thiệu")
        sitemap = self.client.get("/sitemap.xml").content.decode()
        self.assertIn(self.public.get_absolute_url(), sitemap)
        self.assertNotIn(self.draft.get_absolute_url(), sitemap)
        self.assertIn("/trang/gioi-thieu/", sitemap)
        robots = self.client.get("/robots.txt")
        self.assertContains(robots, "Sitemap: http://testserver/sitemap.xml")

    def test_simple_pages_and_links(self):
        Page.objects.create(slug="lien-he", title="Liên hệ", body="<p>Gọi 0210</p>")
        self.assertContains(self.client.get("/trang/lien-he/"), "Gọi 0210")
        self.assertEqual(self.client.get("/trang/khong-co/").status_code, 404)
        self.assertEqual(self.client.get("/so-do-to-chuc/").status_code, 200)
        self.assertEqual(self.client.get("/lien-ket/").status_code, 200)
