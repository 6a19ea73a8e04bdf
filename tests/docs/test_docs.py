"""Documentation that cannot drift: the CLI page, the settings and the API calls."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mailcover import clidocs

ROOT = Path(__file__).resolve().parents[2]


def test_the_cli_reference_matches_the_commands_help(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    committed = (ROOT / "docs" / "cli.md").read_text()
    assert committed == clidocs.render(), "docs/cli.md is out of date: run `make docs`"


def _variables_read_by_the_code() -> set[str]:
    source = "".join(p.read_text() for p in (ROOT / "src" / "mailcover" / "config").glob("*.py"))
    return set(re.findall(r'"(MAILCOVER_[A-Z_]+|DATABASE_URL)"', source))


def test_every_setting_the_code_reads_is_in_env_example_and_the_readme() -> None:
    variables = _variables_read_by_the_code()
    assert "MAILCOVER_VAR_DIR" in variables
    env_example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    missing = {v for v in variables if v not in env_example or v not in readme}
    assert not missing, f"undocumented settings: {sorted(missing)}"


def test_every_api_path_is_in_the_api_guide() -> None:
    schema = json.loads((ROOT / "docs" / "openapi.json").read_text())
    guide = (ROOT / "docs" / "api.md").read_text()
    missing = []
    for path in schema["paths"]:
        pattern = re.sub(r"\{[a-z_]+\}", "{id}", path)
        if path not in guide and pattern not in guide:
            missing.append(path)
    assert not missing, f"API calls missing from docs/api.md: {missing}"
