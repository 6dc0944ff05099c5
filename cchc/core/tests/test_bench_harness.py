"""The benchmarks' reference: a bare `django-admin startproject` with one hello view, served by
the same server the pages are (bench/harness.py). No timing is asserted, only that it works."""

import subprocess
import sys
import urllib.request

from bench import harness


def test_the_bare_project_is_djangos_default_project_with_a_hello_view(tmp_path):
    folder = harness.bare_project(tmp_path / "bare")
    settings = (folder / "bare" / "settings.py").read_text()
    # startproject's own middleware list, untouched: the reference pays Django's defaults only.
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings
    assert "cchc" not in settings
    assert settings.rstrip().endswith('ALLOWED_HOSTS = ["127.0.0.1", "localhost"]')
    check = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=folder,
        env=harness.bare_env(folder),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "no issues" in check.stdout


def test_the_bare_hello_answers_through_granian_with_djangos_default_headers(tmp_path):
    folder = harness.bare_project(tmp_path / "bare")
    with (
        harness.server(
            "granian",
            workers=1,
            env=harness.bare_env(folder),
            app="bare.wsgi:application",
            cwd=folder,
            health="/bench/hello",
        ) as base,
        urllib.request.urlopen(base + "/bench/hello", timeout=5) as response,
    ):
        assert response.read() == b"hello"
        # XFrameOptionsMiddleware and SecurityMiddleware of the default list ran.
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in response.headers


def test_share_names_both_references_and_the_load():
    text = harness.share({"rps": 500.0, "load": "1.00 0.50 0.25"}, {"rps": 1000.0}, {"rps": 2000.0})
    assert text == "500 req/s = 25% of bare hello (50% of own hello) [load 1.00 0.50 0.25]"
