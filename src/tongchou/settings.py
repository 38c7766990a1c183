"""Settings for tongchou, read from the environment in one place.

TONGCHOU_ENV is one of ``production`` (the default, hardened), ``demo`` (plain
HTTP on 127.0.0.1) or ``test``. The database is SQLite under ``var/`` unless
DATABASE_URL names a PostgreSQL server.
"""

from pathlib import Path

from tongchou.common.env import database_from_url, env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(env_str("TONGCHOU_VAR_DIR", str(PROJECT_DIR / "var")))

TONGCHOU_ENV = env_str("TONGCHOU_ENV", "production")
PRODUCTION = TONGCHOU_ENV == "production"
DEBUG = env_bool("TONGCHOU_DEBUG", False)

SECRET_KEY = env_str(
    "TONGCHOU_SECRET_KEY",
    "" if PRODUCTION else "insecure-key-for-demo-and-tests-only-0123456789abcdefghijklmnop",
)
if not SECRET_KEY:
    raise RuntimeError("TONGCHOU_SECRET_KEY must be set in production")

ALLOWED_HOSTS = env_str("TONGCHOU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tongchou.common",
    "tongchou.core",
    "tongchou.grid",
    "tongchou.registry",
    "tongchou.command",
    "tongchou.venues",
    "tongchou.tracing",
    "tongchou.testing",
    "tongchou.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongchou.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongchou.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongchou.core.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tongchou.urls"
WSGI_APPLICATION = "tongchou.wsgi.application"

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
                "tongchou.core.menu.menu",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tongchou.sqlite3'}"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Run on every password set for staff: the user form (core.forms.UserForm), user_create,
# and Django's createsuperuser and changepassword.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "first_name", "last_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout: failures per (username, address) lock that pair; failures per
# address alone lock the address only at a much higher count, so one person's
# typing does not lock out an office sharing one address.
LOCKOUT_WINDOW_SECONDS = env_int("TONGCHOU_LOCKOUT_WINDOW", 15 * 60)
LOCKOUT_MAX_PER_USER_ADDRESS = env_int("TONGCHOU_LOCKOUT_PER_USER", 5)
LOCKOUT_MAX_PER_ADDRESS = env_int("TONGCHOU_LOCKOUT_PER_ADDRESS", 50)

# Visitors registering themselves on a venue's public check-in page (each one becomes a
# grid worker's task), and names that do not match a ledger ID number there, share one
# budget: per phone a few a day (a family registering its guests), per address more an
# hour (a venue's wifi or a carrier's NAT is shared by many phones). Wrong names for one
# ID number, from anywhere, stop the phone page from checking that ID number in at all.
VISITOR_DEVICE_WINDOW_SECONDS = env_int("TONGCHOU_VISITOR_DEVICE_WINDOW", 24 * 3600)
VISITOR_MAX_PER_DEVICE = env_int("TONGCHOU_VISITOR_PER_DEVICE", 3)
VISITOR_ADDRESS_WINDOW_SECONDS = env_int("TONGCHOU_VISITOR_ADDRESS_WINDOW", 3600)
VISITOR_MAX_PER_ADDRESS = env_int("TONGCHOU_VISITOR_PER_ADDRESS", 20)
VISITOR_MAX_WRONG_NAMES_PER_ID_NUMBER = env_int("TONGCHOU_VISITOR_WRONG_NAMES_PER_ID", 5)
# Rows one user may export unmasked (full ID numbers, phones) in a day, all exports together.
EXPORT_FULL_DAILY_ROWS = env_int("TONGCHOU_EXPORT_FULL_DAILY_ROWS", 50_000)

# Behind a TLS-terminating reverse proxy: its address, and the headers `tongchou serve`
# (waitress) takes from it alone: the client's address (REMOTE_ADDR, which the sign-in
# lockout and the access log use) and the scheme (so HTTPS is not redirected to HTTPS
# again). Unset, those headers are dropped and REMOTE_ADDR is the peer's own address.
# Django's SECURE_PROXY_SSL_HEADER is not set: it would believe any caller's header.
TRUSTED_PROXY = env_str("TONGCHOU_TRUSTED_PROXY", "")
TRUSTED_PROXY_HEADERS = env_str(
    "TONGCHOU_TRUSTED_PROXY_HEADERS", "x-forwarded-for x-forwarded-proto"
).split()

# Idle sessions end after 30 minutes without a request.
SESSION_COOKIE_AGE = env_int("TONGCHOU_SESSION_IDLE_SECONDS", 30 * 60)
# However active, a session ends this long after its sign-in (core.middleware), and an
# API token this many days after it was made (core.api.authentication).
SESSION_MAX_SECONDS = env_int("TONGCHOU_SESSION_MAX_SECONDS", 12 * 3600)
API_TOKEN_MAX_DAYS = env_int("TONGCHOU_API_TOKEN_MAX_DAYS", 90)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("TONGCHOU_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, serve static files straight from the source folders as well,
# so tests and a fresh checkout need no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = VAR_DIR / "files"
# Uploaded ledgers and error files are kept here; each job has its own folder.
JOB_FILES_DIR = VAR_DIR / "jobs"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tongchou.core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "tongchou.core.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": [],
    # Rates are API_THROTTLE_RATES below; wrong tokens are counted by the authentication.
    "DEFAULT_THROTTLE_CLASSES": [
        "tongchou.core.api.throttling.UploadRateThrottle",
        "tongchou.core.api.throttling.SearchRateThrottle",
    ],
}
# API throttling (core.api.throttling), "count/second|minute|hour|day": batches posted
# per user, resident look-ups (q, id_number, phone) per user, wrong API tokens per
# address. An address over its rate of wrong tokens is refused with any token.
API_THROTTLE_RATES = {
    "upload": env_str("TONGCHOU_THROTTLE_UPLOADS", "120/min"),
    "search": env_str("TONGCHOU_THROTTLE_SEARCHES", "60/min"),
    "token_failure": env_str("TONGCHOU_THROTTLE_TOKEN_FAILURES", "200/hour"),
}
# The throttles count in the database, so every server process shares the counts and
# SQLite is enough; core's migration 0006 creates the table (as `createcachetable` does).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tongchou_cache",
        # Culling past this many rows would forget counts: keep it well above the callers.
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "tongchou API",
    "DESCRIPTION": "District command platform: areas, households, people, tasks.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names every endpoint and field: only signed-in users (session or token)
    # get it; the docs page also sends anyone else to the sign-in page (urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" with their own choices: name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "tongchou.tracing.choices.CaseStatus",
        "ContactStatusEnum": "tongchou.tracing.choices.ContactStatus",
        "ControlStatusEnum": "tongchou.tracing.choices.ControlStatus",
        "FeverAlertStatusEnum": "tongchou.venues.choices.AlertStatus",
        "TaskStatusEnum": "tongchou.command.choices.TaskStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler masks ID numbers and mobile numbers (core.logging); a test checks that
    # no handler of any logger goes without it.
    "filters": {"mask_personal_numbers": {"()": "tongchou.core.logging.PersonalNumbersFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_numbers"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal_numbers"],
        },
    },
    # Django's own handlers (its console when DEBUG, mail to ADMINS, which is not set;
    # runserver's request lines, query strings included) would write without the filter:
    # its loggers write through the ones above instead.
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env_str("TONGCHOU_LOG_LEVEL", "WARNING")},
}

# Check-ins are whereabouts: `tongchou purge` deletes them after this many days
# unless a tracing file holds them.
CHECKIN_RETENTION_DAYS = env_int("TONGCHOU_CHECKIN_RETENTION_DAYS", 28)
# Uploaded ledgers and error files hold whole ID numbers: `tongchou purge` deletes them
# this many days after their job finished.
UPLOAD_RETENTION_DAYS = env_int("TONGCHOU_UPLOAD_RETENTION_DAYS", 7)
# A daily follow-up of a household under home control is overdue after this hour.
FOLLOWUP_DUE_HOUR = env_int("TONGCHOU_FOLLOWUP_DUE_HOUR", 10)

# How many rows an import validates and writes per database round trip.
IMPORT_CHUNK_ROWS = env_int("TONGCHOU_IMPORT_CHUNK_ROWS", 5000)
# A ledger at or below this many rows imports inline on the page; larger ones run as jobs.
JOB_WORKER_POLL_SECONDS = 1.0
