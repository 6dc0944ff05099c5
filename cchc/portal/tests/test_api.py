from django.core.cache import cache
from django.test import TestCase

from cchc.portal.models import Comment
from cchc.portal.tests import factories as f


class PortalApiTests(TestCase):
    def setUp(self):
        cache.clear()
        self.cat = f.category("Tin", "tin")
        self.article = f.article(self.cat, "Bài công khai")
        f.article(self.cat, "Bài nháp", status="draft")

    def test_published_articles_only(self):
        data = self.client.get("/api/v1/portal/articles/").json()
        self.assertEqual([a["title"] for a in data["results"]], ["Bài công khai"])
        detail = self.client.get(f"/api/v1/portal/articles/{self.article.slug}/").json()
        self.assertEqual(detail["view_count"], 0)
        self.assertEqual(self.client.get("/api/v1/portal/articles/khong-co/").status_code, 404)
        self.assertEqual(self.client.get("/api/v1/portal/categories/").json()[0]["slug"], "tin")
        self.assertEqual(self.client.get("/api/v1/portal/schedule/").status_code, 200)
        by_category = self.client.get("/api/v1/portal/articles/", {"category": "tin"}).json()
        self.assertEqual(by_category["count"], 1)
        unknown = self.client.get("/api/v1/portal/articles/", {"category": "khong-co"})
        self.assertEqual(unknown.status_code, 404)
        self.assertIn("Không có chuyên mục này.", unknown.content.decode())
        self.assertEqual(self.client.get("/api/v1/portal/articles/?page=99").status_code, 404)
        self.assertEqual(self.client.get("/api/v1/portal/science-tasks/").status_code, 200)

    def test_a_comment_is_held_for_moderation(self):
        url = f"/api/v1/portal/articles/{self.article.slug}/comments/"
        response = self.client.post(
            url, {"name": "A", "email": "a@b.vn", "text": "Hay"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(Comment.objects.get().status, Comment.Status.PENDING)
        bad = self.client.post(url, {"name": "", "email": "x"}, content_type="application/json")
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(Comment.objects.count(), 1)

    def test_the_endpoints_are_in_the_schema(self):
        schema = self.client.get("/api/schema/").content.decode()
        for path in ("/api/v1/portal/articles/", "/api/v1/feedback/petitions/"):
            self.assertIn(path, schema)
