"""The local user reading `var/`: another account on the server (a shared host, a
compromised service, a backup agent) reads the database with its live session keys, the
captured images, the production ZIPs with customer records, the notice e-mails and the
keys. The data folder and everything under it are the service's user's alone (folders
0700, files 0600), and a start with anything open to others is refused (docs/security.md,
Files)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.core.management.base import SystemCheckError

import mailcover as package
from mailcover.config.mail import PrivateFileEmailBackend
from mailcover.config.startup import describe, exposed, fix_command


def _environment(var: Path, **extra: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("MAILCOVER_") and key != "DATABASE_URL"
    }
    environment.update({"MAILCOVER_VAR_DIR": str(var), **extra})
    # The sources under test, wherever the command runs from.
    sources = str(Path(package.__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(
        [sources, *filter(None, [environment.get("PYTHONPATH")])]
    )
    return environment


def mailcover(var: Path, *arguments: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """The `mailcover` command in a process of its own, on a data folder of the test's."""
    return subprocess.run(
        [sys.executable, "-m", "mailcover.cli", *arguments],
        env=_environment(var),
        cwd=next(folder for folder in var.parents if folder.is_dir()),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def seeded_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder after migrate and the demo's seed: captures with images, sealed with
    order keys; productions; customer notices sent by e-mail; the ledger's signing key."""
    home = tmp_path_factory.mktemp("install")
    os.chmod(home, 0o755)  # the folder above var/ is an ordinary, readable one
    var = home / "var"
    for command in (["manage", "migrate", "-v0"], ["manage", "seed_demo", "--photographs", "1"]):
        done = mailcover(var, *command)
        assert done.returncode == 0, done.stderr
    return var


def _modes(var: Path) -> dict[Path, int]:
    return {path: stat.S_IMODE(path.lstat().st_mode) for path in [var, *var.rglob("*")]}


def test_sec_files_every_folder_is_0700_and_every_file_0600_after_migrate_and_the_seed(
    seeded_var: Path,
) -> None:
    # A live SQLite database has its -wal and -shm files open beside it.
    database = sqlite3.connect(seeded_var / "mailcover.sqlite3")
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("CREATE TABLE test_files_probe (x)")
    try:
        modes = _modes(seeded_var)
    finally:
        database.close()

    names = {path.relative_to(seeded_var).as_posix() for path in modes}
    assert {
        "mailcover.sqlite3",
        "mailcover.sqlite3-wal",
        "mailcover.sqlite3-shm",
        "secret_key",
        "ledger-signing.key",
    } <= names
    assert any(name.startswith("files/captures/") and "." in name for name in names)
    assert any(name.startswith("files/productions/") and "." in name for name in names)
    assert any(name.startswith("files/instruments/") and "." in name for name in names)
    assert any(name.startswith("keys/order-") for name in names)
    assert any(name.startswith("mail/") for name in names)  # the notices sent
    wrong = {
        path: oct(mode)
        for path, mode in modes.items()
        if mode != (0o700 if path.is_dir() else 0o600)
    }
    assert not wrong


def test_sec_files_the_start_is_refused_while_a_folder_is_open_to_others(
    seeded_var: Path,
) -> None:
    productions = seeded_var / "files" / "productions"
    os.chmod(productions, 0o755)
    try:
        refused = mailcover(seeded_var, "ledger", "verify", timeout=120)
        served = mailcover(seeded_var, "serve", "--port", "0", timeout=120)
    finally:
        os.chmod(productions, 0o700)

    for answer in (refused, served):
        assert answer.returncode == 2
        assert "the service's files are open to other users of this machine" in answer.stderr
        assert f"{productions} (drwxr-xr-x)" in answer.stderr
        assert f"Fix: chmod -R go-rwx {productions}" in answer.stderr
    assert "serving" not in served.stdout


def test_sec_files_a_readable_database_or_key_is_named_with_the_fix(seeded_var: Path) -> None:
    database = seeded_var / "mailcover.sqlite3"
    key = seeded_var / "ledger-signing.key"
    os.chmod(database, 0o644)
    os.chmod(key, 0o640)
    try:
        refused = mailcover(seeded_var, "manage", "migrate", timeout=120)
    finally:
        os.chmod(database, 0o600)
        os.chmod(key, 0o600)

    assert refused.returncode == 2
    assert f"{database} (-rw-r--r--)" in refused.stderr
    assert f"{key} (-rw-r-----)" in refused.stderr
    assert f"Fix: chmod -R go-rwx {key} {database}" in refused.stderr


def test_sec_files_the_django_check_names_an_exposed_folder(settings: Any, tmp_path: Path) -> None:
    var = tmp_path / "var"
    (var / "files").mkdir(parents=True, mode=0o700)
    os.chmod(var, 0o700)
    settings.VAR_DIR = var
    settings.MEDIA_ROOT = var / "files"
    settings.STATIC_ROOT = var / "static"
    settings.EMAIL_FILE_PATH = var / "mail"
    settings.MAILCOVER_KEY_DIR = var / "keys"
    settings.MAILCOVER_SECRET_KEY_IS_THROWAWAY = False
    call_command("check")  # private: nothing to say

    os.chmod(var / "files", 0o755)

    with pytest.raises(SystemCheckError, match=r"mailcover\.E001"):
        call_command("check")
    assert [entry.path for entry in exposed()] == [var / "files"]


def test_sec_files_the_django_check_refuses_to_serve_without_a_kept_secret_key(
    settings: Any,
) -> None:
    settings.MAILCOVER_SECRET_KEY_IS_THROWAWAY = True

    with pytest.raises(SystemCheckError, match=r"mailcover\.E002.*MAILCOVER_SECRET_KEY"):
        call_command("check", "--tag", "security")


def test_sec_files_the_fix_covers_each_exposed_tree_once(tmp_path: Path) -> None:
    from mailcover.config.startup import Exposed

    found = [
        Exposed(tmp_path / "var", 0o40755),
        Exposed(tmp_path / "var" / "files", 0o40755),
        Exposed(tmp_path / "keys" / "order-1.key", 0o100644),
    ]

    assert fix_command(found) == f"chmod -R go-rwx {tmp_path / 'keys' / 'order-1.key'} " + str(
        tmp_path / "var"
    )
    assert "readable by the service's own user alone" in describe(found)


def test_sec_files_importing_the_settings_writes_nothing(tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir()
    program = (
        "import django, os\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'mailcover.config.settings'\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "assert settings.SECRET_KEY and settings.MAILCOVER_SECRET_KEY_IS_THROWAWAY\n"
        "print(settings.VAR_DIR, settings.BASE_DIR)\n"
    )

    done = subprocess.run(
        [sys.executable, "-c", program],
        env=_environment(var),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert list(var.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["var"]
    # The project's own files are found from the package, wherever the data folder is.
    assert done.stdout.split() == [str(var), str(Path(__file__).resolve().parents[2])]


def test_sec_files_a_mailcover_command_makes_the_folders_private_before_writing(
    tmp_path: Path,
) -> None:
    var = tmp_path / "state" / "var"

    done = mailcover(var, "manage", "check", timeout=120)

    assert done.returncode == 0, done.stderr
    modes = _modes(var)
    assert {p.name for p in modes} >= {"var", "static", "files", "mail", "keys", "secret_key"}
    assert all(mode == (0o700 if p.is_dir() else 0o600) for p, mode in modes.items())


def test_sec_files_stored_files_are_private_whatever_the_umask(
    settings: Any, tmp_path: Path
) -> None:
    before = os.umask(0o022)
    try:
        storage = FileSystemStorage(location=tmp_path / "files")
        name = storage.save("productions/2026/p.zip", ContentFile(b"customer records"))
        backend = PrivateFileEmailBackend(file_path=str(tmp_path / "mail"))
        backend.send_messages([EmailMessage("Notice", "body", to=["b@example.com"])])
    finally:
        os.umask(before)

    stored = tmp_path / "files" / name
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "files" / "productions").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "mail").stat().st_mode) == 0o700
    (message,) = (tmp_path / "mail").iterdir()
    assert stat.S_IMODE(message.stat().st_mode) == 0o600
