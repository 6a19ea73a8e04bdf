"""One settings module, read from MAILCOVER_* environment variables (see .env.example)."""

from __future__ import annotations

import os

import dj_database_url

from mailcover.config.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_str,
    folder_in,
    ledger_origin,
    path_in,
    secret_key,
    var_dir,
)
from mailcover.law.terms import Policy

VAR_DIR = var_dir()
BASE_DIR = VAR_DIR.parent
SECRET_KEY = secret_key(VAR_DIR)
DEBUG = env_bool("MAILCOVER_DEBUG", False)
ALLOWED_HOSTS = env_list("MAILCOVER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mailcover.accounts",
    "mailcover.covers",
    "mailcover.ledger",
    "mailcover.records",
    "mailcover.oversight",
    "mailcover.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mailcover.accounts.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "mailcover.config.urls"
WSGI_APPLICATION = "mailcover.config.wsgi.application"

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
                "mailcover.web.context.roles",
            ],
        },
    }
]

_sqlite_url = f"sqlite:///{VAR_DIR / 'mailcover.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL") or _sqlite_url)}
except ValueError as exc:
    raise ConfigError(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; a busy timeout instead of
    # "database is locked" under the server's few concurrent requests.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:sign-in"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# A batch of POST /api/v1/mail-pieces (5,000 pieces, a few hundred bytes each) fits.
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
# POST /api/v1/mail-pieces does bounded work (docs/mail-stream.md): at most this many pieces
# that must be read by OCR (an image and neither addressee nor barcode) in one batch, and no
# more than this many seconds of matching (the server stops a request at 60).
MAILCOVER_IMAGE_ONLY_BATCH_MAX = env_int("MAILCOVER_IMAGE_ONLY_BATCH_MAX", 20, minimum=0)
MAILCOVER_BATCH_SECONDS = env_int("MAILCOVER_BATCH_SECONDS", 30, minimum=1)
if MAILCOVER_BATCH_SECONDS >= 40:
    # The piece being read when the time is up may take the OCR's 20 s more, and the
    # server stops a request at 60 s.
    raise ConfigError(
        f"MAILCOVER_BATCH_SECONDS must be under 40 (a photograph being read may take 20 "
        f"seconds more, and the server stops a request at 60), not {MAILCOVER_BATCH_SECONDS}"
    )

STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# USWDS and htmx, built from the npm registry at install time (never committed).
STATICFILES_DIRS = (
    [BASE_DIR / "build" / "static"] if (BASE_DIR / "build" / "static").is_dir() else []
)
MEDIA_ROOT = VAR_DIR / "files"

# Records requests (docs/records.md): an instrument's PDF up to this size; a production's
# download link lasts this many hours; customer notices go out by Django's email
# backend (a folder of .eml files in var/mail unless MAILCOVER_EMAIL_BACKEND says
# otherwise, e.g. django.core.mail.backends.smtp.EmailBackend with EMAIL_* settings).
MAILCOVER_INSTRUMENT_MAX_BYTES = env_int(
    "MAILCOVER_INSTRUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
)
MAILCOVER_DOWNLOAD_HOURS = env_int("MAILCOVER_DOWNLOAD_HOURS", 72, minimum=1)
EMAIL_BACKEND = env_str(
    "MAILCOVER_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("MAILCOVER_NOTICE_FROM", "records@mailcover.invalid")
# An uploaded instrument may be larger than DATA_UPLOAD_MAX_MEMORY_SIZE; Django spools
# files over this to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

MAILCOVER_POLICY = Policy(
    fugitive_period_days=env_int("MAILCOVER_FUGITIVE_PERIOD_DAYS", 60, minimum=1),
    national_security_period_days=env_int("MAILCOVER_NATSEC_PERIOD_DAYS", 60, minimum=1),
    fugitive_extension_days=env_int("MAILCOVER_FUGITIVE_EXTENSION_DAYS", 60, minimum=1),
    review_interval_days=env_int("MAILCOVER_REVIEW_INTERVAL_DAYS", 365, minimum=1),
    hq_designee_limit=env_int("MAILCOVER_HQ_DESIGNEE_LIMIT", 2, minimum=1),
    osg_designee_limit=env_int("MAILCOVER_OSG_DESIGNEE_LIMIT", 2, minimum=1),
    decision_target_hours=env_int("MAILCOVER_DECISION_TARGET_HOURS", 120, minimum=1),
    emergency_decision_target_hours=env_int(
        "MAILCOVER_EMERGENCY_DECISION_TARGET_HOURS", 24, minimum=1
    ),
    production_retention_days=env_int("MAILCOVER_PRODUCTION_RETENTION_DAYS", 1827, minimum=1),
)
# API tokens stop working after this many hours.
MAILCOVER_TOKEN_HOURS = env_int("MAILCOVER_TOKEN_HOURS", 12, minimum=1)

# The ledger (docs/operations.md): the name on its checkpoints, where its Ed25519
# signing key is generated on first use, and how often a checkpoint is published.
MAILCOVER_LEDGER_ORIGIN = ledger_origin()
MAILCOVER_LEDGER_KEY_FILE = path_in(VAR_DIR, "MAILCOVER_LEDGER_KEY_FILE", "ledger-signing.key")
MAILCOVER_CHECKPOINT_ENTRIES = env_int("MAILCOVER_CHECKPOINT_ENTRIES", 100, minimum=1)
MAILCOVER_CHECKPOINT_SECONDS = env_int("MAILCOVER_CHECKPOINT_SECONDS", 300, minimum=1)

# Captured data is sealed with one AES-256-GCM key per order (docs/retention.md). The keys
# live in this folder, apart from the database and the files: destroying an order's key
# leaves nothing readable in any backup of those. Keep this folder out of their backups.
MAILCOVER_KEY_DIR = folder_in(VAR_DIR, "MAILCOVER_KEY_DIR", "keys")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
