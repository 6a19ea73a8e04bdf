"""The words a person reads for each code the system stores: one table.

The codes (`court_order_2703d`, `delivery_point`, `request.filed`) stay what the law
modules, the API, the ledger and the CSV columns speak; pages, PDFs and the labels of CSV
rows show these words instead. The table lives in `web/` (DESIGN.md: "the labels that turn
codes into words") rather than beside `law/terms.py`: the law's vocabularies are closed
sets the rules reason about, and the words are how the service talks to people, which
changes without any rule changing. `tests/web/test_labels.py` holds every member of every
vocabulary, and every ledger event the code writes, to having a label here.

Labels are in sentence case, ready for a table cell, a tag or a heading.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from mailcover.law.accounting import SystemOfRecords
from mailcover.law.grants import ChangeKind
from mailcover.law.orders import OrderEvent
from mailcover.law.records import (
    DANGERS,
    IDENTIFIER_FIELDS,
    INSTRUMENT_NAMES,
    Category,
    DelayKind,
    Instrument,
)
from mailcover.law.retention import Reason
from mailcover.law.terms import AgencyLevel, DelegationScope, Grounds, OrderStatus, Role, Scope
from mailcover.matching.piece import MAIL_CLASSES, MatchedOn


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


GROUNDS: dict[str, str] = {
    Grounds.NATIONAL_SECURITY: "National security",
    Grounds.FUGITIVE: "Fugitive",
    Grounds.CRIME: "Crime (a felony)",
    Grounds.POSTAL_STATUTE: "Postal statute",
    Grounds.FORFEITURE: "Forfeiture",
}

SCOPES: dict[str, str] = {
    Scope.ADDRESSEE: "Mail to the subject",
    Scope.DELIVERY_POINT: "All mail to the address",
    Scope.SENDER: "Mail from the subject",
}

ORDER_STATUSES: dict[str, str] = {
    OrderStatus.SCHEDULED: "Scheduled",
    OrderStatus.ACTIVE: "Active",
    OrderStatus.ENDED: "Ended",
    OrderStatus.SUSPENDED: "Suspended (emergency not confirmed)",
    OrderStatus.TERMINATED: "Terminated (indictment)",
    OrderStatus.IMPROPER: "Ruled improper",
}

# A cover request's state (CoverRequest.state): read from its decision, if any.
REQUEST_STATES: dict[str, str] = {
    "pending": "Waiting for a decision",
    "approved": "Approved",
    "denied": "Denied",
}

REQUEST_KINDS: dict[str, str] = {"initial": "First request", "extension": "Extension"}

INSTRUMENTS: dict[str, str] = {kind: _sentence(name) for kind, name in INSTRUMENT_NAMES.items()}

CATEGORIES: dict[str, str] = {
    Category.SUBSCRIBER: "Subscriber records",
    Category.TRANSACTIONAL: "Transactional records",
    Category.CONTENT: "Contents of communications",
    Category.FINANCIAL: "Financial records",
}

# A records request's state (RecordsRequest.state) and its review's outcomes.
RECORDS_STATES: dict[str, str] = {
    "under_review": "Under review",
    "refused": "Refused",
    "no_records": "No matching customer",
    "approved": "Approved, not yet produced",
    "produced": "Produced",
}

# Where a customer notice stands (records.notices.NoticeState.state).
NOTICE_STATES: dict[str, str] = {
    "not_due": "Not owed yet",
    "held": "Held back by a court order",
    "queued": "Waiting to be sent",
    "sent": "Sent",
}

# The identifiers a records request names its customer by (law.records.IDENTIFIER_FIELDS).
IDENTIFIERS: dict[str, str] = {
    "email": "Email",
    "account": "Account number",
    "tracking_number": "Tracking number",
    "name": "Name",
    "address": "Address",
}

NOTICE_METHODS: dict[str, str] = {"served": "Served", "mailed": "Mailed"}

DELAY_KINDS: dict[str, str] = {
    DelayKind.DELAYED_NOTICE: "Delayed-notice order",
    DelayKind.NONDISCLOSURE: "Nondisclosure order",
}

DANGER_NAMES: dict[str, str] = {
    "death": "Death",
    "serious_physical_injury": "Serious physical injury",
}

ROLES: dict[str, str] = {
    Role.REQUESTER: "Requester",
    Role.INSPECTOR: "Postal inspector",
    Role.APPROVER: "Approving official",
    Role.CHIEF: "Chief Postal Inspector",
    Role.OVERSIGHT: "Oversight",
    Role.OVERSIGHT_HEAD: "Head of oversight",
    Role.OPERATOR: "Mail stream operator",
    Role.ADMIN: "Account administrator",
}

AGENCY_LEVELS: dict[str, str] = {
    AgencyLevel.FEDERAL: "Federal",
    AgencyLevel.STATE: "State",
    AgencyLevel.LOCAL: "Local",
    AgencyLevel.POSTAL: "Postal Inspection Service",
    AgencyLevel.OVERSIGHT: "Oversight body",
}

DELEGATION_SCOPES: dict[str, str] = {
    DelegationScope.CHIEF: "Chief Postal Inspector",
    DelegationScope.HQ_DESIGNEE: "Headquarters designee",
    DelegationScope.OSG_DESIGNEE: "Operations Support Group designee",
    DelegationScope.INSPECTOR_IN_CHARGE: "Inspector in Charge (emergencies only)",
}

CHANGE_KINDS: dict[str, str] = {
    ChangeKind.GRANT_ROLE: "Grant a role",
    ChangeKind.REVOKE_ROLE: "Take a role away",
    ChangeKind.RECORD_DELEGATION: "Record a written delegation",
    ChangeKind.REVOKE_DELEGATION: "Revoke a written delegation",
    ChangeKind.RECORD_ACKNOWLEDGMENT: "Record a nondisclosure acknowledgment",
    ChangeKind.VERIFY_AGENCY: "Verify an agency",
}

CHANGE_OUTCOMES: dict[str, str] = {"confirmed": "Confirmed", "refused": "Refused"}

ORDER_EVENTS: dict[str, str] = {
    OrderEvent.EXTENSION: "Request an extension",
    OrderEvent.CONFIRMATION: "Confirm the emergency in writing",
    OrderEvent.INDICTMENT: "Record an indictment",
    OrderEvent.IMPROPER_RULING: "Rule the order improper",
    OrderEvent.REVIEW: "Record a periodic review",
}

MATCHED_ON: dict[str, str] = {
    MatchedOn.ROUTING: "Barcode routing code",
    MatchedOn.ADDRESS: "Addressee's address",
    MatchedOn.RETURN_ADDRESS: "Return address",
}

MAIL_CLASS_NAMES: dict[str, str] = {
    "first-class": "First-Class Mail",
    "marketing": "Marketing Mail",
    "periodical": "Periodicals",
    "package": "Package",
}

SYSTEMS_OF_RECORDS: dict[str, str] = {
    SystemOfRecords.MAIL_COVER: "Mail Cover Program Records (USPS 700.100)",
    SystemOfRecords.INVESTIGATIVE: "Inspection Service Investigative File System (USPS 700.000)",
    SystemOfRecords.CUSTOMER: "The customer's own records",
}

# Why data is due for destruction (law.retention.Reason), and what is destroyed.
DESTRUCTION_REASONS: dict[str, str] = {
    Reason.RETENTION: "8-year retention over (MC-RETENTION)",
    Reason.IMPROPER: "Order ruled improper (MC-IMPROPER)",
    Reason.PRODUCTION_RETENTION: "Production's retention period over (policy)",
}

DESTROYED_KINDS: dict[str, str] = {"order": "Mail cover order", "production": "Records production"}

# Every event the ledger records (docs/ledger.md), as a timeline or an audit trail heads it.
EVENTS: dict[str, str] = {
    "request.filed": "Request filed",
    "extension.filed": "Extension requested",
    "request.approved": "Request approved",
    "request.denied": "Request denied",
    "emergency.confirmed": "Emergency confirmed in writing",
    "indictment.noted": "Indictment recorded",
    "order.ruled_improper": "Order ruled improper",
    "order.reviewed": "Periodic review recorded",
    "report.returned": "Report documents returned",
    "capture.recorded": "Mail piece captured",
    "mail.ingested": "Mail stream received",
    "synthetic_stream.written": "Synthetic mail stream written",
    "data.destroyed": "Data destroyed",
    "production.destroyed": "Records production destroyed",
    "disclosure": "Disclosure accounted for",
    "records.request_filed": "Records request filed",
    "records.request_reviewed": "Records request reviewed",
    "records.link_issued": "Download link issued",
    "records.production_downloaded": "Production downloaded",
    "records.challenge_notice": "Customer notice of the right to challenge recorded",
    "records.follow_up_filed": "Follow-up instrument filed",
    "records.notice_queued": "Customer notice owed",
    "records.notice_delayed": "Court order delaying the customer notice filed",
    "records.notice_sent": "Customer notice sent",
    "records.imported": "Customer records imported",
    "account.added": "Account added",
    "account.invited": "Account invited to set a password",
    "account.password_set": "Password set",
    "account.sign_in_reset": "Sign-in reset",
    "account.deactivated": "Account deactivated",
    "account_change.proposed": "Change to power over cases proposed",
    "account_change.confirmed": "Change to power over cases confirmed",
    "account_change.refused": "Change to power over cases refused",
    "agency.verified": "Agency verified",
    "second_factor.enrolled": "One-time-code device set up",
    "token.issued": "API token issued",
    "token.revoked": "API token revoked",
    "admin.added": "Added in the administration pages",
    "admin.changed": "Changed in the administration pages",
    "admin.deleted": "Deleted in the administration pages",
    "operator.facility_bound": "Operator bound to a facility",
    "operator.facility_unbound": "Operator unbound from a facility",
}

# The two versions of the transparency report (oversight.transparency.Version).
REPORT_VERSIONS: dict[str, str] = {
    "internal": "Internal: exact counts, for oversight only",
    "public": "Public: counts under 10 shown as 0-9",
}

# Each vocabulary by the name templates and generators ask for it with (`label:"grounds"`).
TABLES: Mapping[str, Mapping[str, str]] = {
    "grounds": GROUNDS,
    "scope": SCOPES,
    "order_status": ORDER_STATUSES,
    "request_state": REQUEST_STATES,
    "request_kind": REQUEST_KINDS,
    "decision": {**REQUEST_STATES, "approve": "Approve", "deny": "Deny"},
    "instrument": INSTRUMENTS,
    "category": CATEGORIES,
    "records_state": RECORDS_STATES,
    "identifier": IDENTIFIERS,
    "notice_state": NOTICE_STATES,
    "notice_method": NOTICE_METHODS,
    "delay_kind": DELAY_KINDS,
    "danger": DANGER_NAMES,
    "role": ROLES,
    "agency_level": AGENCY_LEVELS,
    "delegation_scope": DELEGATION_SCOPES,
    "change_kind": CHANGE_KINDS,
    "change_outcome": CHANGE_OUTCOMES,
    "order_event": ORDER_EVENTS,
    "matched_on": MATCHED_ON,
    "mail_class": MAIL_CLASS_NAMES,
    "system_of_records": SYSTEMS_OF_RECORDS,
    "destruction_reason": DESTRUCTION_REASONS,
    "destroyed_kind": DESTROYED_KINDS,
    "event": EVENTS,
    "report_version": REPORT_VERSIONS,
}

# The closed vocabularies each table must cover entirely (the test walks these).
VOCABULARIES: Mapping[str, type[StrEnum] | frozenset[str] | tuple[str, ...]] = {
    "grounds": Grounds,
    "scope": Scope,
    "order_status": OrderStatus,
    "instrument": Instrument,
    "category": Category,
    "delay_kind": DelayKind,
    "danger": DANGERS,
    "identifier": IDENTIFIER_FIELDS,
    "role": Role,
    "agency_level": AgencyLevel,
    "delegation_scope": DelegationScope,
    "change_kind": ChangeKind,
    "order_event": OrderEvent,
    "matched_on": MatchedOn,
    "mail_class": MAIL_CLASSES,
    "system_of_records": SystemOfRecords,
    "destruction_reason": Reason,
}


def label(kind: str, code: object) -> str:
    """The words for `code` in the vocabulary `kind`. A code the table does not hold (data
    from before a vocabulary grew; the tests keep the code's own from happening) is shown
    with its underscores as spaces rather than not at all."""
    if code is None or code == "":
        return ""
    text = str(code.value if isinstance(code, StrEnum) else code)
    words = TABLES[kind].get(text)
    return words if words is not None else _sentence(text.replace("_", " ").replace(".", ": "))


def event_label(event: str) -> str:
    return label("event", event)


def choices(kind: str, codes: object) -> list[tuple[str, str]]:
    """Form choices for the codes given, each with its words."""
    return [(str(c), label(kind, c)) for c in codes]  # type: ignore[attr-defined]


def any_label(code: str) -> str:
    """The words for a code whose vocabulary is not known where it is shown (a key of the
    transparency report's breakdowns: grounds, agency level, category, instrument)."""
    for kind in ("grounds", "agency_level", "category", "instrument", "scope", "role"):
        words = TABLES[kind].get(code)
        if words is not None:
            return words
    return _sentence(code.replace("_", " "))
