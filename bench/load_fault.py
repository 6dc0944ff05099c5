"""Load and fault test of the production topology (scripts/prod.sh), 127.0.0.1 only, bounded.

It starts its own topology (nginx TLS -> granian 2 workers -> database, Redis, task worker) on
free ports, its own database and its own Redis key prefix, then for --duration seconds mixes
public page views, searches, dossier lookups, online filings, desk receptions and hand-overs
(staff through the API with a token), while it SIGKILLs one granian worker every
--kill-interval seconds and restarts the task worker once half-way. Afterwards it checks the
database: every acknowledged filing exists exactly once, no filing twice, codes gapless per
agency and day, no dossier half-written, every hand-over with its audit entry, every
notification task run, view counts not lost. Exit status 1 when a check fails.

    .venv/bin/python -m bench.load_fault --duration 600           # or: make bench BENCH_ARGS=load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cchc_x .venv/bin/python -m bench.load_fault

Database: a fresh PostgreSQL database `<name of DATABASE_URL>_load` (dropped at the end) when
DATABASE_URL is set, else a temporary SQLite file.
"""

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROD = ROOT / "scripts" / "prod.sh"
GATEWAY = {502, 503, 504}  # nginx while a worker is being killed or respawned
SEARCHES = ["thủ tục", "khoa học", "hồ sơ", "chuyển đổi số", "cải cách hành chính", "công nghệ"]
WEIGHTS = {
    "home": 12,
    "article": 25,
    "search": 8,
    "lookup_api": 10,
    "lookup_page": 5,
    "filing": 20,
    "staff": 20,
}


# ---- Driver side (no Django) ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pdf_bytes(tag: str) -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%" + tag.encode() + b"\n%%EOF\n"
    )


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = []
    for name, value in fields.items():
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in files.items():
        out.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


class Topology:
    """scripts/prod.sh on its own ports, state directory, database and Redis key prefix."""

    def __init__(self, state: Path, database_url: str, redis_url: str, flush_seconds: int):
        self.state = state
        self.https_port = free_port()
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "CCHC_")) and k not in {"STATIC_ROOT", "MEDIA_ROOT"}
            },
            "CCHC_PROD_DIR": str(state),
            "CCHC_PROD_HTTP_PORT": str(free_port()),
            "CCHC_PROD_HTTPS_PORT": str(self.https_port),
            "CCHC_PROD_APP_PORT": str(free_port()),
            "CCHC_PROD_FLUSH_SECONDS": str(flush_seconds),
            "DATABASE_URL": database_url,
            "SQLITE_PATH": str(state / "db.sqlite3"),
            "REDIS_URL": redis_url,
            "CACHE_KEY_PREFIX": f"load{os.getpid()}x{uuid.uuid4().hex[:6]}",
            "CCHC_RATE_LIMIT_SCALE": "1000",  # and every simulated client has its own address
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "PY": sys.executable,
        }

    def prod(self, *args, timeout=600, check=True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            ["bash", str(PROD), *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode:
            raise RuntimeError(f"prod.sh {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result

    def django(self, function: str, data: dict, timeout=600) -> dict:
        """Run one of the db_* functions below inside Django with the production environment."""
        io = self.state / f"{function}.json"
        io.write_text(json.dumps(data))
        code = f"import bench.load_fault as m; m.{function}({str(io)!r})"
        self.prod("manage", "shell", "-c", code, timeout=timeout)
        return json.loads(io.read_text())

    def pid(self, name: str) -> int:
        return int((self.state / "run" / f"{name}.pid").read_text())

    def granian_workers(self) -> list[int]:
        main = self.pid("granian")
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == main:
                    children.append(int(stat.parent.name))
        return sorted(children)


class Client:
    """One keep-alive HTTPS connection to nginx (verifying the self-signed certificate)."""

    def __init__(self, port: int, cafile: Path):
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.conn = None

    def request(self, method, path, *, body=None, headers=None):
        headers = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, context=self.context, timeout=60
                )
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection closed by nginx before this request was sent: retry
                # once on a new connection (GET only: a POST may have reached the app).
                self.close()
                if attempt == 2 or method != "GET":
                    raise
        raise AssertionError("unreachable")

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Load:
    def __init__(self, topo: Topology, setup: dict, seconds: float, threads: int, seed: int):
        self.topo, self.setup = topo, setup
        self.deadline = time.monotonic() + seconds
        self.threads = threads
        self.lock = threading.Lock()
        self.samples = defaultdict(list)  # kind -> [(status or error, ms)]
        self.acked = []  # (token, code)
        self.unacked_tokens = []  # filings without a 2xx (may or may not exist)
        self.to_receive = []  # acknowledged codes waiting for the desk
        self.receiving = set()
        self.received = []
        self.handed_over = 0
        self.lookup_codes = list(setup["codes"])
        self.views_acked = set()  # (visitor, slug) answered 2xx
        self.views_tried = set()
        self.visitors = []
        self.counter = 0
        self.seed = seed

    # identities: every simulated client has its own address (X-Forwarded-For) and browser
    def identity(self) -> tuple[str, dict]:
        with self.lock:
            self.counter += 1
            n = self.counter
        ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
        visitor = f"{ip}|load-{n}"
        return visitor, {"X-Forwarded-For": ip, "User-Agent": f"load-{n}"}

    def record(self, kind, status, started):
        ms = (time.monotonic() - started) * 1000
        with self.lock:
            self.samples[kind].append((status, ms))

    def run(self):
        workers = [
            threading.Thread(target=self.worker, args=(i,), daemon=True)
            for i in range(self.threads)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    def worker(self, index):
        rng = random.Random(self.seed * 1000 + index)
        client = Client(self.topo.https_port, self.topo.state / "tls" / "cert.pem")
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.monotonic() < self.deadline:
            kind = rng.choices(kinds, weights)[0]
            if kind == "staff" and not self.to_receive:
                kind = "filing"
            started = time.monotonic()
            try:
                status = getattr(self, f"do_{kind}")(client, rng)
            except (OSError, http.client.HTTPException) as error:
                client.close()
                status = f"connection: {type(error).__name__}"
            if status is not None:
                self.record(kind, status, started)

    def do_home(self, client, rng):
        return client.request("GET", "/", headers=self.identity()[1])[0]

    def do_article(self, client, rng):
        slug = rng.choice(self.setup["slugs"])
        with self.lock:
            again = self.visitors and rng.random() < 0.2
            visitor, headers = rng.choice(self.visitors) if again else (None, None)
        if visitor is None:
            visitor, headers = self.identity()
            with self.lock:
                self.visitors.append((visitor, headers))
        with self.lock:
            self.views_tried.add((visitor, slug))
        status, _ = client.request("GET", f"/tin-tuc/{slug}/", headers=headers)
        if 200 <= status < 300:
            with self.lock:
                self.views_acked.add((visitor, slug))
        return status

    def do_search(self, client, rng):
        from urllib.parse import quote

        q = quote(rng.choice(SEARCHES))
        return client.request("GET", f"/tim-kiem/?q={q}", headers=self.identity()[1])[0]

    def do_lookup_api(self, client, rng):
        with self.lock:
            code = rng.choice(self.lookup_codes)
        path = f"/api/v1/dossiers/lookup?code={code}"
        return client.request("GET", path, headers=self.identity()[1])[0]

    def do_lookup_page(self, client, rng):
        with self.lock:
            code = rng.choice(self.lookup_codes)
        return client.request("GET", f"/ho-so/tra-cuu/?code={code}", headers=self.identity()[1])[0]

    def do_filing(self, client, rng):
        token = uuid.uuid4().hex
        fields = {
            "procedure": self.setup["procedure"],
            "applicant_kind": "person",
            "name": "Người nộp thử tải",
            "id_number": f"{rng.randrange(10**11, 10**12):012d}",
            "phone": f"09{rng.randrange(10**7, 10**8)}",
            "email": f"load-{token[:8]}@example.com",
            "address": f"Phú Thọ [load:{token}]",
        }
        files = {
            f"component_{pk}": (f"tp-{pk}.pdf", pdf_bytes(f"{token}-{pk}"))
            for pk in self.setup["components"]
        }
        body, content_type = multipart(fields, files)
        headers = {**self.identity()[1], "Content-Type": content_type}
        try:
            status, data = client.request("POST", "/api/v1/dossiers/", body=body, headers=headers)
        except BaseException:
            with self.lock:
                self.unacked_tokens.append(token)
            raise
        code = None
        if 200 <= status < 300:
            with contextlib.suppress(ValueError, KeyError):
                code = json.loads(data)["code"]
        with self.lock:
            if code:
                self.acked.append((token, code))
                self.to_receive.append(code)
                self.lookup_codes.append(code)
            else:
                self.unacked_tokens.append(token)
        return status

    def staff(self, client, token, path, payload=None):
        headers = {
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            **self.identity()[1],
        }
        started = time.monotonic()
        body = {}
        try:
            status, data = client.request(
                "POST", path, body=json.dumps(payload or {}).encode(), headers=headers
            )
        except (OSError, http.client.HTTPException) as error:
            client.close()
            status = f"connection: {type(error).__name__}"
        else:
            with contextlib.suppress(ValueError):
                body = json.loads(data) if status == 200 else {}
        kind = "reception" if path.endswith("/accept") else "hand-over"
        self.record(kind, status, started)
        return status, body

    def do_staff(self, client, rng):
        """Desk reception (accept) then two hand-overs of one acknowledged filing, each by
        the person of the step it is at (the desk's, then the specialist's), naming the step
        and version they saw."""
        with self.lock:
            if not self.to_receive:
                return None
            code = self.to_receive.pop(rng.randrange(len(self.to_receive)))
        desk, specialist = self.setup["desk_token"], self.setup["specialist_token"]
        status, seen = self.staff(client, desk, f"/api/v1/dossiers/{code}/accept")
        if status != 200:
            return None  # uncertain after a gateway error: leave the dossier as it is
        with self.lock:
            self.received.append(code)
        for token, note in ((desk, "Chuyển phòng chuyên môn"), (specialist, "Chuyển bước tiếp")):
            payload = {"note": note, "step": seen["step"]["id"], "version": seen["version"]}
            status, seen = self.staff(client, token, f"/api/v1/dossiers/{code}/hand-over", payload)
            if status != 200:
                return None
            with self.lock:
                self.handed_over += 1
        return None


class Faults(threading.Thread):
    def __init__(self, topo: Topology, seconds: float, kill_interval: float):
        super().__init__(daemon=True)
        self.topo, self.seconds, self.kill_interval = topo, seconds, kill_interval
        self.kills, self.worker_restarts, self.problems = [], 0, []
        self.stop = threading.Event()

    def run(self):
        started = time.monotonic()
        next_kill = started + self.kill_interval
        restart_at = started + self.seconds / 2
        restarted = False
        while not self.stop.wait(0.2):
            now = time.monotonic()
            if now >= next_kill:
                next_kill += self.kill_interval
                workers = self.topo.granian_workers()
                if not workers:
                    self.problems.append(f"no granian worker to kill at {now - started:.0f}s")
                    continue
                victim = workers[len(self.kills) % len(workers)]
                with contextlib.suppress(ProcessLookupError):
                    os.kill(victim, signal.SIGKILL)
                    self.kills.append((round(now - started, 1), victim))
            if not restarted and now >= restart_at:
                restarted = True
                self.topo.prod("restart-worker", timeout=60)
                self.worker_restarts += 1


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def create_database(database_url: str | None) -> tuple[str, callable]:
    """A fresh database: PostgreSQL `<name>_load` next to DATABASE_URL, or SQLite ('')."""
    if not database_url:
        return "", lambda: None
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(database_url)
    name = f"{info['dbname']}_load"
    admin = make_conninfo(**{**info, "dbname": "postgres"})

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    drop()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _url(info, name), drop


def _url(info: dict, name: str) -> str:
    user = info.get("user", "postgres")
    password = f":{info['password']}" if info.get("password") else ""
    host = info.get("host", "127.0.0.1")
    port = info.get("port", "5432")
    return f"postgres://{user}{password}@{host}:{port}/{name}"


def clear_redis(redis_url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start : start + 500])
    return len(keys)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600, help="seconds of load")
    parser.add_argument("--kill-interval", type=float, default=30, help="seconds between kills")
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients")
    parser.add_argument("--flush-seconds", type=int, default=20, help="view-count flush period")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep database and state directory")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    state = Path(
        tempfile.mkdtemp(prefix="cchc-load-", dir=ROOT / "var" if (ROOT / "var").is_dir() else None)
    )
    database_url, drop_database = create_database(os.environ.get("DATABASE_URL"))
    topo = Topology(state, database_url, args.redis_url, args.flush_seconds)
    database = "PostgreSQL" if database_url else "SQLite"
    print(f"load: {database}, state {state}, https://127.0.0.1:{topo.https_port}/", flush=True)
    report, ok = {}, False
    try:
        prepared = time.monotonic()
        topo.prod("start", timeout=900)
        setup = topo.django("db_setup", {})
        print(f"load: topology ready in {time.monotonic() - prepared:.0f}s", flush=True)
        load = Load(topo, setup, args.duration, args.threads, args.seed)
        faults = Faults(topo, args.duration, args.kill_interval)
        started = time.monotonic()
        faults.start()
        load.run()
        faults.stop.set()
        faults.join()
        elapsed = time.monotonic() - started
        workers_after = _wait_workers(topo, 2, timeout=15)
        checks = topo.django(
            "db_check",
            {
                "since": setup["since"],
                "acked": load.acked,
                "unacked": load.unacked_tokens,
                "baseline": setup["views"],
                "views_acked": sorted({slug for _, slug in load.views_acked}),
                "views_acked_pairs": _per_slug(load.views_acked),
                "views_tried_pairs": _per_slug(load.views_tried),
            },
        )
        if workers_after != 2:
            checks["checks"].append(
                [
                    "granian respawned its killed workers",
                    False,
                    f"{workers_after} workers alive",
                ]
            )
        else:
            checks["checks"].append(
                ["granian respawned its killed workers", True, "2 workers alive at the end"]
            )
        if faults.problems:
            checks["checks"].append(
                ["faults injected as planned", False, "; ".join(faults.problems)]
            )
        report = summarise(load, faults, checks, elapsed, database, args)
        ok = all(passed for _, passed, _ in checks["checks"])
    finally:
        with contextlib.suppress(Exception):
            topo.prod("stop", timeout=120, check=False)
        if not args.keep:
            with contextlib.suppress(Exception):
                clear_redis(args.redis_url, topo.env["CACHE_KEY_PREFIX"])
            with contextlib.suppress(Exception):
                drop_database()
            shutil.rmtree(state, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print("load: all checks passed" if ok else "load: CHECKS FAILED", flush=True)
    return 0 if ok else 1


def _per_slug(pairs) -> dict:
    return dict(Counter(slug for _, slug in pairs))


def _wait_workers(topo, expected, timeout):
    deadline = time.monotonic() + timeout
    while True:
        count = len(topo.granian_workers())
        if count >= expected or time.monotonic() > deadline:
            return count
        time.sleep(0.5)


def summarise(load: Load, faults: Faults, checks: dict, elapsed, database, args) -> dict:
    total = sum(len(v) for v in load.samples.values())
    gateway = Counter()
    other = Counter()
    rows = []
    for kind, samples in sorted(load.samples.items()):
        ms = [m for _, m in samples]
        for status, _ in samples:
            if isinstance(status, int) and status < 400:
                continue
            if status in GATEWAY or isinstance(status, str):
                gateway[(kind, status)] += 1
            else:
                other[(kind, status)] += 1
        ok = sum(1 for s, _ in samples if isinstance(s, int) and s < 400)
        rows.append((kind, len(samples), ok, percentile(ms, 50), percentile(ms, 99)))
    errors = sum(gateway.values()) + sum(other.values())
    print(f"\n== load and fault test ({database}, {elapsed:.0f}s, {args.threads} clients)")
    print(f"  requests served: {total} ({total / elapsed:.1f}/s)")
    print(
        f"  error rate: {errors / max(total, 1):.2%} ({errors}): "
        f"gateway/connection during kills {sum(gateway.values())}, other {sum(other.values())}"
    )
    for (kind, status), n in sorted(gateway.items(), key=str):
        print(f"    expected  {kind:<12} {status}: {n}")
    for (kind, status), n in sorted(other.items(), key=str):
        print(f"    OTHER     {kind:<12} {status}: {n}")
    print(f"  {'kind':<12} {'requests':>9} {'ok':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, n, ok, p50, p99 in rows:
        print(f"  {kind:<12} {n:>9} {ok:>7} {p50:>8.1f} {p99:>8.1f}")
    print(
        f"  faults: {len(faults.kills)} granian workers SIGKILLed "
        f"(every {args.kill_interval:.0f}s), task worker restarted {faults.worker_restarts}x"
    )
    print(
        f"  filings acknowledged {len(load.acked)}, receptions {len(load.received)}, "
        f"hand-overs {load.handed_over}, article views acknowledged {len(load.views_acked)}"
    )
    print("  checks:")
    for name, passed, detail in checks["checks"]:
        print(f"    [{'ok' if passed else 'FAIL'}] {name}: {detail}")
    return {
        "database": database,
        "seconds": elapsed,
        "requests": total,
        "errors_gateway": sum(gateway.values()),
        "errors_other": {f"{k} {s}": n for (k, s), n in other.items()},
        "latency": {k: {"n": n, "ok": ok, "p50": p50, "p99": p99} for k, n, ok, p50, p99 in rows},
        "kills": len(faults.kills),
        "worker_restarts": faults.worker_restarts,
        "filings_acked": len(load.acked),
        "receptions": len(load.received),
        "hand_overs": load.handed_over,
        "checks": checks["checks"],
    }


# ---- Inside Django (run through `scripts/prod.sh manage shell`) -------------------------------


def db_setup(io: str) -> None:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from cchc.dossiers import services
    from cchc.dossiers.models import Dossier
    from cchc.portal.models import Article
    from cchc.portal.services import views_flush
    from cchc.procedures.models import Procedure

    users = get_user_model().objects
    procedure = next(
        p
        for p in Procedure.objects.current().prefetch_related("components", "steps")
        if p.accepts_dossiers and p.online_form and p.components.exists() and p.steps.count() >= 3
    )
    second = procedure.steps.order_by("order")[1]
    second_step_person = next(p for p in services.step_people(second) if not p.is_superuser)
    views_flush()
    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    out = {
        "since": timezone.now().isoformat(),
        "procedure": procedure.pk,
        "components": [c.pk for c in procedure.components.all() if c.required],
        "desk_token": Token.objects.get_or_create(user=users.get(username="motcua"))[0].key,
        # The person of the step after the desk's, who hands the dossier on from there.
        "specialist_token": Token.objects.get_or_create(user=second_step_person)[0].key,
        "codes": list(Dossier.objects.order_by("-id").values_list("code", flat=True)[:50]),
        "slugs": list(articles.values_list("slug", flat=True)[:12]),
        "views": dict(articles.values_list("slug", "view_count")),
    }
    Path(io).write_text(json.dumps(out))


def db_check(io: str) -> None:
    import datetime as dt

    from django.core.files.storage import default_storage
    from django.db.models import Count
    from django.utils.dateparse import parse_datetime
    from django_tasks_db.models import DBTaskResult

    from cchc.core.models import AuditEntry
    from cchc.core.workcalendar import local_tz
    from cchc.dossiers.models import DayCounter, Dossier, HandOver, MonthlyFigure, Status
    from cchc.portal.models import Article
    from cchc.portal.services import pending_views, views_flush

    data = json.loads(Path(io).read_text())
    since = parse_datetime(data["since"])
    checks = []

    def check(name, problems, ok_detail):
        checks.append([name, not problems, "; ".join(problems[:5]) if problems else ok_detail])

    # Background tasks drain first (the restarted worker picks up what was left).
    deadline = time.monotonic() + 120
    while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
        if time.monotonic() > deadline:
            break
        time.sleep(1)

    # 1. Acknowledged filings: exactly once; no filing twice.
    load = Dossier.objects.filter(applicant_address__contains="[load:")
    by_token = defaultdict(list)
    for address, code in load.values_list("applicant_address", "code"):
        by_token[address.rsplit("[load:", 1)[1].rstrip("]")].append(code)
    problems = []
    for token, code in data["acked"]:
        found = by_token.get(token, [])
        if found != [code]:
            problems.append(f"acknowledged {code} ({token[:8]}) found as {found}")
    doubles = [f"{t[:8]}: {c}" for t, c in by_token.items() if len(c) > 1]
    problems += [f"filed twice {d}" for d in doubles]
    unacked_present = sum(1 for t in data["unacked"] if t in by_token)
    check(
        "every acknowledged filing exists exactly once, none twice",
        problems,
        f"{len(data['acked'])} acknowledged, all present once; {unacked_present} of "
        f"{len(data['unacked'])} unacknowledged attempts were committed (answer lost to a kill)",
    )

    # 2. Codes gapless per agency and day.
    problems, days = [], 0
    for counter in DayCounter.objects.select_related("agency"):
        prefix = f"{counter.agency.code}-{counter.day:%y%m%d}-"
        numbers = sorted(
            int(c.removeprefix(prefix))
            for c in Dossier.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        )
        days += 1
        if numbers != list(range(1, counter.last + 1)):
            missing = sorted(set(range(1, counter.last + 1)) - set(numbers))
            problems.append(f"{prefix}: counter {counter.last}, missing {missing[:5]}")
    check("dossier codes gapless per agency and day", problems, f"{days} agency-days")

    # 3. No dossier half-written (those touched by the run).
    touched = Dossier.objects.filter(submitted_at__gte=since).select_related("procedure")
    required = {}
    problems = []
    for d in touched.prefetch_related("handovers", "files"):
        if d.procedure_id not in required:
            required[d.procedure_id] = {c.pk for c in d.procedure.components.all() if c.required}
        handovers = list(d.handovers.all())
        actions = [h.action for h in handovers]
        if not handovers or actions[0] not in ("file_online", "receive"):
            problems.append(f"{d.code}: no filing line on the control slip ({actions})")
            continue
        if handovers[-1].to_status != d.status:
            problems.append(
                f"{d.code}: status {d.status}, last slip line {handovers[-1].to_status}"
            )
        files = list(d.files.all())
        if d.channel == 2 and {f.component_id for f in files} < required[d.procedure_id]:
            problems.append(f"{d.code}: components missing")
        for f in files:
            if not default_storage.exists(f.path) or default_storage.size(f.path) != f.size:
                problems.append(f"{d.code}: stored file {f.path} missing or wrong size")
        received = d.status != Status.SUBMITTED and d.received_at is not None
        if received and (
            not (d.clock_start and d.due_at) or not {"accept", "receive"} & set(actions)
        ):
            problems.append(f"{d.code}: received without clock or reception line")
        if d.status == Status.PROCESSING and (
            d.current_step_id is None or "hand_over" not in actions
        ):
            problems.append(f"{d.code}: processing without a step")
        if d.status == Status.FEES and d.fee_amount is None:
            problems.append(f"{d.code}: waiting for fees without an amount")
    # Monthly figures agree with the dossiers received this month.
    month = since.astimezone(local_tz()).date().replace(day=1)
    start = dt.datetime.combine(month, dt.time.min, local_tz())
    following = (month + dt.timedelta(days=32)).replace(day=1)
    end = dt.datetime.combine(following, dt.time.min, local_tz())
    counted = {
        (m.agency_id, m.procedure_id): m.received for m in MonthlyFigure.objects.filter(month=month)
    }
    actual = {
        (row["agency_id"], row["procedure_id"]): row["n"]
        for row in Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
        .values("agency_id", "procedure_id")
        .annotate(n=Count("id"))
    }
    for key in set(counted) | set(actual):
        if counted.get(key, 0) != actual.get(key, 0):
            problems.append(
                f"monthly figure {key}: {counted.get(key, 0)} received, "
                f"dossiers {actual.get(key, 0)}"
            )
    check(
        "no dossier half-written (slip, components, stored files, clock, monthly figures)",
        problems,
        f"{touched.count()} dossiers of the run complete",
    )

    # 4. Every hand-over line (slip) has its audit entry, and no audit entry without its line.
    lines = Counter(
        (str(pk), f"dossier.{action}")
        for pk, action in HandOver.objects.filter(at__gte=since).values_list("dossier_id", "action")
    )
    audits = Counter(
        AuditEntry.objects.filter(at__gte=since, action__startswith="dossier.").values_list(
            "object_id", "action"
        )
    )
    problems = [
        f"{k}: {n} slip lines, {audits.get(k, 0)} audit entries"
        for k, n in lines.items()
        if audits.get(k, 0) != n
    ]
    problems += [f"{k}: audit without slip line" for k in audits if k not in lines]
    handovers = sum(n for (_, a), n in lines.items() if a == "dossier.hand_over")
    check(
        "every hand-over and transition has its audit entry",
        problems,
        f"{sum(lines.values())} slip lines ({handovers} hand-overs), all audited",
    )

    # 5. Notification tasks: every acknowledged filing's mail enqueued and run.
    tasks = DBTaskResult.objects.filter(enqueued_at__gte=since)
    by_status = Counter(tasks.values_list("status", flat=True))
    submitted = {
        t["args"][0]
        for t in tasks.filter(task_path__endswith="send_dossier_mail").values_list(
            "args_kwargs", flat=True
        )
        if t["args"][1] == "submitted"
    }
    acked_ids = set(
        Dossier.objects.filter(code__in=[c for _, c in data["acked"]]).values_list("id", flat=True)
    )
    problems = [f"{n} tasks {s}" for s, n in by_status.items() if s != "SUCCESSFUL"]
    if acked_ids - submitted:
        problems.append(
            f"{len(acked_ids - submitted)} acknowledged filings without their mail task"
        )
    check(
        "background tasks all run, across the worker restart",
        problems,
        f"{sum(by_status.values())} tasks, all successful",
    )

    # 6. View counts: flush, then compare with what the load was answered.
    views_flush()
    articles = dict(Article.objects.values_list("slug", "view_count"))
    ids = dict(Article.objects.values_list("slug", "pk"))
    problems, counted_total = [], 0
    for slug, acked in data["views_acked_pairs"].items():
        counted = articles[slug] - data["baseline"].get(slug, 0)
        tried = data["views_tried_pairs"].get(slug, acked)
        counted_total += counted
        if counted < acked:
            problems.append(f"{slug}: {counted} counted, {acked} distinct visitors answered")
        if counted > tried:
            problems.append(f"{slug}: {counted} counted, only {tried} distinct visitors tried")
        if pending_views(ids[slug]):
            problems.append(f"{slug}: {pending_views(ids[slug])} views still pending after flush")
    acked_total = sum(data["views_acked_pairs"].values())
    check(
        "article view counts not lost (one per visitor per 30 min)",
        problems,
        f"{counted_total} counted for {acked_total} distinct visitor-article pairs answered "
        f"({sum(data['views_tried_pairs'].values())} tried)",
    )
    Path(io).write_text(json.dumps({"checks": checks}))


if __name__ == "__main__":
    sys.exit(main())
