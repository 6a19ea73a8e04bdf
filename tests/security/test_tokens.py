"""A bearer token ends when the person's standing changes (SEC-TOKENS): a changed password,
a deactivation, a lost role; and the two shell commands that do the first two."""

from __future__ import annotations

import io
import sys
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.utils import timezone
from tests.conftest import PASSWORD, signed_in

from mailcover.accounts import grants
from mailcover.accounts.models import ApiToken, User
from mailcover.cli import main
from mailcover.law.grants import ChangeKind
from mailcover.law.terms import Policy, Role
from mailcover.ledger.models import Entry

pytestmark = pytest.mark.django_db(transaction=False)

NEW_PASSWORD = "a brand new passphrase 2026"


def token_for(user: User) -> str:
    return ApiToken.issue(user, timezone.now(), 1, second_factor=True)


def works(token: str) -> bool:
    response = Client().get("/api/v1/cover-requests", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


def revocations(user: User) -> list[str]:
    entries = Entry.objects.filter(event="token.revoked").order_by("seq")
    return [e.details["reason"] for e in entries if e.refs.get("account") == user.pk]


def signs_in(username: str) -> bool:
    """Whether the password still signs this person in (a request, as django-axes needs)."""
    request = RequestFactory().post("/sign-in")
    return authenticate(request, username=username, password=PASSWORD) is not None


def test_sec_tokens_a_changed_password_ends_every_token(people: Any) -> None:
    tokens = [token_for(people.requester), token_for(people.requester)]
    assert works(tokens[0])

    people.requester.set_password(NEW_PASSWORD)
    people.requester.save()

    assert not any(works(t) for t in tokens)
    assert not ApiToken.objects.filter(user=people.requester).exists()
    assert revocations(people.requester) == ["password_changed"]


def test_sec_tokens_signing_in_does_not_end_tokens(people: Any) -> None:
    token = token_for(people.requester)

    assert (
        authenticate(RequestFactory().post("/sign-in"), username="requester", password=PASSWORD)
        is not None
    )
    people.requester.last_login = timezone.now()
    people.requester.save(update_fields=["last_login"])

    assert works(token)


def test_sec_tokens_a_deactivation_in_the_admin_ends_every_token(people: Any) -> None:
    token = token_for(people.inspector)

    response = signed_in(people.admin).post(
        f"/admin/accounts/user/{people.inspector.pk}/change/",
        {"username": "inspector", "first_name": "", "last_name": ""},
    )

    assert response.status_code == 302
    assert not works(token)
    assert not ApiToken.objects.filter(user=people.inspector).exists()
    assert revocations(people.inspector) == ["deactivated"]


def test_sec_tokens_a_lost_role_ends_every_token(people: Any) -> None:
    token = token_for(people.approver)
    change = grants.propose(
        people.admin,
        grants.Proposal(ChangeKind.REVOKE_ROLE, account=people.approver, role=Role.APPROVER),
        timezone.now(),
        Policy(),
    )
    assert works(token)  # a proposal changes nothing

    grants.confirm(people.chief, change.pk, timezone.now(), Policy())

    assert not works(token)
    assert revocations(people.approver) == ["role_lost"]


def test_sec_tokens_the_tokens_of_others_are_kept(people: Any) -> None:
    kept = token_for(people.colleague)

    people.requester.set_password(NEW_PASSWORD)
    people.requester.save()

    assert works(kept)


def test_sec_tokens_user_password_sets_it_from_the_environment_and_ends_tokens(
    people: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    token = token_for(people.requester)
    monkeypatch.setenv("MAILCOVER_PASSWORD", NEW_PASSWORD)

    assert main(["user", "password", "requester"]) == 0

    people.requester.refresh_from_db()
    assert people.requester.check_password(NEW_PASSWORD)
    assert not works(token)
    assert "requester" in capsys.readouterr().out
    entry = Entry.objects.get(event="account.password_set")
    assert NEW_PASSWORD.encode() not in bytes(entry.data)


def test_sec_tokens_user_password_reads_standard_input(
    people: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAILCOVER_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(NEW_PASSWORD + "\n"))

    assert main(["user", "password", "requester"]) == 0

    people.requester.refresh_from_db()
    assert people.requester.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("username", "password", "said"),
    [("nobody", NEW_PASSWORD, "there is no user 'nobody'"), ("requester", "short", "password")],
)
def test_sec_tokens_user_password_refuses_with_a_reason(
    people: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    username: str,
    password: str,
    said: str,
) -> None:
    monkeypatch.setenv("MAILCOVER_PASSWORD", password)

    assert main(["user", "password", username]) == 2

    assert said in capsys.readouterr().err
    people.requester.refresh_from_db()
    assert people.requester.check_password(PASSWORD)


def test_sec_tokens_user_deactivate_ends_sign_in_and_tokens(people: Any, capsys: Any) -> None:
    token = token_for(people.operator)

    assert main(["user", "deactivate", "operator"]) == 0

    people.operator.refresh_from_db()
    assert not people.operator.is_active
    assert not works(token)
    assert (
        authenticate(RequestFactory().post("/sign-in"), username="operator", password=PASSWORD)
        is None
    )
    assert Entry.objects.filter(event="account.deactivated").count() == 1
    assert main(["user", "deactivate", "nobody"]) == 2
    assert "there is no user 'nobody'" in capsys.readouterr().err
