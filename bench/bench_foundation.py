"""Foundation: hello-world vs pages in the base layout, served by granian on 127.0.0.1, each
as a share of a bare Django project's hello measured in the same run (bench/harness.py)."""

from bench.harness import bare_hello, prepare_database, report, server, share, wrk

SECONDS = 10


def run() -> None:
    prepare_database()
    bare = bare_hello(SECONDS)
    with server("granian", workers=2) as base:
        hello = wrk(base + "/bench/hello", SECONDS)
        shell = wrk(base + "/tinh-han/", SECONDS)
        glossary = wrk(base + "/tu-viet-tat/", SECONDS)
    report(
        f"foundation (granian WSGI, 2 workers, --blocking-threads 1; wrk 2x32, {SECONDS}s each)",
        [
            ("bare Django hello req/s", f"{bare['rps']:.0f} [load {bare['load']}]"),
            ("own hello-world (whole middleware stack)", share(hello, hello, bare)),
            ("base layout, small form page (/tinh-han/)", share(shell, hello, bare)),
            ("base layout + 30-row table (/tu-viet-tat/)", share(glossary, hello, bare)),
            ("layout p50 / p99 latency (ms)", f"{shell['p50_ms']:.1f} / {shell['p99_ms']:.1f}"),
            ("non-2xx responses", f"{hello['non2xx'] + shell['non2xx'] + glossary['non2xx']}"),
        ],
    )
