"""Fast settings for the test suite: same apps and database choice, cheaper hashing."""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key")
os.environ.setdefault("DJANGO_SECURE_COOKIES", "false")
# The test client and live server speak plain HTTP (production redirects to HTTPS).
os.environ.setdefault("DJANGO_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_HSTS_SECONDS", "0")

from cchc.settings import *  # noqa: E402,F403

# The tests read the reference data shipped in the repository, never a folder beside it.
REFERENCE_DATA_DIR = None

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]
# No signing certificate unless a test writes one to a temporary folder (cchc.esign.tests).
ESIGN_PKCS12_PATH = ""
ESIGN_TRUST_ROOTS = []

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file (not shared-cache memory) so that threads and the live server see real SQLite
    # locking, as in production (WAL, IMMEDIATE transactions).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405
