"""Every code a person can be shown has words in the one table (web/labels.py): every member
of every vocabulary (the ledger's events: tests/ledger/test_events.py)."""

from __future__ import annotations

import importlib
import pkgutil
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


def _enums() -> dict[str, type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {}
    modules = [f"mailcover.law.{m.name}" for m in pkgutil.iter_modules(law.__path__)]
    for name in [*modules, "mailcover.matching.piece"]:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, StrEnum) and value.__module__ == name:
                found[f"{name}.{value.__qualname__}"] = value
    return found


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
