"""The reference that lets a capture's image be fetched from the captures page.

Every image shown is a disclosure on the ledger (PA-ACCOUNT). An `<img>` is fetched by GET,
and a GET is what a link on another site can make a signed-in browser send: were the image
served to any GET, a cross-site page could write disclosures under its visitor's name. So
the image is served only with a reference that the captures page, a CSRF-checked POST,
issued to this person for this piece, and only for a short while after.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import signing

SALT = "mailcover.covers.capture-image"
LIFETIME = timedelta(minutes=15)


class RefusedReference(Exception):
    """The reference is missing, altered, another's, or expired; the message says which."""


def issue(user_id: int, order_id: int, piece_id: str, now: datetime) -> str:
    return signing.dumps(
        {"user": user_id, "order": order_id, "piece": piece_id, "at": int(now.timestamp())},
        salt=SALT,
    )


def check(ref: str | None, user_id: int, order_id: int, piece_id: str, now: datetime) -> None:
    """Raise RefusedReference unless `ref` was issued to this person for this piece of this
    order less than LIFETIME before `now`."""
    if not ref:
        raise RefusedReference(
            "an image of a capture opens only from its order's captures, after “Show the captures”"
        )
    try:
        value = signing.loads(ref, salt=SALT)
    except signing.BadSignature:
        raise RefusedReference("this image reference is not one mailcover issued") from None
    wanted = {"user": user_id, "order": order_id, "piece": piece_id}
    if not isinstance(value, dict) or {k: value.get(k) for k in wanted} != wanted:
        raise RefusedReference("this image reference was issued for another piece or person")
    issued = datetime.fromtimestamp(int(value.get("at", 0)), tz=now.tzinfo)
    if not timedelta(0) <= now - issued <= LIFETIME:
        raise RefusedReference(
            "this image reference expired; show the captures again to see the image"
        )
