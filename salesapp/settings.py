"""Settings for salesapp.

Everything comes from the environment, with embedded defaults that need no services at all:
SQLite under var/, Celery tasks run in-process, email written to files under var/. Setting
DATABASE_URL, CELERY_BROKER_URL and EMAIL_HOST switches the same code to the production shape.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SALESAPP_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# The embedded default key is only good for a laptop; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-set-SECRET_KEY-in-production-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram search indexes (sales migration 0010); inert on SQLite
    "crispy_forms",
    "crispy_bootstrap5",
    "template_partials",
    "axes",
    "salesapp.core",
    "salesapp.accounts",
    "salesapp.customers",
    "salesapp.catalog",
    "salesapp.reporting",
    "salesapp.sales",
    "salesapp.documents",
    "salesapp.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A command URL opened by GET: a page leading back to the record, not a blank 405.
    "salesapp.core.middleware.CommandPageMiddleware",
    # Last: turns a refused login (the lockout axes' backend signals) into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "salesapp.urls"
WSGI_APPLICATION = "salesapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salesapp.accounts.context_processors.roles",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing with
# "database is locked" half-way (FIELDNOTES: SQLite locking).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # sqlite:////path: as the default
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    if os.environ.get("SALESAPP_TEST_DB_NAME"):  # lets parallel test runs on one server keep apart
        DATABASES["default"]["TEST"] = {"NAME": os.environ["SALESAPP_TEST_DB_NAME"]}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "salesapp.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    }
    # Tests use a file, not shared-cache memory, so that threads really contend for the lock as
    # they do in production; one file per process keeps parallel runs apart.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("SALESAPP_TEST_SQLITE_FILE", str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# axes' backend goes first: it refuses a locked-out user or address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
# The organization's base currency, created by the first `migrate` (a Dynamics 365 organization
# always has one): prices, price lists and documents without a currency use it.
BASE_CURRENCY = os.environ.get("BASE_CURRENCY", "USD").strip().upper()
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at every start without it
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=not DEBUG and bool(DATABASE_URL))
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- caches -----------------------------------------------------------------------------------
# The Web API counts failed token checks per address in the cache. The default (memory of one
# process) is right for tests and `make run`; with several web processes set REDIS_CACHE_URL, so
# that they share one count.
REDIS_CACHE_URL = os.environ.get("REDIS_CACHE_URL", "")
if REDIS_CACHE_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- login and token throttling (SPEC §9) ------------------------------------------------------
# django-axes keeps failed logins in the database (shared by every process, no cache needed). After
# LOGIN_FAILURE_LIMIT failures for a username, or from an address, further attempts are refused for
# LOGIN_COOLOFF_MINUTES, even with the right password; each refused try starts the cool-off again.
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one: a user, or an address
AXES_RESET_ON_SUCCESS = True  # a successful login forgets that user's earlier failures
AXES_LOCKOUT_CALLABLE = "salesapp.accounts.views.locked_out"  # the sign-in page saying so, 429
AXES_DISABLE_ACCESS_LOG = True  # only failures are kept, not a row per successful login
AXES_CLIENT_IP_CALLABLE = "salesapp.accounts.addresses.client_address"
# Behind N reverse proxies that each append to X-Forwarded-For, the client is the Nth address from
# the right; 0 (the default) uses the connection's address and ignores the header (it can be forged).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# The Web API: after API_TOKEN_FAILURE_LIMIT unknown, revoked or expired tokens from an address
# within API_TOKEN_LOCKOUT_MINUTES, it answers 429 to that address until the window has passed.
API_TOKEN_FAILURE_LIMIT = int(os.environ.get("API_TOKEN_FAILURE_LIMIT", "10"))
API_TOKEN_LOCKOUT_MINUTES = float(os.environ.get("API_TOKEN_LOCKOUT_MINUTES", "15"))

# --- email ------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "billing@salesapp.local")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# A worker keeps its SMTP connection open between messages; one idle longer than this is renewed
# (salesapp.documents.mailer).
EMAIL_CONNECTION_IDLE_SECONDS = float(os.environ.get("EMAIL_CONNECTION_IDLE_SECONDS", "60"))
# Liveness locks of delivery attempts on SQLite (flock'd files; PostgreSQL uses advisory locks).
LIVENESS_LOCK_DIR = Path(os.environ.get("LIVENESS_LOCK_DIR", VAR_DIR / "locks"))
# Invoice deliveries (salesapp.documents): transient SMTP errors retry with exponential backoff
# (base × 2^n seconds, capped) up to EMAIL_DELIVERY_MAX_RETRIES times, then fail.
EMAIL_DELIVERY_MAX_RETRIES = int(os.environ.get("EMAIL_DELIVERY_MAX_RETRIES", "5"))
EMAIL_DELIVERY_RETRY_BACKOFF = float(os.environ.get("EMAIL_DELIVERY_RETRY_BACKOFF", "30"))
EMAIL_DELIVERY_RETRY_BACKOFF_MAX = float(os.environ.get("EMAIL_DELIVERY_RETRY_BACKOFF_MAX", "600"))

# --- celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Messages a worker process reserves beyond the one it runs: 1 keeps long tasks spread evenly over
# the workers; a reserved message stays unacknowledged, so it comes back if the worker dies.
CELERY_WORKER_PREFETCH_MULTIPLIER = int(os.environ.get("CELERY_WORKER_PREFETCH_MULTIPLIER", "1"))
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "120"))
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "180"))
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(
    os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "400000")
)  # KiB
# An unacknowledged task (its worker died) comes back after the visibility timeout; keep it longer
# than the hard time limit plus the longest retry countdown, or a live task is delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900")),
    "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": int(os.environ.get("CELERY_UNACKED_RESTORE_THROTTLE", "10")),
}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "salesapp")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# `celery -A salesapp beat` (one per installation) enqueues again deliveries whose task went missing:
# the broker was down when they were queued, or a worker was killed past the hard time limit.
DELIVERY_REQUEUE_AFTER_MINUTES = float(os.environ.get("DELIVERY_REQUEUE_AFTER_MINUTES", "15"))
# It also runs the daily payment reminders (SPEC §10; they only go out when the organization
# settings turn them on) at REMINDER_HOUR:REMINDER_MINUTE in TIME_ZONE.
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-deliveries": {
        "task": "documents.requeue_stale_deliveries",
        "schedule": float(os.environ.get("DELIVERY_REQUEUE_INTERVAL", "300")),
    },
    "send-due-payment-reminders": {
        "task": "documents.send_due_reminders",
        "schedule": crontab(
            hour=os.environ.get("REMINDER_HOUR", "7"), minute=os.environ.get("REMINDER_MINUTE", "0")
        ),
    },
}
CELERY_TIMEZONE = TIME_ZONE  # the crontab above is in the organization's time zone
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- security (production shape when DEBUG is off) ----------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("SECURE_COOKIES", default=not DEBUG and bool(os.environ.get("SECRET_KEY"))):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
