from unittest import mock

from django.core.cache import cache
from django.core.management import call_command
from django.db import DatabaseError
from django.test import TestCase

from cchc.core.testing import make_agency
from cchc.portal import services
from cchc.portal.models import Article
from cchc.portal.tests import factories as f


class ViewCountTests(TestCase):
    def setUp(self):
        cache.clear()
        make_agency("SKHCN")
        self.article = f.article(f.category(), "Bài được xem")

    def _visit(self, ip, agent="trình duyệt"):
        return self.client.get(
            self.article.get_absolute_url(), REMOTE_ADDR=ip, HTTP_USER_AGENT=agent
        )

    def test_a_view_is_counted_in_the_cache_without_a_database_write(self):
        self._visit("10.0.0.1")
        with self.assertNumQueries(0):
            self._visit("10.0.0.2")  # cached page, counted all the same
        self.assertEqual(Article.objects.get(pk=self.article.pk).view_count, 0)
        self.assertEqual(services.pending_views(self.article.pk), 2)

    def test_a_reload_by_the_same_visitor_is_not_counted_twice(self):
        self._visit("10.0.0.1")
        self._visit("10.0.0.1")
        self._visit("10.0.0.1", agent="khác")
        self.assertEqual(services.pending_views(self.article.pk), 2)

    def test_behind_the_trusted_proxy_visitors_are_told_apart_by_their_address(self):
        with self.settings(TRUSTED_PROXIES=["127.0.0.1"]):
            for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.2"):
                self.client.get(
                    self.article.get_absolute_url(),
                    REMOTE_ADDR="127.0.0.1",
                    HTTP_X_FORWARDED_FOR=f"{ip}, 127.0.0.1",
                    HTTP_USER_AGENT="trình duyệt",
                )
        self.assertEqual(services.pending_views(self.article.pk), 2)

    def test_the_command_flushes_counters_in_bulk(self):
        other = f.article(f.category(), "Bài khác")
        for ip in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
            self._visit(ip)
        services.view_register(article_id=other.pk, visitor="x")
        call_command("flush_view_counts", stdout=mock.MagicMock())
        self.assertEqual(Article.objects.get(pk=self.article.pk).view_count, 3)
        self.assertEqual(Article.objects.get(pk=other.pk).view_count, 1)
        self.assertEqual(services.pending_views(self.article.pk), 0)
        # The page shows database plus pending views.
        cache.delete(f"portal:page:article:{self.article.slug}")
        self._visit("4.4.4.4")
        self.assertEqual(self._visit("5.5.5.5").status_code, 200)
        self.assertEqual(services.pending_views(self.article.pk), 2)

    def test_a_failed_flush_loses_no_view(self):
        for ip in ("1.1.1.1", "2.2.2.2"):
            self._visit(ip)
        with (
            mock.patch.object(Article.objects, "filter", side_effect=DatabaseError("down")),
            self.assertRaises(DatabaseError),
        ):
            services.views_flush(article_ids=[self.article.pk])
        self.assertEqual(services.pending_views(self.article.pk), 2)
        self.assertEqual(services.views_flush(article_ids=[self.article.pk]), 2)
        self.assertEqual(Article.objects.get(pk=self.article.pk).view_count, 2)


class FlushTaskTests(TestCase):
    def test_the_periodic_task_flushes_too(self):
        from cchc.portal.tasks import flush_view_counts

        cache.clear()
        article = f.article(f.category(), "Bài")
        services.view_register(article_id=article.pk, visitor="a")
        result = flush_view_counts.enqueue()
        self.assertEqual(result.return_value, 1)
        self.assertEqual(Article.objects.get(pk=article.pk).view_count, 1)
