"""What a written cover request must say (law/requests.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from mailcover.law.errors import Violation
from mailcover.law.requests import (
    MIN_FACTS_CHARS,
    MIN_JUSTIFICATION_CHARS,
    AgencyHeadApproval,
    AttorneyEntry,
    CoverRequestDraft,
    check_attorneys,
    check_cover_request,
    check_days,
    check_emergency,
    check_natsec_head,
    check_offence,
    check_purpose,
    check_scope,
    check_written,
    parse_grounds,
    parse_scope,
)
from mailcover.law.terms import DEFAULT_POLICY, AgencyLevel, Grounds, Policy, Scope

TODAY = date(2024, 3, 1)
FACTS = (
    "The subject received packages from a known supplier of counterfeit goods on three "
    "occasions in January; a cover would identify the other suppliers."
)
HEAD = AgencyHeadApproval(name="A. Director", title="Director", date=date(2024, 2, 27))


def crime_draft(**changes: object) -> CoverRequestDraft:
    """A request that meets every rule: a felony, stated facts, one address, 30 days."""
    draft = CoverRequestDraft(
        subject_name="Jordan Example",
        subject_address="12 Elm Street, Springfield, IL 62701",
        grounds="crime",
        statute="18 U.S.C. 1341",
        max_penalty_years=Decimal("20"),
        facts=FACTS,
        scope="addressee",
        days=30,
        requester_agency_level=AgencyLevel.FEDERAL,
    )
    return replace(draft, **changes)  # type: ignore[arg-type]


def rules_and_fields(violations: list[Violation]) -> set[tuple[str, str | None]]:
    return {(v.rule, v.field) for v in violations}


# Happy paths


def test_a_complete_crime_request_breaks_no_rule() -> None:
    assert check_cover_request(crime_draft(), TODAY, DEFAULT_POLICY) == []


def test_a_complete_national_security_request_with_the_heads_approval_breaks_no_rule() -> None:
    draft = crime_draft(
        grounds="national_security",
        statute="",
        max_penalty_years=None,
        days=60,
        agency_head_approval=HEAD,
    )
    assert check_cover_request(draft, TODAY, DEFAULT_POLICY) == []


def test_a_fugitive_request_needs_no_statute_and_may_run_60_days() -> None:
    draft = crime_draft(grounds="fugitive", statute="", max_penalty_years=None, days=60)
    assert check_cover_request(draft, TODAY, DEFAULT_POLICY) == []


def test_a_postal_statute_request_from_a_postal_inspector_breaks_no_rule() -> None:
    draft = crime_draft(
        grounds="postal_statute",
        statute="39 U.S.C. 3005",
        max_penalty_years=None,
        requester_agency_level=AgencyLevel.POSTAL,
    )
    assert check_cover_request(draft, TODAY, DEFAULT_POLICY) == []


def test_a_forfeiture_request_citing_its_basis_and_authority_breaks_no_rule() -> None:
    draft = crime_draft(
        grounds="forfeiture",
        statute="18 U.S.C. 981",
        max_penalty_years=None,
        forfeiture_authority="21 U.S.C. 881 (DEA seizing authority)",
    )
    assert check_cover_request(draft, TODAY, DEFAULT_POLICY) == []


def test_an_emergency_delivery_point_request_with_aliases_and_attorneys_breaks_no_rule() -> None:
    draft = crime_draft(
        scope="delivery_point",
        scope_justification="The subject receives mail under several unknown names here.",
        emergency=True,
        emergency_reason="Evidence of the shipments will be lost within the week.",
        aliases=("J. Example", "Jay Ex"),
        attorneys=(AttorneyEntry(name="Pat Counsel", address="1 Court Sq, Springfield"),),
    )
    assert check_cover_request(draft, TODAY, DEFAULT_POLICY) == []


# MC-PURPOSE


def test_mc_purpose_refuses_grounds_outside_the_five_enumerated() -> None:
    violations = check_purpose(crime_draft(grounds="tax_audit"))
    assert rules_and_fields(violations) == {("MC-PURPOSE", "grounds")}
    assert "tax_audit" in violations[0].message


def test_mc_purpose_parses_grounds_exactly_as_written() -> None:
    assert parse_grounds("crime") is Grounds.CRIME
    assert parse_grounds("Crime") is None
    assert parse_grounds("") is None


@pytest.mark.parametrize(
    "level", [AgencyLevel.FEDERAL, AgencyLevel.STATE, AgencyLevel.LOCAL], ids=str
)
def test_mc_purpose_refuses_postal_statute_grounds_from_an_outside_agency(
    level: AgencyLevel,
) -> None:
    draft = crime_draft(grounds="postal_statute", requester_agency_level=level)
    assert rules_and_fields(check_purpose(draft)) == {("MC-PURPOSE", "grounds")}


@pytest.mark.parametrize(
    "grounds",
    [Grounds.NATIONAL_SECURITY, Grounds.FUGITIVE, Grounds.CRIME, Grounds.FORFEITURE],
    ids=str,
)
def test_mc_purpose_allows_an_outside_agency_the_other_four_grounds(grounds: Grounds) -> None:
    draft = crime_draft(grounds=grounds.value, requester_agency_level=AgencyLevel.LOCAL)
    assert check_purpose(draft) == []


def test_mc_purpose_allows_every_ground_to_a_postal_inspector() -> None:
    for grounds in Grounds:
        draft = crime_draft(grounds=grounds.value, requester_agency_level=AgencyLevel.POSTAL)
        assert check_purpose(draft) == [], grounds


def test_mc_purpose_unknown_grounds_are_reported_once_not_as_a_crash() -> None:
    violations = check_cover_request(crime_draft(grounds="hunch"), TODAY, DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-PURPOSE", "grounds")}
    assert len(violations) == 1


# MC-CRIME-FELONY


def test_mc_crime_felony_refuses_a_crime_punishable_by_one_year_or_less() -> None:
    violations = check_offence(crime_draft(max_penalty_years=Decimal("1")))
    assert rules_and_fields(violations) == {("MC-CRIME-FELONY", "max_penalty_years")}


def test_mc_crime_felony_refuses_a_crime_punishable_by_six_months() -> None:
    violations = check_offence(crime_draft(max_penalty_years=Decimal("0.5")))
    assert rules_and_fields(violations) == {("MC-CRIME-FELONY", "max_penalty_years")}


def test_mc_crime_felony_accepts_a_crime_punishable_by_just_over_one_year() -> None:
    assert check_offence(crime_draft(max_penalty_years=Decimal("1.01"))) == []


def test_mc_crime_felony_refuses_a_crime_without_its_maximum_term() -> None:
    violations = check_offence(crime_draft(max_penalty_years=None))
    assert rules_and_fields(violations) == {("MC-CRIME-FELONY", "max_penalty_years")}


@pytest.mark.parametrize("statute", ["", "   "])
def test_mc_crime_felony_refuses_a_crime_that_cites_no_statute(statute: str) -> None:
    violations = check_offence(crime_draft(statute=statute))
    assert rules_and_fields(violations) == {("MC-CRIME-FELONY", "statute")}


def test_mc_crime_felony_postal_statute_grounds_have_no_minimum_term() -> None:
    draft = crime_draft(grounds="postal_statute", max_penalty_years=Decimal("0.5"))
    assert check_offence(draft) == []
    assert check_offence(replace(draft, max_penalty_years=None)) == []


def test_mc_crime_felony_postal_statute_grounds_still_cite_the_statute() -> None:
    violations = check_offence(crime_draft(grounds="postal_statute", statute=""))
    assert rules_and_fields(violations) == {("MC-CRIME-FELONY", "statute")}


def test_mc_crime_felony_forfeiture_must_cite_its_legal_basis_and_the_agencys_authority() -> None:
    violations = check_offence(
        crime_draft(grounds="forfeiture", statute="", forfeiture_authority="  ")
    )
    assert rules_and_fields(violations) == {
        ("MC-CRIME-FELONY", "statute"),
        ("MC-CRIME-FELONY", "forfeiture_authority"),
    }


@pytest.mark.parametrize("grounds", ["fugitive", "national_security"])
def test_mc_crime_felony_fugitive_and_national_security_need_no_statute(grounds: str) -> None:
    assert check_offence(crime_draft(grounds=grounds, statute="", max_penalty_years=None)) == []


# MC-WRITTEN


@pytest.mark.parametrize("name", ["", "  \t"])
def test_mc_written_refuses_a_request_without_a_subject_name(name: str) -> None:
    assert rules_and_fields(check_written(crime_draft(subject_name=name))) == {
        ("MC-WRITTEN", "subject.name")
    }


def test_mc_written_refuses_a_request_without_a_subject_address() -> None:
    assert rules_and_fields(check_written(crime_draft(subject_address=" "))) == {
        ("MC-WRITTEN", "subject.address")
    }


@pytest.mark.parametrize(
    "address",
    [
        "12 Elm Street, Springfield\n40 Oak Avenue, Springfield",
        "12 Elm Street, Springfield; 40 Oak Avenue, Springfield",
    ],
)
def test_mc_written_refuses_more_than_one_address_per_request(address: str) -> None:
    violations = check_written(crime_draft(subject_address=address))
    assert rules_and_fields(violations) == {("MC-WRITTEN", "subject.address")}
    assert "one subject address" in violations[0].message


def test_mc_written_accepts_one_address_with_a_trailing_newline() -> None:
    assert check_written(crime_draft(subject_address="12 Elm Street, Springfield\n")) == []


def test_mc_written_refuses_a_request_that_states_no_facts() -> None:
    assert rules_and_fields(check_written(crime_draft(facts=""))) == {("MC-WRITTEN", "facts")}


def test_mc_written_refuses_facts_of_a_word_or_two() -> None:
    short = "x" * (MIN_FACTS_CHARS - 1)
    violations = check_written(crime_draft(facts=f"  {short}  "))
    assert rules_and_fields(violations) == {("MC-WRITTEN", "facts")}


def test_mc_written_accepts_facts_at_the_minimum_length() -> None:
    assert check_written(crime_draft(facts="x" * MIN_FACTS_CHARS)) == []


def test_mc_written_reports_every_missing_part_at_once() -> None:
    draft = crime_draft(subject_name="", subject_address="", facts="")
    assert rules_and_fields(check_written(draft)) == {
        ("MC-WRITTEN", "subject.name"),
        ("MC-WRITTEN", "subject.address"),
        ("MC-WRITTEN", "facts"),
    }


# MC-ALL-NAMES


def test_mc_all_names_refuses_an_unknown_scope() -> None:
    assert parse_scope("everything") is None
    violations = check_scope(crime_draft(scope="everything"))
    assert rules_and_fields(violations) == {("MC-ALL-NAMES", "scope")}


@pytest.mark.parametrize("justification", [None, "", "too short"])
def test_mc_all_names_refuses_a_delivery_point_scope_without_its_own_justification(
    justification: str | None,
) -> None:
    draft = crime_draft(scope="delivery_point", scope_justification=justification)
    assert rules_and_fields(check_scope(draft)) == {("MC-ALL-NAMES", "scope_justification")}


def test_mc_all_names_accepts_a_delivery_point_scope_with_a_written_justification() -> None:
    draft = crime_draft(scope="delivery_point", scope_justification="j" * MIN_JUSTIFICATION_CHARS)
    assert check_scope(draft) == []


@pytest.mark.parametrize("scope", [Scope.ADDRESSEE, Scope.SENDER], ids=str)
def test_mc_all_names_a_scope_limited_to_the_subject_needs_no_justification(scope: Scope) -> None:
    assert check_scope(crime_draft(scope=scope.value, scope_justification=None)) == []


# MC-EMERGENCY


def test_mc_emergency_refuses_an_emergency_request_that_does_not_state_the_emergency() -> None:
    violations = check_emergency(crime_draft(emergency=True, emergency_reason=" "))
    assert rules_and_fields(violations) == {("MC-EMERGENCY", "emergency_reason")}


def test_mc_emergency_accepts_an_emergency_request_that_states_the_risk() -> None:
    draft = crime_draft(emergency=True, emergency_reason="Risk of immediate physical harm.")
    assert check_emergency(draft) == []


def test_mc_emergency_an_ordinary_request_needs_no_emergency_reason() -> None:
    assert check_emergency(crime_draft(emergency=False, emergency_reason=None)) == []


# MC-NATSEC-HEAD


def natsec_draft(head: AgencyHeadApproval | None) -> CoverRequestDraft:
    return crime_draft(grounds="national_security", days=60, agency_head_approval=head)


def test_mc_natsec_head_refuses_a_national_security_request_without_the_heads_approval() -> None:
    violations = check_natsec_head(natsec_draft(None), TODAY)
    assert rules_and_fields(violations) == {("MC-NATSEC-HEAD", "agency_head_approval")}


def test_mc_natsec_head_refuses_an_approval_without_name_or_title() -> None:
    violations = check_natsec_head(natsec_draft(replace(HEAD, name="", title=" ")), TODAY)
    assert rules_and_fields(violations) == {
        ("MC-NATSEC-HEAD", "agency_head_approval.name"),
        ("MC-NATSEC-HEAD", "agency_head_approval.title"),
    }


def test_mc_natsec_head_refuses_an_undated_approval() -> None:
    violations = check_natsec_head(natsec_draft(replace(HEAD, date=None)), TODAY)
    assert rules_and_fields(violations) == {("MC-NATSEC-HEAD", "agency_head_approval.date")}


def test_mc_natsec_head_refuses_an_approval_dated_in_the_future() -> None:
    tomorrow = date(2024, 3, 2)
    violations = check_natsec_head(natsec_draft(replace(HEAD, date=tomorrow)), TODAY)
    assert rules_and_fields(violations) == {("MC-NATSEC-HEAD", "agency_head_approval.date")}
    assert "future" in violations[0].message


def test_mc_natsec_head_accepts_an_approval_dated_today() -> None:
    assert check_natsec_head(natsec_draft(replace(HEAD, date=TODAY)), TODAY) == []


def test_mc_natsec_head_does_not_apply_to_other_grounds() -> None:
    assert check_natsec_head(crime_draft(agency_head_approval=None), TODAY) == []


# MC-PERIOD


@pytest.mark.parametrize(
    ("grounds", "most"),
    [
        ("crime", 30),
        ("postal_statute", 30),
        ("forfeiture", 30),
        ("fugitive", 60),
        ("national_security", 60),
    ],
)
def test_mc_period_allows_up_to_the_grounds_maximum_and_refuses_one_day_more(
    grounds: str, most: int
) -> None:
    assert check_days(crime_draft(grounds=grounds, days=most), DEFAULT_POLICY) == []
    violations = check_days(crime_draft(grounds=grounds, days=most + 1), DEFAULT_POLICY)
    assert rules_and_fields(violations) == {("MC-PERIOD", "days")}
    assert str(most) in violations[0].message


@pytest.mark.parametrize("days", [0, -5])
def test_mc_period_refuses_an_order_of_less_than_one_day(days: int) -> None:
    assert rules_and_fields(check_days(crime_draft(days=days), DEFAULT_POLICY)) == {
        ("MC-PERIOD", "days")
    }


def test_mc_period_a_one_day_order_is_allowed() -> None:
    assert check_days(crime_draft(days=1), DEFAULT_POLICY) == []


def test_mc_period_follows_the_operators_policy_for_fugitives_and_national_security() -> None:
    policy = Policy(fugitive_period_days=45, national_security_period_days=40)
    period = {("MC-PERIOD", "days")}
    assert check_days(crime_draft(grounds="fugitive", days=45), policy) == []
    assert rules_and_fields(check_days(crime_draft(grounds="fugitive", days=46), policy)) == period
    assert check_days(crime_draft(grounds="national_security", days=40), policy) == []
    natsec_41 = check_days(crime_draft(grounds="national_security", days=41), policy)
    assert rules_and_fields(natsec_41) == period


def test_mc_period_policy_never_lengthens_a_crime_order_past_30_days() -> None:
    policy = Policy(fugitive_period_days=90, national_security_period_days=90)
    violations = check_days(crime_draft(days=31), policy)
    assert rules_and_fields(violations) == {("MC-PERIOD", "days")}


# MC-ATTORNEY


def test_mc_attorney_refuses_a_known_attorney_without_a_name() -> None:
    draft = crime_draft(
        attorneys=(
            AttorneyEntry(name="Pat Counsel", address="1 Court Sq"),
            AttorneyEntry(name=" ", address="2 Court Sq"),
        )
    )
    assert rules_and_fields(check_attorneys(draft)) == {("MC-ATTORNEY", "attorneys[1].name")}


def test_mc_attorney_accepts_named_attorneys_and_no_attorneys() -> None:
    named = (AttorneyEntry(name="Pat Counsel", address="1 Court Sq"),)
    assert check_attorneys(crime_draft(attorneys=named)) == []
    assert check_attorneys(crime_draft(attorneys=())) == []


# All rules at once


def test_a_request_breaking_several_rules_hears_about_every_one_of_them() -> None:
    draft = crime_draft(
        max_penalty_years=Decimal("1"),
        facts="because",
        scope="delivery_point",
        emergency=True,
        days=31,
        attorneys=(AttorneyEntry(name="", address="somewhere"),),
    )
    assert rules_and_fields(check_cover_request(draft, TODAY, DEFAULT_POLICY)) == {
        ("MC-CRIME-FELONY", "max_penalty_years"),
        ("MC-WRITTEN", "facts"),
        ("MC-ALL-NAMES", "scope_justification"),
        ("MC-EMERGENCY", "emergency_reason"),
        ("MC-PERIOD", "days"),
        ("MC-ATTORNEY", "attorneys[0].name"),
    }


def test_a_national_security_request_checks_the_head_approval_within_the_whole() -> None:
    draft = natsec_draft(None)
    assert rules_and_fields(check_cover_request(draft, TODAY, DEFAULT_POLICY)) == {
        ("MC-NATSEC-HEAD", "agency_head_approval")
    }


def test_mc_written_a_denial_must_state_its_reason() -> None:
    from mailcover.law.requests import check_denial

    assert check_denial("The facts do not tie the address to the offence.") == []
    assert [(v.rule, v.field) for v in check_denial("   ")] == [("MC-WRITTEN", "reason")]
