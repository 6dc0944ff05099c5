"""nginx in front (deploy/nginx.conf.in, as `make prod` runs it: TLS, microcache, static files):
an anonymous article through nginx against nginx serving the same bytes as a static file
(goal >= 50%), and both as shares of a bare Django hello measured in the same run."""

import ssl
import tempfile
import urllib.request
from pathlib import Path

from bench import bench_portal
from bench.harness import (
    bare_hello_server,
    bench_env,
    free_port,
    nginx,
    nginx_config,
    paired,
    prepare_database,
    report,
    server,
    share,
    wrk,
)

SECONDS = 6
ARTICLE = "/tin-tuc/bench-0/"


def _get(url: str) -> tuple[dict, bytes]:
    context = ssl._create_unverified_context()
    with urllib.request.urlopen(url, context=context, timeout=10) as response:
        return dict(response.headers), response.read()


def run() -> None:
    prepare_database()
    published = bench_portal._django(bench_portal.SEED % {"n": bench_portal.ARTICLES}, bench_env())
    with (
        bare_hello_server() as bare_url,
        tempfile.TemporaryDirectory(prefix="cchc-nginx-") as tmp,
    ):
        var = Path(tmp)
        static = var / "static"
        static.mkdir()
        env = bench_env(
            PORTAL_PAGE_CACHE_SECONDS="60",
            CCHC_TRUSTED_PROXIES="127.0.0.1",
            CCHC_NGINX_VIEW_LOG=str(var / "log" / "article-views.log"),
        )
        with server("granian", workers=2, env=env) as app:
            app_port = int(app.rsplit(":", 1)[1])
            port = free_port()
            conf = nginx_config(var, app_port=app_port, https_port=port, static_root=static)
            with nginx(conf, port) as base:
                _get(base + ARTICLE)
                headers, body = _get(base + ARTICLE)
                (static / "article.html").write_bytes(body)
                hello, bare = paired(bare_url, app + "/bench/hello", SECONDS)
                direct, bare_direct = paired(bare_url, app + ARTICLE, SECONDS)
                file, bare_file = paired(bare_url, base + "/static/article.html", SECONDS)
                proxied = wrk(base + ARTICLE, SECONDS)  # right after the file: same load
    report(
        f"nginx (TLS; granian 2 workers behind; wrk 2x32, {SECONDS}s each; {published} articles)",
        [
            (
                "bare Django hello req/s (measured before each)",
                " / ".join(f"{b['rps']:.0f}" for b in (bare, bare_direct, bare_file)),
            ),
            ("own hello-world, straight to granian", share(hello, hello, bare)),
            ("article straight to granian (app page cache)", share(direct, hello, bare_direct)),
            ("nginx: the article's bytes as a static file", share(file, hello, bare_file)),
            ("nginx: anonymous article (microcache)", share(proxied, hello, bare_file)),
            (
                "  article through nginx / static file (goal >= 50%)",
                f"{proxied['rps'] / file['rps']:.0%}",
            ),
            ("  X-Cache-Status of a repeated visit", headers.get("X-Cache-Status", "-")),
            ("  page bytes", str(len(body))),
            ("  p50 / p99 ms (article via nginx)", f"{proxied['p50_ms']} / {proxied['p99_ms']}"),
            (
                "non-2xx (hello, direct, file, proxied)",
                ", ".join(str(r["non2xx"]) for r in (hello, direct, file, proxied)),
            ),
        ],
    )
