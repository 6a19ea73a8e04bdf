"""Times as the viewer reads them: in their own time zone, with UTC a hover away.

The zone is the person's own setting (User.time_zone, on the preferences page), else their
agency's (Agency.time_zone), else the deployment's (settings.TIME_ZONE). It is activated
for each request by `ViewerTimeZoneMiddleware`, so Django's `date` filter and forms read in
it too; the `when` filter (templatetags/words.py) writes each moment as
`<time datetime="...Z" title="... UTC">local time ZONE</time>`. The ledger's entries and
the API stay in UTC (ISO 8601): nothing here touches what is stored or sent to a machine.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

LOCAL_FORMAT = "%Y-%m-%d %H:%M"


@functools.cache
def known_zones() -> frozenset[str]:
    """The IANA zone names this machine's time zone database holds."""
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def zone_problem(name: str) -> str | None:
    """Why `name` is not a time zone a person may choose, in words; None when it is."""
    if name not in known_zones():
        return (
            f"“{name}” is not a time zone name we know. Use an IANA name such as "
            "America/New_York, America/Chicago, America/Denver, America/Los_Angeles or UTC."
        )
    return None


def validate_zone(name: str) -> None:
    """A model field's validator: an IANA zone name, or nothing."""
    from django.core.exceptions import ValidationError

    problem = zone_problem(name) if name else None
    if problem:
        raise ValidationError(problem)


def agency_zone_name(agency: Any) -> str:
    """The zone an agency reads times in: its own, else the deployment's (a document for
    the agency as a whole, such as a production's cover letter)."""
    name = getattr(agency, "time_zone", "")
    return str(name) if name and zone_problem(name) is None else str(settings.TIME_ZONE)


def zone_name_for(user: Any) -> str:
    """The zone a person sees times in: their own, else their agency's, else the
    deployment's. A stored name the database no longer knows is passed over."""
    agency = getattr(user, "agency", None)
    for name in (getattr(user, "time_zone", ""), getattr(agency, "time_zone", "")):
        if name and zone_problem(name) is None:
            return str(name)
    return str(settings.TIME_ZONE)


def zone_for(user: Any) -> tzinfo:
    return zoneinfo.ZoneInfo(zone_name_for(user))


def iso_utc(moment: datetime) -> str:
    """The moment as ISO 8601 in UTC, to the second: a <time> element's datetime."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(LOCAL_FORMAT) + " UTC"


def local_text(moment: datetime, *, date_only: bool = False) -> str:
    """The moment in the active zone (the viewer's, during a request) with its abbreviation
    (EST, CDT; a zone without one shows its offset, as the database names it)."""
    local = moment.astimezone(timezone.get_current_timezone())
    if date_only:
        return local.strftime("%Y-%m-%d")
    return f"{local.strftime(LOCAL_FORMAT)} {local.tzname()}"


def zoned_text(moment: datetime, zone_name: str) -> str:
    """The moment in the named zone, with its abbreviation, for a document read away from
    the pages (a PDF, a CSV): `2026-11-24 04:15 CST`. An unknown name reads as UTC."""
    zone = zoneinfo.ZoneInfo(zone_name if zone_problem(zone_name) is None else "UTC")
    local = moment.astimezone(zone)
    return f"{local.strftime(LOCAL_FORMAT)} {local.tzname()}"


def zoned_with_utc(moment: datetime, zone_name: str) -> str:
    """`2026-11-24 04:15 CST (10:15 UTC)`: a document's reader has no hover to ask for UTC."""
    local = zoned_text(moment, zone_name)
    if local.endswith(" UTC"):
        return local
    return f"{local} ({moment.astimezone(UTC).strftime('%H:%M')} UTC)"


class ViewerTimeZoneMiddleware:
    """Activates the signed-in person's zone for the request (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zone_for(user))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
