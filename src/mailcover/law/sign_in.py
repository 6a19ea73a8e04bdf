"""Who signs in with a second factor, and what a sign-in may say: SEC-SECOND-FACTOR,
SEC-SIGN-IN (service policy, docs/security.md).

A password alone is one secret an outsider can guess, phish or find reused elsewhere. Every
account that reaches case data, and every account that manages accounts, therefore needs a
one-time code as well, on every door: pages, API tokens and /admin/. The operator is a
machine account that feeds mail and reads nothing; it signs in with a password (and, at
scale, from the plant's own network), so a second factor would protect nothing it can read.
"""

from __future__ import annotations

from collections.abc import Iterable

from mailcover.law.errors import Violation
from mailcover.law.terms import Role

# Every role that reaches case data, and the admin, who manages the accounts that do.
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.REQUESTER,
        Role.INSPECTOR,
        Role.APPROVER,
        Role.CHIEF,
        Role.OVERSIGHT,
        Role.OVERSIGHT_HEAD,
        Role.ADMIN,
    }
)

# SEC-SIGN-IN: the one answer to every failed sign-in, whichever part was wrong. Saying that
# the password was right but the code missing tells a guesser which password to keep.
SIGN_IN_REFUSED = "wrong username, password or one-time code"


def needs_second_factor(roles: Iterable[Role], staff: bool = False) -> bool:
    """SEC-SECOND-FACTOR: whether this account signs in with a one-time code. A staff
    account reaches /admin/ and so needs one whatever its roles."""
    return staff or bool(frozenset(roles) & SECOND_FACTOR_ROLES)


def check_second_factor(roles: Iterable[Role], staff: bool, verified: bool) -> list[Violation]:
    """SEC-SECOND-FACTOR: a session or token of an account that needs a second factor is
    refused unless it was opened with a one-time code."""
    if verified or not needs_second_factor(roles, staff):
        return []
    return [
        Violation(
            "SEC-SECOND-FACTOR",
            None,
            "this account signs in with a one-time code on every door: sign in again with "
            "username, password and otp (enrol a device first on the sign-in page)",
        )
    ]


def check_security_log_reader(roles: Iterable[Role], has_nondisclosure: bool) -> list[Violation]:
    """SEC-SIGN-IN: the record of sign-ins (who tried which account, from where) is read by
    oversight alone, and only with a nondisclosure acknowledgment on file (MC-NONDISCLOSURE):
    it names the people who work on covers."""
    if Role.OVERSIGHT not in frozenset(roles):
        return [Violation("SEC-SIGN-IN", None, "the security log is read by oversight only")]
    if not has_nondisclosure:
        return [
            Violation(
                "MC-NONDISCLOSURE",
                None,
                "reading the security log needs a signed nondisclosure acknowledgment on file",
            )
        ]
    return []


def door(path: str) -> str:
    """Which door a sign-in came through, from the path it was sent to."""
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "page"
