"""MC-DISCOVERY: an order's data produced for a legal proceeding, 39 CFR 233.3(h)(3).

A discovery package is a disclosure outside the service like any other (PA-ACCOUNT): it
names the proceeding it answers and the person it goes to, with an address, and it is
refused where the order releases nothing (ruled improper: its data is destroyed; an
emergency order never confirmed in writing).
"""

from __future__ import annotations

from dataclasses import dataclass

from mailcover.law.errors import Violation

LONGEST = 300


@dataclass(frozen=True)
class DiscoveryDraft:
    """What a discovery package answers, and to whom it goes."""

    proceeding: str  # the case caption and docket number
    court: str
    recipient_name: str  # counsel for the subject, or the court
    recipient_address: str


def check_discovery(draft: DiscoveryDraft) -> list[Violation]:
    """Every field named, on one line, of a sensible length."""
    found = []
    for name, value, what in (
        ("proceeding", draft.proceeding, "the proceeding (caption and docket number)"),
        ("court", draft.court, "the court"),
        ("recipient_name", draft.recipient_name, "who receives the package"),
        ("recipient_address", draft.recipient_address, "the recipient's address"),
    ):
        text = value.strip()
        if not text:
            found.append(Violation("MC-DISCOVERY", name, f"name {what}"))
        elif len(text) > LONGEST:
            found.append(Violation("MC-DISCOVERY", name, f"at most {LONGEST} characters"))
        elif any(ord(c) < 32 or ord(c) == 127 for c in text):
            found.append(
                Violation("MC-DISCOVERY", name, "control characters and line breaks are refused")
            )
    return found


PURPOSE = "discovery in a legal proceeding (39 CFR 233.3(h)(3))"


def purpose(draft: DiscoveryDraft) -> str:
    """The purpose the accounting records (PA-ACCOUNT). The caption names the subject
    ("United States v. ...") and the court is typed by the caller: on the append-only
    ledger they go only as digests (`proceeding_digest`), so the purpose is this phrase."""
    del draft
    return PURPOSE


def proceeding_digest_text(draft: DiscoveryDraft) -> str:
    """What the ledger's `proceeding_sha256` digests: the caption and the court, one a line,
    as the package's recipient can recompute them from the papers of the proceeding."""
    return f"{draft.proceeding.strip()}\n{draft.court.strip()}"
