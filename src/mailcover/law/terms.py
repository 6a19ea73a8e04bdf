"""The closed vocabularies of the regulation: grounds, scopes, roles, statuses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Grounds(StrEnum):
    """MC-PURPOSE: the only grounds a cover may rest on, (c)(1)(i)-(v)."""

    NATIONAL_SECURITY = "national_security"
    FUGITIVE = "fugitive"
    CRIME = "crime"
    POSTAL_STATUTE = "postal_statute"
    FORFEITURE = "forfeiture"


class Scope(StrEnum):
    """What mail a cover reaches (MC-ALL-NAMES)."""

    ADDRESSEE = "addressee"  # mail to the subject's names at the address
    DELIVERY_POINT = "delivery_point"  # every name at the address
    SENDER = "sender"  # mail bearing the subject's return address


class AgencyLevel(StrEnum):
    FEDERAL = "federal"
    STATE = "state"
    LOCAL = "local"
    POSTAL = "postal"  # the postal inspection service itself
    # An oversight body (the inspector general): holds oversight accounts, requests nothing.
    OVERSIGHT = "oversight"


# The levels of the agencies that may ask for covers and records (law enforcement).
REQUESTING_LEVELS = (AgencyLevel.FEDERAL, AgencyLevel.STATE, AgencyLevel.LOCAL, AgencyLevel.POSTAL)


class Role(StrEnum):
    REQUESTER = "requester"
    INSPECTOR = "inspector"
    APPROVER = "approver"
    CHIEF = "chief"
    OVERSIGHT = "oversight"
    # The head of oversight: confirms grants of oversight (SEC-TWO-PERSON), held only at an
    # oversight body. It reads nothing by itself; a head of oversight also holds `oversight`.
    OVERSIGHT_HEAD = "oversight_head"
    OPERATOR = "operator"
    ADMIN = "admin"


class DelegationScope(StrEnum):
    """MC-AUTHORITY: the written delegations under which a cover may be ordered, (d)(1)-(3)."""

    CHIEF = "chief"  # the Chief Postal Inspector
    HQ_DESIGNEE = "hq_designee"  # a national headquarters designee
    OSG_DESIGNEE = "osg_designee"  # an Operations Support Group designee
    INSPECTOR_IN_CHARGE = "inspector_in_charge"  # emergencies only


class OrderStatus(StrEnum):
    """An order's status, always computed from its facts at a moment."""

    SCHEDULED = "scheduled"  # only when asked about a moment before its start
    ACTIVE = "active"
    ENDED = "ended"
    SUSPENDED = "suspended"  # MC-EMERGENCY: not confirmed in writing in time
    TERMINATED = "terminated"  # MC-INDICTMENT
    IMPROPER = "improper"  # MC-IMPROPER


@dataclass(frozen=True)
class Policy:
    """Values LAW.md marks "policy": an operator may change them in settings.

    Values fixed by law (the 30-day standard period, the 120-day cap, the
    3-day emergency confirmation) are constants in the modules that use them.
    """

    fugitive_period_days: int = 60
    national_security_period_days: int = 60
    fugitive_extension_days: int = 60
    review_interval_days: int = 365
    hq_designee_limit: int = 2
    osg_designee_limit: int = 2
    # OIG-TIMELINESS: the target time from a request's filing to its decision.
    decision_target_hours: int = 120
    emergency_decision_target_hours: int = 24
    # How long a records production's kept copy is kept before it is destroyed (the
    # accounting of the disclosure is kept regardless: PA-KEEP). About 5 years.
    production_retention_days: int = 1827


DEFAULT_POLICY = Policy()
