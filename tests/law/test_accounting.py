"""PA-ACCOUNT and PA-SUBJECT: what a disclosure must be accounted for with, and what the
subject's own copy of the accounting leaves out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from mailcover.law.accounting import (
    EXEMPTIONS,
    Disclosure,
    Nature,
    SystemOfRecords,
    check_disclosure,
    exempt_from_subjects_copy,
    in_subject_copy,
    left_out_of_subject_copy,
)

DISCLOSED = Disclosure(
    at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
    nature=Nature.CAPTURE_VIEW,
    purpose="Investigation of mail fraud, 18 U.S.C. 1341",
    recipient_name="Springfield Police Department",
    recipient_address="800 E MONROE ST, SPRINGFIELD IL 62701",
    law_enforcement=True,
    agency_head_written_request=False,
    system=SystemOfRecords.CUSTOMER,
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

    @pytest.mark.parametrize("system", [SystemOfRecords.MAIL_COVER, SystemOfRecords.INVESTIGATIVE])
    def test_pa_subject_leaves_out_every_disclosure_from_a_system_exempt_from_c3(
        self, system: SystemOfRecords
    ) -> None:
        from_exempt = replace(DISCLOSED, system=system)

        assert exempt_from_subjects_copy(system)
        assert not in_subject_copy(from_exempt)
        reason = left_out_of_subject_copy(from_exempt)
        assert reason is not None
        assert system.value in reason
        assert "552a(j)(2)" in reason
        assert "39 CFR 266.9" in reason

    def test_pa_subject_the_customer_systems_are_not_exempt(self) -> None:
        assert not exempt_from_subjects_copy(SystemOfRecords.CUSTOMER)
        assert left_out_of_subject_copy(DISCLOSED) is None

    def test_pa_subject_a_disclosure_that_names_no_system_is_taken_as_mail_cover_data(
        self,
    ) -> None:
        unnamed = Disclosure(
            at=DISCLOSED.at,
            nature=Nature.CAPTURE_VIEW,
            purpose=DISCLOSED.purpose,
            recipient_name=DISCLOSED.recipient_name,
            recipient_address=DISCLOSED.recipient_address,
            law_enforcement=True,
            agency_head_written_request=False,
        )

        assert unnamed.system is SystemOfRecords.MAIL_COVER
        assert not in_subject_copy(unnamed)

    def test_pa_subject_every_system_has_its_citation_and_what_is_not_read_is_marked(
        self,
    ) -> None:
        for system in SystemOfRecords:
            exemption = EXEMPTIONS[system]
            assert exemption.name
            assert "266.9" in exemption.citation
            if exempt_from_subjects_copy(system):
                assert exemption.authority == "5 U.S.C. 552a(j)(2)"

    def test_pa_subject_leaves_out_law_enforcement_on_an_agency_heads_written_request(self) -> None:
        assert not in_subject_copy(replace(DISCLOSED, agency_head_written_request=True))

    def test_pa_subject_includes_a_written_request_that_was_not_for_law_enforcement(self) -> None:
        exempt = replace(DISCLOSED, law_enforcement=False, agency_head_written_request=True)

        assert in_subject_copy(exempt)
