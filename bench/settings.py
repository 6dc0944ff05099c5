"""Settings for benchmarks: production-like (DEBUG off) plus a hello-world URL."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key")
os.environ["DJANGO_DEBUG"] = "false"

from cchc.settings import *  # noqa: E402,F403

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
