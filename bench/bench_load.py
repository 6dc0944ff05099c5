"""`make bench BENCH_ARGS=load`: the load and fault test of the production topology
(bench/load_fault.py). LOAD_SECONDS (default 600) and LOAD_KILL_INTERVAL (30) shorten it;
DATABASE_URL set: on a fresh PostgreSQL database next to it, else on SQLite."""

import os

from bench import load_fault


def run() -> None:
    status = load_fault.main(
        [
            "--duration",
            os.environ.get("LOAD_SECONDS", "600"),
            "--kill-interval",
            os.environ.get("LOAD_KILL_INTERVAL", "30"),
        ]
    )
    if status:
        raise SystemExit(status)
