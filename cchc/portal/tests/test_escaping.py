"""Script typed into any text field is shown as text on every public page (never run)."""

import datetime as dt

from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from cchc.core.testing import make_agency
from cchc.portal.models import Article, ReceptionSession, ScienceTask, SiteLink
from cchc.portal.search import search_text
from cchc.portal.tests import factories as f

XSS = '<script>alert("x")</script>'


class EscapingTests(TestCase):
    def setUp(self):
        cache.clear()

    def assert_escaped(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        html = response.content.decode()
        self.assertNotIn(XSS, html, url)
        self.assertIn("&lt;script&gt;", html, url)

    def test_article_fields_category_and_tag_names_are_escaped_everywhere(self):
        with self.settings(SITE_AGENCY_CODE="SKHCN"):
            make_agency("SKHCN")
            cat = f.category(name=f"Mục {XSS}", slug="muc")
            article = f.article(
                cat, f"Tin {XSS}", summary=f"Tóm tắt {XSS}", tags=[f.tag(f"Thẻ {XSS}")]
            )
            Article.objects.filter(pk=article.pk).update(
                author_name=f"Tác giả {XSS}",
                source=f"Nguồn {XSS}",
                cover_image="/media/a.png",
                cover_alt=f"Ảnh {XSS}",
                cover_caption=f"Chú thích {XSS}",
                featured=True,
                search_title=search_text(f"Tin {XSS}"),
            )
            for url in (
                article.get_absolute_url(),
                "/",
                "/tin-tuc/",
                "/chuyen-muc/muc/",
                "/rss/",
                "/tim-kiem/?q=tin",
            ):
                self.assert_escaped(url)

    def test_schedule_science_and_link_fields_are_escaped(self):
        agency = make_agency("SKHCN")
        with self.settings(SITE_AGENCY_CODE="SKHCN"):
            ReceptionSession.objects.create(
                agency=agency,
                date=timezone.localdate() + dt.timedelta(days=1),
                session="morning",
                leader=f"Lãnh đạo {XSS}",
                place=f"Phòng {XSS}",
                content=f"Nội dung {XSS}",
            )
            ScienceTask.objects.create(
                code="NV-01",
                name=f"Nhiệm vụ {XSS}",
                level="province",
                lead_organisation=f"Tổ chức {XSS}",
                principal_investigator=f"Chủ nhiệm {XSS}",
                start_date=dt.date(2025, 1, 1),
                end_date=dt.date(2027, 1, 1),
                status="in_progress",
                result_summary=f"Kết quả {XSS}",
            )
            SiteLink.objects.create(title=f"Liên kết {XSS}", url="https://example.vn/")
            for url in ("/lich-tiep-cong-dan/", "/nhiem-vu-khcn/", "/nhiem-vu-khcn/NV-01/", "/"):
                self.assert_escaped(url)
            self.assert_escaped("/lien-ket/")
