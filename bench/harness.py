"""Shared pieces of the benchmarks: a prepared database, a server on 127.0.0.1, wrk load, and
the reference every web figure is a share of: a bare `django-admin startproject` hello."""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"


def bench_env(**extra) -> dict:
    env = dict(os.environ)
    env.setdefault("SQLITE_PATH", str(OUT / "bench.sqlite3"))
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def manage(*args, env=None) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env or bench_env(), check=True
    )


def prepare_database(env=None) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manage("migrate", "--noinput", "-v0", env=env)
    manage("load_demo", "--quiet-accounts", env=env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _running(proc: subprocess.Popen):
    """Stop `proc` on the way out: terminate, then kill if it lingers 10 s."""
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_until(check, proc, *, seconds: float, pause: float, fails, what) -> None:
    """Call `check()` until it raises none of `fails`; RuntimeError(`what`, a text or a function
    giving it) when `seconds` pass or `proc` exits first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except fails:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(what() if callable(what) else what) from None
            time.sleep(pause)


@contextlib.contextmanager
def server(
    kind: str = "granian",
    workers: int = 2,
    env=None,
    app: str = "cchc.wsgi:application",
    cwd: Path = ROOT,
    health: str = "/healthz",
):
    """Serve cchc (or app) on 127.0.0.1 with granian (WSGI, --blocking-threads 1) or gunicorn."""
    port = free_port()
    if kind == "granian":
        cmd = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--workers",
            str(workers),
            "--blocking-threads",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-ws",
            "--log-level",
            "warning",
            app,
        ]
    else:
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app,
        ]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env or bench_env(), stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    with _running(proc):
        _wait_until(
            lambda: urllib.request.urlopen(base + health, timeout=2).read(),
            proc,
            seconds=30,
            pause=0.3,
            fails=Exception,
            what=f"{kind} did not start",
        )
        yield base


def wrk(url: str, seconds: int = 10, connections: int = 32, threads: int = 2) -> dict:
    """Run wrk against url (bounded in time); return req/s, latency figures and errors."""
    if not shutil.which("wrk"):
        raise RuntimeError(
            "wrk is missing: run `make bench` (it installs it) or apt-get install wrk"
        )
    # Warm up the workers first so start-up is not measured.
    subprocess.run(["wrk", "-t1", "-c4", "-d2s", url], capture_output=True, check=True)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    return {
        "rps": rps,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "p50_ms": _ms(p50),
        "p99_ms": _ms(p99),
        "load": load(),
    }


def _ms(match) -> float | None:
    if not match:
        return None
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


BARE_URLS = """
from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("hello")


urlpatterns = [path("bench/hello", hello)]
"""


def bare_project(folder: Path) -> Path:
    """`django-admin startproject bare` (the venv's Django, default settings and middleware)
    in folder, with one hello view at /bench/hello and production's DEBUG off."""
    django_admin = Path(sys.executable).with_name("django-admin")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(django_admin), "startproject", "bare", str(folder)], check=True)
    (folder / "bare" / "urls.py").write_text(BARE_URLS)
    with (folder / "bare" / "settings.py").open("a") as settings:
        settings.write('\nDEBUG = False\nALLOWED_HOSTS = ["127.0.0.1", "localhost"]\n')
    return folder


def bare_env(folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(DJANGO_SETTINGS_MODULE="bare.settings", PYTHONPATH=str(folder))
    return env


@contextlib.contextmanager
def bare_hello_server(kind: str = "granian", workers: int = 2):
    """A bare Django project's hello served with the same server and flags as the pages; yields
    its URL. Kept running beside the project's server, so that each page can be measured right
    after the bare hello, under the same load of the shared machine."""
    with tempfile.TemporaryDirectory(prefix="cchc-bare-") as tmp:
        folder = bare_project(Path(tmp))
        with server(
            kind,
            workers=workers,
            env=bare_env(folder),
            app="bare.wsgi:application",
            cwd=folder,
            health="/bench/hello",
        ) as base:
            yield base + "/bench/hello"


def bare_hello(seconds: int, kind: str = "granian", workers: int = 2) -> dict:
    """wrk against a bare Django project's hello, same server, flags and load as the pages."""
    with bare_hello_server(kind, workers) as url:
        return wrk(url, seconds)


def paired(bare_url: str, url: str, seconds: int) -> tuple[dict, dict]:
    """The bare hello, then url, back to back: (page, bare) under the same machine load."""
    bare = wrk(bare_url, seconds)
    return wrk(url, seconds), bare


def load() -> str:
    """The machine's load average (1, 5, 15 min): other engineers share its two cores."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def share(result: dict, hello: dict, bare: dict) -> str:
    """req/s, then as a share of the bare Django hello and of the project's own hello."""
    rps = result["rps"]
    return (
        f"{rps:.0f} req/s = {rps / bare['rps']:.0%} of bare hello "
        f"({rps / hello['rps']:.0%} of own hello) [load {result['load']}]"
    )


def report(name: str, figures: list[tuple[str, str]]) -> None:
    print(f"\n== {name}")
    print(f"  {'load average (1/5/15 min) at the end':<52} {load()}")
    for label, value in figures:
        print(f"  {label:<52} {value}")


def nginx_config(var: Path, *, app_port: int, https_port: int, static_root: Path) -> Path:
    """deploy/nginx.conf.in filled in as scripts/prod.sh does, under var (a certificate made
    there too); returns the configuration file."""
    for sub in ("run", "log", "nginx", "tls"):
        (var / sub).mkdir(parents=True, exist_ok=True)
    cert, key = var / "tls" / "cert.pem", var / "tls" / "key.pem"
    if not cert.exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
            + ["-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
            check=True,
            capture_output=True,
        )
    values = {
        "VAR": str(var),
        "BIND": "127.0.0.1",
        "HTTP_PORT": str(free_port()),
        "HTTPS_PORT": str(https_port),
        "HTTPS_PORT_SUFFIX": f":{https_port}",
        "APP_PORT": str(app_port),
        "TLS_CERT": str(cert),
        "TLS_KEY": str(key),
        "STATIC_ROOT": str(static_root),
    }
    text = (ROOT / "deploy" / "nginx.conf.in").read_text()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    conf = var / "nginx.conf"
    conf.write_text(text)
    return conf


@contextlib.contextmanager
def nginx(conf: Path, https_port: int):
    """nginx in the foreground on conf; yields its https base URL once it answers."""
    var = conf.parent
    cmd = ["/usr/sbin/nginx", "-p", str(var), "-c", str(conf), "-g", "daemon off;"]
    if os.geteuid() == 0:  # root's workers would be "nobody", who cannot read a private tmp
        cmd[-1] = "daemon off; user root;"
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    base = f"https://127.0.0.1:{https_port}"
    with _running(proc):
        _wait_until(
            lambda: socket.create_connection(("127.0.0.1", https_port), timeout=1).close(),
            proc,
            seconds=15,
            pause=0.1,
            fails=OSError,
            what=lambda: f"nginx did not start: {proc.stderr.read()}",
        )
        yield base
