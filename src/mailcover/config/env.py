"""Typed reading of MAILCOVER_* environment variables.

A bad value stops start-up with a message naming the variable; nothing falls
back silently.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """A configuration value is missing or malformed; the message names the variable."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def var_dir() -> Path:
    """MAILCOVER_VAR_DIR, named only: the `mailcover` commands create it (config.startup),
    so that importing the settings writes nothing."""
    path = Path(env_str("MAILCOVER_VAR_DIR", "var")).resolve()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"MAILCOVER_VAR_DIR must be a directory: {path} is a file")
    return path


SECRET_KEY_FILE = "secret_key"


def given_secret_key() -> str | None:
    given = os.environ.get("MAILCOVER_SECRET_KEY")
    if given and len(given) < 32:
        raise ConfigError("MAILCOVER_SECRET_KEY must be at least 32 characters")
    return given or None


def secret_key(directory: Path) -> str | None:
    """MAILCOVER_SECRET_KEY, else the key generated into the var directory on first run,
    read and never written here (ensure_secret_key writes it); None when there is none."""
    given = given_secret_key()
    if given:
        return given
    key_file = directory / SECRET_KEY_FILE
    return key_file.read_text().strip() if key_file.is_file() else None


def ensure_secret_key(directory: Path) -> None:
    """Generate the var directory's secret key (mode 600) unless one is given or kept."""
    if given_secret_key() is None:
        write_secret_once(directory / SECRET_KEY_FILE, lambda: secrets.token_urlsafe(50))


def write_secret_once(path: Path, make: Callable[[], str]) -> None:
    """Create `path` holding `make()`, unless it exists: a key generated on first run.

    Written whole to a private temporary file (mode 600, flushed to disk) and then
    linked into place, which fails if the path exists: no other process ever reads a
    half-written key, two processes starting at once cannot make two, and a crash
    leaves either no key or a whole one.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        return
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as out:  # mkstemp makes it mode 600
            out.write(make())
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def ledger_origin() -> str:
    """MAILCOVER_LEDGER_ORIGIN: the log's name on its checkpoints and its key (c2sp.org)."""
    origin = env_str("MAILCOVER_LEDGER_ORIGIN", "mailcover.localhost/ledger")
    if not origin or "+" in origin or any(char.isspace() for char in origin):
        raise ConfigError(
            f"MAILCOVER_LEDGER_ORIGIN must be a name without spaces or '+', not {origin!r}"
        )
    return origin


def nats_url() -> str:
    """MAILCOVER_NATS_URL: the NATS server of the mail stream at scale, or "" for none."""
    raw = env_str("MAILCOVER_NATS_URL", "").strip()
    parts = urlsplit(raw)
    if raw and (parts.scheme not in ("nats", "tls") or not parts.hostname):
        raise ConfigError(f"MAILCOVER_NATS_URL must be nats://HOST:PORT, not {raw!r}")
    return raw


def metrics_token() -> str:
    """MAILCOVER_METRICS_TOKEN: what a Prometheus scraper sends as its bearer token to read
    /metrics (and nothing else), or "" for none."""
    token = env_str("MAILCOVER_METRICS_TOKEN", "").strip()
    if token and len(token) < 32:
        raise ConfigError("MAILCOVER_METRICS_TOKEN must be at least 32 characters")
    return token


def path_in(directory: Path, name: str, default: str) -> Path:
    """A file path from the environment variable `name`, else `default` inside `directory`."""
    raw = os.environ.get(name)
    path = Path(raw).expanduser() if raw else directory / default
    if path.is_dir():
        raise ConfigError(f"{name} must name a file, not the directory {path}")
    return path.resolve()


def folder_in(directory: Path, name: str, default: str) -> Path:
    """A folder from the environment variable `name`, else `default` inside `directory`."""
    raw = os.environ.get(name)
    path = Path(raw).expanduser() if raw else directory / default
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{name} must name a folder, not the file {path}")
    return path.resolve()


def trusted_origins() -> list[str]:
    """MAILCOVER_TRUSTED_ORIGINS: the origins (scheme://host[:port]) a browser may post
    forms from besides the service's own host, e.g. the TLS proxy's public name."""
    origins = env_list("MAILCOVER_TRUSTED_ORIGINS", [])
    for origin in origins:
        if not _is_origin(origin):
            raise ConfigError(
                "MAILCOVER_TRUSTED_ORIGINS must list origins such as "
                f"https://mailcover.example (scheme://host[:port], nothing after), not {origin!r}"
            )
    return origins


def public_url() -> str:
    """MAILCOVER_PUBLIC_URL: the service's address as people reach it (scheme://host[:port]),
    for the links in the e-mails it sends."""
    url = env_str("MAILCOVER_PUBLIC_URL", "http://localhost:8000").rstrip("/")
    if not _is_origin(url):
        raise ConfigError(
            f"MAILCOVER_PUBLIC_URL must be an origin such as https://mailcover.example, not {url!r}"
        )
    return url


def _is_origin(text: str) -> bool:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises on a port that is not a number
    except ValueError:
        return False
    return (
        parts.scheme in {"http", "https"}
        and bool(parts.hostname)
        and not {"@", "*"} & set(parts.netloc)  # no credentials, no wildcard host
        and not parts.path
        and not parts.query
        and not parts.fragment
        and not text.endswith(("?", "#"))
    )


# A header name as RFC 9110 allows it, narrowed to letters, digits and hyphens: an
# underscore would let a client's "X_Forwarded_Proto" reach Django under the same name.
_HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
# Headers that WSGI or HTTP itself gives a meaning: none can say how the proxy was reached.
_NOT_A_PROXY_HEADER = {"host", "content-type", "content-length", "cookie", "authorization"}


def proxy_ssl_header() -> tuple[str, str] | None:
    """MAILCOVER_PROXY_SSL_HEADER: the header (e.g. X-Forwarded-Proto) by which the TLS proxy
    says it received a request over https; as Django's SECURE_PROXY_SSL_HEADER."""
    raw = env_str("MAILCOVER_PROXY_SSL_HEADER", "").strip()
    if not raw:
        return None
    if not _HEADER_NAME.fullmatch(raw) or raw.lower() in _NOT_A_PROXY_HEADER:
        raise ConfigError(
            "MAILCOVER_PROXY_SSL_HEADER must be the name of the header the proxy sets to "
            f"'https', such as X-Forwarded-Proto (letters, digits and hyphens), not {raw!r}"
        )
    return ("HTTP_" + raw.upper().replace("-", "_"), "https")
