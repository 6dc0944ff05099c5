"""The anonymous page cache in front of the middleware stack (cchc/portal/middleware.py): what
it serves, to whom, and what it never stores."""

from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, TestCase

from cchc.core.testing import make_agency, make_user
from cchc.portal import services
from cchc.portal.middleware import HIT_HEADER, AnonymousPageCacheMiddleware
from cchc.portal.models import Comment
from cchc.portal.tests import factories as f


def _hit(response) -> bool:
    return response.get(HIT_HEADER) == "hit"


class PageCacheTests(TestCase):
    def setUp(self):
        cache.clear()
        make_agency("SKHCN")
        self.article = f.article(f.category(), "Bài trong bộ nhớ đệm")
        self.url = self.article.get_absolute_url()
        self.key = f"portal:page:article:{self.article.slug}"

    def test_a_second_anonymous_visit_is_answered_before_sessions_and_auth(self):
        first = self.client.get(self.url, REMOTE_ADDR="10.0.0.1")
        self.assertFalse(_hit(first))
        with self.assertNumQueries(0):
            second = self.client.get(self.url, REMOTE_ADDR="10.0.0.2")
        self.assertTrue(_hit(second))
        self.assertEqual(second.content, first.content)
        # Session, auth and CSRF middleware never saw the request.
        self.assertFalse(hasattr(second.wsgi_request, "session"))
        self.assertFalse(hasattr(second.wsgi_request, "user"))
        # The security headers and Vary of the stored answer are replayed; the id is fresh.
        for header in ("Content-Security-Policy", "X-Frame-Options", "Vary"):
            self.assertEqual(second[header], first[header])
        self.assertNotEqual(second["X-Request-ID"], first["X-Request-ID"])
        self.assertEqual(services.pending_views(self.article.pk), 2)  # both visitors counted

    def test_the_home_page_is_cached_too_and_head_gets_no_body(self):
        self.client.get("/")
        response = self.client.head("/")
        self.assertTrue(_hit(response))
        self.assertEqual(response.content, b"")

    def test_a_signed_in_persons_page_is_never_stored_nor_served_from_the_cache(self):
        person = make_user("congdan", None)
        self.client.force_login(person)
        for _ in range(2):
            response = self.client.get(self.url)
            self.assertFalse(_hit(response))
            self.assertContains(response, "Đăng xuất")
        self.assertIsNone(cache.get(self.key))
        anonymous = Client()
        anonymous.get(self.url)  # stored now, for anonymous visitors
        self.assertTrue(_hit(anonymous.get(self.url)))
        mine = self.client.get(self.url)
        self.assertFalse(_hit(mine))
        self.assertContains(mine, "Đăng xuất")
        self.assertNotContains(anonymous.get(self.url), "Đăng xuất")

    def test_a_flash_message_is_shown_to_its_visitor_only_and_never_stored(self):
        self.client.get(self.url)  # stored
        # A message waiting for this visitor (as a redirect after a form leaves one).
        storage = CookieStorage(HttpRequest())
        self.client.cookies["messages"] = storage._encode(
            [Message(constants.SUCCESS, "Cảm ơn bạn đã gửi")]
        )
        page = self.client.get(self.url)
        self.assertFalse(_hit(page))
        self.assertContains(page, "Cảm ơn bạn")
        self.assertNotContains(Client().get(self.url), "Cảm ơn bạn")

    def test_a_post_is_never_answered_from_the_cache(self):
        self.client.get(self.url)
        self.client.get("/")
        for url in (self.url, "/"):
            response = self.client.post(url, {})
            self.assertFalse(_hit(response))
            self.assertEqual(response.status_code, 405)

    def test_the_comment_forms_csrf_token_works_after_a_cached_article(self):
        client = Client(enforce_csrf_checks=True)
        client.get(self.url)
        self.assertTrue(_hit(client.get(self.url)))
        form = client.get(self.url + "y-kien/")
        self.assertFalse(_hit(form))  # a page with a form is never cached
        self.assertIn("csrftoken", form.cookies)
        self.assertIsNone(cache.get(f"portal:page:{self.url}y-kien/"))
        token = form.context["csrf_token"]
        response = client.post(
            self.url + "y-kien/",
            {"name": "Bạn đọc", "email": "a@b.vn", "text": "Ý kiến", "csrfmiddlewaretoken": token},
            REMOTE_ADDR="10.0.0.8",
        )
        self.assertEqual(response.status_code, 200)  # the "awaiting moderation" page
        self.assertFalse(_hit(response))
        self.assertEqual(Comment.objects.count(), 1)
        # The CSRF cookie alone does not keep a visitor from the cached page: it has no token.
        self.assertIn("csrftoken", client.cookies)
        client.cookies.pop("messages", None)
        client.get(self.url)  # rebuilt: a new comment starts a new content version
        self.assertTrue(_hit(client.get(self.url)))

    def test_query_strings_htmx_other_cookies_and_another_scheme_pass_by(self):
        self.client.get(self.url)
        self.assertFalse(_hit(self.client.get(self.url + "?utm=x")))
        self.assertFalse(_hit(self.client.get(self.url, HTTP_HX_REQUEST="true")))
        other = Client()
        other.cookies["sessionid"] = "not-a-session"
        self.assertFalse(_hit(other.get(self.url)))
        self.assertTrue(_hit(self.client.get(self.url)))
        # An entry knows the scheme it was built for: an http visit never gets an https page.
        self.assertFalse(_hit(self.client.get(self.url, secure=True)))
        self.assertTrue(_hit(self.client.get(self.url, secure=True)))
        self.assertFalse(_hit(self.client.get(self.url)))

    def test_an_edit_is_a_miss_at_once(self):
        self.client.get(self.url)
        services.content_changed()
        self.assertFalse(_hit(self.client.get(self.url)))
        self.assertTrue(_hit(self.client.get(self.url)))

    def test_a_missing_article_is_not_stored(self):
        url = "/tin-tuc/khong-co-bai-nay/"
        for _ in range(2):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 404)
            self.assertFalse(_hit(response))


class WhatIsNeverStoredTests(TestCase):
    """The rest of the stack answers with a cookie, a private page or a CSP nonce: not stored."""

    def setUp(self):
        cache.clear()
        make_agency("SKHCN")

    def _twice(self, answer) -> list[HttpResponse]:
        middleware = AnonymousPageCacheMiddleware(answer)
        return [middleware(RequestFactory().get("/")) for _ in range(2)]

    def test_a_response_with_set_cookie_is_not_stored(self):
        def answer(request):
            response = HttpResponse("trang")
            response.set_cookie("chon", "1")
            return response

        self.assertFalse(any(_hit(r) for r in self._twice(answer)))
        self.assertIsNone(cache.get("portal:page:home"))

    def test_private_no_store_nonce_and_other_vary_are_not_stored(self):
        headers = (
            {"Cache-Control": "private"},
            {"Cache-Control": "no-store"},
            {"Content-Security-Policy": "script-src 'self' 'nonce-abc'"},
            {"Vary": "Cookie, User-Agent"},
        )
        for extra in headers:
            with self.subTest(extra):
                cache.clear()
                responses = self._twice(
                    lambda request, extra=extra: HttpResponse("x", headers=extra)
                )
                self.assertFalse(any(_hit(r) for r in responses))

    def test_a_plain_anonymous_200_is_stored(self):
        first, second = self._twice(
            lambda request: HttpResponse("trang", headers={"Vary": "Cookie, Accept-Language"})
        )
        self.assertFalse(_hit(first))
        self.assertTrue(_hit(second))
        self.assertEqual(second.content, b"trang")
