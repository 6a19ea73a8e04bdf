"""The Privacy Act accounting of disclosures, 5 U.S.C. 552a(c): PA-ACCOUNT, PA-KEEP, PA-SUBJECT.

The accounting is kept on the ledger, which can be neither changed nor switched off
(PA-KEEP: at least five years or the life of the record, whichever is longer; the
ledger keeps it for good, so nothing here decides when it may go).

What the subject may see of it (PA-SUBJECT, (c)(3)) depends on the system of records a
disclosure was made from: 5 U.S.C. 552a(j)(2) lets the head of an agency whose principal
function is the enforcement of criminal laws exempt a system of records from (c)(3), and
39 CFR 266.9 is where the Postal Service does so: its paragraph (b)(1)(i) names (c)(3),
"an accounting of each disclosure of records" made available to the individual, among the
subsections it claims exemption from, and its paragraphs (b)(2) onwards list the exempted
systems with the subsections each is exempt from. `EXEMPTIONS` encodes that list for the
systems mailcover discloses from. An exemption takes the disclosure out of the subject's
copy only; the accounting itself is kept in full ((c)(1)-(2)) and oversight reads all of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from mailcover.law.errors import Violation


class SystemOfRecords(StrEnum):
    """The Privacy Act system of records a disclosed record belongs to.

    Which system a disclosure belongs to is the system its record was retrieved from:
    - a cover's captured mail exterior data (a view of captures, a cover report, a
      discovery package) is mail cover data: `MAIL_COVER`, the Mail Cover Program Records;
    - a records production hands over the customer's own records (online account,
      sign-ins, tracking, payments) drawn from the customer systems that hold them, not
      from the Inspection Service's investigative file: `CUSTOMER`. The records request
      (the instrument, the purpose) is investigative material, but what is disclosed, and
      so what (c)(3) accounts for, is the customer's record, and the customer systems are
      not among those 39 CFR 266.9 exempts.
    """

    MAIL_COVER = "USPS 700.100"
    INVESTIGATIVE = "USPS 700.000"
    CUSTOMER = "customer"


@dataclass(frozen=True)
class Exemption:
    """A system of records and the subsections of 5 U.S.C. 552a it is exempt from."""

    name: str
    exempt_from: frozenset[str]
    authority: str  # the subsection of 552a the exemption is made under
    citation: str
    # False: encoded from the statement of the section's content that the service was
    # given, because the section's list of systems could not be read in full; to be
    # confirmed against the current text of 39 CFR 266.9 (docs/rules.md, PA-SUBJECT).
    confirmed: bool


# The section exempts these systems from more than (c)(3) (access, amendment and others);
# mailcover acts on the accounting alone, so only (c)(3) is encoded.
_CRIMINAL_LAW_ENFORCEMENT = frozenset({"(c)(3)"})

EXEMPTIONS: Mapping[SystemOfRecords, Exemption] = {
    SystemOfRecords.MAIL_COVER: Exemption(
        name="Mail Cover Program Records, USPS 700.100",
        exempt_from=_CRIMINAL_LAW_ENFORCEMENT,
        authority="5 U.S.C. 552a(j)(2)",
        citation="39 CFR 266.9(b)",
        confirmed=False,
    ),
    SystemOfRecords.INVESTIGATIVE: Exemption(
        name="Inspection Service Investigative File System, USPS 700.000",
        exempt_from=_CRIMINAL_LAW_ENFORCEMENT,
        authority="5 U.S.C. 552a(j)(2)",
        citation="39 CFR 266.9(b)",
        confirmed=False,
    ),
    SystemOfRecords.CUSTOMER: Exemption(
        name="the customer systems of records the production is drawn from",
        exempt_from=frozenset(),
        authority="",
        citation="not listed in 39 CFR 266.9",
        confirmed=False,
    ),
}

ACCOUNTING_TO_THE_SUBJECT = "(c)(3)"


def exempt_from_subjects_copy(system: SystemOfRecords) -> bool:
    """PA-SUBJECT: whether `system` is exempt from (c)(3), the subject's copy."""
    return ACCOUNTING_TO_THE_SUBJECT in EXEMPTIONS[system].exempt_from


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
    # The system the disclosed record belongs to; a disclosure that does not say is taken
    # as mail cover data, so that a forgotten system hides a covert cover from its subject
    # rather than telling them of it.
    system: SystemOfRecords = SystemOfRecords.MAIL_COVER


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


def left_out_of_subject_copy(disclosure: Disclosure) -> str | None:
    """PA-SUBJECT, (c)(3): why the subject's copy of the accounting leaves `disclosure`
    out, or None when it is in it. Left out: a disclosure from a system of records exempt
    from (c)(3) ((j)(2), 39 CFR 266.9), and one made under (b)(7) to law enforcement on an
    agency head's written request."""
    if exempt_from_subjects_copy(disclosure.system):
        exemption = EXEMPTIONS[disclosure.system]
        return (
            f"exempt: {exemption.name}, {exemption.authority}, {exemption.citation}"
            f"{'' if exemption.confirmed else ' (to be confirmed against the text)'}"
        )
    if disclosure.law_enforcement and disclosure.agency_head_written_request:
        return "(b)(7): to law enforcement on an agency head's written request"
    return None


def in_subject_copy(disclosure: Disclosure) -> bool:
    """PA-SUBJECT, (c)(3): whether the subject's copy of the accounting shows it."""
    return left_out_of_subject_copy(disclosure) is None
