"""Case numbers (law/case_numbers.py): MC-UNIQUE."""

from __future__ import annotations

import pytest

from mailcover.law.case_numbers import case_number, extension_case_number, is_case_number


def test_mc_unique_a_case_number_names_the_year_and_a_zero_padded_sequence() -> None:
    assert case_number(2024, 1) == "MC-2024-000001"
    assert case_number(2024, 123456) == "MC-2024-123456"


def test_mc_unique_a_sequence_past_six_digits_keeps_every_digit() -> None:
    assert case_number(2024, 1234567) == "MC-2024-1234567"
    assert is_case_number("MC-2024-1234567")


def test_mc_unique_distinct_sequences_give_distinct_numbers() -> None:
    numbers = {case_number(year, seq) for year in (2023, 2024) for seq in (1, 10, 100_000, 10**6)}
    assert len(numbers) == 8


@pytest.mark.parametrize("sequence", [0, -1])
def test_mc_unique_sequence_numbers_start_at_1(sequence: int) -> None:
    with pytest.raises(ValueError, match="start at 1"):
        case_number(2024, sequence)


@pytest.mark.parametrize("year", [0, -1, 10_000])
def test_mc_unique_a_year_that_is_not_four_digits_is_refused(year: int) -> None:
    with pytest.raises(ValueError, match="four digits"):
        case_number(year, 1)


def test_mc_unique_an_extension_is_numbered_after_its_order() -> None:
    base = case_number(2024, 42)
    assert extension_case_number(base, 1) == "MC-2024-000042-E1"
    assert extension_case_number(base, 12) == "MC-2024-000042-E12"
    assert is_case_number(extension_case_number(base, 4))


def test_mc_unique_an_extension_of_an_extension_is_not_numbered() -> None:
    with pytest.raises(ValueError, match="cannot number"):
        extension_case_number("MC-2024-000042-E1", 2)


@pytest.mark.parametrize("extension", [0, -1])
def test_mc_unique_extension_ordinals_start_at_1(extension: int) -> None:
    with pytest.raises(ValueError, match="cannot number"):
        extension_case_number("MC-2024-000042", extension)


@pytest.mark.parametrize("base", ["", "2024-000042", "MC-24-000042", "mc-2024-000042"])
def test_mc_unique_an_extension_needs_a_real_case_number_to_extend(base: str) -> None:
    with pytest.raises(ValueError, match="cannot number"):
        extension_case_number(base, 1)


@pytest.mark.parametrize(
    "text",
    [
        "MC-2024-000001",
        "MC-2024-999999",
        "MC-2024-1000000",
        "MC-0001-000001",
        "MC-2024-000001-E1",
        "MC-2024-000001-E10",
    ],
)
def test_mc_unique_recognises_the_numbers_it_issues(text: str) -> None:
    assert is_case_number(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "MC-2024-00001",  # too short a sequence
        "MC-2024-000000",  # sequence 0 is never issued
        "MC-2024-0000001",  # a second spelling of MC-2024-000001
        "MC-0000-000001",  # year 0 is never issued
        "MC-2024-000001-E0",  # extension ordinals start at 1
        "MC-2024-000001-E01",  # a second spelling of -E1
        "MC-2024-000001-E",
        "MC-2024-000001\n",  # "$" would match before a trailing newline
        " MC-2024-000001",
        "MC-2024-000001-E1-E2",
        "mc-2024-000001",
        "XX-2024-000001",
    ],
)
def test_mc_unique_refuses_anything_but_the_one_spelling_it_issues(text: str) -> None:
    assert not is_case_number(text)
