"""Shared personas for every Django-side test: who files, who decides, who only watches,
and who may not look at all. Each view or API test uses them to check both sides."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mailcover.accounts.models import ApiToken, User
from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.law.sign_in import needs_second_factor
from mailcover.law.terms import Policy, Role

PASSWORD = "correct horse battery staple"
DELEGATED_FROM = datetime(2020, 1, 1, tzinfo=UTC)
POSTAL = "U.S. Postal Inspection Service"
OVERSIGHT_BODY = "Office of Inspector General, U.S. Postal Service"


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any, request: pytest.FixtureRequest) -> None:
    """Argon2 is deliberately slow; tests that are not about hashing use a fast hasher."""
    if "argon2" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def ledger_key_file(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return tmp_path_factory.mktemp("ledger") / "ledger-signing.key"


@pytest.fixture(autouse=True)
def test_ledger_key(settings: Any, ledger_key_file: Any) -> None:
    """Checkpoints in tests are signed with a key of the test run, never one in var/."""
    settings.MAILCOVER_LEDGER_KEY_FILE = ledger_key_file


@pytest.fixture(autouse=True)
def test_key_dir(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Each test seals captures with order keys of its own, never the keys in var/."""
    settings.MAILCOVER_KEY_DIR = tmp_path_factory.mktemp("keys")
    return settings.MAILCOVER_KEY_DIR


@dataclass
class People:
    requester: User  # Springfield PD officer
    colleague: User  # another Springfield PD officer
    outsider: User  # a Denver PD officer: another agency
    inspector: User  # a postal inspector
    approver: User  # OSG designee
    hq: User  # headquarters designee
    chief: User  # the Chief Postal Inspector
    iic: User  # Inspector in Charge: emergencies only
    undelegated: User  # approver role, no delegation
    no_nda: User  # requester without a nondisclosure acknowledgment
    oversight: User
    head: User  # the head of oversight: confirms oversight grants (SEC-TWO-PERSON)
    operator: User
    admin: User


# SEC-ROLE-AGENCY: requesters sit at law-enforcement agencies the service has verified.
VERIFIED = {level: "LE-VERIFY-TEST" for level in ("local", "state", "federal", "postal")}


def totp_secret(username: str) -> str:
    """Each persona's one-time-code secret (base32, as an authenticator app takes it)."""
    return base64.b32encode(hashlib.sha256(f"totp:{username}".encode()).digest()[:20]).decode()


def totp_code(user: User) -> str:
    """The code the persona's authenticator app shows now."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"


def fresh_code(username: str) -> str:
    """A code for a sign-in in a test that signs the same person in more than once within
    one 30-second step: the device forgets the code it last accepted (a code is good once)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=username)
    TOTPDevice.objects.filter(user=user).update(
        last_t=-1, throttling_failure_count=0, throttling_failure_timestamp=None
    )
    return totp_code(user)


def _person(username: str, agency: str, level: str, roles: list[str], **extra: Any) -> User:
    # SEC-SECOND-FACTOR: everyone who needs a one-time code has a device, so signed_in and
    # the api fixture act as sessions and tokens opened with the code.
    if needs_second_factor(Role(r) for r in roles):
        extra.setdefault("totp_secret", totp_secret(username))
    extra.setdefault("agency_verified", VERIFIED.get(level))
    new = NewUser(
        username=username,
        agency=agency,
        agency_level=level,
        roles=roles,
        password=PASSWORD,
        nondisclosure=extra.pop("nondisclosure", True),
        **extra,
    )
    return add_user(new, DELEGATED_FROM, Policy())


@pytest.fixture
def people(db: None) -> People:
    return People(
        requester=_person("requester", "Springfield Police Department", "local", ["requester"]),
        colleague=_person("colleague", "Springfield Police Department", "local", ["requester"]),
        outsider=_person("outsider", "Denver Police Department", "local", ["requester"]),
        inspector=_person("inspector", POSTAL, "postal", ["inspector"]),
        approver=_person(
            "approver",
            POSTAL,
            "postal",
            ["approver"],
            delegation="DEL-OSG-1",
            delegation_scope="osg_designee",
        ),
        hq=_person(
            "hq",
            POSTAL,
            "postal",
            ["approver"],
            delegation="DEL-HQ-1",
            delegation_scope="hq_designee",
        ),
        chief=_person("chief", POSTAL, "postal", ["chief"], delegation="DEL-CPI-1"),
        iic=_person(
            "iic",
            POSTAL,
            "postal",
            ["approver"],
            delegation="DEL-IIC-1",
            delegation_scope="inspector_in_charge",
        ),
        undelegated=_person("undelegated", POSTAL, "postal", ["approver"]),
        no_nda=_person(
            "no-nda", "Springfield Police Department", "local", ["requester"], nondisclosure=False
        ),
        oversight=_person("oversight", OVERSIGHT_BODY, "oversight", ["oversight"]),
        head=_person("head", OVERSIGHT_BODY, "oversight", ["oversight", "oversight_head"]),
        operator=_person("operator", POSTAL, "postal", ["operator"]),
        admin=_person("admin", POSTAL, "postal", ["admin"]),
    )


def signed_in(user: User) -> Client:
    """A browser session of this person, as the sign-in page leaves it: signed in, and
    verified with the one-time code when the person has a confirmed device. Page tests
    sign in through this one function, so the sign-in rules change in one place."""
    from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

    client = Client()
    client.force_login(user)
    device = next(iter(devices_for_user(user, confirmed=True)), None)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


class Api:
    """A JSON client for /api/v1 that signs in as a given person."""

    def __init__(self) -> None:
        self.client = Client()

    def _headers(self, user: User | None, extra: dict[str, str] | None) -> dict[str, str]:
        headers = dict(extra or {})
        if user is not None:
            # A token as POST /auth/token issues it after the one-time code (SEC-SECOND-FACTOR);
            # RR-VERIFIED still asks that the person has a device (User.has_second_factor).
            token = ApiToken.issue(user, timezone.now(), 1, second_factor=True)
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def post(
        self, path: str, body: Any, user: User | None, headers: dict[str, str] | None = None
    ) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers=self._headers(user, headers),
        )

    def get(self, path: str, user: User | None) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self._headers(user, None))


@pytest.fixture
def api() -> Api:
    return Api()


def request_body(**changes: Any) -> dict[str, Any]:
    """A valid cover request, as DESIGN.md shows it; tests change one thing at a time."""
    body: dict[str, Any] = {
        "subject": {
            "name": "JOHN Q PUBLIC",
            "aliases": ["JACK PUBLIC"],
            "address": "123 MAIN ST APT 4, SPRINGFIELD IL 62704-1234",
        },
        "grounds": "crime",
        "statute": "18 U.S.C. 1341",
        "max_penalty_years": 20,
        "facts": "Victims of a lottery scheme mailed cheques to this address; the subject "
        "collects them daily.",
        "scope": "addressee",
        "scope_justification": None,
        "days": 30,
        "emergency": False,
        "attorneys": [{"name": "JANE ROE ESQ", "address": "1 COURT SQ, SPRINGFIELD IL 62701"}],
    }
    body.update(changes)
    return body


@pytest.fixture
def make_body() -> Callable[..., dict[str, Any]]:
    return request_body
