"""What every public page carries for citizens: the tasks first on the home page, absolute share
addresses and dated comments on articles, and a footer that links the portal's own pages."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.test import TestCase

from cchc.core.testing import make_agency
from cchc.portal.models import Comment, Page
from cchc.portal.tests import factories as f

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class ArticleHeadTests(TestCase):
    def setUp(self):
        cache.clear()
        make_agency("SKHCN")
        self.article = f.article(f.category(), "Bài có ảnh")

    def _head(self, article, **extra) -> str:
        html = self.client.get(article.get_absolute_url(), **extra).content.decode()
        return html[: html.index("</head>")]

    def test_og_image_and_canonical_are_absolute_addresses(self):
        self.article.cover_image = "/anh/" + "a" * 32 + ".jpg"
        self.article.cover_alt = "Ảnh hội nghị"
        self.article.save()
        head = self._head(self.article, HTTP_HOST="localhost")
        self.assertIn(
            f'<meta property="og:image" content="http://localhost/anh/{"a" * 32}.jpg">', head
        )
        self.assertIn(
            f'<link rel="canonical" href="http://localhost/tin-tuc/{self.article.slug}/">', head
        )

    def test_an_image_already_on_another_site_is_kept_as_it_is(self):
        self.article.cover_image = "https://anh.example.vn/hoi-nghi.jpg"
        self.article.cover_alt = "Ảnh hội nghị"
        self.article.save()
        head = self._head(self.article)
        self.assertIn('content="https://anh.example.vn/hoi-nghi.jpg"', head)

    def test_an_article_without_cover_has_no_og_image(self):
        head = self._head(self.article)
        self.assertNotIn("og:image", head)
        self.assertIn('rel="canonical"', head)


class CommentDateTests(TestCase):
    def test_each_published_comment_shows_when_it_was_sent_in_local_time(self):
        article = f.article(f.category(), "Bài có ý kiến")
        comment = Comment.objects.create(
            article=article,
            name="Bạn đọc",
            email="a@example.vn",
            text="Ý kiến hay",
            status=Comment.Status.PUBLISHED,
        )
        Comment.objects.filter(pk=comment.pk).update(
            created_at=dt.datetime(2026, 11, 14, 21, 5, tzinfo=dt.UTC)  # 04:05 next day in Hà Nội
        )
        html = self.client.get(article.get_absolute_url()).content.decode()
        self.assertIn(
            'Bạn đọc · <time datetime="2026-11-15T04:05:00+07:00">15/11/2026 04:05</time>', html
        )


class FooterTests(TestCase):
    def setUp(self):
        cache.clear()
        make_agency("SKHCN")
        Page.objects.create(slug="gioi-thieu", title="Giới thiệu", body="<p>Sở</p>")
        Page.objects.create(slug="lien-he", title="Liên hệ", body="<p>Gọi 0210</p>")

    def _footer_links(self, path: str) -> dict[str, str]:
        html = self.client.get(path).content.decode()
        footer = html[html.index('<ul class="footer-pages">') :]
        footer = footer[: footer.index("</ul>")]
        return {
            label: href for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', footer)
        }

    def test_the_footer_links_introduction_contact_chart_feed_and_sitemap(self):
        links = self._footer_links("/")
        self.assertEqual(
            links,
            {
                "Giới thiệu": "/trang/gioi-thieu/",
                "Liên hệ": "/trang/lien-he/",
                "Sơ đồ tổ chức": "/so-do-to-chuc/",
                "Tin RSS": "/rss/",
                "Sơ đồ trang": "/sitemap.xml",
            },
        )
        for label, href in links.items():
            with self.subTest(label):
                self.assertEqual(self.client.get(href).status_code, 200)

    def test_pages_of_other_apps_carry_the_same_footer(self):
        self.assertEqual(len(self._footer_links("/thu-tuc/")), 5)


class HomeTasksTests(TestCase):
    def setUp(self):
        cache.clear()
        make_agency("SKHCN")
        f.article(f.category(), "Tin đầu tiên", featured=True)

    def test_the_three_citizen_tasks_come_before_the_news(self):
        html = self.client.get("/").content.decode()
        main = html[html.index('<main id="main"') :]
        positions = [
            main.index('action="/ho-so/tra-cuu/"'),
            main.index('action="/thu-tuc/"'),
            main.index('href="/pakn/gui/"'),
        ]
        self.assertEqual(positions, sorted(positions))
        self.assertLess(positions[-1], main.index("Tin nổi bật"))
        self.assertLess(positions[-1], main.index("Tin đầu tiên"))
