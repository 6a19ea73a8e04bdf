"""/admin/ with the second factor (SEC-SECOND-FACTOR) and the sign-in's one answer
(SEC-SIGN-IN).

django_otp's OTPAdminSite lets in only a session verified with a one-time code. Its own login
form and template answer differently for a right password (they then offer the person's
devices and "Please enter your OTP token"), so the form here goes through the same check as
the sign-in page and the API, and fails with the same words whatever was wrong.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django_otp.admin import OTPAdminSite

from mailcover.accounts.sign_in import SignInRefused, check_sign_in, record_failure
from mailcover.law.sign_in import SIGN_IN_REFUSED


class AdminSignInForm(AdminAuthenticationForm):
    otp_token = forms.CharField(required=False, max_length=10, label="One-time code", strip=True)

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        refused = ValidationError(SIGN_IN_REFUSED, code="invalid_login")
        if not username or not password:
            raise refused
        assert self.request is not None
        try:
            user = check_sign_in(
                self.request, username, password, self.cleaned_data.get("otp_token")
            )
        except SignInRefused:
            raise refused from None
        if not (user.is_active and user.is_staff):
            # Right password and code, but no business here: told and counted the same.
            record_failure(self.request, username)
            raise refused
        self.user_cache = user  # login() then verifies the session with user.otp_device
        return self.cleaned_data


class VerifiedAdminSite(OTPAdminSite):  # type: ignore[misc]
    """The admin site: staff whose session was verified with a one-time code only."""

    login_form = AdminSignInForm
    login_template = "admin/mailcover_login.html"
