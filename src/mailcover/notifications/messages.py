"""The words of each e-mail. A message names no case: no subject, address, agency, grounds,
facts, outcome or case number, since an e-mail leaves the service's control (it is copied
to mail servers and phones, forwarded, read over a shoulder). It says what kind of thing
waits and links to the page, where the person signs in and the law decides what they see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Message:
    subject: str
    lines: tuple[str, ...]
    path: str
    """The page the message points to, from the site's root (e.g. /requests/12)."""

    def body(self, base_url: str) -> str:
        link = base_url.rstrip("/") + self.path
        return "\n\n".join(
            [
                *self.lines,
                f"Open it in mailcover: {link}",
                "This message says nothing about the case on purpose: sign in to read it. "
                "It was sent by mailcover because of your role; do not reply to it.",
            ]
        )


def _utc(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def request_waiting(path: str) -> Message:
    return Message(
        "A mail cover request waits for your decision",
        ("A mail cover request has been filed that you may decide.",),
        path,
    )


def decision_made(path: str) -> Message:
    return Message(
        "A decision was made on your mail cover request",
        ("An official has decided a mail cover request you filed.",),
        path,
    )


def confirmation_due(path: str, deadline: datetime) -> Message:
    return Message(
        "An emergency mail cover needs its written confirmation",
        (
            "An emergency mail cover your agency asked for must be confirmed in writing "
            f"before {_utc(deadline)} (39 CFR 233.3(e)(3)); unconfirmed, it stops capturing "
            "and releases nothing.",
        ),
        path,
    )


def order_ends(path: str, ends_at: datetime) -> Message:
    return Message(
        "A mail cover order ends soon",
        (
            f"A mail cover order your agency holds ends at {_utc(ends_at)}. An extension, if "
            "one is needed, is filed from the order's page before then.",
        ),
        path,
    )


def review_due(path: str, due_at: datetime) -> Message:
    return Message(
        "A mail cover order is due for its periodic review",
        (f"A mail cover order is due for its periodic review by {_utc(due_at)}.",),
        path,
    )


def notice_sent(path: str) -> Message:
    return Message(
        "The customer notice of your records request was sent",
        ("The notice owed to the customer (RR-NOTICE) for a records request you filed was sent.",),
        path,
    )
