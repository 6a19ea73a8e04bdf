"""Sign-in with a password and, for a person enrolled with TOTP, a one-time code:
through the API (POST /api/v1/auth/token) and through the web sign-in form."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from mailcover.accounts.models import ApiToken, User
from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.law.sign_in import SIGN_IN_REFUSED
from mailcover.law.terms import Policy

pytestmark = pytest.mark.django_db(transaction=False)

PASSWORD = "a long enough passphrase 2026"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def person(username: str, totp_secret: str | None, role: str = "requester") -> User:
    postal = role == "operator"
    return add_user(
        NewUser(
            username=username,
            agency="U.S. Postal Inspection Service"
            if postal
            else "Federal Bureau of Investigation",
            agency_level="postal" if postal else "federal",
            roles=[role],
            agency_verified=None if postal else "LE-VERIFY-TEST",
            password=PASSWORD,
            nondisclosure=True,
            totp_secret=totp_secret,
        ),
        datetime(2026, 1, 1, tzinfo=UTC),
        Policy(),
    )


@pytest.fixture
def enrolled() -> User:
    return person("agent", SECRET)


@pytest.fixture
def plain() -> User:
    """The operator: a machine account that reads nothing, with no second factor."""
    return person("plain", None, role="operator")


@pytest.fixture
def unenrolled() -> User:
    """A requester who has not enrolled a device yet."""
    return person("new-agent", None)


def code_now() -> str:
    """What the person's authenticator app shows right now."""
    return f"{totp(base64.b32decode(SECRET)):06d}"


def wrong_code() -> str:
    return f"{(int(code_now()) + 1) % 1_000_000:06d}"


def token_call(client: Client, **body: Any) -> Any:
    return client.post("/api/v1/auth/token", json.dumps(body), content_type="application/json")


class TestTheApi:
    def test_an_enrolled_person_without_a_code_is_refused_like_a_wrong_password(
        self, client: Client, enrolled: User
    ) -> None:
        response = token_call(client, username="agent", password=PASSWORD)

        assert response.status_code == 401
        assert response.json()["detail"] == SIGN_IN_REFUSED
        assert not ApiToken.objects.exists()

    def test_a_person_who_needs_a_code_and_has_no_device_gets_no_token(
        self, client: Client, unenrolled: User
    ) -> None:
        response = token_call(client, username="new-agent", password=PASSWORD)

        assert response.status_code == 401
        assert response.json()["detail"] == SIGN_IN_REFUSED
        assert not ApiToken.objects.exists()

    def test_an_enrolled_person_with_a_wrong_code_is_refused(
        self, client: Client, enrolled: User
    ) -> None:
        response = token_call(client, username="agent", password=PASSWORD, otp=wrong_code())

        assert response.status_code == 401
        assert response.json()["detail"] == SIGN_IN_REFUSED
        assert not ApiToken.objects.exists()

    def test_an_enrolled_person_with_the_right_code_gets_a_working_token(
        self, client: Client, enrolled: User
    ) -> None:
        response = token_call(client, username="agent", password=PASSWORD, otp=code_now())

        assert response.status_code == 200
        token = response.json()["token"]
        found = ApiToken.objects.usable(token, timezone.now())
        assert found is not None
        assert found.user == enrolled

    def test_a_code_cannot_be_used_twice(self, client: Client, enrolled: User) -> None:
        code = code_now()
        assert token_call(client, username="agent", password=PASSWORD, otp=code).status_code == 200

        again = token_call(client, username="agent", password=PASSWORD, otp=code)

        assert again.status_code == 401
        assert ApiToken.objects.count() == 1

    def test_the_right_code_with_a_wrong_password_is_refused(
        self, client: Client, enrolled: User
    ) -> None:
        response = token_call(client, username="agent", password="not the password", otp=code_now())

        assert response.status_code == 401
        assert response.json()["detail"] == SIGN_IN_REFUSED

    def test_a_person_without_totp_signs_in_with_the_password_only(
        self, client: Client, plain: User
    ) -> None:
        response = token_call(client, username="plain", password=PASSWORD)

        assert response.status_code == 200
        assert ApiToken.objects.usable(response.json()["token"], timezone.now()) is not None

    def test_a_wrong_password_is_refused(self, client: Client, plain: User) -> None:
        response = token_call(client, username="plain", password=PASSWORD + "x")

        assert response.status_code == 401
        assert response.json()["detail"] == SIGN_IN_REFUSED
        assert not ApiToken.objects.exists()

    def test_an_unknown_person_is_refused_like_a_wrong_password(self, client: Client) -> None:
        response = token_call(client, username="nobody", password=PASSWORD)

        assert response.status_code == 401
        assert response.json()["detail"] == SIGN_IN_REFUSED

    def test_a_deactivated_person_is_refused(self, client: Client, plain: User) -> None:
        plain.is_active = False
        plain.save()

        assert token_call(client, username="plain", password=PASSWORD).status_code == 401


def sign_in(client: Client, **form: str) -> Any:
    return client.post("/sign-in", form)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


class TestTheSignInForm:
    def test_an_enrolled_person_without_a_code_is_refused_like_a_wrong_password(
        self, client: Client, enrolled: User
    ) -> None:
        response = sign_in(client, username="agent", password=PASSWORD, otp="")

        assert response.status_code == 401
        assert SIGN_IN_REFUSED in response.content.decode()
        assert not signed_in(client)

    def test_a_person_without_a_device_goes_to_enrolment_and_nowhere_else(
        self, client: Client, unenrolled: User
    ) -> None:
        response = sign_in(client, username="new-agent", password=PASSWORD, next="/records")

        assert response.status_code == 302
        assert response["Location"] == "/sign-in/enrol"
        assert client.get("/records")["Location"] == "/sign-in/enrol"

    def test_an_enrolled_person_with_a_wrong_code_is_refused(
        self, client: Client, enrolled: User
    ) -> None:
        response = sign_in(client, username="agent", password=PASSWORD, otp=wrong_code())

        assert response.status_code == 401
        assert SIGN_IN_REFUSED in response.content.decode()
        assert not signed_in(client)

    def test_an_enrolled_person_with_the_right_code_is_signed_in(
        self, client: Client, enrolled: User
    ) -> None:
        response = sign_in(client, username="agent", password=PASSWORD, otp=code_now())

        assert response.status_code == 302
        assert response["Location"] == "/"
        assert signed_in(client)
        assert client.get("/").status_code == 200

    def test_a_person_without_totp_signs_in_with_the_password_only(
        self, client: Client, plain: User
    ) -> None:
        response = sign_in(client, username="plain", password=PASSWORD)

        assert response.status_code == 302
        assert signed_in(client)

    def test_a_wrong_password_is_refused(self, client: Client, plain: User) -> None:
        response = sign_in(client, username="plain", password="not the password")

        assert response.status_code == 401
        assert SIGN_IN_REFUSED in response.content.decode()
        assert not signed_in(client)

    def test_sign_in_returns_to_the_page_asked_for(self, client: Client, plain: User) -> None:
        response = sign_in(client, username="plain", password=PASSWORD, next="/requests/new")

        assert response["Location"] == "/requests/new"

    def test_sign_in_never_sends_the_person_to_another_site(
        self, client: Client, plain: User
    ) -> None:
        response = sign_in(
            client, username="plain", password=PASSWORD, next="https://evil.example/phish"
        )

        assert response.status_code == 302
        assert response["Location"] == "/"
