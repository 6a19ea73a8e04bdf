"""The front-end assets are found from the checkout (or the installed package), never from
the data folder, and the service refuses to start without them (config/assets.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from mailcover import cli
from mailcover.config import assets
from mailcover.config.checks import assets_are_built

CHECKOUT = Path(__file__).resolve().parents[2]


def _mailcover(var: Path, *code_or_args: str) -> subprocess.CompletedProcess[str]:
    """A process started from elsewhere, its data folder outside the checkout."""
    env = {
        **os.environ,
        "MAILCOVER_VAR_DIR": str(var),
        "PYTHONPATH": str(CHECKOUT / "src"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, *code_or_args],
        env=env,
        cwd=var.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def var_elsewhere(tmp_path: Path) -> Path:
    var = tmp_path / "data" / "var"
    var.parent.mkdir(mode=0o700)
    assert not var.is_relative_to(CHECKOUT)
    return var


def test_the_checkout_holds_the_built_assets() -> None:
    assert assets.checkout_build_dir() == CHECKOUT / "build" / "static"
    assert assets.missing() == [], assets.describe(assets.missing())


def test_assets_are_found_in_the_checkout_when_the_data_folder_is_elsewhere(
    var_elsewhere: Path,
) -> None:
    done = _mailcover(
        var_elsewhere, "-m", "mailcover.cli", "manage", "findstatic", "--first", *assets.REQUIRED
    )

    assert done.returncode == 0, done.stderr
    for path in assets.REQUIRED:
        assert str(CHECKOUT / "build" / "static" / path) in done.stdout
    assert str(var_elsewhere) not in done.stdout


def test_the_assets_are_served_from_a_new_data_folder_without_collectstatic(
    var_elsewhere: Path,
) -> None:
    code = (
        "from mailcover.config.startup import start; start()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='localhost', secure=True)\n"
        f"for path in {assets.REQUIRED!r}:\n"
        "    print(path, client.get('/static/' + path).status_code)\n"
    )

    done = _mailcover(var_elsewhere, "-c", code)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [w for p in assets.REQUIRED for w in (p, "200")]
    assert not (var_elsewhere / "static" / "vendor").exists()


def test_missing_assets_are_named_with_the_command_that_builds_them(settings: Any) -> None:
    settings.STATICFILES_DIRS = []

    assert assets.missing() == list(assets.REQUIRED)
    [error] = assets_are_built()
    assert isinstance(error, Error)
    assert error.id == "mailcover.E003"
    assert "vendor/uswds/css/uswds.min.css" in error.msg
    assert "make install" in error.msg
    with pytest.raises(SystemCheckError, match=r"mailcover\.E003"):
        call_command("check")


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_the_service_refuses_to_start_without_its_assets(
    settings: Any, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    settings.STATICFILES_DIRS = []

    assert cli.main([command, "--port", "1"]) == 2

    said = capsys.readouterr().err
    assert "the front-end assets are missing" in said
    assert "vendor/htmx/htmx.min.js" in said
    assert "`make install`" in said
