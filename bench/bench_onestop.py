"""One-stop desk on PostgreSQL with 1,000,000 dossiers: the yearly statistics by procedure and
month against one count(*); lookup by code against hello-world (same run, same server);
concurrent receptions (codes unique and gapless, receptions per second).

Needs PostgreSQL at BENCH_PG (default postgres://postgres@127.0.0.1:5432); uses its own database
cchc_onestop_bench, dropped at the end. Every step is bounded in time.
"""

import json
import os
import subprocess
import sys
import time

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

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = f"cchc_onestop_bench_{os.getpid()}"  # its own, even beside another engineer's run
ROWS = int(os.environ.get("BENCH_DOSSIERS", "1000000"))
SECONDS = 10
WORKERS = 40  # receiving threads: stays well under PostgreSQL's max_connections (100)
RECEPTIONS = 100


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def run() -> None:
    _admin(f"DROP DATABASE IF EXISTS {DB}")
    _admin(f"CREATE DATABASE {DB}")
    # The lookup's per-address limit (30 in 10 minutes) would answer wrk with 429s.
    env = bench_env(
        DATABASE_URL=f"{PG}/{DB}", CONN_MAX_AGE="60", CCHC_RATE_LIMITS="dossier-lookup=1000000/s"
    )
    try:
        prepare_database(env)
        fill = _inner("fill", env, timeout=300)
        stats = _inner("stats", env, timeout=120)
        with bare_hello_server() as bare_url, server("granian", workers=2, env=env) as base:
            hello, bare = paired(bare_url, base + "/bench/hello", SECONDS)
            lookup = f"{base}/api/v1/dossiers/lookup?code={stats['code']}"
            code_only, bare_code = paired(bare_url, lookup, SECONDS)
            with_secret, bare_secret = paired(bare_url, lookup + "&secret=DEMO2026", SECONDS)
        desk = _inner("receive", env, timeout=120)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    report(
        f"onestop (PostgreSQL, {fill['rows']:,} dossiers; granian 2 workers; wrk 2x32, {SECONDS}s)",
        [
            ("generate dossiers with INSERT ... SELECT (s)", f"{fill['seconds']:.1f}"),
            ("statistics for a year by procedure and month (ms)", f"{stats['stats_ms']:.0f}"),
            ("  groups returned", f"{stats['groups']}"),
            ("  (same grouping straight over the dossiers table, ms)", f"{stats['raw_ms']:.0f}"),
            (
                "rebuild of the monthly figures from all dossiers (s)",
                f"{fill['rebuild_seconds']:.1f}",
            ),
            ("count(*) over the table (ms)", f"{stats['count_ms']:.0f}"),
            (
                "  ratio statistics / count(*) (goal <= 3)",
                f"{stats['stats_ms'] / stats['count_ms']:.2f}",
            ),
            (
                "bare Django hello req/s (measured before each)",
                " / ".join(f"{b['rps']:.0f}" for b in (bare, bare_code, bare_secret)),
            ),
            ("own hello-world (whole middleware stack)", share(hello, hello, bare)),
            ("lookup by code (goal >= 50% of bare hello)", share(code_only, hello, bare_code)),
            ("lookup by code + secret", share(with_secret, hello, bare_secret)),
            ("lookup p50 / p99 (ms)", f"{code_only['p50_ms']:.1f} / {code_only['p99_ms']:.1f}"),
            (
                "non-2xx (hello, code, code+secret)",
                f"{hello['non2xx']}, {code_only['non2xx']}, {with_secret['non2xx']}",
            ),
            (
                f"{RECEPTIONS} receptions by {WORKERS} threads: receptions/s",
                f"{desk['per_second']:.0f}",
            ),
            (
                "  codes unique and gapless",
                "yes" if desk["gapless"] else f"NO: {desk['codes'][:5]}",
            ),
            ("  errors", f"{desk['errors']}"),
        ],
    )


def _inner(step: str, env: dict, timeout: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_onestop", step],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if out.returncode:
        raise RuntimeError(f"{step} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    shown = {k: v for k, v in result.items() if not isinstance(v, list)}
    print(f"  {step}: {shown}", flush=True)  # kept even if a later step fails
    return result


# Steps run inside a Django process on the bench database.

FILL_SQL = """
INSERT INTO dossiers_dossier (
    code, agency_id, procedure_id, channel, status, secret_hash, applicant_kind, applicant_name,
    applicant_id_number, applicant_phone, applicant_email, applicant_address, representative_name,
    representative_phone, full_online, digitised, result_digitised, submitted_at, received_at,
    clock_start, due_at, due_explanation, apology_reason, decided_at, returned_at, closed_at,
    outcome, result_text, refusal_reason, current_unit_id, late_supplement,
    national_code, national_account, vneid_verified, paid_online, version
)
SELECT
    'B-' || lpad(g::text, 8, '0'), %(agency)s, (%(procedures)s::int[])[1 + g %% %(n)s],
    1 + g %% 3, CASE WHEN g %% 10 = 0 THEN 4 ELSE 10 END, %(secret)s, 'person',
    'Người nộp ' || g, '025' || lpad(g::text, 9, '0'), '09' || lpad(g::text, 8, '0'), '',
    'Phú Thọ', '', '', g %% 7 = 0, g %% 5 <> 0, g %% 4 <> 0, r.at, r.at, r.at,
    r.at + interval '7 days', '[]'::jsonb, '',
    CASE WHEN g %% 10 = 0 THEN NULL ELSE r.at + (g %% 9) * interval '1 day' END,
    CASE WHEN g %% 10 = 0 THEN NULL ELSE r.at + (g %% 9 + 1) * interval '1 day' END,
    CASE WHEN g %% 10 = 0 THEN NULL ELSE r.at + (g %% 9 + 1) * interval '1 day' END,
    CASE WHEN g %% 10 = 0 THEN '' WHEN g %% 9 > 7 THEN 'late' WHEN g %% 9 = 7 THEN 'on_time' ELSE 'early' END,
    '', '', %(unit)s, false,
    '', '', false, 0, 0
FROM generate_series(1, %(rows)s) AS g,
     LATERAL (SELECT now() - (g %% 525600) * interval '1 minute' - interval '1 day' AS at) AS r
"""


def _fill() -> dict:
    from django.db import connection

    from cchc.core.models import Agency, Unit
    from cchc.dossiers.models import Dossier
    from cchc.procedures.models import Procedure

    agency = Agency.objects.get(code="SKHCN")
    procedures = list(
        Procedure.objects.current().filter(time__isnull=False).values_list("id", flat=True)
    )
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '240s'")
        cursor.execute(
            FILL_SQL,
            {
                "agency": agency.pk,
                "procedures": procedures,
                "n": len(procedures),
                "secret": Dossier.hash_secret("DEMO2026"),
                "unit": Unit.objects.get(agency=agency, code="QLCN").pk,
                "rows": ROWS,
            },
        )
        cursor.execute("VACUUM ANALYZE dossiers_dossier")
    filled = time.monotonic()
    from cchc.dossiers.services import rebuild_monthly_figures

    rebuild_monthly_figures(agency=agency)
    return {
        "rows": Dossier.objects.count(),
        "seconds": filled - started,
        "rebuild_seconds": time.monotonic() - filled,
    }


def _median_ms(fn, times=3) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)[len(samples) // 2]


def _stats() -> dict:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from cchc.core.models import Agency
    from cchc.dossiers import statistics
    from cchc.dossiers.models import Dossier

    agency = Agency.objects.get(code="SKHCN")
    end = timezone.localdate()
    start = end - dt.timedelta(days=365)
    result = {}

    def run_stats():
        result["groups"] = len(statistics.by_procedure_and_month(agency, start, end))

    def run_raw():
        from django.db.models import Count, Q
        from django.db.models.functions import TruncMonth

        from cchc.core.workcalendar import local_tz

        begin = dt.datetime.combine(start, dt.time.min, local_tz())
        list(
            Dossier.objects.filter(agency=agency, received_at__gte=begin)
            .annotate(month=TruncMonth("received_at", tzinfo=local_tz()))
            .values("procedure_id", "month")
            .annotate(n=Count("id"), late=Count("id", filter=Q(outcome="late")))
        )

    def run_count():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM dossiers_dossier")
            cursor.fetchone()

    run_stats(), run_count()  # warm the cache
    code = (
        Dossier.objects.filter(agency=agency, code__startswith="SKHCN-")
        .order_by("-id")
        .values_list("code", flat=True)
        .first()
    )
    return {
        "stats_ms": _median_ms(run_stats),
        "count_ms": _median_ms(run_count),
        "raw_ms": _median_ms(run_raw, times=1),
        "groups": result["groups"],
        "code": code,
    }


def _receive() -> dict:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from django.utils import timezone

    from cchc.core.models import User
    from cchc.dossiers import services
    from cchc.dossiers.models import Dossier
    from cchc.procedures.models import Procedure

    desk = User.objects.get(username="motcua")
    desk.roles()
    procedure = Procedure.objects.current().get(code="2.002248")
    applicant = services.Applicant(
        kind="person", name="Bench", id_number="001203004567", phone="0912345678", address="Phú Thọ"
    )
    moment = timezone.now().replace(year=timezone.now().year + 1)  # a day nobody else uses
    errors, lock = [], threading.Lock()

    def one(_):
        try:
            services.dossier_receive_paper(
                actor=desk, procedure=procedure, applicant=applicant, at=moment
            )
        except Exception as error:  # noqa: BLE001 - counted and reported
            with lock:
                errors.append(repr(error))
        finally:
            connection.close()

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(one, range(RECEPTIONS)))
    seconds = time.monotonic() - started
    prefix = f"{desk.agency.code}-{timezone.localtime(moment):%y%m%d}-"
    codes = sorted(Dossier.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    expected = [f"{prefix}{n:04d}" for n in range(1, RECEPTIONS + 1)]
    return {
        "per_second": RECEPTIONS / seconds,
        "gapless": codes == expected,
        "codes": codes,
        "errors": len(errors),
    }


if __name__ == "__main__":
    import django

    django.setup()
    step = {"fill": _fill, "stats": _stats, "receive": _receive}[sys.argv[1]]
    print(json.dumps(step(), default=str))
