"""The Privacy Act accounting of disclosures, 5 U.S.C. 552a(c): PA-ACCOUNT, PA-KEEP, PA-SUBJECT.

The accounting is kept on the ledger, which can be neither changed nor switched off
(PA-KEEP: at least five years or the life of the record, whichever is longer; the
ledger keeps it for good, so nothing here decides when it may go).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mailcover.law.errors import Violation


class Nature:
    """What was disclosed (the "nature" of (c)(1)(A))."""

    COVER_REPORT = "mail cover report"
    CAPTURE_VIEW = "view of captured mail exterior data"
    RECORDS_PRODUCTION = "records production"
    DISCOVERY = "production for a legal proceeding"


@dataclass(frozen=True)
class Disclosure:
    """One disclosure outside the service, as (c)(1) asks it to be accounted for."""

    at: datetime
    nature: str
    purpose: str
    recipient_name: str
    recipient_address: str
    # (b)(7): to an agency for a civil or criminal law enforcement activity, on the
    # written request of the agency's head specifying the record and the activity.
    law_enforcement: bool
    agency_head_written_request: bool


def check_disclosure(disclosure: Disclosure) -> list[Violation]:
    """PA-ACCOUNT, (c)(1): the date, nature and purpose, and the recipient's name and address.

    A disclosure that cannot be accounted for in full is not made.
    """
    found = []
    required = {
        "nature": disclosure.nature,
        "purpose": disclosure.purpose,
        "recipient_name": disclosure.recipient_name,
        "recipient_address": disclosure.recipient_address,
    }
    for field, value in required.items():
        if not value.strip():
            what = field.replace("_", " ")
            found.append(
                Violation(
                    "PA-ACCOUNT",
                    field,
                    f"a disclosure must be accounted for with its {what}; none is on file",
                )
            )
    if disclosure.at.tzinfo is None:
        found.append(Violation("PA-ACCOUNT", "at", "a disclosure's date must carry a time zone"))
    return found


def check_recipient(name: str, address: str) -> list[Violation]:
    """PA-ACCOUNT: a disclosure to a recipient with no address on file could not be
    accounted for, so nothing that would end in one is begun."""
    if address.strip():
        return []
    return [
        Violation(
            "PA-ACCOUNT",
            None,
            f"{name} has no address on file, and every disclosure names its recipient's "
            "address: ask an administrator to add it",
        )
    ]


def in_subject_copy(disclosure: Disclosure) -> bool:
    """PA-SUBJECT, (c)(3): the subject sees every disclosure about them except those made
    under (b)(7) to law enforcement on an agency head's written request."""
    return not (disclosure.law_enforcement and disclosure.agency_head_written_request)
