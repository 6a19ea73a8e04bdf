"""Typed reading of MAILCOVER_* environment variables.

A bad value stops start-up with a message naming the variable; nothing falls
back silently.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path


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
    path = Path(env_str("MAILCOVER_VAR_DIR", "var")).resolve()
    if path.exists() and not path.is_dir():
        raise ConfigError(f"MAILCOVER_VAR_DIR must be a directory: {path} is a file")
    path.mkdir(parents=True, exist_ok=True)
    return path


def secret_key(directory: Path) -> str:
    """MAILCOVER_SECRET_KEY, or one generated into the var directory on first run."""
    given = os.environ.get("MAILCOVER_SECRET_KEY")
    if given:
        if len(given) < 32:
            raise ConfigError("MAILCOVER_SECRET_KEY must be at least 32 characters")
        return given
    key_file = directory / "secret_key"
    write_secret_once(key_file, lambda: secrets.token_urlsafe(50))
    return key_file.read_text().strip()


def write_secret_once(path: Path, make: Callable[[], str]) -> None:
    """Create `path` holding `make()`, unless it exists: a key generated on first run.

    Written whole to a private temporary file (mode 600, flushed to disk) and then
    linked into place, which fails if the path exists: no other process ever reads a
    half-written key, two processes starting at once cannot make two, and a crash
    leaves either no key or a whole one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
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
