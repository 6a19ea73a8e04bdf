"""docs/development.md's code map names every package of mailcover, and only those."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "src" / "mailcover"


def test_the_code_map_names_every_package_and_no_other() -> None:
    guide = (ROOT / "docs" / "development.md").read_text()
    code_map = guide.split("## The code map", 1)[1].split("\n## ", 1)[0]
    mapped = re.findall(r"^\| `([a-z_]+)` \|", code_map, re.MULTILINE)
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert len(mapped) == len(set(mapped))
    assert sorted(mapped) == packages


def test_the_modules_the_guide_names_exist() -> None:
    guide = (ROOT / "docs" / "development.md").read_text()
    named = set(re.findall(r"`((?:[a-z_]+\.)+[a-z_]+)`", guide))
    assert "ledger.log.record" in named
    missing = []
    for dotted in named:
        parts = dotted.split(".")
        if parts[0] == "mailcover":
            parts = parts[1:]
        # a module (covers.ingest), or a name in one (ledger.log.record)
        for cut in (len(parts), len(parts) - 1):
            base = PACKAGE.joinpath(*parts[:cut])
            if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
                rest = parts[cut:]
                text = (
                    base.with_suffix(".py").read_text() if base.with_suffix(".py").exists() else ""
                )
                if not rest or re.search(rf"^(?:def|class) {rest[0]}\b|^{rest[0]} =", text, re.M):
                    break
        else:
            missing.append(dotted)
    assert missing == []
