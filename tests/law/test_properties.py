"""Properties of the law that must hold for every input, checked with hypothesis.

Orders are built only with the law's own functions (first_period, extension_period,
find_authority, check_extension), so these are properties of the rules as callers
use them, not of hand-made fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mailcover.law.authority import HEADQUARTERS, Decision, Delegation, Official, find_authority
from mailcover.law.case_numbers import case_number, extension_case_number, is_case_number
from mailcover.law.extensions import (
    ExtensionDraft,
    check_extension,
    extension_passes_cap,
    extension_period,
)
from mailcover.law.orders import (
    OrderFacts,
    confirmation_deadline,
    in_force,
    order_status,
    releases_nothing,
)
from mailcover.law.periods import (
    CONTINUOUS_CAP_DAYS,
    Period,
    exceeds_continuous_cap,
    first_period,
    max_extension_days,
    max_period_days,
)
from mailcover.law.terms import DelegationScope, Grounds, OrderStatus, Policy, Role

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
CAP = timedelta(days=CONTINUOUS_CAP_DAYS)
FILER_ID = 1
BENEFIT = "The cover has identified two suppliers and should reveal the third one."

moments = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2026, 1, 1), timezones=st.just(UTC)
)
offsets = st.timedeltas(min_value=-30 * DAY, max_value=400 * DAY)
lengths = st.timedeltas(min_value=timedelta(seconds=1), max_value=90 * DAY)


def grant(scope: DelegationScope, **changes: datetime) -> Delegation:
    return Delegation(
        reference=f"DEL-{scope.value}",
        scope=scope,
        valid_from=EPOCH - 365 * DAY,
        group="OSG-East" if scope is DelegationScope.OSG_DESIGNEE else None,
        **changes,
    )


def deciding(user_id: int, *held: Delegation, role: Role = Role.APPROVER) -> Official:
    return Official(
        user_id=user_id, roles=frozenset({role}), delegations=held, has_nondisclosure=True
    )


# Officials holding every mix of scopes, including a headquarters delegation that
# expires mid-order and one that is revoked while a field delegation stays in force.
OFFICIALS = (
    deciding(10, grant(DelegationScope.CHIEF), role=Role.CHIEF),
    deciding(11, grant(DelegationScope.HQ_DESIGNEE)),
    deciding(12, grant(DelegationScope.OSG_DESIGNEE)),
    deciding(13, grant(DelegationScope.INSPECTOR_IN_CHARGE)),
    deciding(14, grant(DelegationScope.OSG_DESIGNEE), grant(DelegationScope.INSPECTOR_IN_CHARGE)),
    deciding(15, grant(DelegationScope.HQ_DESIGNEE), grant(DelegationScope.OSG_DESIGNEE)),
    deciding(16, grant(DelegationScope.HQ_DESIGNEE, valid_until=EPOCH + 100 * DAY)),
    deciding(
        17,
        grant(DelegationScope.HQ_DESIGNEE, revoked_at=EPOCH + 50 * DAY),
        grant(DelegationScope.OSG_DESIGNEE),
    ),
)


@dataclass(frozen=True)
class Approved:
    period: Period
    delegation: Delegation
    decided_at: datetime
    emergency: bool


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    # Some settings let a first fugitive or national-security period pass 120 days alone.
    return Policy(
        fugitive_period_days=draw(st.integers(30, 150)),
        national_security_period_days=draw(st.integers(30, 150)),
        fugitive_extension_days=draw(st.integers(30, 90)),
    )


@st.composite
def approved_orders(draw: st.DrawFn) -> tuple[OrderFacts, list[Approved]]:
    """An order approved and extended step by step, each step decided by a drawn official."""
    policy = draw(policies())
    grounds = draw(st.sampled_from(Grounds))
    start = EPOCH + draw(st.timedeltas(min_value=timedelta(0), max_value=30 * DAY))
    days = draw(st.integers(1, max_period_days(grounds, policy)))
    emergency = draw(st.booleans())
    first = Decision(
        filer_ids=frozenset({FILER_ID}),
        grounds=grounds,
        emergency=emergency,
        past_continuous_cap=exceeds_continuous_cap(start, start + days * DAY),
    )
    held, _ = find_authority(draw(st.sampled_from(OFFICIALS)), first, start)
    if held is None:
        held, _ = find_authority(OFFICIALS[0], first, start)  # the chief decides instead
    assert held is not None
    order = OrderFacts(
        grounds=grounds,
        periods=(first_period(start, days),),
        emergency_requested_at=start if emergency else None,
        confirmed_at=start if emergency else None,
    )
    approvals = [Approved(order.periods[0], held, start, emergency)]
    for _ in range(draw(st.integers(0, 8))):
        official = draw(st.sampled_from(OFFICIALS))
        days = draw(st.integers(1, max_extension_days(grounds, policy)))
        current = order.periods[-1]
        now = (
            current.starts_at
            + (current.ends_at - current.starts_at) * draw(st.integers(0, 999)) // 1000
        )
        draft = ExtensionDraft(days, BENEFIT, indicted=False, represented_by_attorney=False)
        assert check_extension(draft, order, now, policy) == []
        extension = Decision(
            filer_ids=frozenset({FILER_ID}),
            grounds=grounds,
            emergency=draw(st.booleans()),
            past_continuous_cap=extension_passes_cap(order, days),
        )
        held, violations = find_authority(official, extension, now)
        if held is None:
            assert violations
            continue
        order = replace(order, periods=(*order.periods, extension_period(order, days)))
        approvals.append(Approved(order.periods[-1], held, now, extension.emergency))
    return order, approvals


@given(approved_orders())
def test_mc_120_every_period_past_120_days_was_approved_at_headquarters(
    built: tuple[OrderFacts, list[Approved]],
) -> None:
    order, approvals = built
    for approved in approvals:
        if exceeds_continuous_cap(order.starts_at, approved.period.ends_at):
            assert approved.delegation.scope in HEADQUARTERS


@given(approved_orders(), st.integers(0, 10_000))
def test_mc_120_no_order_is_in_force_past_120_days_unless_headquarters_approved_it(
    built: tuple[OrderFacts, list[Approved]], permyriad: int
) -> None:
    order, approvals = built
    moment = order.starts_at + (order.ends_at + DAY - order.starts_at) * permyriad // 10_000
    if in_force(order, moment) and moment - order.starts_at >= CAP:
        covering = [a for a in approvals if a.period.covers(moment)]
        assert len(covering) == 1
        assert covering[0].delegation.scope in HEADQUARTERS


@given(approved_orders())
def test_mc_authority_every_approval_rests_on_a_delegation_in_force_that_reaches_it(
    built: tuple[OrderFacts, list[Approved]],
) -> None:
    order, approvals = built
    assert order.periods == tuple(a.period for a in approvals)
    for approved in approvals:
        assert approved.delegation.in_force(approved.decided_at)
        assert approved.decided_at < approved.period.ends_at
        if order.grounds is Grounds.NATIONAL_SECURITY:
            assert approved.delegation.scope in HEADQUARTERS
        if approved.delegation.scope is DelegationScope.INSPECTOR_IN_CHARGE:
            assert approved.emergency


@st.composite
def order_facts(draw: st.DrawFn) -> OrderFacts:
    """Any order: contiguous periods and any events, before, during or after it."""
    start = draw(moments)
    periods = [Period(start, start + draw(lengths))]
    for length in draw(st.lists(lengths, max_size=5)):
        periods.append(Period(periods[-1].ends_at, periods[-1].ends_at + length))

    def event() -> datetime | None:
        offset = draw(st.none() | offsets)
        return None if offset is None else start + offset

    requested = draw(st.none() | st.just(start))
    return OrderFacts(
        grounds=draw(st.sampled_from(Grounds)),
        periods=tuple(periods),
        emergency_requested_at=requested,
        confirmed_at=event() if requested else None,
        indicted_at=event(),
        improper_at=event(),
    )


def moment_near(order: OrderFacts, offset: timedelta) -> datetime:
    return order.starts_at + offset


@given(order_facts(), offsets)
def test_mc_no_order_no_data_no_order_is_in_force_outside_its_periods(
    order: OrderFacts, offset: timedelta
) -> None:
    moment = moment_near(order, offset)
    if in_force(order, moment):
        assert order.starts_at <= moment < order.ends_at
        assert any(period.covers(moment) for period in order.periods)
        assert order_status(order, moment) is OrderStatus.ACTIVE


@given(order_facts())
def test_mc_no_order_no_data_no_order_is_in_force_at_its_end_or_a_moment_before_its_start(
    order: OrderFacts,
) -> None:
    assert not in_force(order, order.ends_at)
    assert not in_force(order, order.starts_at - timedelta(microseconds=1))


@given(order_facts(), offsets)
def test_mc_improper_an_order_is_improper_forever_after_the_ruling(
    order: OrderFacts, offset: timedelta
) -> None:
    moment = moment_near(order, offset)
    if order.improper_at is not None and moment >= order.improper_at:
        assert order_status(order, moment) is OrderStatus.IMPROPER
        assert not in_force(order, moment)
        assert releases_nothing(order, moment)


@given(order_facts(), offsets)
def test_mc_indictment_ends_every_order_but_a_fugitive_one_for_good(
    order: OrderFacts, offset: timedelta
) -> None:
    moment = moment_near(order, offset)
    status = order_status(order, moment)
    not_improper = order.improper_at is None or moment < order.improper_at
    if order.indicted_at is not None and moment >= order.indicted_at and not_improper:
        if order.grounds is Grounds.FUGITIVE:
            assert status is not OrderStatus.TERMINATED
        else:
            assert status is OrderStatus.TERMINATED
            assert not in_force(order, moment)
    if order.grounds is Grounds.FUGITIVE:
        assert status is not OrderStatus.TERMINATED


@given(order_facts(), offsets)
def test_mc_emergency_an_unconfirmed_order_is_never_in_force_after_its_deadline(
    order: OrderFacts, offset: timedelta
) -> None:
    moment = moment_near(order, offset)
    deadline = confirmation_deadline(order)
    if deadline is None or moment <= deadline:
        return
    if order.confirmed_at is None or order.confirmed_at > deadline:
        assert not in_force(order, moment)
        assert releases_nothing(order, moment)


@given(order_facts(), offsets)
def test_the_status_of_an_order_is_one_of_its_closed_vocabulary_and_in_force_iff_active(
    order: OrderFacts, offset: timedelta
) -> None:
    moment = moment_near(order, offset)
    status = order_status(order, moment)
    assert status in set(OrderStatus)
    assert in_force(order, moment) is (status is OrderStatus.ACTIVE)


years = st.integers(1, 9999)
sequences = st.integers(1, 10**9)


@given(years, sequences)
def test_mc_unique_every_case_number_it_issues_is_recognised_and_encodes_its_parts(
    year: int, sequence: int
) -> None:
    number = case_number(year, sequence)
    assert is_case_number(number)
    _, year_part, sequence_part = number.split("-")
    assert (int(year_part), int(sequence_part)) == (year, sequence)


@given(years, sequences, years, sequences)
def test_mc_unique_distinct_years_and_sequences_never_share_a_case_number(
    year_a: int, sequence_a: int, year_b: int, sequence_b: int
) -> None:
    same = case_number(year_a, sequence_a) == case_number(year_b, sequence_b)
    assert same is ((year_a, sequence_a) == (year_b, sequence_b))


@given(years, sequences, st.integers(1, 10_000), st.integers(1, 10_000))
def test_mc_unique_extension_numbers_are_recognised_and_never_collide(
    year: int, sequence: int, first: int, second: int
) -> None:
    base = case_number(year, sequence)
    numbers = {base, extension_case_number(base, first), extension_case_number(base, second)}
    assert all(is_case_number(n) for n in numbers)
    assert len(numbers) == (2 if first == second else 3)


@given(
    moments,
    st.none() | st.timedeltas(min_value=timedelta(0), max_value=400 * DAY),
    st.none() | st.timedeltas(min_value=timedelta(0), max_value=400 * DAY),
    offsets,
)
def test_mc_authority_a_delegation_is_in_force_exactly_within_its_written_dates(
    valid_from: datetime,
    until: timedelta | None,
    revoked: timedelta | None,
    offset: timedelta,
) -> None:
    held = Delegation(
        reference="DEL-1",
        scope=DelegationScope.OSG_DESIGNEE,
        valid_from=valid_from,
        valid_until=None if until is None else valid_from + until,
        revoked_at=None if revoked is None else valid_from + revoked,
    )
    moment = valid_from + offset
    ends = [t for t in (held.valid_until, held.revoked_at) if t is not None]
    expected = valid_from <= moment and all(moment < end for end in ends)
    assert held.in_force(moment) is expected
