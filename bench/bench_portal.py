"""Portal: anonymous home and article pages with 10,000 articles, uncached and with the page
cache, as shares of a bare Django hello and of the project's own hello measured in the same run
(granian WSGI, 2 workers, --blocking-threads 1, 127.0.0.1); search p95 latency.

Goals (issue 15): the anonymous article >= 25% of bare hello uncached, >= 80% with the cache."""

import os
import subprocess
import sys

from bench.harness import (
    ROOT,
    bare_hello_server,
    bench_env,
    paired,
    prepare_database,
    report,
    server,
    share,
)

SECONDS = 6
ARTICLES = 10_000

SEED = r"""
import datetime as dt, random
from django.utils import timezone
from django.utils.html import strip_tags
from cchc.portal.search import search_text
from cchc.portal.models import Article, Category
if Article.objects.filter(slug__startswith="bench-").count() < %(n)d:
    Article.objects.filter(slug__startswith="bench-").delete()
    cats = list(Category.objects.all()) or [Category.objects.create(name="Tin", slug="tin")]
    words = ("thủ tục hành chính khoa học công nghệ đổi mới sáng tạo chuyển đổi số dịch vụ công "
             "đo lường chất lượng tiêu chuẩn nông nghiệp giống cây doanh nghiệp hồ sơ kết quả").split()
    rng = random.Random(7)
    now = timezone.now()
    batch = []
    for i in range(%(n)d):
        title = " ".join(rng.choice(words) for _ in range(9)).capitalize() + f" {i}"
        summary = " ".join(rng.choice(words) for _ in range(30))
        body = "".join("<p>" + " ".join(rng.choice(words) for _ in range(60)) + "</p>" for _ in range(4))
        batch.append(Article(
            title=title, slug=f"bench-{i}", summary=summary, body=body,
            category=cats[i %% len(cats)], status="published",
            published_at=now - dt.timedelta(minutes=i + 1),
            search_title=search_text(title), search_body=search_text(summary, strip_tags(body)),
        ))
    Article.objects.bulk_create(batch, batch_size=1000)
from django.db import connection
with connection.cursor() as cursor:  # fresh statistics, as autovacuum would give
    cursor.execute("ANALYZE portal_article")
print(Article.objects.published().count())
"""

SEARCH = r"""
import time, statistics
from django.test import Client
from django.core.cache import cache
client = Client(SERVER_NAME="127.0.0.1")
queries = ["thu tuc hanh chinh", "THỦ TỤC", "khoa hoc cong nghe", "đổi mới", "do luong chat luong",
           "giong cay nong nghiep", "chuyen doi so", "ho so", "dich vu cong", "doanh nghiep ket qua"]
times = []
for round_ in range(4):
    for q in queries:
        start = time.perf_counter()
        response = client.get("/tim-kiem/", {"q": q, "page": 1 + round_ % 2})
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
times.sort()
print(f"{times[len(times) // 2]:.1f} {times[int(len(times) * 0.95) - 1]:.1f} {len(times)}")
"""

IN_PROCESS = r"""
import sys, time, types
from django.conf import settings
from django.shortcuts import render
from django.test import Client
from django.urls import path
from bench.urls import urlpatterns as base

# The page shell alone: the portal layout with an empty body (through every middleware).
module = types.ModuleType("portal_bench_urls")
module.urlpatterns = [path("bare-shell/", lambda r: render(r, "portal/layout.html"))] + list(base)
sys.modules["portal_bench_urls"] = module
settings.ROOT_URLCONF = "portal_bench_urls"
client = Client(HTTP_HOST="127.0.0.1")
urls = {"hello": "/bench/hello", "shell": "/bare-shell/", "home": "/", "article": "/tin-tuc/bench-0/"}
for url in urls.values():
    assert client.get(url).status_code == 200, url
best = {}
for round_ in range(3):
    for name, url in urls.items():
        start = time.perf_counter()
        for _ in range(100):
            client.get(url)
        ms = (time.perf_counter() - start) * 10
        best[name] = min(best.get(name, ms), ms)
print(" ".join(f"{best[name]:.2f}" for name in urls))
"""


def _django(code: str, env) -> str:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def run() -> None:
    prepare_database()
    env = bench_env()
    published = _django(SEED % {"n": ARTICLES}, env)
    median, p95, n = _django(SEARCH, env).split()
    in_process = {
        cached: _django(IN_PROCESS, {**env, "PORTAL_PAGE_CACHE_SECONDS": cached}).split()
        for cached in ("0", "60")
    }
    article = "/tin-tuc/bench-0/"
    figures = []
    rows = []
    with bare_hello_server() as bare_url:
        for cached in ("0", "60"):
            with server(
                "granian", workers=2, env=bench_env(PORTAL_PAGE_CACHE_SECONDS=cached)
            ) as base:
                hello, hello_bare = paired(bare_url, base + "/bench/hello", SECONDS)
                pages = (
                    [("reference: base layout page /tu-viet-tat/", "/tu-viet-tat/")]
                    if cached == "0"
                    else []
                ) + [
                    ("home, " + ("uncached" if cached == "0" else "page cache"), "/"),
                    (
                        "article, uncached (goal >= 25% of bare)"
                        if cached == "0"
                        else "article, page cache (goal >= 80% of bare)",
                        article,
                    ),
                ]
                rows.append(
                    (
                        f"own hello-world (PORTAL_PAGE_CACHE_SECONDS={cached})",
                        hello,
                        hello,
                        hello_bare,
                    )
                )
                for label, url in pages:
                    result, bare = paired(bare_url, base + url, SECONDS)
                    rows.append((label, result, hello, bare))
    for label, result, hello, bare in rows:
        figures.append((label, share(result, hello, bare)))
        figures.append(
            (
                "  p50 / p99 ms; bare hello just before",
                f"{result['p50_ms']:.1f} / {result['p99_ms']:.1f}; {bare['rps']:.0f} req/s",
            )
        )
    figures[:0] = [
        ("database", "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"),
        ("published articles", published),
        ("shares: of a bare Django hello measured just before each page", ""),
    ]
    figures.append((f"search page median / p95 ms ({n} requests, in process)", f"{median} / {p95}"))
    for cached, label in (("0", "uncached"), ("60", "page cache")):
        hello_ms, shell_ms, home_ms, article_ms = in_process[cached]
        figures.append(
            (
                f"in process, {label}: ms per request hello / bare shell / home / article",
                f"{hello_ms} / {shell_ms} / {home_ms} / {article_ms}",
            )
        )
    errors = sum(r["non2xx"] + b["non2xx"] for _, r, _, b in rows)
    figures.append(("non-2xx responses", str(errors)))
    report(f"portal (granian, 2 workers, wrk 2 threads x 32 connections, {SECONDS}s each)", figures)
