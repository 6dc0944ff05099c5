"""Foundation: hello-world vs the base layout page, served by granian on 127.0.0.1."""

from bench.harness import prepare_database, report, server, wrk

SECONDS = 10


def run() -> None:
    prepare_database()
    with server("granian", workers=2) as base:
        hello = wrk(base + "/bench/hello", SECONDS)
        layout = wrk(base + "/tu-viet-tat/", SECONDS)
    report(
        "foundation (granian WSGI, 2 workers, --blocking-threads 1, wrk 2 threads x 32 connections, "
        f"{SECONDS}s each)",
        [
            ("hello-world req/s", f"{hello['rps']:.0f}"),
            ("base layout page (/tu-viet-tat/) req/s", f"{layout['rps']:.0f}"),
            ("layout / hello ratio", f"{layout['rps'] / hello['rps']:.1%}"),
            ("layout p50 / p99 latency (ms)", f"{layout['p50_ms']:.1f} / {layout['p99_ms']:.1f}"),
            ("non-2xx responses (hello, layout)", f"{hello['non2xx']}, {layout['non2xx']}"),
        ],
    )
