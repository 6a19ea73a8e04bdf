"""add_user: the one function behind `mailcover user add`, the demo and the tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from mailcover.accounts.models import Agency, Delegation, User
from mailcover.accounts.provisioning import NewUser, ProvisioningError, add_user
from mailcover.law.terms import Policy, Role

pytestmark = pytest.mark.django_db(transaction=False)

NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
PASSWORD = "a long enough passphrase 2026"


def new(**changes: Any) -> NewUser:
    fields: dict[str, Any] = {
        "username": "someone",
        "agency": "U.S. Postal Inspection Service",
        "agency_level": "postal",
        "roles": ["inspector"],
        "password": PASSWORD,
    }
    fields.update(changes)
    return NewUser(**fields)


def test_the_person_is_stored_with_roles_agency_name_and_email() -> None:
    user = add_user(
        new(roles=["approver", "inspector"], full_name="Ada Byron King", email="ada@example.gov"),
        NOW,
        Policy(),
    )

    assert user.role_set == {Role.APPROVER, Role.INSPECTOR}
    assert user.agency is not None
    assert user.agency.agency_level.value == "postal"
    assert (user.first_name, user.last_name) == ("Ada", "Byron King")
    assert user.email == "ada@example.gov"
    assert user.is_active
    assert not user.is_staff


def test_an_admin_may_use_the_django_administration_pages() -> None:
    assert add_user(new(roles=["admin"]), NOW, Policy()).is_staff


def test_the_nondisclosure_acknowledgment_is_dated_the_day_it_is_recorded() -> None:
    user = add_user(new(nondisclosure=True), NOW, Policy())

    assert user.acknowledgments.get().signed_on == date(2026, 3, 14)
    assert user.as_official().has_nondisclosure


def test_a_delegation_is_in_force_from_the_moment_it_is_recorded() -> None:
    user = add_user(new(roles=["approver"], delegation="DEL-OSG-1"), NOW, Policy())

    (delegation,) = user.law_delegations()
    assert delegation.valid_from == NOW
    assert delegation.in_force(NOW)
    assert not delegation.in_force(datetime(2026, 3, 14, 9, 29, tzinfo=UTC))


def test_an_approver_without_a_delegation_is_added_but_holds_none() -> None:
    user = add_user(new(username="undelegated", roles=["approver"]), NOW, Policy())

    assert user.law_delegations() == ()
    assert not Delegation.objects.exists()


def test_the_designee_limits_follow_the_configured_policy() -> None:
    policy = Policy(hq_designee_limit=1)
    add_user(
        new(username="hq1", roles=["approver"], delegation="D1", delegation_scope="hq_designee"),
        NOW,
        policy,
    )

    with pytest.raises(ProvisioningError, match="MC-AUTHORITY"):
        add_user(
            new(
                username="hq2", roles=["approver"], delegation="D2", delegation_scope="hq_designee"
            ),
            NOW,
            policy,
        )
    assert not User.objects.filter(username="hq2").exists()


def test_a_revoked_designee_leaves_room_for_another() -> None:
    policy = Policy(hq_designee_limit=1)
    first = add_user(
        new(username="hq1", roles=["approver"], delegation="D1", delegation_scope="hq_designee"),
        NOW,
        policy,
    )
    Delegation.objects.filter(holder=first).update(revoked_at=NOW)

    later = datetime(2026, 3, 15, tzinfo=UTC)
    second = add_user(
        new(username="hq2", roles=["approver"], delegation="D2", delegation_scope="hq_designee"),
        later,
        policy,
    )
    assert second.delegations.get().scope == "hq_designee"


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"roles": []}, "--role"),
        ({"roles": ["boss"]}, "--role"),
        ({"agency": "  "}, "--agency"),
        ({"agency": "New Agency", "agency_level": None}, "--agency-level"),
        ({"agency_level": "galactic"}, "--agency-level"),
        (
            {"roles": ["approver"], "delegation": "D", "delegation_scope": "king"},
            "--delegation-scope",
        ),
        ({"roles": ["inspector"], "delegation": "D"}, "--delegation"),
        ({"totp_secret": "!!!!"}, "--totp-secret"),
        ({"totp_secret": "JBSWY3DP"}, "--totp-secret"),  # too short to be a real secret
        ({"password": "short"}, "password"),
    ],
)
def test_each_bad_input_is_refused_naming_what_to_change(
    changes: dict[str, Any], names: str
) -> None:
    with pytest.raises(ProvisioningError) as refusal:
        add_user(new(**changes), NOW, Policy())

    assert names in str(refusal.value)
    assert not User.objects.exists()
    assert not TOTPDevice.objects.exists()
    assert not Delegation.objects.exists()


def test_a_refusal_after_the_agency_was_created_leaves_no_agency_behind() -> None:
    with pytest.raises(ProvisioningError):
        add_user(new(agency="Brand New PD", agency_level="local", password="short"), NOW, Policy())

    assert not Agency.objects.filter(name="Brand New PD").exists()
