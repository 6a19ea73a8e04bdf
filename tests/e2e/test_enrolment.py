"""SEC-SECOND-FACTOR in a real browser: a new requester's first sign-in leads to the
enrolment page (a QR code and the secret written out), a code computed from the shown
secret confirms the device, and the next sign-in needs the password and a code."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import DELEGATED_FROM

from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.law.sign_in import SIGN_IN_REFUSED
from mailcover.law.terms import Policy

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"


def code_from(secret: str, step_offset: int = 0) -> str:
    """What an authenticator app given this secret shows (step_offset steps later)."""
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    totp = TOTP(key)
    totp.time = totp.time + 30 * step_offset
    return f"{totp.token():06d}"


def sign_in(page: Any, base: str, username: str, code: str = "") -> None:
    page.goto(f"{base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("One-time code").fill(code)
    page.get_by_role("button", name="Sign in").click()


def test_sec_second_factor_first_sign_in_enrols_a_device_then_sign_in_needs_its_code(
    page: Any, live_server: Any
) -> None:
    user = add_user(
        NewUser(
            username="newcomer",
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
    base = live_server.url

    sign_in(page, base, "newcomer")
    page.wait_for_url(f"{base}/sign-in/enrol")
    assert page.get_by_test_id("enrolment-qr").locator("svg").count() == 1
    secret = page.get_by_test_id("enrolment-secret").inner_text()
    # Nothing else is reachable before the device is confirmed.
    page.goto(f"{base}/requests/new")
    page.wait_for_url(f"{base}/sign-in/enrol")
    assert page.get_by_test_id("enrolment-secret").inner_text() == secret

    page.get_by_label("One-time code from your app").fill(code_from(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_url(f"{base}/")
    assert "newcomer" in page.get_by_test_id("signed-in-as").inner_text()
    assert TOTPDevice.objects.get(user=user).confirmed
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/sign-in")

    sign_in(page, base, "newcomer")  # the password alone no longer signs in
    assert SIGN_IN_REFUSED in page.get_by_role("alert").inner_text()

    # The code of the next step (the last one was used to enrol; each is good once).
    sign_in(page, base, "newcomer", code_from(secret, step_offset=1))
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/requests/new")
    assert page.get_by_label("Subject's name").is_visible()
