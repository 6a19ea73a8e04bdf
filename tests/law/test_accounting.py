"""PA-ACCOUNT and PA-SUBJECT: what a disclosure must be accounted for with, and what the
subject's own copy of the accounting leaves out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from mailcover.law.accounting import Disclosure, Nature, check_disclosure, in_subject_copy

DISCLOSED = Disclosure(
    at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
    nature=Nature.CAPTURE_VIEW,
    purpose="Investigation of mail fraud, 18 U.S.C. 1341",
    recipient_name="Springfield Police Department",
    recipient_address="800 E MONROE ST, SPRINGFIELD IL 62701",
    law_enforcement=True,
    agency_head_written_request=False,
)


def test_pa_account_a_complete_disclosure_can_be_accounted_for() -> None:
    assert check_disclosure(DISCLOSED) == []


@pytest.mark.parametrize("field", ["nature", "purpose", "recipient_name", "recipient_address"])
def test_pa_account_a_disclosure_missing_what_c1_asks_for_is_refused_naming_the_field(
    field: str,
) -> None:
    found = check_disclosure(replace(DISCLOSED, **{field: "  "}))

    assert [(v.rule, v.field) for v in found] == [("PA-ACCOUNT", field)]


def test_pa_account_a_disclosure_without_a_time_zone_is_refused() -> None:
    found = check_disclosure(replace(DISCLOSED, at=datetime(2026, 11, 2, 15, 0)))

    assert [(v.rule, v.field) for v in found] == [("PA-ACCOUNT", "at")]


class TestTheSubjectsCopy:
    def test_pa_subject_includes_a_law_enforcement_disclosure_without_a_written_request(
        self,
    ) -> None:
        assert in_subject_copy(DISCLOSED)

    def test_pa_subject_leaves_out_law_enforcement_on_an_agency_heads_written_request(self) -> None:
        assert not in_subject_copy(replace(DISCLOSED, agency_head_written_request=True))

    def test_pa_subject_includes_a_written_request_that_was_not_for_law_enforcement(self) -> None:
        exempt = replace(DISCLOSED, law_enforcement=False, agency_head_written_request=True)

        assert in_subject_copy(exempt)
