"""Foundation: hello-world vs pages in the base layout, served by granian on 127.0.0.1, each
as a share of a bare Django project's hello measured in the same run (bench/harness.py)."""

from bench.harness import bare_hello_server, paired, prepare_database, report, server, share

SECONDS = 10


def run() -> None:
    prepare_database()
    with bare_hello_server() as bare_url, server("granian", workers=2) as base:
        hello, bare = paired(bare_url, base + "/bench/hello", SECONDS)
        shell, bare_shell = paired(bare_url, base + "/tinh-han/", SECONDS)
        glossary, bare_glossary = paired(bare_url, base + "/tu-viet-tat/", SECONDS)
    report(
        f"foundation (granian WSGI, 2 workers, --blocking-threads 1; wrk 2x32, {SECONDS}s each)",
        [
            (
                "bare Django hello req/s (measured before each page)",
                " / ".join(f"{b['rps']:.0f}" for b in (bare, bare_shell, bare_glossary)),
            ),
            ("own hello-world (whole middleware stack)", share(hello, hello, bare)),
            ("base layout, small form page (/tinh-han/)", share(shell, hello, bare_shell)),
            ("base layout + 30-row table (/tu-viet-tat/)", share(glossary, hello, bare_glossary)),
            ("layout p50 / p99 latency (ms)", f"{shell['p50_ms']:.1f} / {shell['p99_ms']:.1f}"),
            ("non-2xx responses", f"{hello['non2xx'] + shell['non2xx'] + glossary['non2xx']}"),
        ],
    )
