"""Every rule docs/rules.md says is enforced has tests named after it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _documented_rules() -> list[str]:
    text = (ROOT / "docs" / "rules.md").read_text()
    return re.findall(r"^\| ((?:MC|PA|SEC|SVC)-[A-Z0-9-]+) \|", text, flags=re.M)


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
