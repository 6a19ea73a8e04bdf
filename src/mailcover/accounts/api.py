"""/api/v1/auth: a bearer token for a username, password and one-time code; its revocation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.security import HttpBearer

from mailcover.accounts.models import ApiToken, User
from mailcover.accounts.sign_in import SignInRefused, check_sign_in, record_success
from mailcover.accounts.sign_in_views import sign_in_rows
from mailcover.covers.schemas import DetailOut, ErrorOut, TokenIn, TokenOut
from mailcover.law.errors import RuleBroken
from mailcover.law.sign_in import check_second_factor, check_security_log_reader
from mailcover.ledger import log as ledger
from mailcover.ledger.entries import format_time
from mailcover.ledger.events import EventName

router = Router(tags=["auth"])


class SignInRecordOut(Schema):
    at: dt.datetime
    outcome: str = Field(description='"signed in", "failed" or "failed, locked out"')
    username: str = Field(description="the username tried")
    address: str = Field(description="the client address")
    door: str = Field(description='"page", "api" or "admin"')
    user_agent: str


__all__ = ["BearerToken", "SecondFactorRequired", "SignInRefused", "check_sign_in", "router"]


class SecondFactorRequired(RuleBroken):
    """SEC-SECOND-FACTOR: a token issued without a one-time code, for an account that
    needs one (HTTP 401, config/api.py)."""


class BearerToken(HttpBearer):
    """A token from POST /auth/token. For an account that needs a second factor, only a
    token issued with its one-time code is accepted (SEC-SECOND-FACTOR); revoking a token
    (`verified_only=False`) is allowed to any token, so a leaked one can always be killed."""

    def __init__(self, verified_only: bool = True) -> None:
        super().__init__()
        self.verified_only = verified_only

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = ApiToken.objects.usable(token, timezone.now())
        if found is None:
            return None
        user = found.user
        if self.verified_only:
            missing = check_second_factor(user.role_set, user.is_staff, found.second_factor)
            if missing:
                raise SecondFactorRequired(missing)
        request.token_second_factor = found.second_factor  # type: ignore[attr-defined]
        request.api_token = found  # type: ignore[attr-defined]
        return user


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: DetailOut})
def issue_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    """Exchange a username, password and one-time code for a bearer token.

    Every failure, whichever part was wrong, answers 401 "wrong username, password or
    one-time code" (SEC-SIGN-IN); an account that needs a second factor and has not
    enrolled a device yet enrols on the sign-in page first. Repeated failures for one
    account or from one address answer 429 until the lockout ends."""
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
            EventName.TOKEN_ISSUED,
            now,
            refs={"account": user.pk},
            expires_at=format_time(found.expires_at),
        )
    record_success(request, user)
    return Status(200, {"token": token, "expires_at": found.expires_at})


@router.post(
    "/auth/logout",
    auth=BearerToken(verified_only=False),
    response={204: None, 401: DetailOut},
)
def revoke_token(request: HttpRequest) -> Status[Any]:
    """SEC-TOKENS: revoke the token presented. It stops working at once; the others of the
    same person are untouched."""
    presented: ApiToken = request.api_token  # type: ignore[attr-defined]
    user = presented.user
    with transaction.atomic():
        token_id = presented.pk
        presented.delete()
        ledger.record(
            user,
            EventName.TOKEN_REVOKED,
            timezone.now(),
            refs={"account": user.pk, "token": token_id},
            reason="logout",
        )
    return Status(204, None)


@router.get(
    "/security-log",
    response={200: list[SignInRecordOut], 401: ErrorOut, 403: ErrorOut},
    tags=["oversight"],
)
def security_log(request: HttpRequest, limit: Query[int] = 500) -> Status[Any]:
    """SEC-SIGN-IN: every sign-in on every door, newest first (at most `limit`, 1 to 5,000),
    for oversight with a nondisclosure acknowledgment on file."""
    user: User = request.auth  # type: ignore[attr-defined]
    problems = check_security_log_reader(user.role_set, user.has_nondisclosure())
    if problems:
        return Status(403, {"detail": problems[0].message, "rule": problems[0].rule})
    rows = sign_in_rows(max(1, min(limit, 5000)))
    return Status(200, [row.__dict__ for row in rows])
