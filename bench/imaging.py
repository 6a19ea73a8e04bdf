"""Benchmark of reading mail from its photograph: OCR, barcode, and captures from images alone.

`matching.synth` makes ORDERS orders and a stream about them; ENVELOPES of its pieces (those
that the law says an order must capture, and as many that it must not, alternately) are drawn
at a noise level, with the piece's addressee lines, return address and barcode (when the piece
has one), by each of two renderers: `imaging.render` (seeds from SEED), which the reader was
developed against, and `imaging.render2` (seeds from HELD_OUT_SEED, its own faces, layouts and
noise levels), which it was not. Each image is stored as JPEG bytes and read back end to end
(`open_image`, then `read_envelope`: the OCR engine and the bar reader, in this process, one
core).
Figures per renderer and level:

* `cer`: character error rate of the addressee block (Levenshtein distance between the lines
  read and the lines drawn, joined by newlines, over the length of what was drawn);
* `zip_exact`: the share whose last line read carries the drawn ZIP exactly;
* `barcode_decoded`: of envelopes with a barcode, the share decoded to the very code drawn;
* `capture_recall`: of pieces the law says must be captured, the share the matcher captures
  when it is given the image's reading alone (no text, no bars from the stream);
  `capture_precision` likewise; `text_capture_recall` and `text_capture_precision` the same
  with the bars left out (the text read is all the matcher has), which is what re-spacing
  can change;
* `raw` and `respaced`: those text figures for the engine's lines as read, and after
  `imaging.spacing.respace_address` (what `read_envelope` gives): one reading, two scores;
  `respaced_envelopes`, how many addressee blocks re-spacing changed;
* `images_per_s`: envelopes read per second end to end (decode, read, barcode, re-space),
  `decode_per_s` the same JPEG bytes decoded alone in the same run, `ratio_to_decode` the
  first over the second (the figure that survives a loaded machine); `cpu_images_per_s` and
  `cpu_ratio_to_decode` the same from the process's CPU time (what one core does when no
  other process takes it);
* `pool_images_per_s` and `pool_ratio_to_decode` (with `--workers N`): the same JPEG bytes
  read again end to end by a `read.ReaderPool` of N worker processes, wall time, over the
  same decoding time;
* `engine`, `strong_rereads`: the reader (`lines`, the default, or `rapidocr`, RapidOCR
  over the whole image, the reader before it) and how many words it read again with RapidOCR.

Default noise on ENVELOPES envelopes per renderer; the two harder levels on
HARDER_ENVELOPES each (with two renderers, as many images as one renderer at 500 and 150).
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
ENVELOPES = 250
HARDER_ENVELOPES = 75
SEED = 233
HELD_OUT_SEED = 880_001
"""The second renderer's seeds: never those of the first, nor of any test."""
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


def scores(
    index: Any, drawn_and_read: list[tuple[Any, Any, tuple[str, ...], tuple[str, ...] | None,
    tuple[str, ...] | None, str | None]],
) -> dict[str, Any]:  # fmt: skip
    """CER, ZIP exact and capture recall/precision of one set of readings."""
    from rapidfuzz.distance import Levenshtein

    from mailcover.matching import synth

    errors = chars = zips = true_pos = found = right = text_found = text_right = 0
    for event, truth, drawn, addressee, back, imb in drawn_and_read:
        read_text = "\n".join(addressee or ())
        errors += Levenshtein.distance(read_text, "\n".join(drawn))
        chars += len("\n".join(drawn))
        zips += zip_of(addressee) == zip_of(drawn) != ""
        read_event = {
            **event,
            "imb": imb,
            "addressee": list(addressee) if addressee else None,
            "return_address": list(back) if back else None,
        }
        piece = synth.piece_of(read_event)
        captured = {c.order_id for c in index.match(piece, NOW).captures}
        expected = set(truth.captures)
        true_pos += len(expected)
        found += len(captured)
        right += len(captured & expected)
        text_piece = synth.piece_of({**read_event, "imb": None})
        text_only = {c.order_id for c in index.match(text_piece, NOW).captures}
        text_found += len(text_only)
        text_right += len(text_only & expected)
    n = len(drawn_and_read)
    if not n:
        return {}
    return {
        "cer": round(errors / chars, 4),
        "zip_exact": round(zips / n, 4),
        "capture_recall": round(right / true_pos, 4) if true_pos else None,
        "capture_precision": round(right / found, 4) if found else None,
        "text_capture_recall": round(text_right / true_pos, 4) if true_pos else None,
        "text_capture_precision": round(text_right / text_found, 4) if text_found else None,
    }


def level(
    orders: list[Any],
    chosen: list[tuple[dict[str, Any], Any]],
    renderer: str,
    noise: str,
    engine: Any,
    pool: Any,
) -> dict[str, Any]:
    from mailcover.imaging.read import ImageError, open_image, read_envelope
    from mailcover.imaging.render import NOISE, Envelope, encoded, render
    from mailcover.imaging.render2 import OTHER_NOISE, render_other
    from mailcover.imaging.spacing import respace_address
    from mailcover.matching import MatchIndex
    from mailcover.postal.imb import read

    index = MatchIndex.build(orders)
    bars_total = bars_read = 0
    seconds = decode_seconds = cpu_seconds = decode_cpu_seconds = 0.0
    raw: list[Any] = []
    spaced: list[Any] = []
    jpegs: list[bytes] = []
    rereads = getattr(engine, "rereads", 0)
    for number, (event, truth) in enumerate(chosen):
        drawn = tuple(event["addressee"])
        envelope = Envelope(
            addressee=drawn,
            return_address=tuple(event["return_address"]) if event.get("return_address") else None,
            bars=event.get("imb") if not truth.damaged else None,
        )
        if renderer == "render":
            image = render(envelope, NOISE[noise], seed=SEED + number).image
        else:
            image = render_other(envelope, OTHER_NOISE[noise], seed=HELD_OUT_SEED + number).image
        data = encoded(image, "JPEG", 92)
        jpegs.append(data)
        started, cpu = time.perf_counter(), time.process_time()
        open_image(data)
        decode_seconds += time.perf_counter() - started
        decode_cpu_seconds += time.process_time() - cpu
        started, cpu = time.perf_counter(), time.process_time()
        reading = read_envelope(open_image(data), respace=False, engine=engine)
        addressee = respace_address(reading.addressee) if reading.addressee else None
        back = respace_address(reading.return_address) if reading.return_address else None
        seconds += time.perf_counter() - started
        cpu_seconds += time.process_time() - cpu
        if envelope.bars:  # the same code, whichever way up the bars were drawn
            bars_total += 1
            bars_read += (
                reading.imb is not None and read(reading.imb).imb == read(envelope.bars).imb
            )
        raw.append((event, truth, drawn, reading.addressee, reading.return_address, reading.imb))
        spaced.append((event, truth, drawn, addressee, back, reading.imb))
        if number % 25 == 24:
            progress(f"{renderer} {noise}: {number + 1} of {len(chosen)}")
    n = len(chosen)
    pooled: dict[str, Any] = {}
    if pool is not None:
        started = time.perf_counter()
        failed = sum(isinstance(r, ImageError) for r in pool.read_all(jpegs))
        pool_seconds = time.perf_counter() - started
        pooled = {
            "workers": pool.workers,
            "pool_images_per_s": round(n / pool_seconds, 2),
            "pool_ratio_to_decode": round(decode_seconds / pool_seconds, 4),
            "pool_failed": failed,
        }
    return {
        "engine": engine.name,
        "strong_rereads": getattr(engine, "rereads", 0) - rereads,
        **pooled,
        "envelopes": n,
        "raw": scores(index, raw),
        "respaced": scores(index, spaced),
        "respaced_envelopes": sum(r[3] != s[3] for r, s in zip(raw, spaced, strict=True)),
        "barcode_decoded": round(bars_read / bars_total, 4) if bars_total else None,
        "with_barcode": bars_total,
        "images_per_s": round(n / seconds, 2),
        "decode_per_s": round(n / decode_seconds, 1),
        "ratio_to_decode": round(decode_seconds / seconds, 4),
        "cpu_images_per_s": round(n / cpu_seconds, 2),
        "cpu_ratio_to_decode": round(decode_cpu_seconds / cpu_seconds, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--envelopes", type=int, default=ENVELOPES)
    parser.add_argument("--harder-envelopes", type=int, default=HARDER_ENVELOPES)
    parser.add_argument("--renderers", default="render,render2")
    parser.add_argument(
        "--engine",
        choices=("lines", "rapidocr"),
        default="lines",
        help="lines: the default reader (imaging.linereader); rapidocr: RapidOCR alone over "
        "the whole image, the reader before it",
    )
    parser.add_argument(
        "--workers", type=int, default=0, help="also read each level with a pool of N workers"
    )
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    import cv2
    from PIL import Image

    from mailcover.imaging.linereader import LineReader
    from mailcover.imaging.ocr import RapidOcr
    from mailcover.imaging.read import ReaderPool, load_models
    from mailcover.matching import synth

    cv2.setNumThreads(1)  # one core, as a reader's worker runs
    load_models()  # the ZIP Codes' list and the default engine, before any clock
    engine: Any = LineReader(strong=RapidOcr()) if args.engine == "lines" else RapidOcr()
    if isinstance(engine, LineReader):
        engine.load()
    else:
        engine.lines(Image.new("L", (400, 200), 255))
    pool = ReaderPool(args.workers) if args.workers > 0 else None
    if pool is not None:
        if args.engine != "lines":
            parser.error("--workers reads with the default engine only (--engine lines)")
        pool.start()

    orders = synth.orders(ORDERS, SEED, NOW)
    result: dict[str, Any] = {}
    for renderer in args.renderers.split(","):
        result[renderer] = {}
        for noise, count in (
            ("default", args.envelopes),
            ("hard", args.harder_envelopes),
            ("harder", args.harder_envelopes),
        ):
            if count <= 0:
                continue
            progress(f"{renderer} {noise}: {count} envelopes")
            result[renderer][noise] = level(
                orders, pieces(orders, count), renderer, noise, engine, pool
            )
        default = result[renderer].get("default")
        if default and default["respaced"]:
            result[renderer]["targets_met"] = {
                "barcode_decoded": (default["barcode_decoded"] or 0) >= TARGETS["barcode_decoded"],
                "cer": default["respaced"]["cer"] <= TARGETS["cer"],
                "zip_exact": default["respaced"]["zip_exact"] >= TARGETS["zip_exact"],
            }
    if pool is not None:
        pool.close()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
