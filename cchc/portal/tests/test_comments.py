from django.core.cache import cache
from django.test import TestCase

from cchc.core.roles import Role
from cchc.core.testing import VerifiedClient, make_agency, make_user
from cchc.portal.models import Comment
from cchc.portal.tests import factories as f


class CommentTests(TestCase):
    client_class = VerifiedClient  # staff sign-ins pass two-factor (cchc.core.testing)

    def setUp(self):
        cache.clear()
        agency = make_agency("SKHCN")
        from cchc.core.models import Unit

        self.editor = make_user(
            "editor", Unit.objects.create(agency=agency, code="VP", name="VP"), [Role.EDITOR]
        )
        self.article = f.article(f.category(), "Bài có ý kiến")
        self.url = self.article.get_absolute_url() + "y-kien/"

    def _post(self, ip="10.2.2.2", **extra):
        data = {
            "name": "Bạn đọc",
            "email": "a@b.vn",
            "text": "Xem <a href='http://x.vn'>đây</a> http://spam.vn",
        }
        data.update(extra)
        return self.client.post(self.url, data, REMOTE_ADDR=ip)

    def test_a_comment_waits_for_moderation_then_shows_escaped_without_links(self):
        self._post()
        comment = Comment.objects.get()
        self.assertEqual(comment.status, Comment.Status.PENDING)
        self.assertNotContains(self.client.get(self.article.get_absolute_url()), "spam.vn")
        self.client.force_login(self.editor)
        self.client.post("/quan-ly/y-kien/", {"comment": comment.pk, "decision": "publish"})
        self.client.logout()
        cache.clear()
        html = self.client.get(self.article.get_absolute_url()).content.decode()
        self.assertIn("&lt;a href=&#x27;http://x.vn&#x27;&gt;", html)
        self.assertNotIn('href="http://spam.vn"', html)
        self.assertNotIn("<a href='http://x.vn'>", html)

    def test_the_honeypot_and_the_rate_limit_store_nothing(self):
        self._post(website="bot")
        self.assertFalse(Comment.objects.exists())
        for _ in range(5):
            self._post(ip="10.3.3.3")
        response = self._post(ip="10.3.3.3")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(Comment.objects.count(), 5)

    def test_invalid_input_gets_vietnamese_messages(self):
        response = self._post(email="khong-hop-le", text="")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"email", "text"})
        self.assertFalse(Comment.objects.exists())


class FlashMessageCacheTests(TestCase):
    def test_a_thank_you_message_is_shown_to_its_reader_and_never_cached_for_others(self):
        cache.clear()
        make_agency("SKHCN")
        article = f.article(f.category(), "Bài")
        self.client.get(article.get_absolute_url())  # a cached copy exists
        response = self.client.post(
            article.get_absolute_url() + "y-kien/",
            {"name": "A", "email": "a@b.vn", "text": "Hay"},
            follow=True,
        )
        self.assertContains(response, "Cảm ơn bạn")
        other = self.client_class().get(article.get_absolute_url(), REMOTE_ADDR="10.9.9.9")
        self.assertNotContains(other, "Cảm ơn bạn")
