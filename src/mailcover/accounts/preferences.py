"""A person's own preferences: the time zone they read times in (web/times.py).

Only ever the signed-in person's own: the page takes no account from the address or the
form, so nobody can change anyone else's setting through it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from mailcover.accounts.models import User
from mailcover.web import times

# The zones most of the service's people live in, offered first; any IANA name is accepted.
SUGGESTED_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "Pacific/Guam",
    "UTC",
)


class PreferencesForm(forms.Form):
    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        required=False,
        help_text="An IANA time zone name, such as America/Chicago. Leave it empty to use your "
        "agency's zone.",
        widget=forms.TextInput(
            attrs={"class": "usa-input", "list": "time-zones", "autocomplete": "off"}
        ),
    )

    def clean_time_zone(self) -> str:
        name: str = self.cleaned_data["time_zone"].strip()
        problem = times.zone_problem(name) if name else None
        if problem:
            raise forms.ValidationError(problem)
        return name


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = PreferencesForm(request.POST or None, initial={"time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        user.time_zone = form.cleaned_data["time_zone"]
        user.save(update_fields=["time_zone"])
        messages.success(request, f"Times are now shown in {times.zone_name_for(user)}.")
        return redirect("accounts:preferences")
    status = 422 if form.is_bound else 200
    context = {
        "form": form,
        "suggested_zones": SUGGESTED_ZONES,
        "zone_now": times.zone_name_for(user),
        "agency_zone": times.zone_name_for(user.agency and _AgencyOnly(user)),
    }
    return render(request, "accounts/preferences.html", context, status=status)


class _AgencyOnly:
    """The person as their agency's zone sees them: for saying what an empty field means."""

    def __init__(self, user: User) -> None:
        self.agency = user.agency
        self.time_zone = ""
