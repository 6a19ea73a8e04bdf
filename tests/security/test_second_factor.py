"""SEC-SECOND-FACTOR: everyone who reaches case data, and every admin, signs in with a
one-time code on every door. The attacks: a stolen password tried at /admin/login/, a
token issued without a code, a session opened with a password only, and an account that
has no device yet."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import DELEGATED_FROM, PASSWORD, request_body, signed_in, totp_code

from mailcover.accounts.models import ApiToken, User
from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.law.sign_in import SIGN_IN_REFUSED, check_second_factor, needs_second_factor
from mailcover.law.terms import Policy, Role
from mailcover.ledger.models import Entry

pytestmark = pytest.mark.django_db


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def admin_sign_in(client: Client, username: str, otp: str = "") -> Any:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": PASSWORD, "otp_token": otp, "next": "/admin/"},
    )


def unenrolled(username: str = "newcomer") -> User:
    """A requester added without a device: they enrol at first sign-in."""
    return add_user(
        NewUser(
            username=username,
            agency="Springfield Police Department",
            agency_level="local",
            roles=["requester"],
            password=PASSWORD,
            nondisclosure=True,
            agency_verified="LE-VERIFY-TEST",  # SEC-ROLE-AGENCY: a verified agency
        ),
        DELEGATED_FROM,
        Policy(),
    )


# --- the rule ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.OPERATOR])
def test_sec_second_factor_every_role_that_reaches_case_data_and_the_admin_needs_one(
    role: Role,
) -> None:
    assert needs_second_factor({role})
    assert check_second_factor({role}, staff=False, verified=False)[0].rule == "SEC-SECOND-FACTOR"
    assert check_second_factor({role}, staff=False, verified=True) == []


def test_sec_second_factor_the_operator_machine_account_needs_none_but_staff_always_do() -> None:
    assert not needs_second_factor({Role.OPERATOR})
    assert needs_second_factor({Role.OPERATOR}, staff=True)
    assert needs_second_factor(set(), staff=True)


# --- /admin/ -------------------------------------------------------------------------


def test_sec_second_factor_admin_login_does_not_skip_the_code_of_an_enrolled_staff_account(
    people: Any,
) -> None:
    client = Client()

    response = admin_sign_in(client, "admin")

    assert response.status_code == 200
    assert SIGN_IN_REFUSED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/accounts/user/").status_code == 302


def test_sec_second_factor_admin_login_with_the_code_opens_a_verified_admin_session(
    people: Any,
) -> None:
    client = Client()

    response = admin_sign_in(client, "admin", totp_code(people.admin))

    assert response.status_code == 302
    assert client.get("/admin/accounts/user/").status_code == 200


def test_sec_second_factor_a_password_only_admin_session_is_kept_out_of_admin(
    people: Any,
) -> None:
    client = Client()
    client.force_login(people.admin)  # the attack: a session opened without the code

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_sec_second_factor_admin_login_refuses_a_case_role_in_the_same_words(
    people: Any,
) -> None:
    """Right password and code, but not staff: no hint that the password was right."""
    response = admin_sign_in(Client(), "requester", totp_code(people.requester))

    assert response.status_code == 200
    assert SIGN_IN_REFUSED in response.content.decode()


# --- API tokens ----------------------------------------------------------------------


def test_sec_second_factor_a_requesters_token_issued_without_a_code_is_refused(
    people: Any,
) -> None:
    token = ApiToken.issue(people.requester, timezone.now(), 1, second_factor=False)

    response = Client().get("/api/v1/cover-requests", headers=bearer(token))

    assert response.status_code == 401
    assert response.json()["rule"] == "SEC-SECOND-FACTOR"


def test_sec_second_factor_an_admins_token_issued_without_a_code_is_refused(people: Any) -> None:
    token = ApiToken.issue(people.admin, timezone.now(), 1, second_factor=False)

    response = Client().get("/api/v1/cover-requests", headers=bearer(token))

    assert response.status_code == 401
    assert response.json()["rule"] == "SEC-SECOND-FACTOR"


def test_sec_second_factor_the_operator_feeds_mail_with_a_password_only_token(
    people: Any,
) -> None:
    token = ApiToken.issue(people.operator, timezone.now(), 1, second_factor=False)

    response = Client().post(
        "/api/v1/mail-pieces", "[]", content_type="application/json", headers=bearer(token)
    )

    assert response.status_code == 200


def test_sec_second_factor_an_account_without_a_device_gets_no_token_only_the_one_answer(
    db: None,
) -> None:
    unenrolled()

    response = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": "newcomer", "password": PASSWORD}),
        content_type="application/json",
    )

    assert response.status_code == 401
    assert response.json()["detail"] == SIGN_IN_REFUSED
    assert not ApiToken.objects.exists()


def test_sec_second_factor_a_token_issued_with_the_code_is_accepted(people: Any) -> None:
    client = Client()
    issued = client.post(
        "/api/v1/auth/token",
        json.dumps(
            {"username": "requester", "password": PASSWORD, "otp": totp_code(people.requester)}
        ),
        content_type="application/json",
    )

    token = issued.json()["token"]

    assert ApiToken.objects.get(user=people.requester).second_factor
    assert client.get("/api/v1/cover-requests", headers=bearer(token)).status_code == 200


# --- pages ---------------------------------------------------------------------------


def test_sec_second_factor_a_password_only_session_reaches_no_case_page(
    people: Any, api: Any
) -> None:
    filed = api.post("/cover-requests", request_body(), people.requester).json()["id"]
    client = Client()
    client.force_login(people.requester)  # the attack: a session opened without the code

    for page in (f"/requests/{filed}", "/", "/records", "/ledger/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == "/sign-in/code", page


def test_sec_second_factor_the_code_page_verifies_the_session(people: Any, api: Any) -> None:
    filed = api.post("/cover-requests", request_body(), people.requester).json()["id"]
    client = Client()
    client.force_login(people.requester)

    wrong = client.post("/sign-in/code", {"otp": "000000"})
    after_the_throttle(people.requester)
    right = client.post("/sign-in/code", {"otp": totp_code(people.requester)})

    assert wrong.status_code == 401
    assert SIGN_IN_REFUSED in wrong.content.decode()
    assert right.status_code == 302
    assert client.get(f"/requests/{filed}").status_code == 200


def test_sec_second_factor_sign_out_still_works_from_an_unverified_session(people: Any) -> None:
    client = Client()
    client.force_login(people.requester)

    response = client.post("/sign-out")

    assert response["Location"] == "/sign-in"
    assert "_auth_user_id" not in client.session


def test_sec_second_factor_a_verified_session_reaches_its_pages(people: Any) -> None:
    assert signed_in(people.requester).get("/").status_code == 200


# --- enrolment at first sign-in --------------------------------------------------------


def first_sign_in(client: Client, username: str = "newcomer") -> Any:
    return client.post("/sign-in", {"username": username, "password": PASSWORD, "otp": ""})


def code_for(secret: str) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{TOTP(key).token():06d}"


def after_the_throttle(user: User) -> None:
    """django-otp makes a device wait (1 s, then doubling) after each wrong code."""
    TOTPDevice.objects.filter(user=user).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def shown_secret(page: str) -> str:
    marker = 'data-testid="enrolment-secret">'
    return page.split(marker, 1)[1].split("<", 1)[0]


def test_sec_second_factor_first_sign_in_leads_to_enrolment_and_nowhere_else(db: None) -> None:
    unenrolled()
    client = Client()

    response = first_sign_in(client)

    assert response["Location"] == "/sign-in/enrol"
    assert client.get("/")["Location"] == "/sign-in/enrol"
    page = client.get("/sign-in/enrol").content.decode()
    assert "<svg" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]
    assert len(shown_secret(page).replace(" ", "")) == 32


def test_sec_second_factor_the_device_counts_only_once_its_code_checks(db: None) -> None:
    user = unenrolled()
    client = Client()
    first_sign_in(client)
    secret = shown_secret(client.get("/sign-in/enrol").content.decode())

    wrong = client.post("/sign-in/enrol", {"otp": "000000"})

    assert wrong.status_code == 422
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert client.get("/")["Location"] == "/sign-in/enrol"
    after_the_throttle(user)

    right = client.post("/sign-in/enrol", {"otp": code_for(secret)})

    assert right["Location"] == "/"
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert client.get("/").status_code == 200


def test_sec_second_factor_enrolment_is_on_the_ledger_without_the_secret(db: None) -> None:
    user = unenrolled()
    client = Client()
    first_sign_in(client)
    secret = shown_secret(client.get("/sign-in/enrol").content.decode())

    client.post("/sign-in/enrol", {"otp": code_for(secret)})

    entry = Entry.objects.get(event="second_factor.enrolled")
    data = bytes(entry.data).decode()
    assert str(user.pk) in data
    device = TOTPDevice.objects.get(user=user)
    for secret_form in (secret.replace(" ", ""), device.key):
        assert secret_form not in data


def test_sec_second_factor_someone_with_a_device_cannot_enrol_another(people: Any) -> None:
    client = signed_in(people.requester)

    response = client.get("/sign-in/enrol")

    assert response["Location"] == "/"
    assert TOTPDevice.objects.filter(user=people.requester).count() == 1


def test_sec_second_factor_a_secret_seen_by_an_earlier_session_is_never_the_one_enrolled(
    db: None,
) -> None:
    """Someone who once had the password opens the enrolment page and copies its secret;
    when the person enrols later, they are shown a new one, and the copy opens nothing."""
    unenrolled()
    snooper = Client()
    first_sign_in(snooper)
    copied = shown_secret(snooper.get("/sign-in/enrol").content.decode())
    person = Client()
    first_sign_in(person)

    shown = shown_secret(person.get("/sign-in/enrol").content.decode())

    assert shown != copied
    assert person.post("/sign-in/enrol", {"otp": code_for(shown)}).status_code == 302
    device = TOTPDevice.objects.get(user__username="newcomer")
    assert device.confirmed
    assert base64.b32encode(device.bin_key).decode().rstrip("=") == shown.replace(" ", "")
    assert TOTPDevice.objects.filter(user__username="newcomer").count() == 1
    # The snooper's session enrols nothing with the copied secret and stays unverified.
    snooper.post("/sign-in/enrol", {"otp": code_for(copied)})
    assert TOTPDevice.objects.filter(user__username="newcomer").count() == 1
    assert snooper.get("/records")["Location"].startswith("/sign-in/code")


def test_sec_second_factor_after_enrolment_sign_in_needs_the_code(db: None) -> None:
    unenrolled()
    client = Client()
    first_sign_in(client)
    secret = shown_secret(client.get("/sign-in/enrol").content.decode())
    client.post("/sign-in/enrol", {"otp": code_for(secret)})
    client.post("/sign-out")

    again = first_sign_in(client)

    assert again.status_code == 401
    assert SIGN_IN_REFUSED in again.content.decode()
