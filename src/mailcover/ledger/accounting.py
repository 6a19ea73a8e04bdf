"""Disclosures on the ledger, and the Privacy Act accounting read back from them.

Whatever discloses data outside the service (a capture shown to the requesting
agency, a records production, a discovery package) calls `record_disclosure` in the
same transaction: the disclosure and its accounting commit together, or neither
does. The accounting per subject is then derived from the ledger's `disclosure`
entries alone, so it cannot be edited, lost with the record, or switched off.

Unlike other entries, a disclosure's purpose and recipient are written in clear:
(c)(2) asks that the accounting outlive the record it accounts for, and they describe
the disclosure, not the person (the subject appears only as an id).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet

from mailcover.law.accounting import (
    Disclosure,
    SystemOfRecords,
    check_disclosure,
    left_out_of_subject_copy,
)
from mailcover.law.errors import refuse_if
from mailcover.ledger import entries, log
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Entry
from mailcover.web.times import zoned_text

if TYPE_CHECKING:
    from mailcover.accounts.models import Agency, User


@dataclass(frozen=True)
class Accounted:
    """A disclosure as read back from its ledger entry."""

    seq: int
    case_number: str
    disclosed_by: str
    disclosure: Disclosure

    @property
    def left_out_of_subject_copy(self) -> str | None:
        """PA-SUBJECT: why the subject's copy leaves it out; None when it is in it."""
        return left_out_of_subject_copy(self.disclosure)

    @property
    def in_subject_copy(self) -> bool:
        return self.left_out_of_subject_copy is None


@dataclass(frozen=True)
class Recipient:
    """A recipient that is not an agency of the system (counsel in a proceeding, a court)."""

    name: str
    address: str


def record_disclosure(
    actor: User | None,
    now: datetime,
    *,
    subject_id: int | None,
    case: str,
    recipient: Agency | Recipient,
    nature: str,
    purpose: str,
    law_enforcement: bool,
    agency_head_written_request: bool,
    system: SystemOfRecords = SystemOfRecords.MAIL_COVER,
    refs: Mapping[str, Any] | None = None,
    **details: Any,
) -> Entry:
    """PA-ACCOUNT: put one disclosure on the ledger, refusing one that cannot be accounted for.

    `subject_id` is a cover's subject; a records production names its customer in
    `refs` instead. `system` is the system of records the disclosed record belongs to
    (PA-SUBJECT: it decides whether the subject's copy shows the disclosure; left out, it
    is the mail cover system, whose disclosures the subject's copy never shows). `details`
    adds what the disclosure was (e.g. a production's hashes).
    """
    disclosure = Disclosure(
        at=now,
        nature=nature.strip(),
        purpose=purpose.strip(),
        recipient_name=recipient.name.strip(),
        recipient_address=recipient.address.strip(),
        law_enforcement=law_enforcement,
        agency_head_written_request=agency_head_written_request,
        system=system,
    )
    refuse_if(check_disclosure(disclosure))
    return log.record(
        actor,
        EventName.DISCLOSURE,
        now,
        case=case,
        subject=subject_id,
        refs={**_recipient_ref(recipient), **(refs or {})},
        nature=disclosure.nature,
        purpose=disclosure.purpose,
        recipient={"name": disclosure.recipient_name, "address": disclosure.recipient_address},
        law_enforcement=law_enforcement,
        agency_head_written_request=agency_head_written_request,
        system_of_records=system.value,
        **details,
    )


def _recipient_ref(recipient: Agency | Recipient) -> dict[str, Any]:
    return {} if isinstance(recipient, Recipient) else {"recipient_agency": recipient.pk}


def accounting_for(subject_id: int, *, subject_copy: bool = False) -> list[Accounted]:
    """Every disclosure about the subject, oldest first; the subject's copy leaves out
    what PA-SUBJECT exempts."""
    found = [
        _read(row)
        for row in _in_tree()
        .filter(event=EventName.DISCLOSURE, subject_ref=subject_id)
        .order_by("at", "seq")
    ]
    return [item for item in found if item.in_subject_copy] if subject_copy else found


def subjects_with_disclosures() -> list[tuple[int, int]]:
    """(subject id, number of disclosures), for the accounting's index."""
    rows = (
        _in_tree()
        .filter(event=EventName.DISCLOSURE, subject_ref__isnull=False)
        .values("subject_ref")
        .annotate(count=Count("seq"))
        .order_by("subject_ref")
    )
    return [(row["subject_ref"] or 0, row["count"]) for row in rows]


CSV_COLUMNS = [
    "date",
    "nature",
    "purpose",
    "recipient_name",
    "recipient_address",
    "case_number",
    "ledger_entry",
]


def as_csv(accounted: Iterable[Accounted], zone_name: str = "UTC") -> str:
    """The (c)(1) columns, `date` in UTC as the ledger holds it, and the same moment last in
    the reader's time zone (`zone_name`, named in the header)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, f"date ({zone_name})"])
    for item in accounted:
        d = item.disclosure
        writer.writerow(
            [
                entries.format_time(d.at),
                _cell(d.nature),
                _cell(d.purpose),
                _cell(d.recipient_name),
                _cell(d.recipient_address),
                item.case_number,
                item.seq,
                zoned_text(d.at, zone_name),
            ]
        )
    return out.getvalue()


def spreadsheet_safe(text: str) -> str:
    """A cell a spreadsheet would read as a formula is written as text (CSV injection)."""
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


_cell = spreadsheet_safe


def _in_tree() -> QuerySet[Entry]:
    """Entries the tree holds: a row inserted out of band, outside [0, size), is not."""
    return Entry.objects.filter(seq__gte=0, seq__lt=log.tree_size())


def _read(row: Entry) -> Accounted:
    entry = row.entry
    details = entry.details
    recipient = details.get("recipient") or {}
    return Accounted(
        seq=row.seq,
        case_number=entry.case_number,
        disclosed_by=entry.actor.username if entry.actor else "system",
        disclosure=Disclosure(
            at=entry.at,
            nature=str(details.get("nature", "")),
            purpose=str(details.get("purpose", "")),
            recipient_name=str(recipient.get("name", "")),
            recipient_address=str(recipient.get("address", "")),
            law_enforcement=bool(details.get("law_enforcement")),
            agency_head_written_request=bool(details.get("agency_head_written_request")),
            system=_system_of(details, entry.refs),
        ),
    )


def _system_of(details: Mapping[str, Any], refs: Mapping[str, Any]) -> SystemOfRecords:
    """The system a disclosure was recorded from; an entry written before the system was
    recorded is read from what it disclosed: a records production's customer records, or
    else a cover's data."""
    recorded = details.get("system_of_records")
    if recorded in {s.value for s in SystemOfRecords}:
        return SystemOfRecords(recorded)
    return SystemOfRecords.CUSTOMER if "records_request" in refs else SystemOfRecords.MAIL_COVER
