import datetime as dt

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from cchc.core.models import Abbreviation, AuditEntry, Unit
from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_agency, make_user
from cchc.portal import selectors, services
from cchc.portal.models import Article
from cchc.portal.tests import factories as f


class PublishedTests(TestCase):
    def setUp(self):
        cache.clear()
        self.cat = f.category()

    def test_it_shows_only_published_and_due_scheduled_articles(self):
        visible = f.article(self.cat, "Đã đăng")
        due = f.article(self.cat, "Hẹn giờ đã đến", status=Article.Status.SCHEDULED, days_ago=0.01)
        f.article(self.cat, "Hẹn giờ chưa đến", status=Article.Status.SCHEDULED, days_ago=-1)
        f.article(self.cat, "Nháp", status=Article.Status.DRAFT)
        f.article(self.cat, "Chờ duyệt", status=Article.Status.IN_REVIEW)
        self.assertEqual(set(Article.objects.published()), {visible, due})

    def test_a_scheduled_article_appears_at_its_time_without_anyone_clicking(self):
        a = f.article(self.cat, "Sắp đăng", status=Article.Status.SCHEDULED, days_ago=-1)
        self.assertEqual(self.client.get(a.get_absolute_url()).status_code, 404)
        Article.objects.filter(pk=a.pk).update(
            published_at=timezone.now() - dt.timedelta(seconds=1)
        )
        self.assertEqual(self.client.get(a.get_absolute_url()).status_code, 200)

    def test_a_draft_is_not_found_by_the_public(self):
        a = f.article(self.cat, "Nháp", status=Article.Status.DRAFT)
        self.assertEqual(self.client.get(a.get_absolute_url()).status_code, 404)

    def test_unknown_category_and_bad_page_numbers_give_404(self):
        self.assertEqual(self.client.get("/chuyen-muc/khong-co/").status_code, 404)
        self.assertEqual(self.client.get("/tin-tuc/?page=abc").status_code, 404)
        self.assertEqual(self.client.get("/tin-tuc/?page=999").status_code, 404)
        self.assertEqual(self.client.get("/tin-tuc/?page=-1").status_code, 404)


class ArticlePageTests(TestCase):
    def setUp(self):
        cache.clear()
        Abbreviation.objects.create(abbreviation="CCHC", expansion="Cải cách hành chính")
        self.agency = make_agency("SKHCN")
        self.cat = f.category("Cải cách hành chính", "cai-cach")
        self.other_cat = f.category("Khoa học", "khoa-hoc")
        self.shared = f.tag("Chuyển đổi số")
        self.article = f.article(
            self.cat,
            "Đẩy mạnh CCHC năm 2026",
            body="<p>Kế hoạch CCHC của Sở.</p>",
            tags=[self.shared],
        )
        self.same_old = f.article(self.cat, "Cùng mục cũ", days_ago=10)
        self.same_new = f.article(self.cat, "Cùng mục mới", days_ago=2)
        self.tagged = f.article(
            self.other_cat, "Cùng thẻ khác mục", tags=[self.shared], days_ago=30
        )
        self.unrelated = f.article(self.other_cat, "Không liên quan", days_ago=3)

    def test_it_shows_date_views_abbreviations_and_open_graph(self):
        response = self.client.get(self.article.get_absolute_url())
        html = response.content.decode()
        self.assertContains(response, "Lượt xem")
        self.assertIn('<abbr title="Cải cách hành chính">CCHC</abbr>', html)
        self.assertIn('property="og:title" content="Đẩy mạnh CCHC năm 2026"', html)
        self.assertIn(timezone.localtime(self.article.published_at).strftime("%d/%m/%Y"), html)
        self.assertIn("article-print.css", html)

    def test_related_lists_same_category_newest_first_then_shared_tags(self):
        context = selectors.article_neighbours(self.article)
        self.assertEqual(
            [a["title"] for a in context["same_category"]], ["Cùng mục mới", "Cùng mục cũ"]
        )
        self.assertEqual(context["others"][0]["title"], "Cùng thẻ khác mục")
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        self.assertLess(html.index("Cùng mục mới"), html.index("Cùng mục cũ"))

    def test_article_page_uses_a_fixed_number_of_queries(self):
        for n in range(10):
            f.article(self.cat, f"Thêm {n}", tags=[self.shared])
        cache.clear()
        self.client.get(self.article.get_absolute_url())  # warm the glossary and agency caches
        cache.delete(f"portal:page:article:{self.article.slug}")
        with self.assertNumQueries(0):  # the rendered parts are kept per content version
            response = self.client.get(self.article.get_absolute_url(), REMOTE_ADDR="10.0.0.9")
        self.assertContains(response, "Lượt xem: 2")
        cache.delete_many(
            [f"portal:page:article:{self.article.slug}", f"portal:neighbours:{self.article.pk}"]
        )
        services.content_changed()
        with self.assertNumQueries(5):  # article, comments, tags, the two related lists
            self.client.get(self.article.get_absolute_url(), REMOTE_ADDR="10.0.0.8")

    def test_an_edit_or_a_published_comment_shows_at_once_on_the_kept_page(self):
        self.client.get(self.article.get_absolute_url())
        # An editor of the portal's agency (an editor role without a unit edits nothing).
        office = Unit.objects.create(agency=self.agency, code="VP", name="Văn phòng")
        editor = make_user("bientap", office, [Role.EDITOR])
        with self.captureOnCommitCallbacks(execute=True):
            services.article_save(
                actor=editor,
                article=self.article,
                title=self.article.title,
                category=self.cat,
                body="<p>Nội dung đã sửa</p>",
            )
        comment = services.comment_submit(
            article=self.article, name="Bạn đọc", email="a@example.vn", text="Ý kiến hay"
        )
        self.assertNotContains(self.client.get(self.article.get_absolute_url()), "Ý kiến hay")
        with self.captureOnCommitCallbacks(execute=True):
            services.comment_moderate(actor=editor, comment=comment, publish=True)
        response = self.client.get(self.article.get_absolute_url(), REMOTE_ADDR="10.0.0.3")
        self.assertContains(response, "Nội dung đã sửa")
        self.assertContains(response, "Ý kiến hay")

    def test_home_page_uses_a_fixed_number_of_queries(self):
        self.client.get("/")
        cache.delete("portal:page:home")
        with self.assertNumQueries(0):  # the body is kept per content version, a minute at most
            self.client.get("/")
        cache.delete("portal:page:home")
        services.content_changed()
        with self.assertNumQueries(7):
            response = self.client.get("/")
        self.assertContains(response, "PAKN đã trả lời")
        self.assertContains(response, 'action="/thu-tuc/"')
        self.assertContains(response, 'action="/ho-so/tra-cuu/"')

    def test_anonymous_visitors_get_the_cached_page_without_queries(self):
        self.client.get(self.article.get_absolute_url())
        with self.assertNumQueries(0):
            response = self.client.get(self.article.get_absolute_url(), REMOTE_ADDR="10.0.0.2")
        self.assertContains(response, "Đẩy mạnh")


class EditorialFlowTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])
        cls.cat = f.category()

    def setUp(self):
        cache.clear()

    def _write(self, body="<p>Nội dung</p>"):
        return services.article_save(
            actor=self.editor, title="Tin thử nghiệm", category=self.cat, body=body
        )

    def test_an_editor_writes_and_a_leader_approves(self):
        article = self._write()
        self.assertEqual(article.status, Article.Status.DRAFT)
        services.article_submit(actor=self.editor, article=article)
        approved = services.article_approve(actor=self.agency_leader, article=article)
        self.assertEqual(approved.status, Article.Status.PUBLISHED)
        self.assertIn(approved, Article.objects.published())
        self.assertEqual(
            list(
                AuditEntry.objects.filter(object_id=str(article.pk)).values_list(
                    "action", flat=True
                )
            ),
            ["approve", "submit", "create"],
        )

    def test_approval_with_a_future_time_schedules_the_article(self):
        article = self._write()
        later = timezone.now() + dt.timedelta(hours=2)
        scheduled = services.article_approve(actor=self.leader_a, article=article, publish_at=later)
        self.assertEqual(scheduled.status, Article.Status.SCHEDULED)
        self.assertNotIn(scheduled, Article.objects.published())

    def test_a_specialist_may_neither_write_nor_approve(self):
        with self.assertRaises(PermissionError):
            services.article_save(actor=self.officer_a, title="x", category=self.cat)
        article = self._write()
        with self.assertRaises(PermissionDenied):  # a declared transition (ARTICLE_FLOW)
            services.article_approve(actor=self.officer_a, article=article)

    def test_script_is_removed_from_the_body(self):
        article = self._write(
            '<p onclick="x()">Xin chào<script>alert(1)</script></p><a href="javascript:alert(1)">a</a>'
        )
        self.assertNotIn("script", article.body)
        self.assertNotIn("onclick", article.body)
        self.assertNotIn("javascript:", article.body)

    def test_an_image_without_alt_text_is_refused_and_nothing_is_stored(self):
        with self.assertRaises(ValidationError) as caught:
            self._write('<p><img src="/a.png"></p>')
        self.assertIn("alt", str(caught.exception))
        self.assertFalse(Article.objects.exists())
        article = self._write(
            '<figure><img src="/a.png" alt="Hội nghị"><figcaption>Ảnh</figcaption></figure>'
        )
        self.assertIn('alt="Hội nghị"', article.body)

    def test_staff_pages_are_hidden_from_people_without_a_news_role(self):
        for name in ("officer_a", "citizen", "outsider"):
            self.login_as(name)
            self.assertEqual(self.client.get("/quan-ly/tin-tuc/").status_code, 404, name)
        self.login_as("anonymous")
        self.assertEqual(self.client.get("/quan-ly/tin-tuc/").status_code, 302)
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get("/quan-ly/tin-tuc/").status_code, 200)

    def test_the_editor_form_saves_and_the_leader_publishes_through_the_pages(self):
        self.client.force_login(self.editor)
        response = self.client.post(
            "/quan-ly/tin-tuc/moi/",
            {"title": "Tin qua form", "category": self.cat.pk, "body": "<p>Chào</p>"},
        )
        article = Article.objects.get(title="Tin qua form")
        self.assertRedirects(response, f"/quan-ly/tin-tuc/{article.pk}/")
        self.client.post(f"/quan-ly/tin-tuc/{article.pk}/submit/")
        self.login_as("agency_leader")
        self.client.post(f"/quan-ly/tin-tuc/{article.pk}/approve/", {"publish_at": ""})
        article.refresh_from_db()
        self.assertEqual(article.status, Article.Status.PUBLISHED)


class CoverUploadTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])
        cls.cat = f.category()

    def _post(self, upload, alt):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.client.force_login(self.editor)
        return self.client.post(
            "/quan-ly/tin-tuc/moi/",
            {
                "title": "Tin có ảnh",
                "category": self.cat.pk,
                "cover_alt": alt,
                "cover_upload": SimpleUploadedFile("anh.png", upload),
            },
        )

    def test_a_cover_needs_a_real_image_and_alt_text(self):
        import io

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
        png = buffer.getvalue()
        self.assertContains(self._post(b"<?php echo 1; ?>", "Ảnh"), "không đúng loại")
        self.assertContains(self._post(png, ""), "alt")
        self.assertFalse(Article.objects.exists())
        self._post(png, "Quang cảnh hội nghị")
        article = Article.objects.get()
        self.assertTrue(article.cover_image.endswith(".png"))
        self.assertEqual(article.cover_alt, "Quang cảnh hội nghị")


class RichTextEditorTests(TestCase):
    def test_article_bodies_are_written_in_the_prose_editor(self):
        from cchc.portal.forms import ArticleForm

        field = ArticleForm().fields["body"]
        self.assertEqual(type(field).__name__, "ProseEditorFormField")
        self.assertNotIn("<script>", field.clean("<p>Chào<script>x</script></p>"))
        self.assertIn("prose-editor", str(ArticleForm()["body"]))


class EditorFormTests(PersonaTestCase):
    """Create and edit through the staff pages, the body coming from the prose editor field."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])
        cls.cat = f.category()

    def setUp(self):
        cache.clear()
        self.client.force_login(self.editor)

    def test_the_edit_page_shows_the_editor_with_the_body_and_saves_a_figure(self):
        article = f.article(self.cat, "Bài cần sửa", body="<p>Bản cũ</p>")
        page = self.client.get(f"/quan-ly/tin-tuc/{article.pk}/sua/")
        self.assertContains(page, "prose-editor")
        self.assertContains(page, "&lt;p&gt;Bản cũ&lt;/p&gt;")
        body = (
            '<p>Bản mới</p><figure><img src="/media/a.png" alt="Quang cảnh hội nghị">'
            "<figcaption>Hội nghị tổng kết</figcaption></figure>"
            '<p onclick="alert(1)">x<script>alert(2)</script></p>'
        )
        response = self.client.post(
            f"/quan-ly/tin-tuc/{article.pk}/sua/",
            {"title": "Bài đã sửa", "category": self.cat.pk, "body": body},
        )
        self.assertRedirects(response, f"/quan-ly/tin-tuc/{article.pk}/")
        article.refresh_from_db()
        self.assertEqual(article.title, "Bài đã sửa")
        self.assertIn("<figcaption>Hội nghị tổng kết</figcaption>", article.body)
        self.assertNotIn("script", article.body)
        self.assertNotIn("onclick", article.body)
        self.client.logout()
        public = self.client.get(article.get_absolute_url())
        self.assertContains(public, 'alt="Quang cảnh hội nghị"')
        self.assertNotContains(public, "alert(")

    def test_an_image_without_alt_in_the_editor_is_refused_and_nothing_changes(self):
        article = f.article(self.cat, "Bài giữ nguyên", body="<p>Giữ</p>")
        response = self.client.post(
            f"/quan-ly/tin-tuc/{article.pk}/sua/",
            {"title": "Đổi", "category": self.cat.pk, "body": '<p><img src="/a.png"></p>'},
        )
        self.assertContains(response, "mô tả thay thế (alt)")
        article.refresh_from_db()
        self.assertEqual((article.title, article.body), ("Bài giữ nguyên", "<p>Giữ</p>"))
        response = self.client.post(
            "/quan-ly/tin-tuc/moi/",
            {"title": "Mới", "category": self.cat.pk, "body": '<img src="/b.png" alt=" ">'},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Article.objects.filter(title="Mới").exists())
