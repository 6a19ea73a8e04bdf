"""HTTP hardening the pages share: Secure cookies over https, and the session's two limits.

A session ends after MAILCOVER_SESSION_IDLE_MINUTES without a request the person made,
and MAILCOVER_SESSION_MAX_HOURS after sign-in whatever they do: a page left open on an
unattended desk, or a session cookie taken from it, stops opening case data. Requests a
page makes by itself (the approval queue's polling) say so with BACKGROUND_HEADER and do
not count as activity; every answer to a signed-in person tells the page, in
EXPIRES_IN_HEADER, how long is left, which drives the USWDS warning
(static/mailcover/session-timeout.js).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.views.decorators.http import require_POST

STARTED = "mailcover_session_started_at"
LAST_ACTIVE = "mailcover_session_last_active_at"
BACKGROUND_HEADER = "X-Mailcover-Background"
EXPIRES_IN_HEADER = "X-Mailcover-Session-Expires-In"
# The warning shows this long before the end, or at half the idle time when it is short.
WARNING_SECONDS = 5 * 60

Handler = Callable[[HttpRequest], HttpResponse]


class SecureCookiesMiddleware:
    """Every cookie set in answer to a request that came over https is marked Secure, so
    the browser never sends it over plain http; on plain http (a loopback demo) they stay
    as they are. Behind a TLS proxy, MAILCOVER_PROXY_SSL_HEADER is what makes
    request.is_secure() true."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


@receiver(user_logged_in)
def _session_started(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """Every sign-in (pages, admin, tests) starts the clock of the absolute limit."""
    if request is not None and hasattr(request, "session"):
        now = _now()
        request.session[STARTED] = now
        request.session[LAST_ACTIVE] = now


class SessionLimitsMiddleware:
    """Ends a signed-in session past either limit; otherwise a request the person made
    slides the idle limit (the session is saved, so its expiry moves on)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _signed_in(request):
            self._apply(request)
        response = self.get_response(request)
        left = getattr(request, "mailcover_session_expires_in", None)
        if left is not None and _signed_in(request):
            response[EXPIRES_IN_HEADER] = str(left)
        return _whole_page_to_sign_in(request, response)

    def _apply(self, request: HttpRequest) -> None:
        session = request.session
        now = _now()
        started = session.setdefault(STARTED, now)
        last_active = session.setdefault(LAST_ACTIVE, now)
        if now - started >= max_seconds() or now - last_active >= idle_seconds():
            logout(request)
            return
        if request.headers.get(BACKGROUND_HEADER) is None:
            session[LAST_ACTIVE] = last_active = now
        request.mailcover_session_expires_in = expires_in(started, last_active, now)  # type: ignore[attr-defined]


def _whole_page_to_sign_in(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An htmx request whose session has ended is sent to sign in as a whole page, not
    answered with the sign-in page swapped into a fragment of the old one."""
    location = response.get("Location", "")
    if (
        request.headers.get("HX-Request") == "true"
        and response.status_code == 302
        and location.startswith(resolve_url(settings.LOGIN_URL))
    ):
        redirected = HttpResponse(status=204)
        redirected["HX-Redirect"] = location
        return redirected
    return response


def expires_in(started: float, last_active: float, now: float) -> int:
    """Whole seconds until the session ends by whichever limit comes first."""
    ends = min(last_active + idle_seconds(), started + max_seconds())
    return max(0, int(ends - now))


def warning_seconds() -> int:
    return min(WARNING_SECONDS, idle_seconds() // 2)


def idle_seconds() -> int:
    return int(settings.MAILCOVER_SESSION_IDLE_MINUTES) * 60


def max_seconds() -> int:
    return int(settings.MAILCOVER_SESSION_MAX_HOURS) * 3600


@require_POST
def extend_session(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in": the request itself was the activity; say how long is left now."""
    left = getattr(request, "mailcover_session_expires_in", None)
    if left is None or not _signed_in(request):
        return JsonResponse({"detail": "Your session has ended: sign in again."}, status=401)
    return JsonResponse({"expires_in": left})


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and hasattr(request, "session"))


def _now() -> float:
    return timezone.now().timestamp()
