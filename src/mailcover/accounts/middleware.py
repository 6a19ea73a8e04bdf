"""SEC-SECOND-FACTOR on the pages: a signed-in person who needs a one-time code and whose
session was not verified with one reaches the enrolment or code page, and nothing else."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import devices_for_user

from mailcover.accounts.models import User
from mailcover.accounts.sign_in import needs_code

# /api/ checks its tokens (accounts.api.BearerToken) and /admin/ its sessions
# (django_otp's OTP admin site); /static/ and /healthz hold nothing of a person's.
_GUARDED_ELSEWHERE = ("/api/", "/admin/", "/static/", "/healthz")
_OPEN_PAGES = ("web:sign-in", "web:sign-out", "web:enrol", "web:verify")


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and needs_code(user)
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(_GUARDED_ELSEWHERE)
            and request.path not in {reverse(name) for name in _OPEN_PAGES}
        ):
            enrolled = any(devices_for_user(user, confirmed=True))
            return redirect("web:verify" if enrolled else "web:enrol")
        return self.get_response(request)
