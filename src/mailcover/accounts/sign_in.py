"""Signing in on every door (pages, API, /admin/): one check, one answer for every failure,
each attempt recorded (SEC-SIGN-IN), the second factor required (SEC-SECOND-FACTOR).

Throttling, lockout and the records of every attempt are django-axes' (settings.py, "Sign-in
security"): its authentication backend refuses a locked-out account or address before the
password is checked; Django's `user_login_failed` signal records each failure
(AccessAttempt, AccessFailureLog) and `user_logged_in` each success (AccessLog).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django_otp import devices_for_user, match_token

from mailcover.accounts.models import User
from mailcover.law.sign_in import SIGN_IN_REFUSED, door, needs_second_factor


class SignInRefused(Exception):
    """SEC-SIGN-IN: wrong username, password or one-time code; never which one."""

    def __init__(self) -> None:
        super().__init__(SIGN_IN_REFUSED)


def needs_code(user: User) -> bool:
    """SEC-SECOND-FACTOR for this account."""
    return needs_second_factor(user.role_set, staff=user.is_staff)


def check_sign_in(
    request: HttpRequest,
    username: str,
    password: str,
    otp: str | None,
    enrolling: bool = False,
) -> User:
    """The password, then the one-time code of the person's device.

    An account that needs a second factor and has no device yet passes with its password
    only when `enrolling` (the sign-in page, which then leads to enrolment and nowhere
    else); on the API and /admin/ it fails like any wrong guess. A right password with a
    missing or wrong code is a failure recorded like a wrong password, so the answer and
    the lockout count are the same whichever part was wrong.
    """
    user = authenticate(request, username=username, password=password)
    if not isinstance(user, User):
        raise SignInRefused()  # authenticate() has recorded the failure (user_login_failed)
    if any(devices_for_user(user, confirmed=True)):
        device = match_token(user, otp.strip()) if otp and otp.strip() else None
        if device is None:
            record_failure(request, username)
            raise SignInRefused()
        # django_otp verifies the session with this device when login() is called.
        user.otp_device = device  # type: ignore[attr-defined]
    elif needs_code(user) and not enrolling:
        record_failure(request, username)
        raise SignInRefused()
    return user


def record_failure(request: HttpRequest, username: str) -> None:
    """A failed sign-in that authenticate() did not see fail: counted towards the lockout
    and logged by django-axes like a wrong password."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def record_success(request: HttpRequest, user: User) -> None:
    """A token issued: the API's successful sign-in, logged like a page's. Django's own
    `user_logged_in` would also open a session, which an API call must not do."""
    AxesProxyHandler.user_logged_in(__name__, request, user)


def client_address(request: HttpRequest) -> str | None:
    """The address counted for per-address lockout: the peer of the connection. Headers
    such as X-Forwarded-For are the client's to forge, and a guesser who could forge them
    would pick a new address for every guess."""
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def lockout_response(
    request: HttpRequest, original: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The answer while an account or address is locked out (django-axes calls this).

    It says that sign-in is paused, never whether the password was right: a locked account
    refuses the right password as well."""
    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    message = "too many failed sign-ins for this account or from this address: " + (
        f"try again in {minutes} minutes" if minutes else "ask an administrator"
    )
    if door(request.path) == "api":
        return JsonResponse({"detail": message, "rule": "SEC-SIGN-IN"}, status=429)
    return render(request, "web/sign_in.html", {"error": message, "next": ""}, status=429)
