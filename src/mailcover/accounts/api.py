"""/api/v1/auth/token: a bearer token for a username, password and (if enrolled) TOTP."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import devices_for_user, match_token
from ninja import Router, Status
from ninja.security import HttpBearer

from mailcover.accounts.models import ApiToken, User
from mailcover.covers.schemas import DetailOut, TokenIn, TokenOut
from mailcover.ledger import log as ledger
from mailcover.ledger.entries import format_time

router = Router(tags=["auth"])


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = ApiToken.objects.usable(token, timezone.now())
        if found is None:
            return None
        request.token_second_factor = found.second_factor  # type: ignore[attr-defined]
        return found.user


class SignInRefused(Exception):
    """Wrong username, password or one-time code (HTTP 401)."""


def check_sign_in(
    request: HttpRequest | None, username: str, password: str, otp: str | None
) -> User:
    """Password, then the second factor when the person has one enrolled."""
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        raise SignInRefused("wrong username or password")
    if any(devices_for_user(user, confirmed=True)):
        if not otp:
            raise SignInRefused("this account signs in with a one-time code: send otp")
        device = match_token(user, otp.strip())
        if device is None:
            raise SignInRefused("the one-time code is wrong or already used")
        # django_otp's name for the device a session was verified with (see web sign-in).
        user.otp_device = device  # type: ignore[attr-defined]
    return user


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: DetailOut})
def issue_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    """Exchange a username, password and one-time code (if enrolled) for a bearer token."""
    try:
        user = check_sign_in(request, payload.username, payload.password, payload.otp)
    except SignInRefused as refused:
        return Status(401, {"detail": str(refused)})
    now = timezone.now()
    with transaction.atomic():
        token = ApiToken.issue(
            user,
            now,
            settings.MAILCOVER_TOKEN_HOURS,
            second_factor=getattr(user, "otp_device", None) is not None,
        )
        found = ApiToken.objects.usable(token, now)
        assert found is not None
        # The token itself never goes on the ledger; who got one, and until when, does.
        ledger.record(
            user,
            "token.issued",
            now,
            refs={"account": user.pk},
            expires_at=format_time(found.expires_at),
        )
    return Status(200, {"token": token, "expires_at": found.expires_at})
