"""Template filters that turn codes into words and moments into the viewer's local time.

Loaded on every template (settings.TEMPLATES builtins), so no page can forget them:

    {{ order.request.grounds|label:"grounds" }}   -> Crime (a felony)
    {{ entry.event|label:"event" }}               -> Request filed
    {{ request.filed_at|when }}                   -> <time datetime="2026-11-24T15:15:00Z"
                                                     title="2026-11-24 15:15 UTC">2026-11-24
                                                     09:15 CST</time>
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from mailcover.web import labels, times

register = template.Library()


@register.filter(name="label")
def label(code: object, kind: str) -> str:
    return labels.label(kind, code)


@register.filter(name="labels")
def label_each(codes: object, kind: str) -> str:
    """A list of codes as their words, comma-separated."""
    if not codes:
        return ""
    return ", ".join(labels.label(kind, c) for c in codes)  # type: ignore[attr-defined]


@register.filter(name="when", expects_localtime=False)
def when(moment: datetime | date | None, style: str = "") -> SafeString | str:
    """A moment in the viewer's time zone, with the zone's abbreviation, marked up as a
    <time> whose machine-readable value and hover title are in UTC. `style` "date" shows
    the local day only."""
    if moment is None or moment == "":
        return ""
    if not isinstance(moment, datetime):
        return moment.isoformat() if isinstance(moment, date) else str(moment)
    shown = times.local_text(moment, date_only=style == "date")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        times.iso_utc(moment),
        times.utc_text(moment),
        shown,
    )
