"""Every event the ledger records, by name: the one list the code writes from.

`log.record`, `log.record_many` and `log.append` take an `EventName` and refuse any other
text, so an entry's `event` is always one of these. docs/ledger.md says what each means, who
writes it and what its refs and details hold; tests/ledger/test_events.py holds the two lists
(and the labels pages show them by, web/labels.py) to the same names.
"""

from __future__ import annotations

from enum import StrEnum


class EventName(StrEnum):
    """An entry's `event`, as stored (the value) and as the code names it (the member)."""

    # Mail covers: requests, decisions, orders (covers, oversight)
    REQUEST_FILED = "request.filed"
    EXTENSION_FILED = "extension.filed"
    REQUEST_APPROVED = "request.approved"
    REQUEST_DENIED = "request.denied"
    EMERGENCY_CONFIRMED = "emergency.confirmed"
    INDICTMENT_NOTED = "indictment.noted"
    ORDER_RULED_IMPROPER = "order.ruled_improper"
    ORDER_REVIEWED = "order.reviewed"
    REPORT_RETURNED = "report.returned"
    # The mail stream
    CAPTURE_RECORDED = "capture.recorded"
    MAIL_INGESTED = "mail.ingested"
    SYNTHETIC_STREAM_WRITTEN = "synthetic_stream.written"
    # Retention and disclosure
    DATA_DESTROYED = "data.destroyed"
    PRODUCTION_DESTROYED = "production.destroyed"
    DISCLOSURE = "disclosure"
    # Records requests
    RECORDS_REQUEST_FILED = "records.request_filed"
    RECORDS_REQUEST_REVIEWED = "records.request_reviewed"
    RECORDS_LINK_ISSUED = "records.link_issued"
    RECORDS_PRODUCTION_DOWNLOADED = "records.production_downloaded"
    RECORDS_CHALLENGE_NOTICE = "records.challenge_notice"
    RECORDS_FOLLOW_UP_FILED = "records.follow_up_filed"
    RECORDS_NOTICE_QUEUED = "records.notice_queued"
    RECORDS_NOTICE_DELAYED = "records.notice_delayed"
    RECORDS_NOTICE_SENT = "records.notice_sent"
    RECORDS_IMPORTED = "records.imported"
    # Accounts, agencies and sign-in
    ACCOUNT_ADDED = "account.added"
    ACCOUNT_INVITED = "account.invited"
    ACCOUNT_PASSWORD_SET = "account.password_set"
    ACCOUNT_SIGN_IN_RESET = "account.sign_in_reset"
    ACCOUNT_DEACTIVATED = "account.deactivated"
    ACCOUNT_CHANGE_PROPOSED = "account_change.proposed"
    ACCOUNT_CHANGE_CONFIRMED = "account_change.confirmed"
    ACCOUNT_CHANGE_REFUSED = "account_change.refused"
    AGENCY_VERIFIED = "agency.verified"
    SECOND_FACTOR_ENROLLED = "second_factor.enrolled"
    TOKEN_ISSUED = "token.issued"
    TOKEN_REVOKED = "token.revoked"
    ADMIN_ADDED = "admin.added"
    ADMIN_CHANGED = "admin.changed"
    ADMIN_DELETED = "admin.deleted"
    OPERATOR_FACILITY_BOUND = "operator.facility_bound"
    OPERATOR_FACILITY_UNBOUND = "operator.facility_unbound"


def event_name(event: str) -> str:
    """The stored text of `event`, which must be an `EventName` (or its exact value); a
    ValueError naming it otherwise. Plain `str`, so no driver sees an enum."""
    try:
        return EventName(event).value
    except ValueError:
        raise ValueError(
            f"{event!r} is not a ledger event: name it in ledger/events.py and docs/ledger.md"
        ) from None
