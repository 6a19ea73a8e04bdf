"""Who may do what (DESIGN.md, Roles). One table, read by the API and the pages alike."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from mailcover.law.authority import check_nondisclosure
from mailcover.law.errors import Violation
from mailcover.law.terms import REQUESTING_LEVELS, AgencyLevel, Role


class Action(StrEnum):
    FILE_REQUEST = "file_request"
    VIEW_CASES = "view_cases"  # requests and orders (own agency's, or all for the postal side)
    DECIDE_REQUEST = "decide_request"
    FILE_EXTENSION = "file_extension"
    CONFIRM_EMERGENCY = "confirm_emergency"
    NOTIFY_INDICTMENT = "notify_indictment"
    RULE_IMPROPER = "rule_improper"
    REVIEW_ORDER = "review_order"
    VIEW_OVERSIGHT = "view_oversight"
    READ_LEDGER = "read_ledger"  # entries, checkpoints and proofs
    READ_ACCOUNTING = "read_accounting"  # PA-SUBJECT: the accounting of disclosures
    VIEW_CAPTURES = "view_captures"  # MC-REPORTING: the requesting authority, and oversight
    FILE_RECORDS_REQUEST = "file_records_request"  # and follow it, and download its production
    REVIEW_RECORDS_REQUEST = "review_records_request"  # a postal inspector who did not file it
    RECORD_REPORT_RETURN = "record_report_return"  # MC-REPORTING: documents came back
    EXPORT_DISCOVERY = "export_discovery"  # MC-DISCOVERY: the requesting authority, in court
    FEED_MAIL = "feed_mail"
    MANAGE_ACCOUNTS = "manage_accounts"


_REQUESTING = frozenset(
    {
        Action.FILE_REQUEST,
        Action.VIEW_CASES,
        Action.VIEW_CAPTURES,
        Action.FILE_EXTENSION,
        Action.CONFIRM_EMERGENCY,
        Action.NOTIFY_INDICTMENT,
        Action.FILE_RECORDS_REQUEST,
        Action.RECORD_REPORT_RETURN,
        Action.EXPORT_DISCOVERY,
    }
)
_DECIDING = frozenset(
    {
        Action.VIEW_CASES,
        Action.DECIDE_REQUEST,
        Action.RULE_IMPROPER,
        Action.REVIEW_ORDER,
        Action.NOTIFY_INDICTMENT,
        Action.RECORD_REPORT_RETURN,
    }
)

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.REQUESTER: _REQUESTING,
    Role.INSPECTOR: _REQUESTING | {Action.REVIEW_RECORDS_REQUEST},
    Role.APPROVER: _DECIDING,
    Role.CHIEF: _DECIDING,
    # Oversight reads everything and changes nothing (records requests included).
    Role.OVERSIGHT: frozenset(
        {
            Action.VIEW_CASES,
            Action.VIEW_CAPTURES,
            Action.VIEW_OVERSIGHT,
            Action.READ_LEDGER,
            Action.READ_ACCOUNTING,
        }
    ),
    # The head of oversight confirms oversight grants (law.grants) and reads nothing by
    # that role alone.
    Role.OVERSIGHT_HEAD: frozenset(),
    # The operator feeds the mail stream and reads no captures or cases.
    Role.OPERATOR: frozenset({Action.FEED_MAIL}),
    # The admin manages accounts and reads no case data.
    Role.ADMIN: frozenset({Action.MANAGE_ACCOUNTS}),
}

# Roles that see every agency's cases: the postal side that decides and oversees them.
_SEES_ALL = frozenset({Role.APPROVER, Role.CHIEF, Role.OVERSIGHT})


def may(roles: Iterable[Role], action: Action) -> bool:
    return any(action in PERMISSIONS[role] for role in roles)


# MC-NONDISCLOSURE: every action but these reads or changes case data (requests, orders,
# captures and their images, the ledger, the accounting, records requests and productions,
# oversight's checks). Feeding the mail stream and managing accounts reach none of it.
WITHOUT_CASE_DATA = frozenset({Action.FEED_MAIL, Action.MANAGE_ACCOUNTS})
CASE_DATA = frozenset(Action) - WITHOUT_CASE_DATA


def reaches_case_data(roles: Iterable[Role]) -> bool:
    """Whether any of these roles reads or changes case data (and so needs the form)."""
    return any(PERMISSIONS[role] & CASE_DATA for role in roles)


def check_case_access(
    roles: Iterable[Role], has_nondisclosure: bool, action: Action | None = None
) -> list[Violation]:
    """MC-NONDISCLOSURE (OIG HR-AR-14-001: 15% without the form): a person whose roles reach
    case data reads none of it, on any page or API call, until a signed nondisclosure
    acknowledgment is on file. With `action`, whether that one action needs it; without,
    whether the person may reach case data at all (the check at every case door)."""
    reaching = action in CASE_DATA if action is not None else reaches_case_data(roles)
    return check_nondisclosure(has_nondisclosure) if reaching else []


def roles_reading_reports(roles: Iterable[Role], has_nondisclosure: bool) -> frozenset[Role]:
    """MC-NONDISCLOSURE: a person whose roles reach case data but who has no acknowledgment
    on file reads the transparency report as the public does (closed periods, banded): the
    exact figures of any period are case data too."""
    held = frozenset(roles)
    return frozenset() if check_case_access(held, has_nondisclosure) else held


def may_change_standing(
    roles: Iterable[Role], person_id: int | None, account_id: int | None
) -> bool:
    """Accounts are managed by the admin role, never one's own: an admin who could change
    their own roles could make themselves oversight and read every case."""
    return may(roles, Action.MANAGE_ACCOUNTS) and person_id != account_id


def sees_every_agency(roles: Iterable[Role]) -> bool:
    """Those who decide and oversee covers see every agency's cases."""
    held = frozenset(roles)
    return may(held, Action.VIEW_CASES) and bool(held & _SEES_ALL)


def is_requesting_agency(viewer_agency_id: int | None, case_agency_id: int) -> bool:
    """Extensions and emergency confirmations come from the requesting authority only."""
    return viewer_agency_id is not None and viewer_agency_id == case_agency_id


def sees_case(roles: Iterable[Role], viewer_agency_id: int | None, case_agency_id: int) -> bool:
    """A case is seen by its requesting agency and by those who decide and oversee covers;
    anyone else is told it does not exist."""
    held = frozenset(roles)
    if not may(held, Action.VIEW_CASES):
        return False
    return sees_every_agency(held) or is_requesting_agency(viewer_agency_id, case_agency_id)


def sees_captures(roles: Iterable[Role], viewer_agency_id: int | None, case_agency_id: int) -> bool:
    """MC-REPORTING: what a cover captured goes to the requesting authority only, and is
    read by oversight. Approvers and chiefs decide covers without reading their mail."""
    held = frozenset(roles)
    if not may(held, Action.VIEW_CAPTURES):
        return False
    if Role.OVERSIGHT in held:
        return True
    return is_requesting_agency(viewer_agency_id, case_agency_id)


def records_report_return(
    roles: Iterable[Role], viewer_agency_id: int | None, case_agency_id: int
) -> bool:
    """MC-REPORTING: the requesting authority certifies that it returned or destroyed the
    report documents; the deciding officials record documents received back. Oversight
    reads the record and changes nothing."""
    held = frozenset(roles)
    if not may(held, Action.RECORD_REPORT_RETURN):
        return False
    return bool(held & {Role.APPROVER, Role.CHIEF}) or is_requesting_agency(
        viewer_agency_id, case_agency_id
    )


def sees_every_records_request(roles: Iterable[Role]) -> bool:
    """The postal inspectors who review records requests, and oversight, see them all."""
    held = frozenset(roles)
    return Role.OVERSIGHT in held or may(held, Action.REVIEW_RECORDS_REQUEST)


def sees_records_request(
    roles: Iterable[Role], viewer_agency_id: int | None, request_agency_id: int
) -> bool:
    """A records request is seen by the agency that filed it, by the postal inspectors
    who review requests, and by oversight; anyone else is told it does not exist."""
    held = frozenset(roles)
    if sees_every_records_request(held):
        return True
    return may(held, Action.FILE_RECORDS_REQUEST) and is_requesting_agency(
        viewer_agency_id, request_agency_id
    )


def receives_production(
    roles: Iterable[Role],
    viewer_agency_id: int | None,
    request_agency_id: int,
    viewer_id: int | None = None,
    reviewer_id: int | None = None,
) -> bool:
    """PA-ACCOUNT: a production is disclosed to the requesting agency alone, and never to
    the inspector who reviewed it; reviewers and oversight see that it was made and its
    hashes, never its contents."""
    if viewer_id is not None and viewer_id == reviewer_id:
        return False
    return may(roles, Action.FILE_RECORDS_REQUEST) and is_requesting_agency(
        viewer_agency_id, request_agency_id
    )


# SEC-ROLE-AGENCY: the agencies that may hold each role. The postal side decides, inspects,
# feeds and administers; an oversight body oversees; law-enforcement agencies request.
_POSTAL = frozenset({AgencyLevel.POSTAL})
_OVERSIGHT_BODY = frozenset({AgencyLevel.OVERSIGHT})
HELD_AT: dict[Role, frozenset[AgencyLevel]] = {
    Role.REQUESTER: frozenset(REQUESTING_LEVELS),
    Role.INSPECTOR: _POSTAL,
    Role.APPROVER: _POSTAL,
    Role.CHIEF: _POSTAL,
    Role.OVERSIGHT: _OVERSIGHT_BODY,
    Role.OVERSIGHT_HEAD: _OVERSIGHT_BODY,
    Role.OPERATOR: _POSTAL,
    Role.ADMIN: _POSTAL,
}
# RR-VERIFIED and SEC-ROLE-AGENCY: a requester's agency is one the service has verified as a
# law-enforcement agency.
NEEDS_VERIFIED_AGENCY = frozenset({Role.REQUESTER})

_WHERE = {
    _POSTAL: "the postal inspection service (an agency of level postal)",
    _OVERSIGHT_BODY: "an oversight body (an agency of level oversight)",
    frozenset(REQUESTING_LEVELS): "a law-enforcement agency (federal, state, local or postal)",
}


def role_fits_agency(role: Role, level: AgencyLevel | None, verified: bool) -> bool:
    """SEC-ROLE-AGENCY: may a person of an agency of this level (verified or not) hold it?"""
    if level is None or level not in HELD_AT[role]:
        return False
    return verified or role not in NEEDS_VERIFIED_AGENCY


def check_role_agency(
    roles: Iterable[Role], level: AgencyLevel | None, verified: bool
) -> list[Violation]:
    """SEC-ROLE-AGENCY: every role is held at an agency that may hold it, or refused by name."""
    found = []
    for role in sorted(set(roles)):
        if role_fits_agency(role, level, verified):
            continue
        where = _WHERE[HELD_AT[role]]
        at = f"an agency of level {level.value}" if level is not None else "no agency"
        if level is not None and level in HELD_AT[role]:
            where = "an agency the service has verified as a law-enforcement agency"
            at = "an agency not verified (RR-VERIFIED)"
        found.append(
            Violation(
                "SEC-ROLE-AGENCY",
                "role",
                f"the {role.value} role is held only at {where}, not at {at}",
            )
        )
    return found


def roles_in_force(roles: Iterable[Role], level: AgencyLevel | None) -> frozenset[Role]:
    """SEC-ROLE-AGENCY, when reading: a role held at an agency of a level that may not hold
    it gives no power at all, however it came to be stored (an account from before the rule,
    a row edited by hand). Verification is checked when a requester's role is given, and
    RR-VERIFIED checks it again on every records request, naming itself."""
    return frozenset(r for r in roles if level is not None and level in HELD_AT[r])
