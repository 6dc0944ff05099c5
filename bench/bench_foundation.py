"""Foundation: hello-world vs pages in the base layout, served by granian on 127.0.0.1."""

from bench.harness import prepare_database, report, server, wrk

SECONDS = 10


def run() -> None:
    prepare_database()
    with server("granian", workers=2) as base:
        hello = wrk(base + "/bench/hello", SECONDS)
        shell = wrk(base + "/tinh-han/", SECONDS)
        glossary = wrk(base + "/tu-viet-tat/", SECONDS)
    report(
        f"foundation (granian WSGI, 2 workers, --blocking-threads 1; wrk 2x32, {SECONDS}s each)",
        [
            ("hello-world req/s", f"{hello['rps']:.0f}"),
            ("base layout, small form page (/tinh-han/) req/s", f"{shell['rps']:.0f}"),
            ("base layout + 30-row table (/tu-viet-tat/) req/s", f"{glossary['rps']:.0f}"),
            ("layout page / hello ratio", f"{shell['rps'] / hello['rps']:.1%}"),
            ("glossary page / hello ratio", f"{glossary['rps'] / hello['rps']:.1%}"),
            ("layout p50 / p99 latency (ms)", f"{shell['p50_ms']:.1f} / {shell['p99_ms']:.1f}"),
            ("non-2xx responses", f"{hello['non2xx'] + shell['non2xx'] + glossary['non2xx']}"),
        ],
    )
