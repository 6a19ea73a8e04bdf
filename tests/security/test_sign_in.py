"""SEC-SIGN-IN: the password guesser. Every failure gets one answer, whichever part was
wrong; guesses are throttled and locked out per account and per client address on the
pages, the API and /admin/; every sign-in is recorded, and oversight alone reads the record.
SEC-TOKENS: a token is revoked by POST /api/v1/auth/logout."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.test import Client
from django.utils import timezone
from tests.conftest import DELEGATED_FROM, OVERSIGHT_BODY, PASSWORD, signed_in, totp_code

from mailcover.accounts.models import ApiToken
from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.law.sign_in import SIGN_IN_REFUSED, check_security_log_reader, door
from mailcover.law.terms import Policy, Role
from mailcover.ledger.models import Entry

pytestmark = pytest.mark.django_db

GUESSER = "203.0.113.66"
ELSEWHERE = "198.51.100.7"


def page_try(username: str, password: str, otp: str = "", address: str = GUESSER) -> Any:
    client = Client(REMOTE_ADDR=address)
    return client.post("/sign-in", {"username": username, "password": password, "otp": otp})


def api_try(username: str, password: str, otp: str = "", address: str = GUESSER) -> Any:
    body = {"username": username, "password": password, "otp": otp or None}
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token", json.dumps(body), content_type="application/json"
    )


def admin_try(username: str, password: str, otp: str = "", address: str = GUESSER) -> Any:
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/",
        {"username": username, "password": password, "otp_token": otp, "next": "/admin/"},
    )


DOORS = {"page": page_try, "api": api_try, "admin": admin_try}
# What each door answers to a failed sign-in (the admin form re-shows itself with 200).
FAILED = {"page": 401, "api": 401, "admin": 200}
SIGNED_IN = {"page": 302, "api": 200, "admin": 302}


def said(response: Any) -> str:
    if response["Content-Type"].startswith("application/json"):
        return str(response.json()["detail"])
    return str(response.content.decode())


# --- one answer ------------------------------------------------------------------------


@pytest.mark.parametrize("name", DOORS)
def test_sec_sign_in_a_right_password_without_the_code_is_answered_like_a_wrong_one(
    people: Any, name: str
) -> None:
    attempt = DOORS[name]
    username = "admin" if name == "admin" else "requester"

    right_password = attempt(username, PASSWORD)
    wrong_password = attempt(username, "a wrong guess at it")
    unknown_person = attempt("nobody-at-all", PASSWORD)
    wrong_code = attempt(username, PASSWORD, "000000")

    for response in (right_password, wrong_password, unknown_person, wrong_code):
        assert response.status_code == FAILED[name]
        assert SIGN_IN_REFUSED in said(response)
    if name == "api":
        assert right_password.json() == wrong_password.json() == unknown_person.json()
    assert "one-time code: send otp" not in said(right_password)


@pytest.mark.parametrize("name", DOORS)
def test_sec_sign_in_the_right_password_and_code_still_sign_in(people: Any, name: str) -> None:
    username = "admin" if name == "admin" else "requester"
    user = people.admin if name == "admin" else people.requester

    response = DOORS[name](username, PASSWORD, totp_code(user))

    assert response.status_code == SIGNED_IN[name]


# --- throttling and lockout ------------------------------------------------------------


@pytest.mark.parametrize("name", DOORS)
def test_sec_sign_in_an_account_is_locked_out_after_the_limit_from_any_address(
    people: Any, name: str
) -> None:
    attempt = DOORS[name]
    username = "admin" if name == "admin" else "requester"
    user = people.admin if name == "admin" else people.requester
    for guess in range(settings.AXES_FAILURE_LIMIT):
        last = attempt(username, f"guess number {guess}")

    # The last guess is answered with the lockout; then even the right password and code,
    # from another address, wait for the lockout to end.
    assert last.status_code == 429
    locked = attempt(username, PASSWORD, totp_code(user), address=ELSEWHERE)
    assert locked.status_code == 429
    assert "too many failed sign-ins" in said(locked)
    assert "password" not in said(locked).split("too many failed sign-ins", 1)[1][:120]


@pytest.mark.parametrize("name", DOORS)
def test_sec_sign_in_an_address_is_locked_out_after_the_limit_across_accounts(
    people: Any, name: str
) -> None:
    attempt = DOORS[name]
    for guess in range(settings.AXES_FAILURE_LIMIT):
        attempt(f"someone-{guess}", "password123456")
    username = "admin" if name == "admin" else "requester"
    user = people.admin if name == "admin" else people.requester

    from_the_guesser = attempt(username, PASSWORD, totp_code(user))

    assert from_the_guesser.status_code == 429
    # The same account from another address is not held up by the guesser's address
    # (a fresh code: each one is used once).
    people.requester.totpdevice_set.update(last_t=-1)
    people.admin.totpdevice_set.update(last_t=-1)
    assert (
        attempt(username, PASSWORD, totp_code(user), address=ELSEWHERE).status_code
        == (SIGNED_IN[name])
    )


def test_sec_sign_in_a_right_password_with_a_missing_code_counts_towards_the_lockout(
    people: Any,
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api_try("requester", PASSWORD)

    assert api_try("requester", PASSWORD, totp_code(people.requester)).status_code == 429


def test_sec_sign_in_the_lockout_limit_and_duration_are_settings(
    settings: Any, people: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 2

    api_try("requester", "first wrong guess")
    second = api_try("requester", "second wrong guess")

    assert second.status_code == 429
    assert "try again in 15 minutes" in second.json()["detail"]
    assert second.json()["rule"] == "SEC-SIGN-IN"


def test_sec_sign_in_a_forged_forwarded_for_header_does_not_reset_the_address(
    people: Any,
) -> None:
    for guess in range(settings.AXES_FAILURE_LIMIT):
        Client(REMOTE_ADDR=GUESSER, HTTP_X_FORWARDED_FOR=f"10.9.8.{guess}").post(
            "/sign-in", {"username": f"someone-{guess}", "password": "password123456"}
        )

    assert page_try("requester", PASSWORD, totp_code(people.requester)).status_code == 429


# --- the record ------------------------------------------------------------------------


def test_sec_sign_in_every_failure_is_recorded_with_time_username_address_and_door(
    people: Any,
) -> None:
    page_try("requester", "wrong on the page")
    api_try("requester", PASSWORD)  # right password, no code
    admin_try("admin", "wrong at the admin")

    failures = AccessFailureLog.objects.order_by("attempt_time")

    assert [(f.username, f.ip_address, door(f.path_info)) for f in failures] == [
        ("requester", GUESSER, "page"),
        ("requester", GUESSER, "api"),
        ("admin", GUESSER, "admin"),
    ]
    assert all(f.attempt_time is not None for f in failures)


def test_sec_sign_in_every_success_is_recorded_on_every_door(people: Any) -> None:
    page_try("requester", PASSWORD, totp_code(people.requester), address="192.0.2.1")
    people.requester.totpdevice_set.update(last_t=-1)
    api_try("requester", PASSWORD, totp_code(people.requester), address="192.0.2.2")
    admin_try("admin", PASSWORD, totp_code(people.admin), address="192.0.2.3")

    successes = AccessLog.objects.order_by("attempt_time")

    assert [(s.username, s.ip_address, door(s.path_info)) for s in successes] == [
        ("requester", "192.0.2.1", "page"),
        ("requester", "192.0.2.2", "api"),
        ("admin", "192.0.2.3", "admin"),
    ]


def test_sec_sign_in_no_password_or_code_is_kept_in_the_record(people: Any) -> None:
    page_try("requester", "the secret guess 1", "123456")

    for model in (AccessFailureLog, AccessLog):
        for row in model.objects.all():
            assert "the secret guess 1" not in str(row.__dict__)
    stored = AccessAttempt.objects.get()
    assert "the secret guess 1" not in stored.post_data
    assert "123456" not in stored.post_data


# --- who reads it ----------------------------------------------------------------------


def test_sec_sign_in_oversight_reads_the_security_log(people: Any) -> None:
    page_try("requester", "a wrong guess")

    response = signed_in(people.oversight).get("/security-log")

    assert response.status_code == 200
    page = response.content.decode()
    assert "requester" in page
    assert GUESSER in page
    assert "failed" in page


def test_the_security_log_is_paged_newest_first_across_successes_and_failures(
    people: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("mailcover.web.listing.PAGE_SIZE", 2)
    for n in range(3):
        page_try("requester", f"wrong guess {n}", address=f"203.0.113.{10 + n}")
    reader = signed_in(people.oversight)
    AccessLog.objects.create(
        username="fresh", ip_address="192.0.2.9", path_info="/sign-in", user_agent="x",
        attempt_time=timezone.now() + timedelta(seconds=5),
    )  # fmt: skip

    pages = [reader.get(f"/security-log?page={n}").content.decode() for n in (1, 2, 3)]
    addresses = ["192.0.2.9", "203.0.113.12", "203.0.113.11", "203.0.113.10"]

    assert "1 to 2 of " in pages[0]
    assert 'data-testid="pagination"' in pages[0]
    assert "<td>192.0.2.9</td>" in pages[0]  # the newest
    for address in addresses:
        assert sum(page.count(f"<td>{address}</td>") for page in pages) == 1, address
    shown = [next(n for n, page in enumerate(pages) if address in page) for address in addresses]
    assert shown == sorted(shown)


@pytest.mark.parametrize("who", ["admin", "requester", "inspector", "chief", "operator"])
def test_sec_sign_in_nobody_but_oversight_reads_the_security_log(people: Any, who: str) -> None:
    assert signed_in(getattr(people, who)).get("/security-log").status_code == 403


def test_sec_sign_in_oversight_reads_the_security_log_through_the_api(
    people: Any, api: Any
) -> None:
    api_try("requester", "a wrong guess")

    rows = api.get("/security-log?limit=10", people.oversight).json()

    assert rows[0]["username"] == "requester"
    assert rows[0]["address"] == GUESSER
    assert rows[0]["door"] == "api"
    assert rows[0]["outcome"] == "failed"


@pytest.mark.parametrize("who", ["admin", "requester", "operator"])
def test_sec_sign_in_nobody_but_oversight_reads_it_through_the_api(
    people: Any, api: Any, who: str
) -> None:
    response = api.get("/security-log", getattr(people, who))

    assert response.status_code == 403
    assert response.json()["rule"] == "SEC-SIGN-IN"


def test_sec_sign_in_the_admin_site_does_not_show_the_sign_in_records(people: Any) -> None:
    client = signed_in(people.admin)

    assert client.get("/admin/axes/accessattempt/").status_code == 404
    assert client.get("/admin/axes/accesslog/").status_code == 404


def test_mc_nondisclosure_oversight_without_an_acknowledgment_does_not_read_it(db: None) -> None:
    unsigned = add_user(
        NewUser(
            username="new-analyst",
            agency=OVERSIGHT_BODY,
            agency_level="oversight",
            roles=["oversight"],
            password=PASSWORD,
            nondisclosure=False,
            totp_secret="JBSWY3DPEHPK3PXPJBSWY3DP",
        ),
        DELEGATED_FROM,
        Policy(),
    )

    assert signed_in(unsigned).get("/security-log").status_code == 403
    assert check_security_log_reader({Role.OVERSIGHT}, False)[0].rule == "MC-NONDISCLOSURE"


# --- logout revokes the token ------------------------------------------------------------


def test_sec_tokens_logout_revokes_the_token_presented(people: Any) -> None:
    client = Client()
    issued = api_try("requester", PASSWORD, totp_code(people.requester)).json()["token"]
    other = ApiToken.issue(people.requester, timezone.now(), 1, second_factor=True)
    headers = {"Authorization": f"Bearer {issued}"}

    response = client.post("/api/v1/auth/logout", headers=headers)

    assert response.status_code == 204
    assert client.get("/api/v1/cover-requests", headers=headers).status_code == 401
    assert ApiToken.objects.usable(other, timezone.now()) is not None
    assert Entry.objects.filter(event="token.revoked").count() == 1


def test_sec_tokens_logout_without_a_token_is_401(db: None) -> None:
    assert Client().post("/api/v1/auth/logout").status_code == 401


def test_sec_tokens_a_token_issued_without_the_code_can_still_be_revoked(people: Any) -> None:
    leaked = ApiToken.issue(people.requester, timezone.now(), 1, second_factor=False)

    response = Client().post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {leaked}"})

    assert response.status_code == 204
    assert not ApiToken.objects.exists()
