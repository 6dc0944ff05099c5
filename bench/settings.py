"""Settings for benchmarks: production-like (DEBUG off) plus a hello-world URL."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key")
os.environ["DJANGO_DEBUG"] = "false"
# Benchmarks talk plain HTTP straight to the app server (no TLS proxy in front).
os.environ.setdefault("DJANGO_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_HSTS_SECONDS", "0")

from cchc.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
