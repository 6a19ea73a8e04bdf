"""Shared personas for the law tests: who files, who decides, who only watches.

Each persona is an `Official` with the roles, delegations and nondisclosure
acknowledgment that person would hold, so a test says who acts, not how they
are built.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from mailcover.law.authority import Delegation, Official
from mailcover.law.terms import DelegationScope, Role

# Every delegation here has been in force since long before the tests' "now".
DELEGATED_FROM = datetime(2020, 1, 1, tzinfo=UTC)

REQUESTER_ID = 1
APPROVER_ID = 2
CHIEF_ID = 3
HQ_DESIGNEE_ID = 4
INSPECTOR_IN_CHARGE_ID = 5
OVERSIGHT_ID = 6


def delegation(scope: DelegationScope, **changes: object) -> Delegation:
    fields: dict[str, object] = {
        "reference": f"DEL-{scope.value}",
        "scope": scope,
        "valid_from": DELEGATED_FROM,
        "group": "OSG-East" if scope is DelegationScope.OSG_DESIGNEE else None,
    }
    fields.update(changes)
    return Delegation(**fields)  # type: ignore[arg-type]


def official(
    user_id: int,
    roles: set[Role],
    scopes: tuple[DelegationScope, ...] = (),
    *,
    has_nondisclosure: bool = True,
) -> Official:
    return Official(
        user_id=user_id,
        roles=frozenset(roles),
        delegations=tuple(delegation(s) for s in scopes),
        has_nondisclosure=has_nondisclosure,
    )


@pytest.fixture
def make_delegation() -> Callable[..., Delegation]:
    """Build a delegation in force since 2020, with any field changed."""
    return delegation


@pytest.fixture
def make_official() -> Callable[..., Official]:
    """Build an official from an id, roles and delegation scopes."""
    return official


@pytest.fixture
def requester() -> Official:
    """An agent of an outside agency who files requests and holds no delegation."""
    return official(REQUESTER_ID, {Role.REQUESTER})


@pytest.fixture
def approver() -> Official:
    """An Operations Support Group designee."""
    return official(APPROVER_ID, {Role.APPROVER}, (DelegationScope.OSG_DESIGNEE,))


@pytest.fixture
def chief() -> Official:
    """The Chief Postal Inspector."""
    return official(CHIEF_ID, {Role.CHIEF}, (DelegationScope.CHIEF,))


@pytest.fixture
def hq_designee() -> Official:
    """A national headquarters designee."""
    return official(HQ_DESIGNEE_ID, {Role.APPROVER}, (DelegationScope.HQ_DESIGNEE,))


@pytest.fixture
def inspector_in_charge() -> Official:
    """An Inspector in Charge, who may order covers in emergencies only."""
    return official(INSPECTOR_IN_CHARGE_ID, {Role.APPROVER}, (DelegationScope.INSPECTOR_IN_CHARGE,))


@pytest.fixture
def oversight() -> Official:
    """An auditor who reads everything and decides nothing."""
    return official(OVERSIGHT_ID, {Role.OVERSIGHT})
