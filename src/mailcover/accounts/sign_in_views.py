"""Pages of the second factor and the sign-in record: enrolling a device at first sign-in,
entering the code for a session that has none yet (SEC-SECOND-FACTOR), and the security
log oversight reads (SEC-SIGN-IN)."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from mailcover.accounts.models import User
from mailcover.accounts.sign_in import lockout_response, record_failure
from mailcover.law.sign_in import SIGN_IN_REFUSED, check_security_log_reader, door
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName
from mailcover.web import listing

LOG_ROWS = 500


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user


ENROLLING = "mailcover_enrolling_device"


def _pending_device(request: HttpRequest, user: User) -> TOTPDevice:
    """The device this session is enrolling: made once per session, so reloading the page
    keeps the same secret. A secret shown to another session (someone who once had the
    password and opened this page) is thrown away, never shown again: whoever enrols holds
    the only copy."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False)
    found = pending.filter(pk=request.session.get(ENROLLING)).first()
    if found is not None:
        return found
    pending.delete()
    made = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    request.session[ENROLLING] = made.pk
    return made


def _secret(device: TOTPDevice) -> str:
    """The key as authenticator apps take it typed in: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in of an account without a device: a QR code and the secret written out;
    the device counts only once a code from it checks, and then the session is verified.
    Someone who already has a device never gets another one here."""
    user = _user(request)
    if any(devices_for_user(user, confirmed=True)):
        return redirect("web:home")
    device = _pending_device(request, user)
    error = None
    if request.method == "POST":
        code = request.POST.get("otp", "").strip()
        if code.isdigit() and device.verify_token(code):
            _confirm(user, device, timezone.now())
            otp_login(request, device)
            return redirect("web:home")
        error = "that code does not match: enter the code your app shows now"
    qr = segno.make(device.config_url, error="m")
    context = {
        "qr_svg": qr.svg_inline(scale=5, title="one-time-code enrolment"),
        "secret": _secret(device),
        "error": error,
    }
    return render(request, "accounts/enrol.html", context, status=422 if error else 200)


def _confirm(user: User, device: TOTPDevice, now: datetime) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        # The secret never goes on the ledger; that the person enrolled a device does.
        ledger.record(
            user,
            EventName.SECOND_FACTOR_ENROLLED,
            now,
            refs={"account": user.pk, "device": device.pk},
            kind="totp",
        )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """A session that signed in without its code (one opened before the device was
    enrolled elsewhere): the code, counted and locked out like any sign-in."""
    user = _user(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect("web:home")
    error = None
    if request.method == "POST":
        if not AxesProxyHandler.is_allowed(request, {"username": user.username}):
            return lockout_response(request)
        device = match_token(user, request.POST.get("otp", "").strip())
        if device is not None:
            otp_login(request, device)
            return redirect("web:home")
        record_failure(request, user.username)
        error = SIGN_IN_REFUSED
    return render(request, "accounts/verify.html", {"error": error}, status=401 if error else 200)


@dataclass(frozen=True)
class SignInRow:
    at: datetime
    outcome: str  # "signed in", "failed", "failed, locked out"
    username: str
    address: str
    door: str
    user_agent: str


def sign_in_rows(limit: int = LOG_ROWS) -> list[SignInRow]:
    """Every sign-in, newest first: successes (AccessLog) and failures (AccessFailureLog),
    each with its time, the username tried, the client address and the door."""
    rows = [
        SignInRow(
            e.attempt_time,
            "signed in",
            e.username or "",
            e.ip_address or "",
            door(e.path_info),
            e.user_agent,
        )
        for e in AccessLog.objects.order_by("-attempt_time")[:limit]
    ] + [
        SignInRow(
            e.attempt_time,
            "failed, locked out" if e.locked_out else "failed",
            e.username or "",
            e.ip_address or "",
            door(e.path_info),
            e.user_agent,
        )
        for e in AccessFailureLog.objects.order_by("-attempt_time")[:limit]
    ]
    return sorted(rows, key=lambda r: r.at, reverse=True)[:limit]


class EveryRow(Sequence[SignInRow]):
    """Every sign-in, newest first, as a sequence a page of the list can be cut from: its
    length is both logs' counts, and a page reads only the newest rows it needs from each."""

    def __len__(self) -> int:
        return int(AccessLog.objects.count() + AccessFailureLog.objects.count())

    @overload
    def __getitem__(self, index: int) -> SignInRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[SignInRow]: ...
    def __getitem__(self, index: int | slice) -> SignInRow | list[SignInRow]:
        if isinstance(index, int):
            return sign_in_rows(index + 1)[index]
        stop = len(self) if index.stop is None else index.stop
        return sign_in_rows(stop)[index]


def require_log_reader(user: User) -> None:
    problems = check_security_log_reader(user.role_set, user.has_nondisclosure())
    if problems:
        raise PermissionDenied(f"{problems[0].message} ({problems[0].rule})")


@login_required
@require_GET
def security_log(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_log_reader(user)
    query, page = listing.page_only(EveryRow(), request.GET)
    context: dict[str, Any] = {"rows": page.rows, "page": page, "query": query}
    return render(
        request, "accounts/security_log.html", context, status=400 if query.problems else 200
    )
