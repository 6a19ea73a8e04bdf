"""The ledger's events are one list (ledger/events.py): the code writes no other name, the
docs say what each means, the pages have words for each."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

import mailcover
from mailcover.ledger import log
from mailcover.ledger.events import EventName, event_name
from mailcover.ledger.models import Entry
from mailcover.web import labels

SOURCE = Path(mailcover.__file__).parent
DOCS = SOURCE.parents[1] / "docs"
NOW = datetime(2026, 11, 24, 10, 15, tzinfo=UTC)

# The calls that put an event on the ledger, and the argument that names it:
# record(actor, event, ...), append(actor, event, ...), Event(actor, event, ...) for
# record_many, and the two helpers that pass their caller's event on.
RECORDING = {"record", "_record", "append", "Event"}
# Parameters that carry the caller's event on to the ledger (each typed EventName).
PASS_THROUGH = {
    ("ledger/log.py", "event"),  # record() -> append()
    ("covers/actions.py", "action"),  # covers.actions.record(user, EventName..., ...)
    ("accounts/admin.py", "event"),  # _record(request, EventName.ADMIN_ADDED, ...)
}


def _documented() -> list[str]:
    text = (DOCS / "ledger.md").read_text()
    section = text.split("\n## Events\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z_.]+)` \|", section, re.MULTILINE)


def test_docs_describe_every_event_once_and_no_other() -> None:
    documented = _documented()
    assert len(documented) == len(set(documented)), "an event described twice"
    assert sorted(documented) == sorted(e.value for e in EventName)


def test_every_event_has_words_on_the_pages_and_no_label_names_another() -> None:
    assert sorted(labels.EVENTS) == sorted(e.value for e in EventName)


def _ledger_calls() -> list[tuple[str, int, ast.expr]]:
    calls = []
    for path in SOURCE.rglob("*.py"):
        relative = path.relative_to(SOURCE).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in RECORDING:
                continue
            if name in ("append", "Event") and not ast.unparse(func).startswith(
                ("ledger", "log", name)
            ):
                continue  # a list's append, a threading.Event
            calls.append((relative, node.lineno, node.args[1]))
    return calls


def test_the_code_names_every_event_it_records_by_its_member() -> None:
    calls = _ledger_calls()
    named, other = set(), []
    for relative, line, argument in calls:
        if (
            isinstance(argument, ast.Attribute)
            and isinstance(argument.value, ast.Name)
            and argument.value.id == "EventName"
        ):
            named.add(EventName[argument.attr])
        elif (relative, ast.unparse(argument)) not in PASS_THROUGH:
            other.append(f"{relative}:{line} {ast.unparse(argument)}")
    assert other == [], "an event given to the ledger as text: name its EventName member"
    # The scan sees the ledger's calls at all: every event is named at a call site.
    assert named == set(EventName)


def test_a_name_that_is_not_an_event_is_refused_by_name() -> None:
    assert event_name(EventName.REQUEST_FILED) == "request.filed"
    assert type(event_name(EventName.REQUEST_FILED)) is str  # no enum reaches a driver
    assert event_name("request.filed") == "request.filed"
    with pytest.raises(ValueError, match=r"'request\.fild' is not a ledger event"):
        event_name("request.fild")


def test_record_writes_nothing_for_an_unknown_event(db: None) -> None:
    before = Entry.objects.count()
    with pytest.raises(ValueError, match="not a ledger event"):
        log.record(None, "order.deleted", NOW)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a ledger event"):
        log.record_many(
            [
                log.Event(None, EventName.MAIL_INGESTED),
                log.Event(None, "capture.shown"),  # type: ignore[arg-type]
            ],
            NOW,
        )
    assert Entry.objects.count() == before  # not even the good first of the batch
    entry = log.record(None, EventName.MAIL_INGESTED, NOW, source="test")
    assert entry.event == "mail.ingested"
    assert Entry.objects.count() == before + 1
    # An enum member queries as its stored text, on SQLite and on PostgreSQL.
    assert Entry.objects.filter(event=EventName.MAIL_INGESTED).get().seq == entry.seq
