"""The discovery package of an order (MC-DISCOVERY): its data, for a legal proceeding.

A ZIP whose bytes depend only on the order's data and the moment of export: members in
a fixed order, each dated at the export, with a manifest of their SHA-256. It is built
in memory and handed over at once; the service keeps no copy (the data stays sealed
under the order's key), and the ledger keeps the package's hashes, so what was handed
over can be proven afterwards.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Any

from mailcover.covers.captures import exteriors, read_image
from mailcover.covers.models import Capture, CoverOrder
from mailcover.law.discovery import DiscoveryDraft
from mailcover.law.orders import order_status
from mailcover.ledger.accounting import spreadsheet_safe
from mailcover.ledger.entries import format_time

CAPTURE_COLUMNS = [
    "piece_id",
    "scanned_at",
    "facility",
    "mail_class",
    "imb",
    "addressee",
    "return_address",
    "matched_on",
    "image",
    "capture_sha256",
    "feed",
    "fed_by",
]


@dataclass(frozen=True)
class Package:
    """A discovery package: its bytes, name, digest, and what it holds."""

    name: str
    data: bytes
    sha256: str
    members: dict[str, str]  # member name -> SHA-256
    captures: int
    images: int


def build(order: CoverOrder, draft: DiscoveryDraft, now: datetime) -> Package:
    """The package of everything `order` holds, as it stands at `now`."""
    captures = list(
        Capture.objects.filter(order=order).select_related("fed_by").order_by("scanned_at", "pk")
    )
    members: dict[str, bytes] = {
        "order.json": _json(_order_record(order, now)),
        "requests.json": _json(_requests(order)),
        "captures.csv": _captures_csv(captures),
        "attorney_exclusions.csv": _exclusions_csv(order),
    }
    images = 0
    for capture in captures:
        if capture.image:
            members[_image_member(capture)] = read_image(capture)
            images += 1
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}
    manifest = {
        "case_number": order.case_number,
        "proceeding": draft.proceeding.strip(),
        "court": draft.court.strip(),
        "recipient": {"name": draft.recipient_name.strip(), "address": draft.recipient_address},
        "exported_at": format_time(now),
        "members": digests,
        "provenance": _provenance(captures),
    }
    members["manifest.json"] = _json(manifest)
    data = _zip(members, now)
    return Package(
        name=f"discovery-{order.case_number}.zip",
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        members={**digests, "manifest.json": hashlib.sha256(members["manifest.json"]).hexdigest()},
        captures=len(captures),
        images=images,
    )


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _order_record(order: CoverOrder, now: datetime) -> dict[str, Any]:
    facts = order.facts()
    ruling = getattr(order, "improper_ruling", None)
    indictment = getattr(order, "indictment", None)
    confirmation = getattr(order, "emergency_confirmation", None)
    return {
        "case_number": order.case_number,
        "agency": order.agency.name,
        "grounds": order.request.grounds,
        "scope": order.request.scope,
        "status_at_export": order_status(facts, now).value,
        "periods": [
            {"starts_at": format_time(p.starts_at), "ends_at": format_time(p.ends_at)}
            for p in facts.periods
        ],
        "emergency_confirmed_at": format_time(confirmation.confirmed_at) if confirmation else None,
        "indictment_filed_on": indictment.filed_on.isoformat() if indictment else None,
        "ruled_improper_at": format_time(ruling.ruled_at) if ruling else None,
        "reviews": [format_time(r.reviewed_at) for r in order.reviews.order_by("reviewed_at")],
    }


def _requests(order: CoverOrder) -> list[dict[str, Any]]:
    """The request and its extensions, each as filed, with the decision on it."""
    filed = [order.request, *order.extension_requests.order_by("filed_at", "pk")]
    out = []
    for request in filed:
        decision = getattr(request, "decision", None)
        out.append(
            {
                "case_number": request.case_number,
                "kind": request.kind,
                "filed_at": format_time(request.filed_at),
                "as_filed": request.body,
                "as_filed_sha256": request.body_sha256,
                "decision": None
                if decision is None
                else {
                    "outcome": decision.outcome,
                    "days": decision.days,
                    "decided_at": format_time(decision.decided_at),
                },
            }
        )
    return out


def _image_member(capture: Capture) -> str:
    return f"images/{capture.piece_id}{PurePosixPath(capture.image).suffix}"


def _captures_csv(captures: list[Capture]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CAPTURE_COLUMNS)
    for capture, seen in zip(captures, exteriors(captures), strict=True):
        writer.writerow(
            [
                spreadsheet_safe(capture.piece_id),
                format_time(capture.scanned_at),
                spreadsheet_safe(capture.facility),
                capture.mail_class,
                seen.imb or "",
                spreadsheet_safe(" / ".join(seen.addressee or ())),
                spreadsheet_safe(" / ".join(seen.return_address or ())),
                capture.matched_on,
                _image_member(capture) if capture.image else "",
                capture.sha256,
                capture.feed,
                spreadsheet_safe(_fed_by(capture)),
            ]
        )
    return out.getvalue().encode()


def _fed_by(capture: Capture) -> str:
    return capture.fed_by.username if capture.fed_by is not None else ""


# What each feed is, for the court: a piece planted through one shows who could have.
FEEDS = {
    "api": "POST /api/v1/mail-pieces, by the operator account named in fed_by, bound to "
    "the facilities it feeds",
    "cli": "`mailcover ingest` on the server's own shell (no account)",
    "demo": "the demonstration's synthetic stream",
    "": "not recorded (kept before feeds were recorded)",
}


def _provenance(captures: list[Capture]) -> dict[str, Any]:
    """SEC-OPERATOR: which feeds and accounts delivered the package's captures, so the
    other side can test where each piece came from (captures.csv names each one's)."""
    counts: dict[tuple[str, str], int] = {}
    for capture in captures:
        key = (capture.feed, _fed_by(capture))
        counts[key] = counts.get(key, 0) + 1
    return {
        "feeds": {feed: FEEDS.get(feed, feed) for feed in sorted({f for f, _ in counts})},
        "captures_by_feed": [
            {"feed": feed, "fed_by": who or None, "captures": n}
            for (feed, who), n in sorted(counts.items())
        ],
    }


def _exclusions_csv(order: CoverOrder) -> bytes:
    """MC-ATTORNEY: only the count of attorney mail withheld, per day, was ever kept."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["scanned_on", "pieces_withheld"])
    for row in order.attorney_exclusions.order_by("scanned_on"):
        writer.writerow([row.scanned_on.isoformat(), row.pieces])
    return out.getvalue().encode()


def _zip(members: dict[str, bytes], now: datetime) -> bytes:
    stamp = now.astimezone(UTC).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    return buffer.getvalue()
