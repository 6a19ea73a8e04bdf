"""law.compliance, law.reporting's return rule, law.discovery and law.orders.window_of_force:
what each OIG check asks of one case, read as sentences."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailcover.law import compliance
from mailcover.law.authority import Decision, Delegation
from mailcover.law.compliance import Approval, FiledText, Stopped, Waiting
from mailcover.law.discovery import DiscoveryDraft, check_discovery, purpose
from mailcover.law.orders import OrderFacts, in_force, window_of_force
from mailcover.law.periods import Period
from mailcover.law.reporting import check_report_return
from mailcover.law.terms import DelegationScope, Grounds, Policy, Role

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def approval(**changes: object) -> Approval:
    fields: dict[str, object] = {
        "case_number": "MC-2026-000001",
        "request_id": 1,
        "official_id": 2,
        "decided_at": T0,
        "delegation": Delegation("DEL-1", DelegationScope.OSG_DESIGNEE, T0 - DAY, group="E"),
        "delegation_holder_id": 2,
        "decision": Decision(frozenset({1}), Grounds.CRIME, False, False),
        "days_approved": 30,
        "period_days": 30.0,
    }
    fields.update(changes)
    return Approval(**fields)  # type: ignore[arg-type]


def test_oig_authority_an_approval_under_a_delegation_in_force_that_reaches_it_stands():
    assert compliance.approval_problem(approval()) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        (
            {"official_id": None, "decided_at": None},
            "the period runs with no approval recorded for it",
        ),
        ({"delegation": None}, "no written delegation is recorded on the approval"),
        (
            {
                "delegation": Delegation(
                    "DEL-1", DelegationScope.OSG_DESIGNEE, T0 - DAY, revoked_at=T0 - timedelta(1)
                )
            },
            "delegation DEL-1 was not in force when the approval was made",
        ),
        (
            {"delegation": Delegation("DEL-1", DelegationScope.OSG_DESIGNEE, T0 + DAY)},
            "delegation DEL-1 was not in force when the approval was made",
        ),
        (
            {"decision": Decision(frozenset({1}), Grounds.NATIONAL_SECURITY, False, False)},
            "delegation DEL-1 (osg_designee) does not reach this approval",
        ),
        (
            {"decision": Decision(frozenset({1}), Grounds.CRIME, False, True)},
            "delegation DEL-1 (osg_designee) does not reach this approval",
        ),
        ({"official_id": 1}, "approved by someone who filed the request (MC-NOT-SELF)"),
        (
            {"delegation_holder_id": 7},
            "delegation DEL-1 is not held by the official who approved",
        ),
        (
            {"period_days": 300.0},
            "the period runs 300 days; the approval granted 30 (MC-PERIOD)",
        ),
    ],
)
def test_oig_authority_an_approval_without_written_authority_says_why(changes, reason):
    assert compliance.approval_problem(approval(**changes)) == reason


def filed_text(**changes: object) -> FiledText:
    fields: dict[str, object] = {
        "case_number": "MC-2026-000001",
        "request_id": 1,
        "facts": "Facts.",
        "stored": {"facts": "Facts.", "grounds": "crime"},
        "as_filed": {"facts": "Facts.", "grounds": "crime"},
        "digest_stored": "a" * 64,
        "digest_recomputed": "a" * 64,
        "digest_on_ledger": "a" * 64,
    }
    fields.update(changes)
    return FiledText(**fields)  # type: ignore[arg-type]


def test_oig_justification_a_request_as_filed_has_no_problem():
    assert compliance.justification_problems(filed_text()) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"facts": " "}, "no facts are stated (MC-WRITTEN)"),
        ({"digest_recomputed": "b" * 64}, "the request as filed was changed after it was stored"),
        ({"digest_on_ledger": None}, "the ledger holds no filing entry for this request"),
        (
            {"digest_on_ledger": "c" * 64},
            "the request as filed differs from the digest the ledger recorded",
        ),
        (
            {"stored": {"facts": "Facts.", "grounds": "fugitive"}},
            "stored grounds differ from the request as filed",
        ),
    ],
)
def test_oig_justification_each_kind_of_change_is_named(changes, problem):
    assert compliance.justification_problems(filed_text(**changes)) == [problem]


def test_oig_nondisclosure_only_roles_that_reach_case_data_need_an_acknowledgment():
    assert compliance.needs_nondisclosure({Role.REQUESTER})
    assert compliance.needs_nondisclosure({Role.OVERSIGHT, Role.ADMIN})
    assert not compliance.needs_nondisclosure({Role.OPERATOR})
    assert not compliance.needs_nondisclosure({Role.ADMIN})


WINDOW = (T0, T0 + 30 * DAY)


@pytest.mark.parametrize(
    ("scanned", "captured", "reason"),
    [
        (T0, T0, None),
        (T0 + 29 * DAY, T0 + 29 * DAY, None),
        (T0 - DAY, T0, "scanned before the order was in force"),
        (T0 + 30 * DAY, T0 + 30 * DAY, "scanned after the order stopped being in force"),
        (T0 + 29 * DAY, T0 + 30 * DAY, "recorded after the order stopped being in force"),
        (T0 + DAY, T0 - DAY, "recorded before the order was in force"),
    ],
)
def test_oig_after_expiry_a_capture_is_inside_or_outside_the_window(scanned, captured, reason):
    assert compliance.outside_window(scanned, captured, WINDOW) == reason


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
maybe = st.one_of(st.none(), moments)


@given(
    start=moments,
    days=st.integers(1, 200),
    grounds=st.sampled_from(list(Grounds)),
    emergency=st.booleans(),
    confirmed=maybe,
    indicted=maybe,
    improper=maybe,
    probe=moments,
)
def test_mc_no_order_no_data_the_window_of_force_is_exactly_where_in_force_holds(
    start, days, grounds, emergency, confirmed, indicted, improper, probe
):
    facts = OrderFacts(
        grounds=grounds,
        periods=(Period(start, start + timedelta(days=days)),),
        emergency_requested_at=start if emergency else None,
        confirmed_at=confirmed if emergency else None,
        indicted_at=indicted,
        improper_at=improper,
    )
    begin, stop = window_of_force(facts)
    for moment in (probe, begin, stop, stop - timedelta(microseconds=1), begin - DAY):
        assert in_force(facts, moment) == (begin <= moment < stop)


def test_oig_timeliness_nearest_rank_gives_an_observed_value():
    values = [1.0, 2.0, 3.0, 4.0, 100.0]
    assert compliance.nearest_rank(values, 50) == 3.0
    assert compliance.nearest_rank(values, 90) == 100.0
    assert compliance.nearest_rank([7.0], 99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        compliance.nearest_rank([], 50)


def test_oig_timeliness_with_no_decisions_says_so():
    waiting = [Waiting("MC-1", 1, False, T0, None)]
    result = compliance.timeliness(waiting, T0 + DAY, Policy())
    assert result.figure == "no decisions"
    assert result.met


def test_oig_return_documents_are_due_60_days_after_the_cover_stopped():
    cover = Stopped("MC-1", 1, T0, None)
    assert compliance.return_problem(cover, T0 + 60 * DAY) is None
    assert compliance.return_problem(cover, T0 + 61 * DAY) == (
        "report documents due back 2026-04-30, 1 days ago"
    )
    returned = Stopped("MC-1", 1, T0, date(2026, 6, 1))
    assert compliance.return_problem(returned, T0 + 200 * DAY) is None


def test_mc_reporting_a_return_is_recorded_only_after_the_cover_stopped():
    found = check_report_return(None, T0.date(), "LT. BAKER", "", T0 + DAY)
    assert [(v.rule, v.field) for v in found] == [("MC-REPORTING", None)]


@pytest.mark.parametrize(
    ("done_on", "certified_by", "note", "field"),
    [
        (date(2026, 12, 1), "LT. BAKER", "", "done_on"),  # not yet come
        (date(2026, 3, 20), "LT. BAKER", "", "done_on"),  # before the cover stopped
        (date(2026, 4, 2), "  ", "", "certified_by"),
        (date(2026, 4, 2), "LT.\x00BAKER", "", "certified_by"),
        (date(2026, 4, 2), "LT. BAKER", "shredded\x07", "note"),
    ],
)
def test_mc_reporting_a_return_is_dated_from_the_stop_to_today_and_names_who_certifies_it(
    done_on, certified_by, note, field
):
    found = check_report_return(T0 + 30 * DAY, done_on, certified_by, note, T0 + 40 * DAY)
    assert [v.field for v in found] == [field]


def test_mc_reporting_a_note_may_run_over_several_lines():
    assert check_report_return(T0, T0.date(), "LT. BAKER", "one\ntwo", T0 + DAY) == []


def test_mc_discovery_names_the_proceeding_court_and_recipient():
    draft = DiscoveryDraft("US v. PUBLIC, 1:26-cr-00042", "N.D. ILL.", "JANE ROE ESQ", "1 COURT SQ")
    assert check_discovery(draft) == []
    assert purpose(draft) == "discovery in a legal proceeding (39 CFR 233.3(h)(3))"
    assert "PUBLIC" not in purpose(draft)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("proceeding", "", "name the proceeding (caption and docket number)"),
        ("court", "x" * 301, "at most 300 characters"),
        ("recipient_name", "A\nB", "control characters and line breaks are refused"),
        ("recipient_address", " ", "name the recipient's address"),
    ],
)
def test_mc_discovery_a_bad_field_is_refused_by_name(field, value, message):
    fields = {
        "proceeding": "US v. PUBLIC",
        "court": "N.D. ILL.",
        "recipient_name": "JANE ROE ESQ",
        "recipient_address": "1 COURT SQ",
        field: value,
    }
    found = check_discovery(DiscoveryDraft(**fields))
    assert [(v.rule, v.field, v.message) for v in found] == [("MC-DISCOVERY", field, message)]
