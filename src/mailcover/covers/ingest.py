"""The mail stream into captures: the imperative shell around `mailcover.matching`.

`Ingestor` reads events (JSON Lines from `mailcover ingest`, or the array of
`POST /api/v1/mail-pieces`), matches each against the index of orders in force and
stores what an order covers as a `Capture`, with a `capture.recorded` entry on the
ledger in the same transaction. Everything else is dropped and counted: at the end one
`StreamTally` row and one `mail.ingested` ledger entry hold the counts, and MC-ATTORNEY
exclusions are counted per order and day. A bad item is refused with its number and a
reason that quotes nothing of it (`matching.events`); the rest goes on.

The index of orders in force is `covers.in_force.OrderIndex`. Whether a piece is recorded
is decided by `law.orders.may_record` twice: when it is matched, against the index's
orders, and when its capture is written, against the order as the database holds it then;
so a stale index can miss a piece, never keep one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from mailcover.accounts.models import User
from mailcover.covers import captures
from mailcover.covers.in_force import OrderIndex
from mailcover.covers.models import (
    AttorneyExclusion,
    Capture,
    StreamTally,
)
from mailcover.covers.photographs import FolderImages, photograph_alone
from mailcover.imaging.read import (
    EnvelopeReader,
    EnvelopeReading,
    ImageError,
    ReaderPool,
    open_image,
)
from mailcover.law import operators
from mailcover.law.orders import may_record
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName
from mailcover.matching import Capture as Captured
from mailcover.matching import MatchError, MatchResult, Outcome, Piece
from mailcover.matching.events import EventError, piece_from, read_line

log = logging.getLogger(__name__)

BATCH_LIMIT = 5000
"""Pieces in one `POST /api/v1/mail-pieces`; items past it are rejected one by one."""

READ_AHEAD = 16
"""Lines whose photographs are read at once by the reader processes (`Ingestor.feed_lines`)."""

FLUSH_CAPTURES = 500
FLUSH_SECONDS = 1.0
"""Captures are written in one transaction per FLUSH_CAPTURES, or after FLUSH_SECONDS of
wall time (checked at each piece; `finish` writes the rest)."""

IMAGE_ONLY_OVER = (
    "a piece with an image and neither addressee nor barcode is read by OCR, and this "
    "batch already holds as many as one request may; send photographs through `mailcover "
    "ingest` on the server"
)


# --- one ingest ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    index: int
    error: str


@dataclass
class Summary:
    """What became of the pieces of one ingest. `matched` pieces were captured under at
    least one order; `captured` counts new captures, `already_captured` the ones an earlier
    ingest of the same piece had stored (idempotent on piece_id)."""

    received: int = 0
    matched: int = 0
    captured: int = 0
    already_captured: int = 0
    excluded: int = 0
    outside_window: int = 0
    unreadable: int = 0
    no_order: int = 0
    rejected_items: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Every count, for the `StreamTally`, the ledger and the one who runs the ingest."""
        return {
            "received": self.received,
            "matched": self.matched,
            "captured": self.captured,
            "already_captured": self.already_captured,
            "excluded": self.excluded,
            "outside_window": self.outside_window,
            "unreadable": self.unreadable,
            "no_order": self.no_order,
            "rejected": self.rejected_items,
        }

    def for_operator(self) -> dict[str, Any]:
        """The API's answer (SEC-OPERATOR, `law.operators.OPERATOR_ANSWER`): how many items
        came and which were refused, why. Every other count depends on which orders are in
        force: `matched` would confirm that an address is under cover, `excluded` that a
        return address is the subject's attorney's. They stay in the tally and on the
        ledger, for oversight; a rejection's reason never depends on coverage."""
        return {
            "received": self.received,
            "rejected": [{"index": r.index, "error": r.error} for r in self.rejected],
        }


@dataclass
class _Held:
    """The captures of one piece, waiting for the next flush (with its image, if any)."""

    captures: tuple[Captured, ...]
    at: datetime
    image: bytes | None = None
    ocr_confidence: float | None = None
    """Of the addressee lines, when they were read from the image (None: sent as text)."""


class Ingestor:
    """One ingest: feed it events or lines, then `finish()` for the summary."""

    def __init__(
        self,
        source: str,
        operator: User | None = None,
        *,
        orders: OrderIndex | None = None,
        clock: Callable[[], datetime] = timezone.now,
        on_reject: Callable[[Rejection], None] | None = None,
        images: FolderImages | None = None,
        reader: EnvelopeReader | None = None,
        facilities: frozenset[str] | None = None,
        ocr_limit: int | None = None,
        readers: int = 1,
    ) -> None:
        self.source = source
        self.operator = operator
        # SEC-OPERATOR: the facilities an operator account feeds; None on the server's own
        # shell (`mailcover ingest`), which is bound to none.
        self.facilities = operators.bound_facilities(facilities) if facilities is not None else None
        # Pieces this ingest may read by OCR (None: no limit, on the server's shell); the web
        # server refuses a batch over it first (`image_only`), this holds the line anyway.
        self.ocr_left = ocr_limit
        self.orders = orders or OrderIndex(clock)
        self.clock = clock
        self.on_reject = on_reject
        self.images = images or FolderImages(None)
        self.reader = reader
        # Reader processes for photographs read ahead (`feed_lines`); only on the server's
        # shell, where no OCR budget is counted piece by piece.
        if readers > 1 and (ocr_limit is not None or facilities is not None):
            raise ValueError("photographs are read ahead only by the server's own ingest")
        self.readers = max(1, readers)
        self._pool: ReaderPool | None = None
        self._read_ahead: dict[int, tuple[bytes, EnvelopeReading | ImageError]] = {}
        self.summary = Summary()
        self.started_at = clock()
        self._held: list[_Held] = []
        self._held_captures = 0
        # MC-ATTORNEY: pieces withheld, by order and day of scan, counted at the next flush
        # (an UPDATE a piece would cost more than matching it).
        self._exclusions: Counter[tuple[int, date]] = Counter()
        self._flushed_at = time.monotonic()

    def feed_line(self, number: int, line: bytes | str) -> None:
        """One line of JSON Lines; `number` counts from 1. Blank lines are skipped."""
        if not line or line.isspace():  # what strip() would empty, without copying the line
            return
        try:
            event = read_line(line)
        except EventError as error:
            self.reject(number, str(error))
            return
        self.feed(number, event)

    def feed_lines(self, lines: Iterable[tuple[int, bytes | str]]) -> None:
        """Numbered lines, each becoming what `feed_line` makes of it. With `readers` above
        one, the photographs sent alone in each window of READ_AHEAD lines are read at once,
        one a reader process (both cores, on two), before the window's pieces are fed in order."""
        if self.readers == 1:
            for number, line in lines:
                self.feed_line(number, line)
            return
        window: list[tuple[int, bytes | str]] = []
        for item in lines:
            window.append(item)
            if len(window) >= READ_AHEAD:
                self._feed_window(window)
                window = []
        if window:
            self._feed_window(window)

    def _feed_window(self, window: list[tuple[int, bytes | str]]) -> None:
        read: list[tuple[int, Any]] = []
        for number, line in window:
            if not line or line.isspace():
                continue
            try:
                read.append((number, read_line(line)))
            except EventError as error:
                read.append((number, error))
        self._read_photographs([(n, e) for n, e in read if not isinstance(e, EventError)])
        try:
            for number, event in read:
                if isinstance(event, EventError):
                    self.reject(number, str(event))
                else:
                    self.feed(number, event)
        finally:
            self._read_ahead.clear()

    def _read_photographs(self, events: list[tuple[int, Any]]) -> None:
        """Read ahead, through the pool, the images of the events that are a photograph
        alone; an image that cannot be loaded is left for `feed`, which refuses it."""
        loaded: list[tuple[int, bytes]] = []
        for number, event in events:
            name = photograph_alone(event)
            if name is None:
                continue
            try:
                loaded.append((number, self.images.load(name)))
            except ImageError:
                continue
        if not loaded:
            return
        if self._pool is None:
            self._pool = ReaderPool(self.readers)
        readings = self._pool.read_all(data for _, data in loaded)
        for (number, data), reading in zip(loaded, readings, strict=True):
            self._read_ahead[number] = (data, reading)

    def feed(self, number: int, event: Any) -> None:
        """One event (a parsed JSON value); `number` is how the caller counts items."""
        self.summary.received += 1
        now = self.clock()
        try:
            piece = piece_from(event, now)
        except EventError as error:
            self._reject(number, str(error))
            return
        del event
        if self.facilities is not None:
            refused = operators.check_feed_facility(piece.facility, self.facilities)
            if refused:
                self._reject(number, f"{refused[0].message} ({refused[0].rule})")
                return
        image: bytes | None = None
        ocr_confidence: float | None = None
        if piece.image is not None and piece.addressee is None and piece.imb is None:
            read = self._read_photograph(number, piece)
            if read is None:
                return
            piece, image, ocr_confidence = read
        index = self.orders.current(now)
        try:
            # An operator's feed (facilities bound) reads every address in full: its answer
            # is timed by the sender, and must take as long whatever is under cover.
            result = index.match(piece, now, even=self.facilities is not None)
        except MatchError as error:
            # Counted, not refused: whether matching fails may depend on the orders a piece
            # is compared with, and a rejection would tell the sender (SEC-OPERATOR).
            log.warning("%s", error)
            self.summary.unreadable += 1
            return
        self._count(number, result, piece)
        if result.outcome is Outcome.MATCHED:
            self._hold(result.captures, now, self._image_of(piece, image), ocr_confidence)
        if (self._held or self._exclusions) and (
            time.monotonic() - self._flushed_at >= FLUSH_SECONDS
        ):
            self.flush()

    def _read_photograph(
        self, number: int, piece: Piece
    ) -> tuple[Piece, bytes, float | None] | None:
        """A piece sent as a photograph alone, read by OCR into the piece it shows, with the
        image and the addressee lines' confidence; None when it is refused (and why)."""
        if self.ocr_left is not None:
            if self.ocr_left <= 0:
                self._reject(number, IMAGE_ONLY_OVER)
                return None
            self.ocr_left -= 1
        assert piece.image is not None
        ahead = self._read_ahead.pop(number, None)
        try:
            if ahead is None:
                image = self.images.load(piece.image)
                reading = self._reader().read(image)
            else:
                image, outcome = ahead
                if isinstance(outcome, ImageError):
                    raise outcome
                reading = outcome
        except ImageError as error:
            self._reject(number, f"image: {error}")
            return None
        read = replace(
            piece,
            addressee=reading.addressee,
            return_address=reading.return_address,
            imb=reading.imb,
        )
        return read, image, reading.confidence

    def _count(self, number: int, result: MatchResult, piece: Piece) -> None:
        """A piece's outcome in the summary; MC-ATTORNEY's withheld pieces by order and day."""
        summary = self.summary
        outcome = result.outcome
        if outcome is Outcome.NO_ORDER:
            summary.no_order += 1
        elif outcome is Outcome.MATCHED:
            summary.matched += 1
        elif outcome is Outcome.EXCLUDED_ATTORNEY:
            summary.excluded += 1
        elif outcome is Outcome.OUTSIDE_WINDOW:
            summary.outside_window += 1
        elif result.problem is not None:
            self._reject(number, result.problem)
        else:
            summary.unreadable += 1
        if result.excluded_by_attorney:
            day = piece.scanned_at.astimezone(UTC).date()
            for order_id in result.excluded_by_attorney:
                self._exclusions[order_id, day] += 1

    def reject(self, number: int, error: str) -> None:
        """Refuse an item the caller could not hand over."""
        self.summary.received += 1
        self._reject(number, error)

    def reject_many(self, first: int, count: int, error: str) -> None:
        """Refuse `count` items from `first` on, with one reason (e.g. past a batch limit)."""
        self.summary.received += count
        self._reject(first, error, count)

    def _reject(self, number: int, error: str, count: int = 1) -> None:
        rejection = Rejection(number, error)
        self.summary.rejected.append(rejection)
        self.summary.rejected_items += count
        if self.on_reject is not None:
            self.on_reject(rejection)

    def _reader(self) -> EnvelopeReader:
        if self.reader is None:
            self.reader = EnvelopeReader()
        return self.reader

    def _image_of(self, piece: Piece, loaded: bytes | None) -> bytes | None:
        """A captured piece's image, to be kept with it (only a captured one's is read),
        checked as any image is (`open_image`): what is not one is not kept."""
        if piece.image is None:
            return None
        try:
            data = loaded if loaded is not None else self.images.load(piece.image)
            open_image(data)
        except ImageError as error:
            log.warning("a captured piece's image was not kept: %s", error.code)
            return None
        return data

    def _hold(
        self,
        captures: tuple[Captured, ...],
        now: datetime,
        image: bytes | None = None,
        ocr_confidence: float | None = None,
    ) -> None:
        """Hold a piece's captures for the next flush: captures are written in batches (one
        transaction for up to FLUSH_CAPTURES of them, or every FLUSH_SECONDS of wall time),
        since a transaction per capture costs more than matching thousands of pieces."""
        self._held.append(_Held(captures, now, image, ocr_confidence))
        self._held_captures += len(captures)
        if self._held_captures >= FLUSH_CAPTURES:
            self.flush()

    def flush(self) -> None:
        """Write the held captures, each with its `capture.recorded` ledger entry, in one
        transaction. Each is checked again against its order as it is now (MC-NO-ORDER-NO-
        DATA): an order ruled improper, suspended or ended since the piece was matched gets
        nothing. A piece an order already holds is counted as already captured."""
        held, self._held, self._held_captures = self._held, [], 0
        self._flushed_at = time.monotonic()
        if self._exclusions:
            exclusions, self._exclusions = self._exclusions, Counter()
            _count_exclusions(exclusions)
        if not held:
            return
        try:
            new, old, refused = self._write(held)
        except IntegrityError:
            # Another ingest kept one of these pieces meanwhile: one transaction each.
            new = old = refused = 0
            for one in held:
                try:
                    added, kept, late = self._write([one])
                except IntegrityError:
                    added, kept, late = 0, len(one.captures), 0
                new, old, refused = new + added, old + kept, refused + late
        self.summary.captured += new
        self.summary.already_captured += old
        self.summary.matched -= refused
        self.summary.outside_window += refused

    @transaction.atomic
    def _write(self, held: list[_Held]) -> tuple[int, int, int]:
        """(new captures, captures already kept, pieces no longer recordable at all)."""
        now = self.clock()
        # The orders as the database holds them now: the index, looked at again at once (an
        # order changed since the match rebuilds it; one no longer in force is not in it).
        self.orders.current(now, look_now=True)
        facts = {order.order_id: order.facts for order in self.orders.loaded.orders}
        wanted = {(c.order_id, c.piece.piece_id) for piece in held for c in piece.captures}
        kept = set(
            Capture.objects.filter(
                order_id__in={order for order, _ in wanted},
                piece_id__in={piece for _, piece in wanted},
            ).values_list("order_id", "piece_id")
        )
        new: list[tuple[Captured, _Held]] = []
        old = refused = 0
        for piece in held:
            recordable = [
                c
                for c in piece.captures
                if c.order_id in facts and may_record(facts[c.order_id], c.piece.scanned_at, now)
            ]
            if not recordable:
                refused += 1
                continue
            for capture in recordable:
                key = (capture.order_id, capture.piece.piece_id)
                if key in kept:
                    old += 1
                    continue
                kept.add(key)
                new.append((capture, piece))
        self._store(new, now)
        return len(new), old, refused

    def _store(self, new: list[tuple[Captured, _Held]], now: datetime) -> None:
        """Keep the captures, in one INSERT, and put each on the ledger (inside the flush's
        transaction: a capture and its entry commit together or not at all)."""
        keys: dict[int, bytes] = {}  # each order's key read once for the batch
        rows = [self._row(capture, held, now, keys) for capture, held in new]
        Capture.objects.bulk_create(rows)  # gives each row its pk, which the ledger names
        subjects = self.orders.loaded.subjects
        events = []
        for (capture, held), row in zip(new, rows, strict=True):
            image = held.image
            if row.pk is None:  # a database that does not return the keys of a bulk insert
                raise RuntimeError("the database gave no key for a capture it stored")
            details = {
                "piece_sha256": row.sha256,
                "image_sha256": hashlib.sha256(image).hexdigest() if image is not None else None,
                "matched_on": capture.matched_on.value,
                "feed": self.source,  # provenance: the actor is the account that sent it, if any
            }
            events.append(
                ledger.Event(
                    self.operator,
                    EventName.CAPTURE_RECORDED,
                    case=capture.case_number,
                    subject=subjects.get(capture.order_id),
                    refs={"order": capture.order_id, "capture": row.pk},
                    details=details,
                )
            )
        ledger.record_many(events, now)

    def _row(
        self, capture: Captured, held: _Held, now: datetime, keys: dict[int, bytes]
    ) -> Capture:
        """One capture as it is kept: the exterior sealed under its order's key, its digest
        as the ledger holds it, the image saved once the transaction commits."""
        piece = capture.piece
        image = held.image
        order_id = capture.order_id
        name = captures.image_name(order_id, image) if image is not None else ""
        if image is not None:
            # Written once the capture is committed: a rolled-back capture leaves no image.
            transaction.on_commit(lambda: captures.save_image(order_id, name, image))
        exterior = {
            "piece_id": piece.piece_id,
            "scanned_at": piece.scanned_at.isoformat(),
            "facility": piece.facility,
            "mail_class": piece.mail_class,
            "imb": piece.imb or "",
            "addressee": list(piece.addressee) if piece.addressee is not None else None,
            "return_address": (
                list(piece.return_address) if piece.return_address is not None else None
            ),
        }
        text = json.dumps(exterior, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return Capture(
            order_id=order_id,
            piece_id=piece.piece_id,
            scanned_at=piece.scanned_at,
            facility=piece.facility,
            mail_class=piece.mail_class,
            sealed=captures.seal_exterior(
                order_id,
                piece.piece_id,
                captures.Exterior(piece.imb or None, piece.addressee, piece.return_address),
                keys,
            ),
            matched_on=capture.matched_on.value,
            ocr_confidence=held.ocr_confidence,
            captured_at=now,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            image=name,
            feed=self.source,
            fed_by=self.operator,
        )

    def finish(self) -> Summary:
        """Write the held captures, then keep the counts (a `StreamTally` and a
        `mail.ingested` ledger entry)."""
        self.flush()
        if self.reader is not None:
            self.reader.close()
        if self._pool is not None:
            self._pool.close()
        return self.tally()

    def tally(self) -> Summary:
        """Keep the counts since the last tally (a `StreamTally` and a `mail.ingested` ledger
        entry) and start counting anew: a long-running worker leaves one per interval, not
        one per piece. Call it after `flush`, so the captures it counts are written."""
        now = self.clock()
        summary, counts = self.summary, self.summary.counts()
        with transaction.atomic():
            StreamTally.objects.create(
                source=self.source,
                operator=self.operator,
                started_at=self.started_at,
                finished_at=now,
                **counts,
            )
            ledger.record(
                self.operator, EventName.MAIL_INGESTED, now, source=self.source, counts=counts
            )
        self.summary, self.started_at = Summary(), now
        return summary


@transaction.atomic
def _count_exclusions(exclusions: Counter[tuple[int, date]]) -> None:
    """MC-ATTORNEY: the withheld pieces of a flush, added to each order's count for the day
    they were scanned, in one transaction."""
    for (order_id, day), pieces in sorted(exclusions.items()):
        updated = AttorneyExclusion.objects.filter(order_id=order_id, scanned_on=day).update(
            pieces=F("pieces") + pieces
        )
        if not updated:
            try:
                with transaction.atomic():
                    AttorneyExclusion.objects.create(
                        order_id=order_id, scanned_on=day, pieces=pieces
                    )
            except IntegrityError:  # another ingest made the row meanwhile
                AttorneyExclusion.objects.filter(order_id=order_id, scanned_on=day).update(
                    pieces=F("pieces") + pieces
                )


def ingest_lines(
    lines: Iterable[bytes | str],
    source: str,
    operator: User | None = None,
    **options: Any,
) -> Summary:
    """Every line of a JSON Lines stream, numbered from 1."""
    ingestor = Ingestor(source, operator, **options)
    for number, line in enumerate(lines, 1):
        ingestor.feed_line(number, line)
    return ingestor.finish()
