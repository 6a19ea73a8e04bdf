"""MC-REPORTING: report documents go back to the service within 60 days of the cover's end."""

from __future__ import annotations

from datetime import date, datetime, timedelta

# Publication 55; the inspector general's 2015 follow-up found documents not returned.
RETURN_DAYS = 60


def return_due(ended_at: datetime) -> datetime:
    """The requesting authority returns (or certifies destruction of) the report documents
    within 60 days after the cover ended."""
    return ended_at + timedelta(days=RETURN_DAYS)


def return_overdue(ended_at: datetime, returned_on: date | None, now: datetime) -> bool:
    """OIG-RETURN: a cover that ended more than 60 days ago whose documents are not back.
    A return dated after the due day still clears the finding, but late."""
    if returned_on is not None:
        return False
    return now > return_due(ended_at)


def returned_late(ended_at: datetime, returned_on: date) -> bool:
    """A return recorded after the 60 days: counted, and shown as late."""
    return returned_on > return_due(ended_at).date()
