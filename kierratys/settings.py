"""Kierrätys settings: one module, everything from the environment.

With no variables at all you get the embedded default: SQLite, an in-memory channel
layer, local media files and console email. Production switches each of these by
setting DATABASE_URL, REDIS_URL, AWS_STORAGE_BUCKET_NAME and EMAIL_URL.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# With no variables at all this is the embedded development setup, so DEBUG defaults on.
# Once DATABASE_URL is set (production always does) it defaults off and SECRET_KEY is required.
DEBUG = env.bool("DEBUG", default="DATABASE_URL" not in env)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (set DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-debug-is-on"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Municipality: everything a city changes to adopt the service -------------------------


def _names(variable: str, default: dict[str, str]) -> dict[str, str]:
    """A name per language: "Kierrätys" for all, or "fi=Kierrätys,sv=Återbruk,en=Kierrätys"
    (languages left out use the first one given). Shown by kierratys.common.names."""
    value = env(variable, default="").strip()
    if not value:
        return dict(default)
    if "=" not in value:
        return {"fi": value, "sv": value, "en": value}
    given = {}
    for part in value.split(","):
        code, _sep, name = part.partition("=")
        if name.strip():
            given[code.strip().lower()] = name.strip()
    first = next(iter(given.values()), "")
    return {code: given.get(code, first) for code in ("fi", "sv", "en")} | given


SERVICE_NAMES = _names("SERVICE_NAME", {"fi": "Kierrätys", "sv": "Återbruk", "en": "Kierrätys"})
MUNICIPALITY_NAMES = _names("MUNICIPALITY_NAME", {"fi": "Turku", "sv": "Åbo", "en": "Turku"})
# The names in the default language, where one name serves all (the mail sender's name).
SERVICE_NAME = SERVICE_NAMES.get(env("LANGUAGE_CODE", default="fi")[:2], "Kierrätys")
MUNICIPALITY_NAME = MUNICIPALITY_NAMES.get(env("LANGUAGE_CODE", default="fi")[:2], "Turku")
SIGNUP_EMAIL_DOMAINS = [
    d.lower() for d in env.list("SIGNUP_EMAIL_DOMAINS", default=["demo.example"])
]
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="kierratys-tuki@demo.example")
SUPPORT_PHONE = env("SUPPORT_PHONE", default="")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Marketplace rules a city may tune ----------------------------------------------------
LISTING_AVAILABLE_DAYS = env.int("LISTING_AVAILABLE_DAYS", default=30)
# Defaults for a new organisation's audience stages (each organisation sets its own): how
# many days a listing is shown to its department, then to its organisation, then partners.
VISIBILITY_DEPARTMENT_DAYS = env.int("VISIBILITY_DEPARTMENT_DAYS", default=7)
VISIBILITY_ORGANISATION_DAYS = env.int("VISIBILITY_ORGANISATION_DAYS", default=14)
VISIBILITY_PARTNER_DAYS = env.int("VISIBILITY_PARTNER_DAYS", default=14)
RESERVATION_COLLECT_DAYS = env.int("RESERVATION_COLLECT_DAYS", default=14)
# New reservations are emailed to their owner units in sweeps at most this far apart.
RESERVATION_OWNER_NOTIFY_SECONDS = env.int("RESERVATION_OWNER_NOTIFY_SECONDS", default=2)
RESERVATION_EXTEND_DAYS = env.int("RESERVATION_EXTEND_DAYS", default=7)
RESERVATION_REMINDER_DAYS = env.int("RESERVATION_REMINDER_DAYS", default=3)
WAREHOUSE_UNCLAIMED_DAYS = env.int("WAREHOUSE_UNCLAIMED_DAYS", default=60)
DELIVERY_BOOKING_DAYS = env.int("DELIVERY_BOOKING_DAYS", default=21)
# Personal data (issue 23): a closed reservation's contact name, phone and note are cleared
# this many months after it closed; the log of who viewed whose details is kept this long.
RESERVATION_CONTACT_RETENTION_MONTHS = env.int("RESERVATION_CONTACT_RETENTION_MONTHS", default=12)
ACCESS_LOG_MONTHS = env.int("ACCESS_LOG_MONTHS", default=24)

INSTALLED_APPS = [
    "daphne",
    "kierratys",  # before admin: our registration/ templates win over admin's
    "kierratys.admin_site.AdminConfig",  # django.contrib.admin with our site (403 for outsiders)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "channels",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "listings",
    "reservations",
    "reservations.charges",  # internal prices and charges to cost centres (issue 21)
    "reservations.loans",  # lending for a period, booked on a calendar (issue 20)
    "inventory",
    "listings.projects",  # relocation and renovation projects (issue 21)
    "listings.wanted",  # what units need, and the listings answering it (issue 20)
    "kierratys.accounts.privacy",  # who viewed whose personal data (issue 23)
    "kierratys.accounts.sso",
    "kierratys.accounts.pauses",  # ordering paused for a while (issue 21)
    "kierratys.accounts.help",  # each organisation's help page, FAQ and mail footer (issue 21)
    "kierratys.legal",  # accessibility statement, feedback and privacy notice (issue 23)
    "kierratys.announcements",  # coordinators' notices on top of every page (issue 21)
    "rest_framework",  # the JSON API at /api/v1/ (issue 19, kierratys/api)
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files for /api/v1/docs/, from our own static
    "kierratys.api",
    "kierratys.webhooks",  # organisations' signed HTTPS endpoints for live events (issue 19)
]

MIDDLEWARE = [
    # First, so they see every answer (kierratys/observability): the request's id, and metrics.
    "kierratys.observability.middleware.RequestIdMiddleware",
    "kierratys.observability.middleware.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kierratys.upload_limits.UploadLimitMiddleware",  # before CSRF's check parses the body
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "kierratys.middleware.PermissionsPolicyMiddleware",
    "kierratys.middleware.PrivatePagesMiddleware",
    "kierratys.middleware.NotFoundMiddleware",  # after the rest: nearest the views
]

ROOT_URLCONF = "kierratys.urls"
ASGI_APPLICATION = "kierratys.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kierratys.context_processors.service",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# A request checks a kept connection with one `SELECT 1` before using it: one lost while
# idle (a database restart) is replaced instead of failing the page.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: each server thread keeps its connection for a minute (opening one costs about
# 4.5 ms; docs/operations.md "Serving"). Pages run in a fixed pool of HTTP_THREADS threads
# (kierratys/serving.py), each closing or keeping its own at the end of every request, so
# the connections per process stay bounded. SQLite opens a file: nothing to keep.
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "CONN_MAX_AGE",
    default=60 if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" else 0,
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer instead of failing with "database is locked". IMMEDIATE: a
    # transaction takes the write lock when it begins, so one that read first (signing in
    # reads the session, then writes it) waits like the rest instead of failing at once when
    # it would upgrade its lock while the periodic jobs write.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USES_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if USES_POSTGRES:
    INSTALLED_APPS.append("django.contrib.postgres")  # search and trigram lookups

# --- Channel layer ----------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Which channels-redis layer: see README "Live updates and Redis restarts" for the choice.
REDIS_CHANNEL_LAYER = env("REDIS_CHANNEL_LAYER", default="pubsub")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": {
                "core": "channels_redis.core.RedisChannelLayer",
                "pubsub": "kierratys.live.layers.PipelinedPubSubChannelLayer",
            }[REDIS_CHANNEL_LAYER],
            "CONFIG": {
                # A Redis that accepts and never answers fails a command after these many
                # seconds instead of hanging it. Options in REDIS_URL's query win over these.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=2),
                        "socket_timeout": env.float("REDIS_SOCKET_TIMEOUT", default=5),
                    }
                ],
                "prefix": env("REDIS_PREFIX", default="kierratys"),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Cache: shared by every process through Redis (filter choices, rate counters) -------
# A Redis that is down or silent is an empty cache, never an error page
# (kierratys/common/cache.py); a cache call waits at most REDIS_CACHE_TIMEOUT seconds.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "kierratys.common.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{env('REDIS_PREFIX', default='kierratys')}:cache",
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CACHE_TIMEOUT", default=1),
                "socket_timeout": env.float("REDIS_CACHE_TIMEOUT", default=1),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background tasks: a database queue, run by `manage.py worker` --------------------
# Enqueued inside the caller's transaction, so a rolled-back change enqueues nothing.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A task running longer than this is stopped and marked failed (an email retries later).
TASK_TIMEOUT_SECONDS = env.int("TASK_TIMEOUT_SECONDS", default=120)
# A task still "running" this long after it started lost its worker (killed, machine gone):
# it is queued again. Longer than the timeout, so a live worker is never overtaken.
TASK_LEASE_SECONDS = env.int("TASK_LEASE_SECONDS", default=600)

# --- Webhooks (kierratys/webhooks) -------------------------------------------------------
# Pauses before each retry of a failed delivery (Standard Webhooks' schedule: 5 s, 5 min,
# 30 min, 2 h, 5 h, 10 h, 10 h), then it is given up; an endpoint failing this many
# attempts in a row is paused and its coordinators told.
WEBHOOK_RETRY_SECONDS = env.list(
    "WEBHOOK_RETRY_SECONDS", cast=int, default=[5, 300, 1800, 7200, 18000, 36000, 36000]
)
WEBHOOK_PAUSE_AFTER_FAILURES = env.int("WEBHOOK_PAUSE_AFTER_FAILURES", default=20)
# Hosts allowed although they are not public addresses (an intranet receiver), and a CA
# bundle for receivers with a private CA; by default only public HTTPS addresses.
WEBHOOK_ALLOWED_HOSTS = env.list("WEBHOOK_ALLOWED_HOSTS", default=[])
WEBHOOK_CA_BUNDLE = env("WEBHOOK_CA_BUNDLE", default="")

# --- Files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploads. Form fields other than files: at most 2.5 MB (Django's RequestDataTooBig).
# Uploaded files and the ASGI body go to a temporary file beyond 2.5 MB, so a request's
# memory does not grow with its photos. The whole body: REQUEST_BODY_MAX_BYTES below, and
# never more than a listing's photos at their limits (kierratys.upload_limits).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Photos one account may send per hour: each costs up to seconds of CPU to process.
PHOTO_UPLOADS_PER_HOUR = env.int("PHOTO_UPLOADS_PER_HOUR", default=120)

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if AWS_STORAGE_BUCKET_NAME:
    from botocore.config import Config as _S3Config

    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            # An S3 that never answers fails a call within (connect + read) x attempts
            # seconds, instead of holding the request (and its database connection).
            "client_config": _S3Config(
                connect_timeout=env.float("AWS_S3_CONNECT_TIMEOUT", default=2),
                read_timeout=env.float("AWS_S3_READ_TIMEOUT", default=5),
                retries={
                    "total_max_attempts": env.int("AWS_S3_MAX_ATTEMPTS", default=3),
                    "mode": "standard",
                },
                s3={"addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path")},
            ),
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            # Shown for reference: with a client_config django-storages takes the style
            # from the config's `s3` (above).
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        },
    }
WHITENOISE_USE_FINDERS = DEBUG

# --- Email ------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# Seconds an SMTP server may take to answer; a silent one fails the attempt (retried later)
# instead of stalling the worker for good.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10)
# Each call to an organisation's identity provider (discovery, keys, token): a slow one
# gets a clear message and the password sign-in where it is allowed (kierratys/accounts/sso).
SSO_TIMEOUT_SECONDS = env.float("SSO_TIMEOUT_SECONDS", default=5)
# The demo's Varha signs in through the test provider of `make oidc-demo` (README).
DEMO_OIDC_ISSUER = env("DEMO_OIDC_ISSUER", default="http://127.0.0.1:9100")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{SERVICE_NAME} <noreply@demo.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "kierratys.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "kierratys.accounts.backends.UnitAwareBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Verification and password-reset links stay valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
SESSION_COOKIE_AGE = 14 * 24 * 3600

# Login throttling: 5 failures for one account from one address within 15 minutes.
# Counted in the database (axes' default handler, named here), so the failures add up
# across every server process and machine.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "kierratys.accounts.views.login_username"
AXES_LOCKOUT_CALLABLE = "kierratys.accounts.views.login_locked_out"
# Proxies in front of the app: the client is the PROXY_COUNT-th X-Forwarded-For entry from
# the right (kierratys.accounts.identity.client_address; axes' own ipware path is not installed).
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "kierratys.accounts.identity.client_address"
AXES_VERBOSE = False
# Password-reset requests per hour, for one address and from one client.
PASSWORD_RESET_LIMIT_WINDOW = timedelta(hours=1)
PASSWORD_RESET_LIMIT_PER_ADDRESS = 5
PASSWORD_RESET_LIMIT_PER_CLIENT = 20

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = env("LANGUAGE_CODE", default="fi")
ALL_LANGUAGES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}
LANGUAGES = [
    (code, ALL_LANGUAGES[code]) for code in env.list("LANGUAGES", default=["fi", "sv", "en"])
]
TIME_ZONE = env("TIME_ZONE", default="Europe/Helsinki")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as 1.12.2026 in every language (kierratys/formats/).
FORMAT_MODULE_PATH = "kierratys.formats"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Security (strict unless DEBUG) -----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # Probes and Prometheus call the app directly, over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Request bodies larger than this are refused with 413 by the ASGI entry (kierratys/asgi.py)
# before they are read: room for a listing form with eight phone photos, nothing near 300 MB.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=64 * 1024 * 1024)

# Threads per server process that answer pages (kierratys/serving.py), each with its own
# database connection: a slow page holds one, the others go on.
HTTP_THREADS = env.int("HTTP_THREADS", default=4)

# Content-Security-Policy (django-csp 4): scripts and styles only from our own static files;
# pages pass their texts to scripts in data attributes or json_script blocks.
_media_origins = []
if AWS_STORAGE_BUCKET_NAME:  # photos are served by the S3 endpoint (signed URLs)
    _endpoint = env("AWS_S3_ENDPOINT_URL", default="") or "https://*.amazonaws.com"
    _media_origins = ["/".join(_endpoint.split("/")[:3])]
_site = "/".join(SITE_URL.split("/")[:3])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *_media_origins],  # blob: photo previews
        # 'self' covers ws(s) of the page's own origin in current browsers; older Safari
        # needs the socket's address spelled out.
        "connect-src": ["'self'", _site.replace("http", "ws", 1)],
        "media-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features pages may use: the camera, for scanning QR labels; nothing else.
PERMISSIONS_POLICY = {
    "camera": "(self)",
    **dict.fromkeys(
        [
            "microphone",
            "geolocation",
            "payment",
            "usb",
            "serial",
            "hid",
            "midi",
            "display-capture",
            "accelerometer",
            "gyroscope",
            "magnetometer",
            "browsing-topics",
        ],
        "()",
    ),
}

# Live sockets (kierratys/consumers.py): each one re-checks its account this often, so a
# deactivation or sign-out whose close message was lost (Redis down) still ends it; and one
# user may hold this many sockets per server process.
LIVE_RECHECK_SECONDS = env.float("LIVE_RECHECK_SECONDS", default=60)
LIVE_SOCKETS_PER_USER = env.int("LIVE_SOCKETS_PER_USER", default=20)

# The benchmarks' baseline view (bench/); never on in production.
BENCH_VIEWS = env.bool("BENCH_VIEWS", default=False)

# Each request is printed once: the server's access line (uvicorn's own logger, or daphne's
# "django.channels.server" under runserver). Django's default gives the "django" logger a
# console handler of its own while DEBUG is on, and that logger propagates to the root too, so
# every Django record came out twice; here "django" keeps no handler and passes records up to
# the root's one. Django's "Not Found: /x"-style warnings for 4xx answers repeat the access
# line, so "django.request" keeps errors only (a 500 with its traceback).
# LOG_FORMAT=json (the default when DEBUG is off) writes one JSON object per line: time, level,
# logger, message, request_id, exception (kierratys/observability/logs.py); uvicorn's own lines
# then come through the same handler. "text" is the plain development output.
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "kierratys.observability.logs.RequestIdFilter"},
        "redact": {"()": "kierratys.observability.logs.RedactFilter"},
    },
    "formatters": {"json": {"()": "kierratys.observability.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "redact"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        **(
            {name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.access")}
            if LOG_FORMAT == "json"
            else {}
        ),
    },
}

if LOG_FORMAT == "json":
    import logging as _logging

    _logging.captureWarnings(True)  # Python's warnings too become lines ("py.warnings")

# /metrics (kierratys/observability/views.py) answers only `Authorization: Bearer <this>`;
# unset, it is a 404 for everyone.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- The JSON API (issue 19, kierratys/api) ---------------------------------------------
REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "kierratys.api.problems.handle",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kierratys.api.authentication.ServiceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kierrätys API",
    "DESCRIPTION": (
        "Furniture reuse between the units of Finnish municipalities. Every error is an "
        "RFC 9457 problem (application/problem+json). Lists are cursor-paginated; GET "
        "answers carry an ETag (send If-None-Match for 304)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kierratys.api.schema.add_headers",
    ],
    "ENUM_NAME_OVERRIDES": {},
    # `<id:pk>` (kierratys.common.inputs.IdConverter): ids are integers, up to 18 digits.
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "format": "int64", "minimum": 1, "maximum": 10**18 - 1}
    },
}
# Requests a minute for a signed-in browser; each service token has its own limit.
API_SESSION_RATE_PER_MINUTE = env.int("API_SESSION_RATE_PER_MINUTE", default=600)
