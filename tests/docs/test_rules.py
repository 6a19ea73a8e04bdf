"""Every rule docs/rules.md says is enforced has tests named after it, every rule the code names
is in it, and every function, module and test it points to exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def _documented_rules() -> list[str]:
    text = (ROOT / "docs" / "rules.md").read_text()
    return re.findall(r"^\| ((?:MC|PA|SEC|SVC|RR|OIG)-[A-Z0-9-]+) \|", text, flags=re.M)


def _test_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        names.update(re.findall(r"def (test_[a-z0-9_]+)", path.read_text()))
    return names


def test_every_documented_rule_has_tests_named_after_it() -> None:
    rules = _documented_rules()
    assert len(rules) >= 18
    names = _test_names()
    untested = [
        r
        for r in rules
        if not any(n.startswith("test_" + r.lower().replace("-", "_") + "_") for n in names)
    ]
    assert not untested, f"rules without a test named after them: {untested}"


def test_every_security_rule_the_law_names_is_documented() -> None:
    """A refusal that names a SEC- rule sends the reader to docs/rules.md: it must be there."""
    named: set[str] = set()
    for path in (ROOT / "src" / "mailcover" / "law").glob("*.py"):
        named.update(re.findall(r"\"(SEC-[A-Z0-9-]+)\"", path.read_text()))
    for path in (ROOT / "src" / "mailcover" / "matching").glob("*.py"):
        named.update(re.findall(r"\"(SVC-[A-Z0-9-]+)\"", path.read_text()))
    assert named, "the law names no security rule"
    documented = set(_documented_rules())
    assert named <= documented, f"undocumented: {sorted(named - documented)}"


RULE_ID = re.compile(r"\b(?:MC|PA|SEC|SVC|RR|OIG)-(?!\d{4}-)[A-Z0-9]+(?:-[A-Z0-9]+)*\b")
"""A rule's id as the code and the docs write it; not a case number (MC-2026-000001)."""


def test_the_rules_of_every_family_are_documented() -> None:
    families = {rule.split("-")[0] for rule in _documented_rules()}
    assert families == {"MC", "PA", "RR", "OIG", "SEC", "SVC"}


def test_every_rule_the_code_names_is_documented() -> None:
    """A refusal, a comment or a docstring that cites a rule sends the reader to docs/rules.md."""
    named: dict[str, str] = {}
    for path in (ROOT / "src" / "mailcover").rglob("*.py"):
        # A rule cited across a line break ("MC-NO-ORDER-NO-" / "DATA") is read whole.
        text = re.sub(r"-\n\s*(?:#\s*)?", "-", path.read_text())
        for rule in RULE_ID.findall(text):
            named.setdefault(rule, path.relative_to(ROOT).as_posix())
    assert len(named) >= 40
    documented = set(_documented_rules())
    assert {r: where for r, where in named.items() if r not in documented} == {}


def test_every_rule_docs_rules_md_cites_is_a_row_of_it() -> None:
    text = (ROOT / "docs" / "rules.md").read_text()
    assert set(RULE_ID.findall(text)) <= set(_documented_rules())


def _resolves(reference: str) -> bool:
    """`law.requests.check_purpose`, `covers.ingest`, `covers.OperatorFacility` (a model):
    the longest importable module of mailcover, then attributes down from it."""
    parts = reference.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module("mailcover." + ".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                break
            found = getattr(found, name)
        else:
            return True
        break
    if len(parts) == 2:  # an app's model, as Django labels it
        try:
            apps.get_model(parts[0], parts[1])
        except LookupError:
            return False
        return True
    return False


def test_every_function_and_module_docs_rules_md_points_to_exists() -> None:
    text = (ROOT / "docs" / "rules.md").read_text()
    packages = "|".join(
        p.name for p in (ROOT / "src" / "mailcover").iterdir() if (p / "__init__.py").exists()
    )
    references = set(re.findall(rf"`((?:{packages})\.[A-Za-z_][A-Za-z0-9_.]*)`", text))
    assert len(references) >= 50
    assert sorted(r for r in references if not _resolves(r)) == []


def test_every_test_docs_rules_md_points_to_exists() -> None:
    text = (ROOT / "docs" / "rules.md").read_text()
    cited = set(re.findall(r"`(tests/[^`:]+\.py)(?:::([a-z0-9_*]+))?`", text))
    assert len(cited) >= 30
    missing = []
    for path, pattern in cited:
        file = ROOT / path
        if not file.exists():
            missing.append(path)
        elif pattern:
            names = re.findall(r"def (test_[a-z0-9_]+)", file.read_text())
            wanted = re.compile(pattern.replace("*", "[a-z0-9_]*") + "$")
            if not any(wanted.match(n) for n in names):
                missing.append(f"{path}::{pattern}")
    assert missing == []
