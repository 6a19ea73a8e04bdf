"""How a `mailcover` command starts a process, and the files it keeps to itself.

Importing the settings writes nothing (a test run, mypy's Django plugin and a reader of
the code import them too). A process the `mailcover` command starts is prepared here, in
this order: a umask of 077, so that whatever it writes is its own user's alone; the data
folder (0700) and the secret key (0600) the settings then read; after Django is set up,
the folders the settings name (files, e-mail, keys, static) and the SQLite database,
each made private before anything is written in it. Last, the start is refused while
any of these folders or files is open to other users of the machine, with the paths and
the command that closes them: they hold case data, live session keys and signing keys.
"""

from __future__ import annotations

import os
import shlex
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from mailcover.config.env import SECRET_KEY_FILE, ensure_secret_key, var_dir

PRIVATE_UMASK = 0o077
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
# How many exposed paths a refusal lists before "... and N more".
_LISTED = 10


class StartupRefused(RuntimeError):
    """The service must not start as things are; the message says why and how to fix it."""


@dataclass(frozen=True)
class Exposed:
    """A folder or file of the service that other users of the machine may read or write."""

    path: Path
    mode: int

    def __str__(self) -> str:
        return f"{self.path} ({stat.filemode(self.mode)})"


def start() -> None:
    """Prepare this process and set Django up; refuse when the service's files are exposed.

    When Django is already set up in this process (a test run, or a program embedding
    mailcover), its owner has prepared it, and only Django's own set-up is repeated.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mailcover.config.settings")
    import django
    from django.conf import settings

    if settings.configured:
        django.setup()
        return
    os.umask(PRIVATE_UMASK)
    prepare_var_dir()
    django.setup()
    prepare_storage()
    refuse_if_exposed()


def prepare_var_dir() -> None:
    """The data folder and the secret key, which the settings read when imported."""
    folder = var_dir()
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    ensure_secret_key(folder)


def prepare_storage() -> None:
    """Every folder the settings name, and the SQLite database, made private before use.

    SQLite gives its -wal and -shm files the mode of the database file, so creating the
    (empty, and so valid) database file 0600 keeps all three private.
    """
    for folder in _created_folders():
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    database = _sqlite_file()
    if database is not None and not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))


def refuse_if_exposed() -> None:
    found = exposed()
    if found:
        raise StartupRefused(describe(found))


def exposed() -> list[Exposed]:
    """Every folder and file of the service that others may read, write or enter."""
    found: dict[Path, Exposed] = {}
    for path in _roots():
        for entry in _walk(path):
            found.setdefault(entry.path, entry)
    return sorted(found.values(), key=lambda entry: str(entry.path))


def describe(found: list[Exposed], with_fix: bool = True) -> str:
    listed = [f"  {entry}" for entry in found[:_LISTED]]
    if len(found) > _LISTED:
        listed.append(f"  ... and {len(found) - _LISTED} more")
    lines = [
        "the service's files are open to other users of this machine:",
        *listed,
        "They hold case data, session keys and signing keys, and must be readable by "
        "the service's own user alone (folders 0700, files 0600).",
    ]
    if with_fix:
        lines.append(f"Fix: {fix_command(found)}")
    return "\n".join(lines)


def fix_command(found: Iterable[Exposed]) -> str:
    """`chmod -R go-rwx` on the fewest paths that cover everything found."""
    tops: list[Path] = []
    for entry in sorted(found, key=lambda e: len(e.path.parts)):
        if not any(entry.path.is_relative_to(top) for top in tops):
            tops.append(entry.path)
    return "chmod -R go-rwx " + " ".join(_quoted(top) for top in sorted(tops))


def _quoted(path: Path) -> str:
    return shlex.quote(str(path))


def _walk(root: Path) -> Iterator[Exposed]:
    """The exposed entries at and under root, without following symbolic links."""
    try:
        status = root.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(status.st_mode):
        return
    if status.st_mode & 0o077:
        yield Exposed(root, status.st_mode)
    if not stat.S_ISDIR(status.st_mode):
        return
    for folder, folders, files in os.walk(root):
        for name in [*folders, *files]:
            path = Path(folder) / name
            try:
                mode = path.lstat().st_mode
            except FileNotFoundError:  # removed while we looked
                continue
            if not stat.S_ISLNK(mode) and mode & 0o077:
                yield Exposed(path, mode)


def _folders() -> list[Path]:
    """The service's own folders: everything in them is the service's."""
    from django.conf import settings

    return [
        Path(settings.VAR_DIR),
        Path(settings.STATIC_ROOT),
        Path(settings.MEDIA_ROOT),
        Path(settings.EMAIL_FILE_PATH),
        Path(settings.MAILCOVER_KEY_DIR),
    ]


def _created_folders() -> list[Path]:
    from django.conf import settings

    return [*_folders(), Path(settings.MAILCOVER_LEDGER_KEY_FILE).parent]


def _roots() -> list[Path]:
    """What is looked at: the service's folders, its keys and its database. The ledger
    key's folder may be a shared one: only the key in it is looked at."""
    from django.conf import settings

    roots = [
        *_folders(),
        Path(settings.VAR_DIR) / SECRET_KEY_FILE,
        Path(settings.MAILCOVER_LEDGER_KEY_FILE),
    ]
    database = _sqlite_file()
    if database is not None:
        roots += [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]
    return roots


def _sqlite_file() -> Path | None:
    from django.conf import settings

    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if database["ENGINE"] != "django.db.backends.sqlite3" or name in {"", ":memory:"}:
        return None
    if name.startswith("file:"):  # a URI names an in-memory or special database
        return None
    return Path(name).resolve()
