"""The load and fault test (bench/load_fault.py), 60 seconds, against the production topology
started by scripts/prod.sh on a fresh database (SQLite, or PostgreSQL next to DATABASE_URL)."""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_sixty_seconds_of_load_with_killed_workers_lose_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CCHC_"))}
    report = tmp_path / "load.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.load_fault",
            "--duration",
            "60",
            "--kill-interval",
            "15",
            "--threads",
            "6",
            "--json",
            str(report),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "load: all checks passed" in result.stdout
    figures = json.loads(report.read_text())
    assert figures["kills"] >= 3 and figures["worker_restarts"] == 1
    assert figures["filings_acked"] > 0 and figures["receptions"] > 0 and figures["hand_overs"] > 0
    assert figures["errors_other"] == {}, figures["errors_other"]
    assert all(passed for _, passed, _ in figures["checks"]) and len(figures["checks"]) >= 7
    # Everything it started is gone: state directory, nginx, database.
    assert not list((ROOT / "var").glob("cchc-load-*"))
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            assert b"cchc-load-" not in cmdline.read_bytes()
    if os.environ.get("DATABASE_URL"):
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        info = conninfo_to_dict(os.environ["DATABASE_URL"])
        admin = make_conninfo(**{**info, "dbname": "postgres"})
        with psycopg.connect(admin) as conn:
            left = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [f"{info['dbname']}_load"]
            ).fetchone()
        assert left is None
