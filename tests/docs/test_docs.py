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


def _markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def _anchors(path: Path) -> set[str]:
    """The anchors a Markdown renderer gives the file's headings, as GitHub makes them."""
    found = set()
    for heading in re.findall(r"^#+ (.+)$", path.read_text(), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug)
    return found


def test_every_link_between_the_docs_reaches_a_file_and_heading_that_exist() -> None:
    broken = []
    for source in _markdown_files():
        for target in re.findall(r"\]\(([^)\s]+)\)", source.read_text()):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            path, _, anchor = target.partition("#")
            linked = (source.parent / path) if path else source
            if not linked.exists():
                broken.append(f"{source.name}: {target}")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{source.name}: {target} (no such heading)")
    assert not broken, f"broken links: {broken}"


def test_there_is_a_guide_for_every_role_and_the_readme_links_each() -> None:
    readme = (ROOT / "README.md").read_text()
    for guide in (
        "guide-requester.md",
        "guide-records.md",
        "guide-inspector.md",
        "guide-approver.md",
        "guide-oversight.md",
        "guide-operator.md",
        "guide-admin.md",
    ):
        assert (ROOT / "docs" / guide).exists(), guide
        assert f"docs/{guide}" in readme, guide


def test_the_readme_tells_a_newcomer_about_the_one_time_code_and_enrolment() -> None:
    readme = (ROOT / "README.md").read_text()
    for said in ("One-time code", "Set up your one-time code", "Customers to try", "oathtool"):
        assert said.lower() in readme.lower(), said
