"""Settings, read from the environment (docs/spec.md §8, §14; the README lists every variable).

Every setting a deployment may change is read from the environment here, with its default, and
listed in the README's settings table (a test keeps the two in step). The code reads settings
without defaults of its own. With DEBUG off there is no default secret: the process refuses to start
without one.
Production (DEBUG off) keeps database connections open (CONN_MAX_AGE), serves compressed static
files with a manifest and logs JSON lines. REDIS_URL and AWS_STORAGE_BUCKET_NAME switch the cache
and the file storage to shared services (config.backends); without them everything is embedded.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config import backends

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, "").strip() or default)


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    # Development only: a fixed key is fine because nothing signed with it leaves this machine.
    SECRET_KEY = "dev-only-insecure-key-never-used-when-debug-is-off"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_FAILURE_VIEW = "core.error_pages.csrf_failure"
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "viewflow",
    "viewflow.workflow",
    "core",
    "certification",
    "workflows",
    "certificates",
    "exchange",
    "notifications",
    "reports",
    "integrations",
    "api",
    "demo",
    "backups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.error_pages.MethodNotAllowedPage",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "notifications.context_processors.bell",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Production keeps each process's connection for a minute (checked before reuse) instead of
        # opening one a request; the development server closes it after each request.
        conn_max_age=env_int("CONN_MAX_AGE", 0 if DEBUG else 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers while a worker writes; waits instead of failing at once on a lock. WAL with
    # synchronous=NORMAL: a commit appends to the log without waiting for the disk (a power cut may
    # lose the last commits, never corrupt the file), so write locks are held for far less time.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        }
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: it compiles a query once its estimated cost is high, and the statistics page's
    # aggregates over 100,000 enrolments spent 1.5 s of their 2.3 s compiling (bench/statistics.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

# The verification log (one INSERT per public lookup: /verify/, its JSON, the QR) commits on PostgreSQL
# without waiting for its WAL record to reach the disk: the same promise SQLite's synchronous=NORMAL
# makes for everything above. A crash of the database server may lose the last fraction of a second
# of log rows, never corrupt anything, and no other table is written this way; waiting for the flush
# was most of a lookup's time (docs/spec.md §14: /verify/ ≥ 0.6 × a bare lookup). Its own connection
# (same database, same credentials) so that the setting is made once per connection, not per request.
# VERIFICATION_LOG_ASYNC_COMMIT=0 turns it off; the tests leave it off (settings_test).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "VERIFICATION_LOG_ASYNC_COMMIT", True
):
    _log_options = {**DATABASES["default"].get("OPTIONS", {})}
    _log_options["options"] = (_log_options.get("options", "") + " -c synchronous_commit=off").strip()
    DATABASES["verification_log"] = {**DATABASES["default"], "OPTIONS": _log_options, "TEST": {"MIRROR": "default"}}

AUTH_USER_MODEL = "certification.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures lock the username from that address for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# vendor-static/ holds the browser libraries `make setup` installs from the npm registry (package-lock.json).
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", BASE_DIR / "vendor-static")]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Media is private (photos, evidence): it is never served under a public URL, only through views
# that check who is asking.
MEDIA_URL = "/media-not-public/"
STORAGES = {
    # Files under MEDIA_ROOT, or an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set.
    "default": backends.default_storage(os.environ),
    "staticfiles": backends.static_storage(DEBUG),
}
WHITENOISE_USE_FINDERS = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploads: requests larger than this are refused before the view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
megabyte = 1024 * 1024  # lower case: a helper, not a setting
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 2 * megabyte)
PHOTO_MIN_PIXELS = (120, 160)
PHOTO_MAX_PIXELS = (4000, 4000)

# Evidence files of an assessment attempt (certification/evidence.py): bytes of one file, files per attempt.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 50 * megabyte)
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 20)

# Limits of the Excel exchange (docs/spec.md §7, exchange/limits.py): ten times what common credential
# platforms accept.
EXCHANGE_MAX_ROWS = env_int("EXCHANGE_MAX_ROWS", 50_000)  # data rows in one uploaded workbook
EXCHANGE_MAX_FILE_BYTES = env_int("EXCHANGE_MAX_FILE_BYTES", 20 * megabyte)  # one uploaded workbook, as received
# Larger uploads are checked and imported by a task worker, with a progress bar (exchange/background.py).
EXCHANGE_BACKGROUND_BYTES = env_int("EXCHANGE_BACKGROUND_BYTES", 128 * 1024)
# SQLite only: where a background run's progress is written while its transaction holds the database's
# one write lock (exchange/progress.py); the worker and the web server must both see this directory.
EXCHANGE_PROGRESS_DIR = os.environ.get("EXCHANGE_PROGRESS_DIR", str(BASE_DIR / "var" / "import-progress"))
# An archive's parts are refused when they unpack to more than this in total...
EXCHANGE_MAX_UNPACKED_BYTES = env_int("EXCHANGE_MAX_UNPACKED_BYTES", 1024 * megabyte)
# ...or when one part is this many times larger than its compressed size (a zip bomb). Real
# spreadsheets compress 5 to 30 times; a bomb a thousand times.
EXCHANGE_MAX_COMPRESSION_RATIO = env_int("EXCHANGE_MAX_COMPRESSION_RATIO", 100)
# The parts openpyxl reads whole into memory (shared strings, styles): bounded separately, because
# the worksheet itself is streamed.
EXCHANGE_MAX_WHOLE_PART_BYTES = env_int("EXCHANGE_MAX_WHOLE_PART_BYTES", 100 * megabyte)
EXCHANGE_MAX_ARCHIVE_MEMBERS = env_int("EXCHANGE_MAX_ARCHIVE_MEMBERS", 1000)
# Photos in bulk: one zip of JPEG/PNG files named by ID number.
EXCHANGE_PHOTO_ZIP_MAX_BYTES = env_int("EXCHANGE_PHOTO_ZIP_MAX_BYTES", 100 * megabyte)
EXCHANGE_PHOTO_ZIP_MAX_FILES = env_int("EXCHANGE_PHOTO_ZIP_MAX_FILES", 5000)

# Activation slips for trainee accounts (docs/spec.md §6).
ACTIVATION_CODE_DAYS = 30

# Masking rules for ID numbers and names (docs/spec.md §6): first 3 and last 4 characters of an ID stay.
MASK_ID_KEEP_START = 3
MASK_ID_KEEP_END = 4

# Certificates (docs/spec.md §6). What a certificate prints is frozen when it is issued: a wrong base URL or
# issuer can never be corrected on the certificates already out (manage.py check --deploy refuses a
# loopback or missing PUBLIC_BASE_URL).
CERT_SIGNING_KEY = os.environ.get("CERT_SIGNING_KEY", str(BASE_DIR / "var" / "signing"))
# Where the public reaches the site: printed on every certificate and encoded in its QR code.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "").strip().rstrip("/")
# The issuer: positions 1-13 of every certificate number (certificates/numbering.py) and its name.
CERT_ISSUER = {
    "type": os.environ.get("CERT_ISSUER_TYPE", "Y"),
    "filing_code": os.environ.get("CERT_ISSUER_FILING_CODE", "0001"),
    "province": os.environ.get("CERT_ISSUER_PROVINCE", "33"),
    "registration_serial": os.environ.get("CERT_ISSUER_SERIAL", "000101"),
    "name": os.environ.get("CERT_ISSUER_NAME", "浙江省时尚产业职业技能等级认定中心"),
}
# The key of the QR codes' tokens (SECRET_KEY when empty). Changing it invalidates every printed QR
# code's token: set it once and keep it.
CERT_QR_SECRET = os.environ.get("CERT_QR_SECRET", "")
# The public verify pages, per client address and minute: lookups by number or QR code, and the
# stricter name + ID number queries.
CERT_VERIFY_RATE_LIMIT = env_int("CERT_VERIFY_RATE_LIMIT", 30)
CERT_VERIFY_QUERY_RATE_LIMIT = env_int("CERT_VERIFY_QUERY_RATE_LIMIT", 10)
# An issuance run whose items have not moved for this long is shown as stalled (resume it).
CERT_RUN_STALL_SECONDS = env_int("CERT_RUN_STALL_SECONDS", 120)
# Where the certificate fonts, cut once to GB2312, are kept for later processes (certificates/fonts.py).
CERT_FONT_CACHE = os.environ.get("CERT_FONT_CACHE", str(BASE_DIR / "var" / "fonts"))

# A shared cache, so that rate limits hold across several web processes (stateless web tier): the
# database cache, or Redis when REDIS_URL is set (then sessions are read through it too).
CACHES = backends.caches(os.environ)
SESSION_ENGINE = backends.session_engine(os.environ)

# How long the statistics page keeps one selection's figures; any new enrolment, move, objection or
# task shows at once (the cache key includes the newest of each), see workflows/figures.py.
STATISTICS_CACHE_SECONDS = 300

# The office dashboard's "needs you now" panel (reports/attention.py): reviews waiting longer than
# this many working days, and public notices closing within this many days.
OFFICE_REVIEW_WAIT_WORKING_DAYS = env_int("OFFICE_REVIEW_WAIT_WORKING_DAYS", 5)
OFFICE_PUBLICITY_CLOSING_DAYS = env_int("OFFICE_PUBLICITY_CLOSING_DAYS", 3)

# The provincial register export's columns, in order (reports/register.py lists the keys): JSON, a
# list of keys or [key, heading] pairs, e.g. [["name", "姓名"], ["id_number", "公民身份号码"]].
# Empty: SPEC §10's default layout.
REGISTER_EXPORT_COLUMNS = json.loads(os.environ.get("REGISTER_EXPORT_COLUMNS", "").strip() or "null")

# /healthz fails when no worker has finished a heartbeat (enqueued each minute) for this long.
HEALTHZ_HEARTBEAT_MAX_AGE = int(os.environ.get("HEALTHZ_HEARTBEAT_MAX_AGE", "300"))

# E-mail (docs/spec.md §13): SMTP from the environment; the console under DEBUG unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "时尚工程师认定 <noreply@localhost>")
# The channel notifications leave by (notifications.channels): "email", or "log" to only log them.
NOTIFICATION_CHANNEL = os.environ.get("NOTIFICATION_CHANNEL", "email")

# Employer bulk verification (docs/spec.md §11, integrations/bulk.py): numbers in one file or call,
# bytes of one uploaded file, and calls per account and hour.
BULK_VERIFY_MAX_NUMBERS = env_int("BULK_VERIFY_MAX_NUMBERS", 1000)
BULK_VERIFY_MAX_FILE_BYTES = env_int("BULK_VERIFY_MAX_FILE_BYTES", 2 * megabyte)
BULK_VERIFY_RATE_LIMIT = env_int("BULK_VERIFY_RATE_LIMIT", 60)

# Webhooks (integrations/webhooks): an endpoint resolving to a loopback, private, link-local or
# other non-public address (cloud metadata at 169.254.169.254 among them), or a plain-http one, is
# refused unless this is on: for tests and development only, never in production.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
# Seconds to connect, and to wait for each read of the answer, before an attempt counts as failed.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 5)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The REST API (api/, docs/api.md): the session (CSRF enforced) or an institution's API key; one
# error shape; cursor pages of up to 100; every client throttled (core.ratelimit counts).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: its challenge makes a request without credentials a 401, not a 403.
        "api.authentication.InstitutionAPIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # CSRF enforced
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": os.environ.get("API_RATE_LIMIT", "600/min")},
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fashion-engineer certification API · 时尚工程师认定 API",
    "DESCRIPTION": (
        "REST API v1: an institution's batches, trainees, enrolments, completions, results, certificates and "
        "statistics; the office's approvals and issuance; public status by number. Errors share one shape "
        "(`error`, `message`, `fields`). See docs/api.md.\n\n"
        "REST API v1：培训机构的批次、学员、报名、模块完成、考核成绩、证书与统计；认定机构的资格审核与发证；"
        "按编号公开查询证书状态。错误响应格式统一（`error`、`message`、`fields`）。详见 docs/api.md。"
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from the drf-spectacular-sidecar package, served as our own static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "EnrolmentStatusEnum": "certification.models.EnrolmentStatus",
        "CertificateStatusEnum": "certificates.models.CertificateStatus",
    },
}

# Content Security Policy: only our own origin; no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers ask over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# JSON lines with the request id in production (LOG_FORMAT=json, the default with DEBUG off), plain
# text in development. Everything goes to stderr: systemd's journal or the platform collects it.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.jsonlog.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.jsonlog.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
