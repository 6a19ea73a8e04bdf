"""Records requests in law: what each instrument reaches, a request's scope, emergencies,
and who may file (RR-SCOPE, RR-SUBSCRIBER, RR-RECORDS, RR-CONTENT, RR-FINANCIAL,
RR-EMERGENCY, RR-VERIFIED)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mailcover.law.records import (
    FINANCIAL_INSTRUMENTS,
    NEEDS,
    REACHES,
    Category,
    EmergencyAttestation,
    Instrument,
    RecordsRequestDraft,
    check_records_request,
    check_reviewer,
    check_verified,
    follow_up_due,
    in_range,
)

TODAY = date(2026, 11, 24)


def draft(**changes: object) -> RecordsRequestDraft:
    fields: dict[str, object] = {
        "instrument": Instrument.SUBPOENA,
        "issued_by": "GRAND JURY, N.D. ILL.",
        "issued_on": date(2026, 11, 1),
        "number": "GJ-26-114",
        "identifiers": {"email": "jq@example.com"},
        "categories": (Category.SUBSCRIBER,),
        "start": date(2026, 1, 1),
        "end": date(2026, 6, 30),
        "purpose": "What the records are for.",
    }
    fields.update(changes)
    return RecordsRequestDraft(**fields)  # type: ignore[arg-type]


def rules(found: list[object]) -> set[tuple[str, str | None]]:
    return {(v.rule, v.field) for v in found}  # type: ignore[attr-defined]


def test_rr_scope_a_valid_subpoena_for_subscriber_records_passes() -> None:
    assert check_records_request(draft(), TODAY) == []


def test_rr_subscriber_a_subpoena_reaches_subscriber_records_and_nothing_more() -> None:
    assert REACHES[Instrument.SUBPOENA] == {Category.SUBSCRIBER}


@pytest.mark.parametrize("category", [Category.TRANSACTIONAL, Category.CONTENT, Category.FINANCIAL])
def test_rr_scope_a_subpoena_for_more_is_refused_naming_the_instrument_needed(
    category: Category,
) -> None:
    found = check_records_request(draft(categories=(Category.SUBSCRIBER, category)), TODAY)
    assert rules(found) == {("RR-SCOPE", "categories")}
    assert NEEDS[category] in found[0].message
    assert "subpoena does not reach" in found[0].message


def test_rr_records_transactional_records_need_a_2703d_order_or_a_warrant() -> None:
    for kind in (Instrument.COURT_ORDER_2703D, Instrument.WARRANT):
        assert (
            check_records_request(
                draft(instrument=kind, categories=(Category.SUBSCRIBER, Category.TRANSACTIONAL)),
                TODAY,
            )
            == []
        )
    found = check_records_request(
        draft(instrument=Instrument.SUBPOENA, categories=(Category.TRANSACTIONAL,)), TODAY
    )
    assert "2703(d)" in found[0].message


def test_rr_content_only_a_warrant_reaches_content() -> None:
    reaching = {kind for kind, reach in REACHES.items() if Category.CONTENT in reach}
    assert reaching == {Instrument.WARRANT, Instrument.EMERGENCY}
    found = check_records_request(
        draft(instrument=Instrument.COURT_ORDER_2703D, categories=(Category.CONTENT,)), TODAY
    )
    assert "warrant (18 U.S.C. 2703(a))" in found[0].message


def test_rr_financial_only_the_five_rfpa_instruments_reach_financial_records() -> None:
    reaching = {kind for kind, reach in REACHES.items() if Category.FINANCIAL in reach}
    assert reaching == FINANCIAL_INSTRUMENTS
    assert len(FINANCIAL_INSTRUMENTS) == 5
    for kind in FINANCIAL_INSTRUMENTS:
        assert REACHES[kind] == {Category.FINANCIAL}
    found = check_records_request(
        draft(instrument=Instrument.WARRANT, categories=(Category.FINANCIAL,)), TODAY
    )
    assert "12 U.S.C. 3402" in found[0].message


def test_rr_scope_no_category_is_refused() -> None:
    assert ("RR-SCOPE", "categories") in rules(check_records_request(draft(categories=()), TODAY))


@pytest.mark.parametrize(
    "identifiers",
    [{}, {"email": "  "}, {"name": "JOHN Q PUBLIC"}, {"address": "123 MAIN ST, X IL 62704"}],
)
def test_rr_scope_a_request_names_its_customer(identifiers: dict[str, str]) -> None:
    found = check_records_request(draft(identifiers=identifiers), TODAY)
    assert rules(found) == {("RR-SCOPE", "customer")}


def test_rr_scope_a_name_with_its_address_names_a_customer() -> None:
    identifiers = {"name": "JOHN Q PUBLIC", "address": "123 MAIN ST, SPRINGFIELD IL 62704"}
    assert check_records_request(draft(identifiers=identifiers), TODAY) == []


def test_rr_scope_a_reversed_date_range_is_refused() -> None:
    found = check_records_request(draft(start=date(2026, 6, 30), end=date(2026, 1, 1)), TODAY)
    assert rules(found) == {("RR-SCOPE", "end")}
    assert "reversed" in found[0].message


@pytest.mark.parametrize("missing", ["start", "end"])
def test_rr_scope_an_unbounded_date_range_is_refused(missing: str) -> None:
    found = check_records_request(draft(**{missing: None}), TODAY)
    assert rules(found) == {("RR-SCOPE", missing)}
    assert "closed date range" in found[0].message


def test_rr_scope_a_range_reaching_into_the_future_is_refused() -> None:
    found = check_records_request(draft(end=TODAY + timedelta(days=1)), TODAY)
    assert rules(found) == {("RR-SCOPE", "end")}


def test_rr_scope_a_range_from_before_1990_is_refused() -> None:
    assert ("RR-SCOPE", "start") in rules(
        check_records_request(draft(start=date(1989, 12, 31)), TODAY)
    )


def test_rr_scope_the_instrument_names_its_issuer_and_a_date_not_in_the_future() -> None:
    found = check_records_request(draft(issued_by=" ", issued_on=TODAY + timedelta(1)), TODAY)
    assert rules(found) == {
        ("RR-SCOPE", "instrument.issued_by"),
        ("RR-SCOPE", "instrument.issued_on"),
    }
    assert ("RR-SCOPE", "instrument.issued_on") in rules(
        check_records_request(draft(issued_on=None), TODAY)
    )


def test_pa_account_a_request_states_its_purpose() -> None:
    assert rules(check_records_request(draft(purpose=" "), TODAY)) == {("PA-ACCOUNT", "purpose")}


ATTESTATION = EmergencyAttestation(
    danger="death",
    facts="A child is missing; threats came from this account.",
    attested_by="SAC J. RIVERA",
)


def emergency(**changes: object) -> RecordsRequestDraft:
    fields: dict[str, object] = {
        "instrument": Instrument.EMERGENCY,
        "issued_on": None,
        "categories": (Category.SUBSCRIBER, Category.TRANSACTIONAL),
        "start": TODAY - timedelta(days=14),
        "end": TODAY,
        "emergency": ATTESTATION,
    }
    fields.update(changes)
    return draft(**fields)


def test_rr_emergency_an_attested_emergency_for_recent_records_passes() -> None:
    assert check_records_request(emergency(), TODAY) == []


def test_rr_emergency_without_an_attestation_is_refused() -> None:
    assert rules(check_records_request(emergency(emergency=None), TODAY)) == {
        ("RR-EMERGENCY", "emergency")
    }


def test_rr_emergency_the_attestation_names_the_danger_the_facts_and_who_attests() -> None:
    bad = EmergencyAttestation(danger="property", facts=" ", attested_by="")
    assert rules(check_records_request(emergency(emergency=bad), TODAY)) == {
        ("RR-EMERGENCY", "emergency.danger"),
        ("RR-EMERGENCY", "emergency.facts"),
        ("RR-EMERGENCY", "emergency.attested_by"),
    }


def test_rr_emergency_the_release_reaches_back_30_days_only() -> None:
    assert check_records_request(emergency(start=TODAY - timedelta(days=30)), TODAY) == []
    found = check_records_request(emergency(start=TODAY - timedelta(days=31)), TODAY)
    assert rules(found) == {("RR-EMERGENCY", "start")}


def test_rr_emergency_does_not_reach_financial_records() -> None:
    found = check_records_request(emergency(categories=(Category.FINANCIAL,)), TODAY)
    assert ("RR-SCOPE", "categories") in rules(found)


def test_rr_emergency_an_attestation_on_another_instrument_is_refused() -> None:
    assert ("RR-EMERGENCY", "emergency") in rules(
        check_records_request(draft(emergency=ATTESTATION), TODAY)
    )


def test_rr_emergency_the_follow_up_instrument_is_due_30_days_after_filing() -> None:
    filed = datetime(2026, 11, 1, 9, tzinfo=UTC)
    assert follow_up_due(filed) == filed + timedelta(days=30)


def test_rr_verified_only_a_verified_agency_with_a_second_factor_files() -> None:
    assert check_verified(True, True) == []
    assert [v.rule for v in check_verified(False, True)] == ["RR-VERIFIED"]
    assert [v.rule for v in check_verified(True, False)] == ["RR-VERIFIED"]
    assert len(check_verified(False, False)) == 2


def test_mc_not_self_nobody_reviews_a_records_request_they_filed() -> None:
    assert [v.rule for v in check_reviewer(7, 7)] == ["MC-NOT-SELF"]
    assert check_reviewer(8, 7) == []


def test_rr_scope_a_record_is_in_range_by_its_whole_utc_day() -> None:
    start, end = date(2026, 1, 1), date(2026, 1, 31)
    assert in_range(datetime(2026, 1, 1, 0, 0, tzinfo=UTC), start, end)
    assert in_range(datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC), start, end)
    assert not in_range(datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC), start, end)
    assert not in_range(datetime(2026, 2, 1, tzinfo=UTC), start, end)


def test_rr_scope_every_category_has_a_least_instrument_and_one_that_reaches_it() -> None:
    for category in Category:
        assert NEEDS[category]
        assert any(category in reach for reach in REACHES.values())


def test_rr_financial_a_challenge_notice_is_served_or_mailed_after_its_instrument() -> None:
    from mailcover.law.records import check_challenge_notice

    issued = date(2026, 11, 1)
    assert check_challenge_notice("served", issued, issued, TODAY) == []
    assert rules(check_challenge_notice("faxed", issued, issued, TODAY)) == {
        ("RR-FINANCIAL", "method")
    }
    assert rules(check_challenge_notice("mailed", date(2026, 10, 31), issued, TODAY)) == {
        ("RR-FINANCIAL", "served_on")
    }
    assert rules(check_challenge_notice("mailed", TODAY + timedelta(1), issued, TODAY)) == {
        ("RR-FINANCIAL", "served_on")
    }


def test_rr_financial_only_a_delay_in_force_dated_from_the_instrument_lets_release_go() -> None:
    from mailcover.law.records import Delay, DelayKind, financial_delay_until

    issued = date(2026, 11, 1)
    ends = date(2026, 12, 31)
    in_force = Delay(DelayKind.DELAYED_NOTICE, date(2026, 11, 2), ends)
    assert financial_delay_until((in_force,), issued, TODAY) == ends
    before = Delay(DelayKind.DELAYED_NOTICE, date(2026, 10, 1), ends)
    assert financial_delay_until((before,), issued, TODAY) is None
    nondisclosure = Delay(DelayKind.NONDISCLOSURE, date(2026, 11, 2), ends)
    assert financial_delay_until((nondisclosure,), issued, TODAY) is None
    ended = Delay(DelayKind.DELAYED_NOTICE, date(2026, 11, 2), date(2026, 11, 10))
    assert financial_delay_until((ended,), issued, TODAY) is None


def test_rr_emergency_the_follow_up_reaches_what_was_released() -> None:
    from mailcover.law.records import check_follow_up

    released = (Category.SUBSCRIBER, Category.TRANSACTIONAL)
    issued = date(2026, 11, 20)
    assert check_follow_up(Instrument.COURT_ORDER_2703D, released, "N.D. ILL.", issued, TODAY) == []
    assert ("RR-SCOPE", "categories") in rules(
        check_follow_up(Instrument.SUBPOENA, released, "GJ", issued, TODAY)
    )
    assert rules(check_follow_up(Instrument.EMERGENCY, released, " ", None, TODAY)) == {
        ("RR-EMERGENCY", "instrument.type"),
        ("RR-EMERGENCY", "instrument.issued_by"),
        ("RR-EMERGENCY", "instrument.issued_on"),
    }
