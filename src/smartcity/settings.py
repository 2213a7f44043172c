"""Settings, all from environment variables (README lists every one).

The embedded default (no variables set) is the one-command demo: SQLite, eager Celery,
console e-mail, local file storage under ./var.
"""

import os
import warnings
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent  # src/smartcity
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SMARTCITY_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not env_bool("SMARTCITY_ALLOW_INSECURE_DEFAULTS", True):
        raise RuntimeError("DJANGO_SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-demo-key-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SMARTCITY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CITY_NAME = os.environ.get("SMARTCITY_CITY_NAME", "Landeshauptstadt Düsseldorf")
CITY_CODE = os.environ.get("SMARTCITY_CITY_CODE", "DUS")

INSTALLED_APPS = [
    "smartcity.accounts.admin_site.SmartCityAdminConfig",  # django.contrib.admin with a TOTP-only site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "smartcity.core",
    "smartcity.audit",
    "smartcity.accounts",
    "smartcity.notifications",
    "smartcity.documents",
    "smartcity.cases",
    "smartcity.catalogue",
    "smartcity.payments",
    "smartcity.eforms",
    "smartcity.portal",
    "smartcity.backoffice",
    "smartcity.parking",
    "smartcity.opendata",
    "smartcity.airquality",
]

MIDDLEWARE = [
    "smartcity.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "smartcity.accounts.middleware.OTPMiddleware",  # django-otp's, without its device query
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "smartcity.core.middleware.CSPMiddleware",  # django-csp's, the header built once
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smartcity.urls"
WSGI_APPLICATION = "smartcity.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "smartcity.core.templatebackend.ProjectTemplates",  # Django's; see its check
        "NAME": "django",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Django's cached loader, folding the parts of a template that depend only on the language and URL
            # configuration into text once per process (core/templatefold.py).
            "loaders": [("smartcity.core.templatefold.Loader", ["django.template.loaders.filesystem.Loader",
                                                                "django.template.loaders.app_directories.Loader"])],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smartcity.core.context_processors.platform",
            ],
            # Same output as Django's tags, cheaper on every page: {% url 'name' %} without arguments reversed
            # once, {% translate "literal" %} without the lazy string (core/templatetags/fast_url.py, fast_i18n.py).
            "builtins": ["smartcity.core.templatetags.fast_url"],
            "libraries": {"i18n": "smartcity.core.templatetags.fast_i18n"},
        },
    }
]

# Django's default renderer, with input and select widgets written in Python instead of through their templates
# (same HTML; core/formrenderer.py).
FORM_RENDERER = "smartcity.core.formrenderer.FastWidgetRenderer"

if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite does not create its parent folder
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'smartcity.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the demo's web process and eager tasks read while writing.
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "smartcity.accounts.backends.EmailOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"

# Brute-force protection (django-axes): lock by username+IP after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("Deutsch")), ("en", _("English"))]
LOCALE_PATHS: list = []  # each app carries its own locale/<lang>/LC_MESSAGES/django.po
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", PROJECT_DIR / "node_modules")]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))  # outside the web root; never served directly
STORAGES = {
    "default": {"BACKEND": os.environ.get("DEFAULT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve from the app and node_modules folders when collectstatic has not run
warnings.filterwarnings("ignore", message="No directory at")
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
UPLOAD_MAX_PAGES = int(os.environ.get("UPLOAD_MAX_PAGES", "50"))
CLAMD_ADDRESS = os.environ.get("CLAMD_ADDRESS", "")  # "host:port" or a unix socket path; empty = no scanning

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Digitales Rathaus <noreply@duesseldorf.example>")

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}  # apps add their periodic jobs in their AppConfig.ready()

REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "smartcity"}
    )
}
MQTT_URL = os.environ.get("MQTT_URL", "mqtt://127.0.0.1:1883")

# With Redis, sessions are read from the cache and written through to the database (one query less on every
# request; a Redis restart costs nobody their login). Without Redis the local-memory cache is per process,
# so sessions stay in the database alone.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SECURE_COOKIES = env_bool("SMARTCITY_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SECURE_COOKIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
CSRF_FAILURE_VIEW = "smartcity.core.views.csrf_failure"

# Strict CSP: no inline script or style; everything from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "https://*.tile.openstreetmap.org"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min", "submit": "20/hour", "login": "20/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Smart City Plattform API",
    "DESCRIPTION": "Service catalogue, cases, parking permits and enforcement, air quality. "
    "The CKAN Action API and SensorThings API are documented in docs/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "smartcity.core.logging.JsonFormatter"},
        "plain": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": os.environ.get("LOG_FORMAT", "json")}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.server": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# --- cases ---
# Escalation of overdue cases and retention run as periodic jobs (Celery beat); times are Europe/Berlin.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["cases-escalate-overdue"] = {
    "task": "cases.escalate_overdue",
    "schedule": crontab(minute=0, hour=os.environ.get("CASES_ESCALATION_HOURS", "6-18")),
}
CELERY_BEAT_SCHEDULE["cases-apply-retention"] = {
    "task": "cases.apply_retention",
    "schedule": crontab(minute=30, hour=os.environ.get("CASES_RETENTION_HOUR", "2")),
}

# --- accounts ---
# The BundID simulator lets anyone log in as a test person: only for demo, test and staging systems.
BUNDID_SIMULATOR_ENABLED = env_bool("BUNDID_SIMULATOR_ENABLED", env_bool("SMARTCITY_ALLOW_INSECURE_DEFAULTS", True))
BUNDID_SIMULATOR_RATE_LIMIT = int(os.environ.get("BUNDID_SIMULATOR_RATE_LIMIT", "30"))  # logins per IP / 10 min
ACCOUNTS_REGISTER_RATE_LIMIT = int(os.environ.get("ACCOUNTS_REGISTER_RATE_LIMIT", "10"))  # sign-ups per IP / hour
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", CITY_NAME)
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(24 * 3600)))

# --- documents ---
DOCUMENT_ORPHAN_DAYS = int(os.environ.get("DOCUMENT_ORPHAN_DAYS", "30"))  # uploads never attached to a case
CLAMD_TIMEOUT = float(os.environ.get("CLAMD_TIMEOUT", "30"))
CELERY_BEAT_SCHEDULE["documents-cleanup"] = {"task": "smartcity.documents.tasks.cleanup_documents",
                                             "schedule": 24 * 3600}

# --- parking enforcement (permit tokens, verification, Kontrolle) ---
from celery.schedules import crontab  # noqa: E402

# A sub-app of parking with its own migrations (docs/parking.md, "Nachweis und Prüfung").
INSTALLED_APPS += ["smartcity.parking.enforcement"]
# Fernet key (urlsafe base64, 32 bytes) that encrypts the Ed25519 signing keys at rest; derived from
# DJANGO_SECRET_KEY when empty (demo only).
PARKING_KEY_ENCRYPTION_KEY = os.environ.get("PARKING_KEY_ENCRYPTION_KEY", "")
# Staff of these departments (with 2FA) may use the enforcement page and API.
PARKING_ENFORCEMENT_DEPARTMENTS = env_list("PARKING_ENFORCEMENT_DEPARTMENTS", "ordnungsamt")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["enforcement"] = os.environ.get("PARKING_ENFORCEMENT_RATE", "1200/min")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["verify"] = os.environ.get("PARKING_VERIFY_RATE", "60/min")
PARKING_SNAPSHOT_KEEP = int(os.environ.get("PARKING_SNAPSHOT_KEEP", "7"))
CELERY_BEAT_SCHEDULE["parking-enforcement-snapshot"] = {
    # Before the early shift; handhelds fetch it when they sync in the morning.
    "task": "smartcity.parking.enforcement.tasks.build_daily_snapshot",
    "schedule": crontab(hour=2, minute=30),
}
CELERY_BEAT_SCHEDULE["parking-enforcement-prune-keys"] = {
    "task": "smartcity.parking.enforcement.tasks.prune_signing_keys",
    "schedule": crontab(hour=3, minute=15),
}

# --- airquality ---
AIRQUALITY_STA_DEFAULT_TOP = int(os.environ.get("AIRQUALITY_STA_DEFAULT_TOP", "100"))
AIRQUALITY_STA_MAX_TOP = int(os.environ.get("AIRQUALITY_STA_MAX_TOP", "10000"))
AIRQUALITY_MQTT_PUBLIC_URL = os.environ.get("AIRQUALITY_MQTT_PUBLIC_URL", MQTT_URL)
AIRQUALITY_MQTT_CLIENT_ID = os.environ.get("AIRQUALITY_MQTT_CLIENT_ID", "smartcity-airquality-ingest")
AIRQUALITY_MQTT_MAX_BYTES = int(os.environ.get("AIRQUALITY_MQTT_MAX_BYTES", str(256 * 1024)))
AIRQUALITY_MQTT_BATCH = int(os.environ.get("AIRQUALITY_MQTT_BATCH", "2000"))
AIRQUALITY_MQTT_LINGER_MS = int(os.environ.get("AIRQUALITY_MQTT_LINGER_MS", "50"))
AIRQUALITY_PARTITIONS_AHEAD = int(os.environ.get("AIRQUALITY_PARTITIONS_AHEAD", "3"))
AIRQUALITY_UBA_URL = os.environ.get("AIRQUALITY_UBA_URL", "https://luftdaten.umweltbundesamt.de/api/air-data/v3")
AIRQUALITY_SENSOR_COMMUNITY_URL = os.environ.get(
    "AIRQUALITY_SENSOR_COMMUNITY_URL", "https://data.sensor.community/static/v2/data.1h.json"
)
CELERY_BEAT_SCHEDULE["airquality-partitions"] = {
    "task": "smartcity.airquality.tasks.ensure_partitions",
    "schedule": 24 * 3600,
}
# Ingest queues a refresh after each commit; this catches marks whose queueing was lost (process killed
# between commit and queueing, broker down).
CELERY_BEAT_SCHEDULE["airquality-refresh-aggregates"] = {
    "task": "smartcity.airquality.tasks.refresh_aggregates",
    "schedule": 60,
}

# --- payments ---
PAYMENTS_DEFAULT_PROVIDER = os.environ.get("PAYMENTS_DEFAULT_PROVIDER", "simulator")
# Leading digits of every Kassenzeichen (the Kassenverfahren's Mandant/Verfahren number).
PAYMENTS_KASSENZEICHEN_PREFIX = os.environ.get("PAYMENTS_KASSENZEICHEN_PREFIX", "47")
PAYMENTS_CASH_OFFICE_DEPARTMENT = os.environ.get("PAYMENTS_CASH_OFFICE_DEPARTMENT", "stadtkasse")
PAYMENTS_RECONCILE_AFTER_MINUTES = int(os.environ.get("PAYMENTS_RECONCILE_AFTER_MINUTES", "15"))
PAYMENTS_EXPIRE_AFTER_MINUTES = int(os.environ.get("PAYMENTS_EXPIRE_AFTER_MINUTES", "120"))
PAYMENTS_RECONCILE_BATCH = int(os.environ.get("PAYMENTS_RECONCILE_BATCH", "500"))
PAYMENTS_WEBHOOK_TOLERANCE_SECONDS = int(os.environ.get("PAYMENTS_WEBHOOK_TOLERANCE_SECONDS", "300"))
# Anyone holding a simulator link can mark a payment paid: off wherever real money is due.
PAYMENTS_SIMULATOR_ENABLED = env_bool("PAYMENTS_SIMULATOR_ENABLED", env_bool("SMARTCITY_ALLOW_INSECURE_DEFAULTS", True))
PAYMENTS_SIMULATOR_WEBHOOKS = os.environ.get("PAYMENTS_SIMULATOR_WEBHOOKS", "inline" if CELERY_TASK_ALWAYS_EAGER
                                             else "http")  # inline | http | off
PAYMENTS_SIMULATOR_WEBHOOK_SECRET = os.environ.get("PAYMENTS_SIMULATOR_WEBHOOK_SECRET", "simulator-demo-secret")
PAYMENTS_SIMULATOR_WEBHOOK_OLD_SECRETS = env_list("PAYMENTS_SIMULATOR_WEBHOOK_OLD_SECRETS")
CELERY_BEAT_SCHEDULE["payments-reconcile"] = {
    "task": "smartcity.payments.tasks.reconcile_payments",
    "schedule": float(os.environ.get("PAYMENTS_RECONCILE_INTERVAL_SECONDS", "300")),
}

# --- eforms ---
EFORMS_SUBMISSIONS_PER_HOUR = int(os.environ.get("EFORMS_SUBMISSIONS_PER_HOUR", "10"))
EFORMS_DRAFT_RETENTION_DAYS = int(os.environ.get("EFORMS_DRAFT_RETENTION_DAYS", "30"))
CELERY_BEAT_SCHEDULE["eforms-delete-stale-drafts"] = {
    "task": "smartcity.eforms.tasks.delete_stale_drafts",
    "schedule": 24 * 3600.0,
}

# --- opendata ---
OPENDATA_SITE_TITLE = os.environ.get("OPENDATA_SITE_TITLE", "Offene Daten Düsseldorf")
OPENDATA_MAX_UPLOAD_BYTES = int(os.environ.get("OPENDATA_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024)))
# Datasets per page in the DCAT catalogue (/opendata/catalog.ttl …), like ckanext.dcat.datasets_per_page.
OPENDATA_CATALOG_PAGE_SIZE = int(os.environ.get("OPENDATA_CATALOG_PAGE_SIZE", "100"))
OPENDATA_HARVEST_TIMEOUT = int(os.environ.get("OPENDATA_HARVEST_TIMEOUT", "30"))  # seconds per HTTP request
OPENDATA_HARVEST_MAX_ATTEMPTS = int(os.environ.get("OPENDATA_HARVEST_MAX_ATTEMPTS", "3"))
OPENDATA_DATASTORE_MAX_ROWS = int(os.environ.get("OPENDATA_DATASTORE_MAX_ROWS", "2000000"))
# Search counts and facet counts are cached per catalogue version (any change invalidates); 0 = off.
OPENDATA_FACET_CACHE_SECONDS = int(os.environ.get("OPENDATA_FACET_CACHE_SECONDS", "300"))
# package_search on PostgreSQL: one-word searches of the public catalogue from the postings table (ADR 0091); 0 = off.
OPENDATA_SEARCH_TERMS = os.environ.get("OPENDATA_SEARCH_TERMS", "1") == "1"
# package_search on PostgreSQL: the statement over two halves of the matches at once, the second half on a worker
# thread's own connection (ADR 0074): lower latency on an idle machine for ≈ 35 % more database CPU; 0 = off.
OPENDATA_SEARCH_HALVES = os.environ.get("OPENDATA_SEARCH_HALVES", "1") == "1"
CELERY_BEAT_SCHEDULE.update({
    # Publisher callbacks (service KPIs, parking, air quality) refresh their datasets.
    "opendata-run-publishers": {"task": "smartcity.opendata.tasks.run_publishers",
                                "schedule": float(os.environ.get("OPENDATA_PUBLISH_INTERVAL_SECONDS", "3600"))},
    "opendata-check-freshness": {"task": "smartcity.opendata.tasks.check_freshness", "schedule": 6 * 3600.0},
    # Fold the search facet rows' deltas (ADR 0091): searches sum them anyway, compaction keeps that sum short.
    "opendata-compact-search-facets": {"task": "smartcity.opendata.tasks.compact_search_facets", "schedule": 300.0},
    "opendata-harvest": {"task": "smartcity.opendata.tasks.harvest_all",
                         "schedule": float(os.environ.get("OPENDATA_HARVEST_INTERVAL_SECONDS", "86400"))},
})
# DCAT-AP.de SHACL shapes + vocabularies (GovData validator layout); editors see warnings from them.
# Default: ../shared/standards/dcat-ap-de next to the checkout (or next to its parent folder of worktrees).
OPENDATA_SHACL_DIR = os.environ.get("OPENDATA_SHACL_DIR") or next(
    (str(p) for p in (PROJECT_DIR.parent / "shared/standards/dcat-ap-de",
                      PROJECT_DIR.parent.parent / "shared/standards/dcat-ap-de") if p.is_dir()),
    str(PROJECT_DIR.parent / "shared/standards/dcat-ap-de"))

# --- parking ---
from celery.schedules import crontab  # noqa: E402

# Which ParkingConfig row applies (per-city rules and fees, edited in the admin).
PARKING_CITY_CODE = os.environ.get("PARKING_CITY_CODE", CITY_CODE)
# Register plugins: "simulator" or a dotted path to a PopulationRegister / VehicleRegister class.
PARKING_POPULATION_REGISTER = os.environ.get("PARKING_POPULATION_REGISTER", "simulator")
PARKING_VEHICLE_REGISTER = os.environ.get("PARKING_VEHICLE_REGISTER", "simulator")
PARKING_REGISTER_TIMEOUT_SECONDS = float(os.environ.get("PARKING_REGISTER_TIMEOUT_SECONDS", "5"))
# Retries of a register check after an outage, with exponential backoff from 60 s, capped at 1 h.
PARKING_REGISTER_MAX_RETRIES = int(os.environ.get("PARKING_REGISTER_MAX_RETRIES", "12"))
PARKING_PAYMENT_PROVIDER = os.environ.get("PARKING_PAYMENT_PROVIDER", "simulator")
# Retention (docs/parking.md): closed applications, their decision records and ended permits are anonymised this
# many days after they ended. Default 6 years, the platform's records schedule for permits (documents/retention.py).
PARKING_RETENTION_DAYS = int(os.environ.get("PARKING_RETENTION_DAYS", str(6 * 365)))
CELERY_BEAT_SCHEDULE.update({
    "parking-expire-permits": {"task": "smartcity.parking.tasks.expire_permits",
                               "schedule": crontab(hour=0, minute=20)},
    "parking-send-reminders": {"task": "smartcity.parking.tasks.send_reminders",
                               "schedule": crontab(hour=7, minute=30)},
    "parking-close-hearings": {"task": "smartcity.parking.tasks.close_hearings",
                               "schedule": crontab(hour=6, minute=0)},
    # Safety nets: issue paid applications whose task was lost, re-check applications waiting on a register.
    "parking-issue-paid": {"task": "smartcity.parking.tasks.issue_stuck_paid", "schedule": 300.0},
    "parking-retry-registers": {"task": "smartcity.parking.tasks.retry_waiting", "schedule": 900.0},
    "parking-apply-retention": {"task": "smartcity.parking.tasks.apply_retention",
                                "schedule": crontab(hour=2, minute=45)},
})
CELERY_BEAT_SCHEDULE["airquality-open-data"] = {
    "task": "smartcity.airquality.tasks.publish_open_data",
    "schedule": 24 * 3600,
}
