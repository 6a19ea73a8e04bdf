"""Every code a person can be shown has words in the one table (web/labels.py): every member
of every vocabulary, and every event the ledger is given anywhere in the code."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from enum import StrEnum
from pathlib import Path

import pytest

import mailcover
from mailcover import law
from mailcover.web import labels

SOURCE = Path(mailcover.__file__).parent
DOCS = SOURCE.parents[1] / "docs"

# StrEnums of the pure packages that are never shown as words, each with the reason.
NOT_SHOWN = {
    "mailcover.law.transparency.Span",  # a period is shown by its own label ("2026 Q1")
    "mailcover.law.compliance.Check",  # the OIG check's id is its name, with a title beside
    "mailcover.matching.piece.Outcome",  # counted in aggregate only, never shown per piece
    "mailcover.law.roles.Action",  # what a role may do: the pages offer it, never name it
}

# Calls whose event argument is not a literal: each passes on its caller's event, whose
# literal the scan below finds at the call site.
PASS_THROUGH = {
    ("ledger/log.py", "event"),  # record() -> append()
    ("covers/actions.py", "action"),  # covers.record(user, "request.filed", ...)
    ("accounts/admin.py", "event"),  # _record(request, "admin.added", ...)
    ("ledger/accounting.py", "EVENT"),  # "disclosure"
}
# record(actor, event, ...), Event(actor, event, ...) for record_many, append(actor, event, ...)
RECORDING = {"record", "_record", "append", "Event"}


def _enums() -> dict[str, type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {}
    modules = [f"mailcover.law.{m.name}" for m in pkgutil.iter_modules(law.__path__)]
    for name in [*modules, "mailcover.matching.piece"]:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, StrEnum) and value.__module__ == name:
                found[f"{name}.{value.__qualname__}"] = value
    return found


def _emitted_events() -> tuple[set[str], list[str]]:
    """Every literal event given to the ledger in the code, and every call site whose event
    is neither a literal nor a known pass-through."""
    events: set[str] = set()
    unknown: list[str] = []
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE).as_posix()
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in RECORDING:
                continue
            target = ast.unparse(func)
            if name in ("append", "Event") and not target.startswith(("ledger", "log", name)):
                continue  # a list's append, a threading.Event
            argument = node.args[1]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                events.add(argument.value)
            elif (relative, ast.unparse(argument)) not in PASS_THROUGH:
                unknown.append(f"{relative}:{node.lineno} {ast.unparse(node)[:80]}")
    events.add("disclosure")  # ledger/accounting.py's EVENT
    return events, unknown


def test_every_member_of_every_vocabulary_has_a_label() -> None:
    missing = {
        kind: sorted(str(code) for code in codes if str(code) not in labels.TABLES[kind])
        for kind, codes in labels.VOCABULARIES.items()
    }
    assert {kind: codes for kind, codes in missing.items() if codes} == {}


def test_every_vocabulary_of_the_law_is_labelled_or_said_not_to_be_shown() -> None:
    covered = {
        f"{v.__module__}.{v.__qualname__}"
        for v in labels.VOCABULARIES.values()
        if isinstance(v, type)
    }
    assert set(_enums()) - covered - NOT_SHOWN == set()


def test_every_ledger_event_the_code_records_has_a_label() -> None:
    events, unknown = _emitted_events()
    assert unknown == [], "a new way of naming an event: add it to PASS_THROUGH"
    assert len(events) > 30  # the scan finds the ledger's calls at all
    assert sorted(e for e in events if e not in labels.EVENTS) == []


def test_every_ledger_event_the_docs_name_has_a_label() -> None:
    documented = (DOCS / "ledger.md").read_text()
    row = next(line for line in documented.splitlines() if line.startswith("| `event` |"))
    # Events are dotted (`request.filed`), but for `disclosure`; other code words there are
    # the fields of an entry (`feed`).
    named = set(re.findall(r"`([a-z_]+\.[a-z_]+|disclosure)`", row))
    assert "request.filed" in named
    assert sorted(named - set(labels.EVENTS)) == []


def test_the_issue_s_machine_words_read_as_words() -> None:
    assert labels.label("instrument", "court_order_2703d") == (
        "Court order under 18 U.S.C. 2703(d)"
    )
    assert labels.label("scope", "delivery_point") == "All mail to the address"
    assert labels.label("records_state", "under_review") == "Under review"
    assert labels.label("event", "request.filed") == "Request filed"
    assert labels.label("grounds", "national_security") == "National security"


def test_a_code_without_a_label_is_still_shown_in_words() -> None:
    assert labels.label("event", "test.some_event") == "Test: some event"
    assert labels.label("grounds", "") == ""


@pytest.mark.parametrize("kind", sorted(labels.TABLES))
def test_labels_are_sentences_without_codes(kind: str) -> None:
    for code, words in labels.TABLES[kind].items():
        assert words[:1].isupper() or words[:1].isdigit(), (kind, code, words)
        assert "_" not in words, (kind, code, words)
