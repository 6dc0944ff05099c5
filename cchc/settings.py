"""CCHC settings: everything comes from environment variables (see .env.example)."""

from pathlib import Path

import dj_database_url

from cchc.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("CCHC_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key" if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=true for development).")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_filters",
    "django_prose_editor",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "cchc.core",
    "cchc.procedures",
    "cchc.dossiers",
    "cchc.parindex",
    "cchc.feedback",
    "cchc.portal",
    "cchc.plans",
    "cchc.records",
    "cchc.reports",
    "cchc.nationalportal",
    "cchc.payments",
    "cchc.esign",
    "cchc.opendata",
]

MIDDLEWARE = [
    # Anonymous home and article pages from the cache, before sessions, auth, CSRF, OTP, axes.
    "cchc.portal.middleware.AnonymousPageCacheMiddleware",
    "cchc.dossiers.middleware.EarlyLookupMiddleware",  # lookups already answered, stateless
    "cchc.core.middleware.RequestSizeLimitMiddleware",  # 413 before a too-large body is read
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cchc.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "cchc.urls"
WSGI_APPLICATION = "cchc.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cchc" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cchc.core.context_processors.site",
            ],
        },
    }
]

# Database: SQLite (WAL, IMMEDIATE transactions) unless DATABASE_URL says otherwise.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions: Redis when REDIS_URL is set, memory otherwise.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            # Two installations sharing one Redis database keep apart by prefix.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", ""),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in hardening: two-factor (django-otp, TOTP) and login lockout (django-axes) ---
# Kept in one block so that it merges cleanly. See docs/security.md.
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "axes"]
# OTPMiddleware marks request.user verified; TwoFactorMiddleware then holds a signed-in person
# whose role requires it (or who has a device) on the code / enrolment step.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "cchc.core.twofactor.TwoFactorMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # axes wants to be last
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username+IP first
    "django.contrib.auth.backends.ModelBackend",
]
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "CCHC")
OTP_TOTP_THROTTLE_FACTOR = 1  # after n wrong codes, wait 2^(n-1) seconds (kept on the device)
OTP_MAX_ATTEMPTS = env_int("OTP_MAX_ATTEMPTS", 5)  # wrong codes per sign-in before sign-out
# Two-factor sign-in is required of the administrators and every staff role unless a role's
# RolePolicy switches it off (cchc/core/twofactor.py). "false" removes that default, for a
# local demo only (`make run` sets it); the roles an administrator switched on still need it.
TWO_FACTOR_REQUIRED = env_bool("CCHC_TWO_FACTOR_REQUIRED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = AXES_COOLOFF_MINUTES / 60  # axes reads a float as hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # one person from one address
AXES_CLIENT_IP_CALLABLE = "cchc.core.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "cchc.core.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = True
# --- end of sign-in hardening ---

# Vietnamese first: language, time zone and number formats ("76,473", "1.234.567 đ").
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# Grouping is asked for where it belongs ({{ n|intcomma }}, |vnd), never applied to ids and years.
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["cchc.formats"]
LOCALE_PATHS = [BASE_DIR / "cchc" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "cchc" / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True  # no collectstatic step needed to serve the packages' files
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Uploads (cchc.core.files): bytes per sniffed kind, per import file, per request body, and the
# zip-bomb limits for xlsx/docx. Uploads are never served from MEDIA_URL, only by views.
UPLOAD_LIMITS = {
    "pdf": 20 * 1024 * 1024,
    "image": 10 * 1024 * 1024,
    "office": 20 * 1024 * 1024,
    "import": 5 * 1024 * 1024,
    "request": env_int("REQUEST_MAX_BYTES", 30 * 1024 * 1024),
    "zip_uncompressed": 200 * 1024 * 1024,
    "import_uncompressed": 20 * 1024 * 1024,
    "zip_ratio": 200,
    "zip_entries": 2000,
}
STORAGES = {
    "default": {
        "BACKEND": env_str("STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    # S3-compatible object storage (AWS, MinIO, Ceph...; docs/deploy.md): private objects,
    # downloads through short-lived signed URLs, never overwritten.
    STORAGES["default"]["OPTIONS"] = {
        "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
        "region_name": env_str("AWS_S3_REGION_NAME") or None,
        "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
        "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
        "signature_version": env_str("AWS_S3_SIGNATURE_VERSION", "s3v4"),
        "location": env_str("AWS_LOCATION", "media"),
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 300),
        "file_overwrite": False,
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    }
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "cchc@localhost")

# The reference data (glossary, procedure catalogue) ships in the apps' data/ folders. Optional
# override: a folder holding files of the same names (abbreviations.csv, procedures-sokhcn.csv).
REFERENCE_DATA_DIR = env_str("CCHC_REFERENCE_DATA") or None

# The agency whose portal this is (its identifier code).
SITE_AGENCY_CODE = env_str("SITE_AGENCY_CODE", "SKHCN")
# The public address of the site, for links in e-mails (no request there to ask the host).
# The public origin of every absolute link we give out: e-mailed links (the rating link) and the
# file links sent to the national portal (DanhSachGiayToKetQua). One setting for both.
SITE_URL = env_str("CCHC_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Online payment through the national payment platform (docs/dvcqg.md, "Payment"). Without a
# platform URL and secret the lookup page offers no online payment.
PAYMENT_PLATFORM_URL = env_str("PAYMENT_PLATFORM_URL")  # base URL; "inittransaction" etc. below it
PAYMENT_PARTNER_CODE = env_str("PAYMENT_PARTNER_CODE")  # MaDoiTac
PAYMENT_SECRET = env_str("PAYMENT_SECRET")  # the MaXacThuc key
PAYMENT_BENEFICIARY_ACCOUNT = env_str("PAYMENT_BENEFICIARY_ACCOUNT")  # TKThuHuong
PAYMENT_BENEFICIARY_BANK = env_str("PAYMENT_BENEFICIARY_BANK")  # MaNHThuHuong
PAYMENT_BENEFICIARY_NAME = env_str("PAYMENT_BENEFICIARY_NAME")  # TenTKThuHuong
PAYMENT_TIMEOUT_SECONDS = env_int("PAYMENT_TIMEOUT_SECONDS", 10)
PAYMENT_RECONCILE_AFTER_MINUTES = env_int("PAYMENT_RECONCILE_AFTER_MINUTES", 15)
# The National Public Service Portal (DVCQG) back-office link (docs/dvcqg.md). Off unless an
# adapter URL is set (or DVCQG_ENABLED=true): then every dossier change writes an outbox row.
DVCQG_ADAPTER_URL = env_str("DVCQG_ADAPTER_URL").rstrip("/")
DVCQG_ENABLED = env_bool("DVCQG_ENABLED", bool(DVCQG_ADAPTER_URL))
DVCQG_AUTH_ENDPOINT = env_str("DVCQG_AUTH_ENDPOINT", "/login")
DVCQG_INTEGRATION_ENDPOINT = env_str("DVCQG_INTEGRATION_ENDPOINT", "/integration")
DVCQG_SHARE_ENDPOINT = env_str("DVCQG_SHARE_ENDPOINT", "/share")
DVCQG_USERNAME = env_str("DVCQG_USERNAME")
DVCQG_PASSWORD = env_str("DVCQG_PASSWORD")
DVCQG_DSTCODE = env_str("DVCQG_DSTCODE")
DVCQG_MADONVI = env_str("DVCQG_MADONVI")  # empty: the agency's national_code
DVCQG_ENVELOPE = env_str("DVCQG_ENVELOPE", "opencps")
# Renamed services, e.g. "DongBoHoSoMC=SyncDossier,TraCuuHoSo=FindDossier".
DVCQG_SERVICE_NAMES = dict(
    item.split("=", 1) for item in env_list("DVCQG_SERVICE_NAMES") if "=" in item
)
DVCQG_TIMEOUT = env_int("DVCQG_TIMEOUT", 6)
DVCQG_MAX_ATTEMPTS = env_int("DVCQG_MAX_ATTEMPTS", 8)
DVCQG_BACKOFF_SECONDS = env_int("DVCQG_BACKOFF_SECONDS", 60)
DVCQG_STEP_CHUNK = env_int("DVCQG_STEP_CHUNK", 10)
DVCQG_LEASE_SECONDS = env_int("DVCQG_LEASE_SECONDS", 300)
# Links to files the national side downloads (TaiLieuNop, DanhSachGiayToKetQua): absolute
# (SITE_URL + path), signed, valid this many days.
DVCQG_LINK_DAYS = env_int("DVCQG_LINK_DAYS", 30)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an API client without credentials gets 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "cchc.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "cchc.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CCHC API",
    "DESCRIPTION": "API của nền tảng cải cách hành chính (CCHC)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets whose field name ("kind", "status") is shared by other components.
    "ENUM_NAME_OVERRIDES": {
        "RegulationKindEnum": "cchc.plans.models.Regulation.Kind",
        "PetitionStatusEnum": "cchc.feedback.models.Petition.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cchc.core.api.document_common_errors",
    ],
}

# Behind nginx: X-Forwarded-For is believed only from these addresses (see core/clientip.py).
TRUSTED_PROXIES = env_list("CCHC_TRUSTED_PROXIES")
# nginx's log of article views it answered from its microcache, counted by views_flush.
NGINX_VIEW_LOG = env_str("CCHC_NGINX_VIEW_LOG", "")
RATELIMIT_IP_META_KEY = "cchc.core.clientip.client_ip"
# Every rate limit is multiplied by this (a load test from one address sets it high).
RATE_LIMIT_SCALE = env_int("CCHC_RATE_LIMIT_SCALE", 1)

SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Production behind nginx with TLS (docs/deploy.md; `make prod` runs it on 127.0.0.1).
# Defaults are the production ones whenever DEBUG is off; `manage.py check --deploy
# --fail-level WARNING` is clean with the environment of scripts/prod.sh.
if TRUSTED_PROXIES:
    # nginx sets X-Forwarded-Proto itself (never passes the client's); see deploy/nginx.conf.in.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True  # the CSRF token reaches htmx from the page (base.html), not JS

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Content-Security-Policy and rate limits (issue 7) -------------------------------------
# No inline script anywhere: every script is a static file; the few tags a library must write
# inline (the prose editor's import map) carry the per-request nonce (request.csp_nonce).
from csp.constants import NONCE, NONE, SELF  # noqa: E402

MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
# Uploaded images served by an object store on another origin (S3-compatible storage).
CSP_MEDIA_ORIGINS = env_list("CCHC_CSP_MEDIA_ORIGINS")
# The prose editor (tiptap, in django-prose-editor 0.28) injects its base <style> once; only that
# exact stylesheet is allowed, by hash (a new editor version changes it: the browser test tells).
CSP_PROSE_EDITOR_STYLE = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, CSP_PROSE_EDITOR_STYLE],
        "img-src": [SELF, *CSP_MEDIA_ORIGINS],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Public POSTs: one rate per name (requests per address), used through cchc.core.ratelimits.
# Override single rates with CCHC_RATE_LIMITS="login=60/10m,petition=10/h".
RATE_LIMITS = {
    "login": "30/10m",
    "petition": "5/h",
    "petition-lookup": "30/m",
    "comment": "5/h",
    "dossier-file": "20/h",  # every attempt
    "filing-mail": "10/h",  # filing notices sent for one client address
    "filing-mail-recipient": "5/d",  # filing notices sent to one e-mail address
    "dossier-lookup": "30/10m",  # every lookup and every secret tried (supplements too)
    "dossier-resubmit": "10/h",
    "dossier-claim": "10/h",  # "my dossiers": code + secret tried, per address and per account
    "dvcqg-inbound": "600/m",  # dossiers pushed by the national portal (one address)
    "signature-verify": "30/10m",  # the public signature check: every upload or code tried
    "dossier-rate": "20/h",  # satisfaction ratings posted (every attempt)
} | dict(item.split("=", 1) for item in env_list("CCHC_RATE_LIMITS"))

# Dossiers pushed by the National Public Service Portal (cchc/nationalportal/inbound.py): the
# shared HMAC secret (empty: the endpoint answers 503) and, when set, the only hosts component
# files may be fetched from (DuongDanTaiTepTin).
DVCQG_INBOUND_SECRET = env_str("DVCQG_INBOUND_SECRET", "")
DVCQG_INBOUND_FILE_HOSTS = env_list("DVCQG_INBOUND_FILE_HOSTS")

# Digital signatures (cchc.esign): the agency's PKCS#12 that signs results and BM.01 receipts,
# and the PEM roots the verification page trusts. Without the file documents stay unsigned;
# `load_demo` writes a demo CA and agency certificate at these default paths.
ESIGN_PKCS12_PATH = env_str("ESIGN_PKCS12_PATH", str(VAR_DIR / "esign" / "agency.p12"))
# An agency with its own certificate: ESIGN_AGENCY_PKCS12="SKHCNTQ=/etc/cchc/tq.p12,..."
ESIGN_AGENCY_PKCS12 = dict(item.split("=", 1) for item in env_list("ESIGN_AGENCY_PKCS12"))
ESIGN_PKCS12_PASSWORD = env_str("ESIGN_PKCS12_PASSWORD", "cchc-demo")
ESIGN_TRUST_ROOTS = env_list("ESIGN_TRUST_ROOTS", str(VAR_DIR / "esign" / "demo-ca.pem"))
ESIGN_MAX_UPLOAD_BYTES = env_int("ESIGN_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
