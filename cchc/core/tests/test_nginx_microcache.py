"""The microcache of deploy/nginx.conf.in, through a real nginx in front of a small upstream on
127.0.0.1 that counts the requests reaching it: what nginx keeps, and what always passes."""

import ssl
import threading
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import harness

CONTEXT = ssl._create_unverified_context()
VIEW_LOG = {}  # where the running nginx logs the views it answered from its cache


class Upstream(BaseHTTPRequestHandler):
    seen: Counter = Counter()

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        Upstream.seen[(self.command, self.path)] += 1
        body = f"trang {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Cookie, Accept-Language")
        self.send_header("X-Request-ID", "upstream-id")
        if self.path.startswith("/tin-tuc/co-cookie/"):
            self.send_header("Set-Cookie", "csrftoken=abc; Path=/")
        if self.path.startswith("/tin-tuc/rieng/"):
            self.send_header("Cache-Control", "private")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    var = tmp_path_factory.mktemp("nginx")
    static = var / "static"
    static.mkdir()
    (static / "tep.txt").write_text("tệp tĩnh")
    port = harness.free_port()
    conf = harness.nginx_config(
        var, app_port=upstream.server_address[1], https_port=port, static_root=static
    )
    with harness.nginx(conf, port) as base:
        VIEW_LOG["path"] = var / "log" / "article-views.log"
        yield base
    upstream.shutdown()


def fetch(url, method="GET", headers=None):
    data = b"a=1" if method == "POST" else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    with urllib.request.urlopen(request, context=CONTEXT, timeout=10) as response:
        return response.headers, response.read()


def reached(path, method="GET"):
    return Upstream.seen[(method, path)]


def test_an_anonymous_portal_page_is_kept_and_each_answer_has_its_own_id(site):
    first, body = fetch(site + "/tin-tuc/bai-mot/")
    second, again = fetch(site + "/tin-tuc/bai-mot/")
    assert reached("/tin-tuc/bai-mot/") == 1
    assert (first["X-Cache-Status"], second["X-Cache-Status"]) == ("MISS", "HIT")
    assert again == body == b"trang /tin-tuc/bai-mot/"
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert "upstream-id" not in (first["X-Request-ID"], second["X-Request-ID"])
    # The CSRF cookie alone is still an anonymous visitor: the same kept copy.
    third, _ = fetch(site + "/tin-tuc/bai-mot/", headers={"Cookie": "csrftoken=xyz"})
    assert third["X-Cache-Status"] == "HIT"
    assert reached("/tin-tuc/bai-mot/") == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Cookie": "sessionid=abc"},
        {"Cookie": "csrftoken=xyz; sessionid=abc"},
        {"Cookie": "messages=abc"},
        {"Authorization": "Token abc"},
    ],
)
def test_a_session_a_flash_message_or_a_token_always_reaches_the_app(site, headers):
    path = "/tin-tuc/bai-hai/"
    fetch(site + path)  # kept for anonymous visitors
    before = reached(path)
    for _ in range(2):
        answer, _ = fetch(site + path, headers=headers)
        assert answer["X-Cache-Status"] == "BYPASS"
    assert reached(path) == before + 2


def test_post_is_never_answered_from_the_cache(site):
    fetch(site + "/tin-tuc/bai-ba/")
    for _ in range(2):
        fetch(site + "/tin-tuc/bai-ba/", method="POST")
    assert reached("/tin-tuc/bai-ba/", "POST") == 2


@pytest.mark.parametrize(
    "path", ["/quan-ly/tin-tuc/", "/quan-tri/", "/ho-so/tra-cuu/", "/tin-tuc/bai-mot/y-kien/"]
)
def test_staff_and_other_paths_are_never_kept(site, path):
    for _ in range(2):
        answer, _ = fetch(site + path)
        assert answer["X-Cache-Status"] == "BYPASS"
    assert reached(path) == 2


@pytest.mark.parametrize("path", ["/tin-tuc/co-cookie/", "/tin-tuc/rieng/"])
def test_a_response_with_set_cookie_or_private_is_not_stored(site, path):
    for _ in range(2):
        fetch(site + path)
    assert reached(path) == 2


def test_static_files_are_served_by_nginx(site):
    headers, body = fetch(site + "/static/tep.txt")
    assert body.decode() == "tệp tĩnh"
    assert reached("/static/tep.txt") == 0


@pytest.mark.django_db
def test_an_article_answered_by_the_microcache_still_counts_its_visitor(site, settings):
    from cchc.core.testing import make_agency
    from cchc.portal import services
    from cchc.portal.tests import factories as f

    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    make_agency("SKHCN")
    article = f.article(f.category(), "Bài xem qua nginx")
    path = f"/tin-tuc/{article.slug}/"
    services.views_from_proxy_log(str(VIEW_LOG["path"]))  # earlier tests' lines are not this one's
    visitor = {"X-Forwarded-For": "203.0.113.7", "User-Agent": 'Trinh "duyet" \\ A'}
    fetch(site + path, headers=visitor)  # reaches the app, which counts it itself
    for headers in (visitor, visitor, {**visitor, "X-Forwarded-For": "203.0.113.8"}):
        answer, _ = fetch(site + path, headers=headers)
        assert answer["X-Cache-Status"] == "HIT"
    assert reached(path) == 1
    # The visit the app saw, as the app's own visitor key counts it (a reload is not new).
    services.view_register(
        article_id=article.pk, visitor=services.visitor_hash("203.0.113.7", visitor["User-Agent"])
    )
    import time

    deadline = time.monotonic() + 5  # nginx writes its log line after the answer
    while VIEW_LOG["path"].read_text().count(path) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert services.views_from_proxy_log(str(VIEW_LOG["path"])) == 1  # only 203.0.113.8 is new
    assert services.pending_views(article.pk) == 2
    assert (
        services.views_from_proxy_log(str(VIEW_LOG["path"])) == 0
    )  # read on from where it stopped
