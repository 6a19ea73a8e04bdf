"""Benchmark of reading mail from its photograph: OCR, barcode, and captures from images alone.

`matching.synth` makes ORDERS orders and a stream about them; ENVELOPES of its pieces (those
that the law says an order must capture, and as many that it must not, alternately) are drawn
by `imaging.render` at a noise level, with the piece's addressee lines, return address and
barcode (when the piece has one), and read back by `imaging.read.read_envelope` (RapidOCR and
the bar reader, in this process, one core). Figures per level:

* `cer`: character error rate of the addressee block (Levenshtein distance between the lines
  read and the lines drawn, joined by newlines, over the length of what was drawn);
* `zip_exact`: the share whose last line read carries the drawn ZIP exactly;
* `barcode_decoded`: of envelopes with a barcode, the share decoded to the very code drawn
  (tracking and routing; the stream draws 1% of its bars upside down);
* `capture_recall`: of pieces the law says must be captured, the share the matcher captures
  when it is given the image's reading alone (no text, no bars from the stream);
  `capture_precision` likewise;
* `images_per_s`: envelopes read per second (reading only, not drawing).

Default noise on ENVELOPES envelopes; the two harder levels on HARDER_ENVELOPES each.
Prints one JSON line on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from typing import Any

ORDERS = 60
ENVELOPES = 500
HARDER_ENVELOPES = 150
SEED = 233
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
TARGETS = {"barcode_decoded": 0.99, "cer": 0.02, "zip_exact": 0.98}


def progress(message: str) -> None:
    print(f"[bench/imaging] {message}", file=sys.stderr, flush=True)


def pieces(orders: list[Any], count: int) -> list[tuple[dict[str, Any], Any]]:
    """`count` pieces with addressee lines: captured ones and others, alternately."""
    from mailcover.matching import synth

    positive: list[tuple[dict[str, Any], Any]] = []
    negative: list[tuple[dict[str, Any], Any]] = []
    # Printed mail: the stream's own OCR-like slips are off, the camera and the engine make
    # their own.
    printed = synth.Mix(ocr=0.0, city_ocr=0.0, odd_case=0.0, punctuation=0.0, damaged=0.0)
    for event, truth in synth.stream(orders, count * 20, SEED, NOW, printed):
        if not event.get("addressee"):
            continue
        (positive if truth.captures else negative).append((event, truth))
    chosen = []
    for pair in zip(positive, negative, strict=False):
        chosen.extend(pair)
    return chosen[:count]


def zip_of(lines: tuple[str, ...] | list[str] | None) -> str:
    import re

    if not lines:
        return ""
    found = re.findall(r"\d{5}", lines[-1])
    return found[0] if found else ""


def level(
    orders: list[Any], chosen: list[tuple[dict[str, Any], Any]], noise: str
) -> dict[str, Any]:
    from rapidfuzz.distance import Levenshtein

    from mailcover.imaging.read import read_envelope
    from mailcover.imaging.render import NOISE, Envelope, render
    from mailcover.matching import MatchIndex, synth
    from mailcover.postal.imb import read

    index = MatchIndex.build(orders)
    errors = chars = zips = bars_total = bars_read = 0
    true_pos = found = right = 0
    seconds = 0.0
    for number, (event, truth) in enumerate(chosen):
        drawn = tuple(event["addressee"])
        envelope = Envelope(
            addressee=drawn,
            return_address=tuple(event["return_address"]) if event.get("return_address") else None,
            bars=event.get("imb") if not truth.damaged else None,
        )
        image = render(envelope, NOISE[noise], seed=SEED + number).image
        started = time.perf_counter()
        reading = read_envelope(image)
        seconds += time.perf_counter() - started
        read_text = "\n".join(reading.addressee or ())
        errors += Levenshtein.distance(read_text, "\n".join(drawn))
        chars += len("\n".join(drawn))
        zips += zip_of(reading.addressee) == zip_of(drawn) != ""
        if envelope.bars:  # the same code, whichever way up the bars were drawn
            bars_total += 1
            bars_read += (
                reading.imb is not None and read(reading.imb).imb == read(envelope.bars).imb
            )
        piece = synth.piece_of(
            {
                **event,
                "imb": reading.imb,
                "addressee": list(reading.addressee) if reading.addressee else None,
                "return_address": list(reading.return_address) if reading.return_address else None,
            }
        )
        captured = {c.order_id for c in index.match(piece, NOW).captures}
        expected = set(truth.captures)
        true_pos += len(expected)
        found += len(captured)
        right += len(captured & expected)
        if number % 50 == 49:
            progress(f"{noise}: {number + 1} of {len(chosen)}")
    n = len(chosen)
    return {
        "envelopes": n,
        "cer": round(errors / chars, 4),
        "zip_exact": round(zips / n, 4),
        "barcode_decoded": round(bars_read / bars_total, 4) if bars_total else None,
        "with_barcode": bars_total,
        "capture_recall": round(right / true_pos, 4) if true_pos else None,
        "capture_precision": round(right / found, 4) if found else None,
        "images_per_s": round(n / seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envelopes", type=int, default=ENVELOPES)
    parser.add_argument("--harder-envelopes", type=int, default=HARDER_ENVELOPES)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from mailcover.matching import synth

    orders = synth.orders(ORDERS, SEED, NOW)
    result: dict[str, Any] = {}
    for noise, count in (
        ("default", args.envelopes),
        ("hard", args.harder_envelopes),
        ("harder", args.harder_envelopes),
    ):
        progress(f"{noise}: {count} envelopes")
        result[noise] = level(orders, pieces(orders, count), noise)
    default = result["default"]
    result["targets_met"] = {
        "barcode_decoded": (default["barcode_decoded"] or 0) >= TARGETS["barcode_decoded"],
        "cer": default["cer"] <= TARGETS["cer"],
        "zip_exact": default["zip_exact"] >= TARGETS["zip_exact"],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
