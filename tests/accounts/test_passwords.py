"""Passwords are stored with Django's Argon2 hasher (DESIGN.md, Stack)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.conf import settings

from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.law.terms import Policy

PASSWORD = "a long enough passphrase 2026"


@pytest.mark.argon2
@pytest.mark.django_db(transaction=False)
def test_passwords_are_hashed_with_argon2_and_never_stored_in_clear() -> None:
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    user = add_user(
        NewUser(
            username="hashed",
            agency="FBI",
            agency_level="federal",
            roles=["requester"],
            agency_verified="LE-VERIFY-TEST",
            password=PASSWORD,
        ),
        datetime(2026, 1, 1, tzinfo=UTC),
        Policy(),
    )
    user.refresh_from_db()

    assert user.password.startswith("argon2$argon2id$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)
    assert not user.check_password(PASSWORD + "!")
