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

# Sign-in security (docs/security.md: SEC-SIGN-IN, SEC-SECOND-FACTOR), kept in one block.
# django-axes throttles and locks out sign-ins per account and per client address on every
# door (pages, API, /admin/) and records each attempt: failures in AccessAttempt and
# AccessFailureLog, successes in AccessLog, read by oversight on /security-log. Its
# backend comes first, so a locked-out account is refused before its password is checked;
# its middleware comes last, turning a lockout into one 429 answer. The second-factor
# middleware keeps a session without its one-time code on the enrolment and code pages.
INSTALLED_APPS += ["axes"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "mailcover.accounts.middleware.SecondFactorMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
MAILCOVER_SIGN_IN_FAILURE_LIMIT = env_int("MAILCOVER_SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
MAILCOVER_SIGN_IN_LOCKOUT_MINUTES = env_int("MAILCOVER_SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = MAILCOVER_SIGN_IN_FAILURE_LIMIT
AXES_COOLOFF_TIME = MAILCOVER_SIGN_IN_LOCKOUT_MINUTES / 60  # hours, as axes reads a float
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks, independently
AXES_LOCKOUT_CALLABLE = "mailcover.accounts.sign_in.lockout_response"
AXES_CLIENT_IP_CALLABLE = "mailcover.accounts.sign_in.client_address"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password", "otp", "otp_token"]
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # the sign-in records are oversight's to read, not the admin's
OTP_TOTP_ISSUER = "mailcover"

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
