"""POST /api/v1/auth/token (a bearer token for a password and, when enrolled, a one-time
code), what a bearer token lets through, and GET /healthz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import totp_code

from mailcover.accounts.models import ApiToken
from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.law.sign_in import SIGN_IN_REFUSED
from mailcover.law.terms import Policy

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def sign_in(api, username: str, password: str = PASSWORD, **extra: str):
    return api.post("/auth/token", {"username": username, "password": password, **extra}, None)


def bearer_get(api, path: str, token: str):
    return api.client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def enrolled(people):
    """A requester who signs in with a one-time code from an authenticator app."""
    return add_user(
        NewUser(
            username="two-factor",
            agency="Springfield Police Department",
            roles=["requester"],
            agency_verified="LE-VERIFY-TEST",
            password=PASSWORD,
            nondisclosure=True,
            totp_secret=TOTP_SECRET,
        ),
        datetime(2020, 1, 1, tzinfo=UTC),
        Policy(),
    )


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user)
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(
        device.digits
    )


# --- POST /auth/token ------------------------------------------------------------------


def test_a_person_exchanges_username_password_and_code_for_a_bearer_token(api, people):
    before = timezone.now()

    response = sign_in(api, "requester", otp=totp_code(people.requester))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    lifetime = datetime.fromisoformat(body["expires_at"]) - before
    hours = timedelta(hours=settings.MAILCOVER_TOKEN_HOURS)
    assert hours - timedelta(minutes=1) < lifetime <= hours + timedelta(minutes=1)
    assert bearer_get(api, "/cover-requests", body["token"]).status_code == 200


def test_only_the_tokens_digest_is_stored(api, people):
    token = sign_in(api, "requester", otp=totp_code(people.requester)).json()["token"]

    stored = ApiToken.objects.get(user=people.requester)

    assert token not in stored.digest
    assert len(stored.digest) == 64


def test_a_wrong_password_is_401_and_gives_no_token(api, people):
    response = sign_in(api, "requester", "not the password")

    assert response.status_code == 401
    assert response.json()["detail"] == SIGN_IN_REFUSED
    assert not ApiToken.objects.exists()


def test_an_unknown_username_is_refused_in_the_same_words_as_a_wrong_password(api, people):
    response = sign_in(api, "nobody-here")

    assert response.status_code == 401
    assert response.json()["detail"] == SIGN_IN_REFUSED


def test_a_deactivated_account_gets_no_token(api, people):
    people.requester.is_active = False
    people.requester.save()

    assert sign_in(api, "requester", otp=totp_code(people.requester)).status_code == 401


def test_a_sign_in_without_a_password_is_422_naming_the_field(api, people):
    response = api.post("/auth/token", {"username": "requester"}, None)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["password"]


def test_an_enrolled_account_needs_its_one_time_code(api, enrolled):
    response = sign_in(api, "two-factor")

    assert response.status_code == 401
    assert response.json()["detail"] == SIGN_IN_REFUSED
    assert not ApiToken.objects.exists()


def test_an_enrolled_account_with_a_wrong_code_gets_no_token(api, enrolled):
    wrong = str((int(current_code(enrolled)) + 1) % 1_000_000).zfill(6)

    response = sign_in(api, "two-factor", otp=wrong)

    assert response.status_code == 401
    assert response.json()["detail"] == SIGN_IN_REFUSED


def test_an_enrolled_account_signs_in_with_password_and_code(api, enrolled):
    response = sign_in(api, "two-factor", otp=current_code(enrolled))

    assert response.status_code == 200, response.json()
    assert bearer_get(api, "/cover-requests", response.json()["token"]).status_code == 200


def test_a_one_time_code_cannot_be_used_twice(api, enrolled):
    code = current_code(enrolled)
    assert sign_in(api, "two-factor", otp=code).status_code == 200

    assert sign_in(api, "two-factor", otp=code).status_code == 401


# --- what a bearer token lets through -----------------------------------------------------


def test_a_call_without_a_token_is_401_telling_how_to_sign_in(api, db):
    response = api.get("/cover-requests", None)

    assert response.status_code == 401
    assert "POST /api/v1/auth/token" in response.json()["detail"]


def test_a_made_up_token_is_401(api, db):
    assert bearer_get(api, "/cover-requests", "not-a-token").status_code == 401


def test_an_expired_token_is_401(api, people):
    token = ApiToken.issue(
        people.requester, timezone.now() - timedelta(hours=48), 1, second_factor=True
    )

    assert bearer_get(api, "/cover-requests", token).status_code == 401


def test_the_token_of_a_deactivated_account_stops_working(api, people):
    token = sign_in(api, "requester", otp=totp_code(people.requester)).json()["token"]
    people.requester.is_active = False
    people.requester.save()

    assert bearer_get(api, "/cover-requests", token).status_code == 401


def test_a_password_in_basic_auth_is_not_a_token(api, people):
    response = api.client.get(
        "/api/v1/cover-requests", headers={"Authorization": "Basic cmVxdWVzdGVyOnB3"}
    )

    assert response.status_code == 401


# --- GET /healthz ----------------------------------------------------------------------


def test_healthz_answers_200_ok_to_anyone(api, db):
    response = api.client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_only_get(api, db):
    assert api.client.post("/healthz").status_code == 405
