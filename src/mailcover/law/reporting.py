"""MC-REPORTING: report documents go back to the service within 60 days of the cover's end."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from mailcover.law.errors import Violation

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


def _one_line(text: str) -> bool:
    return not any(ord(c) < 32 or ord(c) == 127 for c in text)


def check_report_return(
    stopped_at: datetime | None,
    done_on: date,
    certified_by: str,
    note: str,
    now: datetime,
) -> list[Violation]:
    """MC-REPORTING: a return is recorded once the cover has stopped (until then more
    reports may follow), dated between the stop and today (a date before the stop would
    clear documents sent afterwards), by a named person of the authority."""
    found = []
    if stopped_at is None:
        found.append(
            Violation(
                "MC-REPORTING",
                None,
                "the cover is still in force: its report documents are returned after it ends",
            )
        )
    if done_on > now.date():
        found.append(Violation("MC-REPORTING", "done_on", "the return date has not come yet"))
    elif stopped_at is not None and done_on < stopped_at.date():
        found.append(
            Violation(
                "MC-REPORTING",
                "done_on",
                f"the return date is before the cover stopped ({stopped_at.date().isoformat()})",
            )
        )
    if not certified_by.strip():
        found.append(
            Violation(
                "MC-REPORTING",
                "certified_by",
                "name the person of the requesting authority who returned the documents or "
                "certifies their destruction",
            )
        )
    elif not _one_line(certified_by):
        found.append(
            Violation(
                "MC-REPORTING", "certified_by", "control characters and line breaks are refused"
            )
        )
    if not _one_line(note.replace("\n", " ").replace("\r", " ").replace("\t", " ")):
        found.append(Violation("MC-REPORTING", "note", "control characters are refused"))
    return found
