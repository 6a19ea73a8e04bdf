"""SVC-MATCHABLE (law/matchable.py, read by matching/matchable.py): a subject is filed only
if the matcher can use its address and every one of its names."""

from __future__ import annotations

import pytest

from mailcover.matching.matchable import (
    address_part_at_fault,
    address_problem,
    check_matchable,
    names_nobody,
)

GOOD = "123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234"


def fields(violations: list) -> list[tuple[str, str | None]]:
    return [(v.rule, v.field) for v in violations]


def test_svc_matchable_a_readable_address_and_real_names_pass() -> None:
    assert check_matchable("JOHN Q PUBLIC", ["JACK PUBLIC", "J PUBLIC"], GOOD) == []


@pytest.mark.parametrize(
    ("address", "part", "words"),
    [
        ("the blue house behind the old mill, Springfield", "zip", "no ZIP Code"),
        ("123 MAIN ST, SPRINGFIELD IL", "zip", "no ZIP Code"),
        ("123 MAIN ST, SPRINGFIELD IL 6270", "zip", "not a ZIP Code"),
        ("123 MAIN ST, SPRINGFIELD IN 62704", "state", "ZIP Code 62704 is in IL"),
        ("MAIN ST, SPRINGFIELD IL 62704", "street", "house number"),
        ("MAIN ST AND ELM ST, SPRINGFIELD IL 62704", "street", "corner"),
    ],
)
def test_svc_matchable_an_address_the_matcher_cannot_read_is_refused_saying_what_is_missing(
    address: str, part: str, words: str
) -> None:
    found = check_matchable("JOHN Q PUBLIC", [], address)

    assert fields(found) == [("SVC-MATCHABLE", "subject.address")]
    assert words in found[0].message
    assert address_part_at_fault(address) == part


@pytest.mark.parametrize("name", ["J JR.", "THE PUBLIC FAMILY", "PUBLIC", "MR", "CURRENT RESIDENT"])
def test_svc_matchable_a_name_that_names_nobody_is_refused(name: str) -> None:
    assert names_nobody(name)
    assert fields(check_matchable(name, [], GOOD)) == [("SVC-MATCHABLE", "subject.name")]


def test_svc_matchable_each_alias_that_names_nobody_is_named_by_its_place() -> None:
    found = check_matchable("JOHN Q PUBLIC", ["JACK PUBLIC", "J JR.", "", "PUBLIC"], GOOD)

    assert fields(found) == [
        ("SVC-MATCHABLE", "subject.aliases[1]"),
        ("SVC-MATCHABLE", "subject.aliases[3]"),
    ]
    assert "'J JR.' names nobody" in found[0].message


def test_svc_matchable_says_nothing_of_blanks_which_mc_written_refuses() -> None:
    assert check_matchable("", [], "") == []
    assert address_problem("  ") is None


def test_svc_matchable_every_problem_is_reported_at_once() -> None:
    found = check_matchable("J JR.", ["PUBLIC"], "the blue house, Springfield")

    assert [f for _, f in fields(found)] == [
        "subject.address",
        "subject.name",
        "subject.aliases[0]",
    ]
