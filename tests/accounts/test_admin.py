"""Changes made to accounts in the admin site go on the ledger, names of fields only."""

from __future__ import annotations

from typing import Any

from django.test import Client
from tests.conftest import signed_in

from mailcover.accounts.models import Agency, Delegation
from mailcover.ledger.models import Entry


def admin_client(people: Any) -> Client:
    return signed_in(people.admin)


def test_an_agency_added_in_the_admin_is_on_the_ledger(people: Any) -> None:
    response = admin_client(people).post(
        "/admin/accounts/agency/add/",
        {"name": "Ohio State Highway Patrol", "level": "state", "address": "1970 W BROAD ST"},
    )

    assert response.status_code == 302
    agency = Agency.objects.get(name="Ohio State Highway Patrol")
    entry = Entry.objects.get(event="admin.added")
    assert entry.actor_ref == people.admin.pk
    assert entry.refs == {"model": "accounts.agency", "object": agency.pk}
    assert entry.details["fields"] == ["address", "level", "name"]


def test_a_delegation_cannot_be_revoked_in_the_admin(people: Any) -> None:
    delegation = Delegation.objects.get(holder=people.approver)

    response = admin_client(people).post(
        f"/admin/accounts/delegation/{delegation.pk}/change/",
        {"holder": people.approver.pk, "revoked_at_0": "2026-11-01", "revoked_at_1": "12:00"},
    )

    assert response.status_code == 403
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    assert not Entry.objects.filter(event="admin.changed").exists()


def test_an_agency_deleted_in_the_admin_is_on_the_ledger(people: Any) -> None:
    agency = Agency.objects.create(name="Unused Agency", level="local")

    response = admin_client(people).post(
        f"/admin/accounts/agency/{agency.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Agency.objects.filter(pk=agency.pk).exists()
    entry = Entry.objects.get(event="admin.deleted")
    assert entry.refs == {"model": "accounts.agency", "object": agency.pk}


def test_someone_without_the_admin_role_cannot_change_accounts(people: Any) -> None:
    client = signed_in(people.oversight)

    response = client.post("/admin/accounts/agency/add/", {"name": "X", "level": "state"})

    assert response.status_code == 302
    assert "/admin/login" in response["Location"]
    assert not Agency.objects.filter(name="X").exists()
    assert not Entry.objects.filter(event="admin.added").exists()


def test_the_admin_cannot_give_themselves_roles(people: Any) -> None:
    client = admin_client(people)

    page = client.get(f"/admin/accounts/user/{people.admin.pk}/change/").content.decode()
    client.post(
        f"/admin/accounts/user/{people.admin.pk}/change/",
        {"username": "admin", "roles": '["admin", "oversight"]', "is_active": "on"},
    )

    people.admin.refresh_from_db()
    assert people.admin.roles == ["admin"]
    assert 'name="roles"' not in page
    assert "is_superuser" not in page
    assert "user_permissions" not in page


def test_a_deactivation_in_the_admin_is_on_the_ledger_with_its_values(people: Any) -> None:
    user = people.inspector
    form = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
    }

    response = admin_client(people).post(f"/admin/accounts/user/{user.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = Entry.objects.get(event="admin.changed")
    assert "is_active" in entry.details["fields"]
    assert entry.details["values"]["is_active"] is False
    assert entry.details["values"]["roles"] == ["inspector"]
    assert "password" not in entry.details["values"]


def test_there_is_no_password_form_in_the_admin(people: Any) -> None:
    secret = "a brand new passphrase 42"

    response = admin_client(people).post(
        f"/admin/accounts/user/{people.requester.pk}/password/",
        {"password1": secret, "password2": secret, "usable_password": "true"},
    )

    assert response.status_code == 403
    people.requester.refresh_from_db()
    assert not people.requester.check_password(secret)
    assert not Entry.objects.filter(event="admin.changed").exists()
