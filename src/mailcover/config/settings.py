"""One settings module, read from MAILCOVER_* environment variables (see .env.example)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

from mailcover.config.assets import checkout_build_dir
from mailcover.config.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_str,
    folder_in,
    ledger_origin,
    metrics_token,
    nats_url,
    path_in,
    proxy_ssl_header,
    public_url,
    secret_key,
    trusted_origins,
    var_dir,
)
from mailcover.law.terms import Policy

# Importing these settings writes nothing: the `mailcover` commands create the data folder
# and generate the secret key before they import them (config/startup.py).
VAR_DIR = var_dir()
# The checkout (or, installed elsewhere, the folder above the package): never the data
# folder's parent. The front-end assets are found by config/assets.py.
BASE_DIR = Path(__file__).resolve().parents[3]
_kept_secret_key = secret_key(VAR_DIR)
# Without one (a test run, a type checker reading the settings), a key of this process
# alone; the system check mailcover.E002 refuses to serve with it.
SECRET_KEY = _kept_secret_key or secrets.token_urlsafe(50)
MAILCOVER_SECRET_KEY_IS_THROWAWAY = _kept_secret_key is None
DEBUG = env_bool("MAILCOVER_DEBUG", False)
ALLOWED_HOSTS = env_list("MAILCOVER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mailcover.accounts",
    "mailcover.covers",
    "mailcover.ledger",
    "mailcover.records",
    "mailcover.oversight",
    "mailcover.stream",
    "mailcover.notifications",
    "mailcover.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "mailcover.web.http.SecureCookiesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before anything reads a body: its size and its sender are checked from the headers.
    "mailcover.accounts.uploads.UploadGateMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mailcover.web.http.SessionLimitsMiddleware",
    # Times on the pages in the signed-in person's zone (web/times.py); UTC for the API.
    "mailcover.web.times.ViewerTimeZoneMiddleware",
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
                "mailcover.web.context.session_limits",
            ],
            # Codes as words and times in the viewer's zone, on every template (web/labels.py).
            "builtins": ["mailcover.web.templatetags.words"],
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
# USWDS and htmx, built from the npm registry at install time (never committed), found from
# the checkout or the installed package, never from the data folder (config/assets.py; the
# check mailcover.E003 and `mailcover serve` refuse to go on without them).
_ASSETS = checkout_build_dir()
STATICFILES_DIRS = [_ASSETS] if _ASSETS is not None and _ASSETS.is_dir() else []
# Served from where the finders find them too, so that a data folder moved (or new) without
# `collectstatic` run into it still serves every asset.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "files"
# Images, instruments and productions are the service's user's alone, whatever the umask.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Records requests (docs/records.md): an instrument's PDF up to this size; a production's
# download link lasts this many hours; customer notices go out by Django's email
# backend (a private folder of message files in var/mail unless MAILCOVER_EMAIL_BACKEND says
# otherwise, e.g. django.core.mail.backends.smtp.EmailBackend with EMAIL_* settings).
MAILCOVER_INSTRUMENT_MAX_BYTES = env_int(
    "MAILCOVER_INSTRUMENT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024
)
MAILCOVER_DOWNLOAD_HOURS = env_int("MAILCOVER_DOWNLOAD_HOURS", 72, minimum=1)
EMAIL_BACKEND = env_str("MAILCOVER_EMAIL_BACKEND", "mailcover.config.mail.PrivateFileEmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("MAILCOVER_NOTICE_FROM", "records@mailcover.invalid")
# The people's e-mails (mailcover.notifications: a request waiting, a decision, a deadline,
# a notice sent) go by the same backend and link to pages under this address.
MAILCOVER_PUBLIC_URL = public_url()
# An uploaded instrument may be larger than DATA_UPLOAD_MAX_MEMORY_SIZE; Django spools
# files over this to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# HTTP hardening (docs/security.md, HTTP). Behind a TLS proxy on another host: the header
# by which the proxy says a request reached it over https, and the public origins forms
# are posted from. A request is over https when request.is_secure(): only then does it
# get HSTS (SecurityMiddleware) and Secure cookies (web.http.SecureCookiesMiddleware).
SECURE_PROXY_SSL_HEADER = proxy_ssl_header()
CSRF_TRUSTED_ORIGINS = trusted_origins()
SECURE_HSTS_SECONDS = env_int("MAILCOVER_HSTS_SECONDS", 365 * 24 * 3600)
# Sessions end after MAILCOVER_SESSION_IDLE_MINUTES without a request the person made
# (web.http.SessionLimitsMiddleware slides the expiry; background polling does not), and
# MAILCOVER_SESSION_MAX_HOURS after sign-in whatever happens; the cookie dies with the
# browser.
MAILCOVER_SESSION_IDLE_MINUTES = env_int("MAILCOVER_SESSION_IDLE_MINUTES", 30, minimum=1)
MAILCOVER_SESSION_MAX_HOURS = env_int("MAILCOVER_SESSION_MAX_HOURS", 12, minimum=1)
if MAILCOVER_SESSION_IDLE_MINUTES > MAILCOVER_SESSION_MAX_HOURS * 60:
    raise ConfigError(
        f"MAILCOVER_SESSION_IDLE_MINUTES ({MAILCOVER_SESSION_IDLE_MINUTES}) must not exceed "
        f"MAILCOVER_SESSION_MAX_HOURS ({MAILCOVER_SESSION_MAX_HOURS}) in minutes"
    )
SESSION_COOKIE_AGE = MAILCOVER_SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# No inline script, style or handler anywhere: every script and style sheet is a file the
# service serves itself (USWDS, htmx and its own), so an injected one does not run.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for the page's empty favicon and images drawn inline (the enrolment QR code).
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

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
# An Idempotency-Key whose request never finished (its worker died) is released after this
# many seconds. Longer than the server's request timeout and grace (60 + 10 s), so a slow
# request still running is never overtaken by its own retry.
MAILCOVER_IDEMPOTENCY_PENDING_SECONDS = env_int(
    "MAILCOVER_IDEMPOTENCY_PENDING_SECONDS", 300, minimum=71
)

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

# The mail stream at scale (docs/operations.md): the web process tells the workers when an
# order changes, and /metrics reads the shared consumer's figures, at this NATS server.
MAILCOVER_NATS_URL = nats_url()
MAILCOVER_NATS_STREAM = env_str("MAILCOVER_NATS_STREAM", "MAIL")
MAILCOVER_NATS_DURABLE = env_str("MAILCOVER_NATS_DURABLE", "mailcover-ingest")
MAILCOVER_METRICS_TOKEN = metrics_token()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
