from django.core.cache import cache

from cchc.core.roles import Role
from cchc.core.testing import PersonaTestCase, make_user
from cchc.portal.tests import factories as f

STAFF_PAGES = {
    # url: personas who may open it
    "/quan-ly/tin-tuc/": {"leader_a", "agency_leader", "editor"},
    "/quan-ly/tin-tuc/moi/": {"editor"},
    "/quan-ly/y-kien/": {"leader_a", "agency_leader", "editor"},
    "/quan-ly/lich-tiep/": {"agency_leader", "editor"},
    "/quan-ly/so-tiep-cong-dan/": {"agency_leader", "handler"},
}


class StaffAccessTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.editor = make_user("editor", cls.unit_a, [Role.EDITOR])
        cls.handler = make_user("handler", cls.leadership, [Role.PETITION_HANDLER])

    def setUp(self):
        cache.clear()

    def test_each_staff_page_answers_404_to_those_without_the_role(self):
        for url, allowed in STAFF_PAGES.items():
            for name in (
                "officer_a",
                "leader_a",
                "officer_b",
                "agency_leader",
                "outsider",
                "citizen",
            ):
                self.login_as(name)
                expected = 200 if name in allowed else 404
                self.assertEqual(self.client.get(url).status_code, expected, (url, name))
            for name in ("editor", "handler"):
                self.client.force_login(getattr(self, name))
                expected = 200 if name in allowed else 404
                self.assertEqual(self.client.get(url).status_code, expected, (url, name))
            self.login_as("anonymous")
            self.assertEqual(self.client.get(url).status_code, 302, url)

    def test_a_draft_review_page_is_staff_only(self):
        article = f.article(f.category(), "Nháp", status="draft")
        url = f"/quan-ly/tin-tuc/{article.pk}/"
        for name in ("officer_a", "citizen", "outsider"):
            self.login_as(name)
            self.assertEqual(self.client.get(url).status_code, 404, name)
        self.client.force_login(self.editor)
        self.assertContains(self.client.get(url), "Gửi duyệt")

    def test_the_staff_pages_are_in_the_menu_of_those_who_may_open_them(self):
        articles, register, petitions = (
            'href="/quan-ly/tin-tuc/"',
            'href="/quan-ly/so-tiep-cong-dan/"',
            'href="/pakn/xu-ly/"',
        )
        self.client.force_login(self.editor)
        html = self.client.get("/lien-ket/").content.decode()
        self.assertIn(articles, html)
        self.assertIn(petitions, html)
        self.assertNotIn(register, html)  # the register is for leaders and petition handlers
        self.login_as("officer_a")
        html = self.client.get("/lien-ket/").content.decode()
        self.assertNotIn(articles, html)
        self.assertIn(petitions, html)
        for name in ("citizen", "anonymous"):
            self.login_as(name)
            html = self.client.get("/lien-ket/").content.decode()
            for link in (articles, register, petitions):
                self.assertNotIn(link, html, name)

    def test_staff_posts_by_people_without_the_role_change_nothing(self):
        from cchc.portal.models import Article, Comment, ReceptionSession, ReceptionVisit

        article = f.article(f.category(), "Chờ duyệt", status="in_review")
        comment = Comment.objects.create(article=article, name="A", email="a@b.vn", text="Ý kiến")
        posts = {
            f"/quan-ly/tin-tuc/{article.pk}/approve/": {"publish_at": ""},
            "/quan-ly/y-kien/": {"comment": comment.pk, "decision": "publish"},
            "/quan-ly/lich-tiep/": {"date": "2030-01-07", "session": "morning", "leader": "X"},
            "/quan-ly/so-tiep-cong-dan/": {"date": "2026-01-05", "name": "B", "content": "C"},
        }
        for name in ("officer_a", "officer_b", "outsider", "citizen"):
            self.login_as(name)
            for url, data in posts.items():
                self.assertEqual(self.client.post(url, data).status_code, 404, (url, name))
        self.login_as("anonymous")
        for url, data in posts.items():
            self.assertEqual(self.client.post(url, data).status_code, 302, url)
        self.assertEqual(Article.objects.get(pk=article.pk).status, "in_review")
        self.assertEqual(Comment.objects.get(pk=comment.pk).status, Comment.Status.PENDING)
        self.assertFalse(ReceptionSession.objects.exists())
        self.assertFalse(ReceptionVisit.objects.exists())
        # An editor posting a broken comment id gets 404, not an error.
        self.client.force_login(self.editor)
        for bad in ("abc", "", "999999"):
            response = self.client.post("/quan-ly/y-kien/", {"comment": bad, "decision": "x"})
            self.assertEqual(response.status_code, 404, bad)


class ArticleQueueFilterTests(PersonaTestCase):
    """The news queue's status and page are checked (django-filter): a bad value is a 400 page
    with a Vietnamese message, not silently the whole list or page 1."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        category = f.category()
        cls.draft = f.article(category, "Bài nháp", status="draft")
        cls.published = f.article(category, "Bài đã đăng")

    def setUp(self):
        cache.clear()
        self.client.force_login(self.editor)

    def test_the_status_filter_lists_only_that_status(self):
        response = self.client.get("/quan-ly/tin-tuc/", {"status": "draft"})
        self.assertContains(response, "Bài nháp")
        self.assertNotContains(response, "Bài đã đăng")

    def test_a_bad_status_or_page_is_a_400_with_a_message(self):
        for params, message in (
            ({"status": "deleted"}, "Trạng thái không hợp lệ."),
            ({"page": "x"}, "Số trang không hợp lệ."),
            ({"page": "0"}, "Số trang không hợp lệ."),
            ({"page": "2"}, "Không có trang này."),
        ):
            response = self.client.get("/quan-ly/tin-tuc/", params)
            self.assertContains(response, message, status_code=400)
            self.assertNotContains(response, "Bài nháp", status_code=400)
