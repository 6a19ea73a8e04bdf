"""Benchmark of the OCR engines that read the address blocks of envelope images.

N envelopes are drawn by `imaging.render` with realistic text: the addressee's name (Faker,
sometimes with a company line), a normalised address from `matching.synth.address` (its
delivery line and "CITY ST 12345-6789" last line), a return address on most, an IMb on
most, printed above or below the address. Each noise level named (default: "default" and
"hard") renders the same envelopes anew. Every engine reads every image through
`imaging.ocr.read_blocks`, as the ingest path does, and is scored against the text drawn:

* `addressee_cer`: character error rate of the addressee block: the Levenshtein distance
  between the lines read and the lines drawn, each joined by a newline, summed over the
  images, over the summed length of the lines drawn (a block not found costs its length).
* `zip_exact`: the share of images whose last addressee line read ends in the drawn ZIP
  Code's five digits exactly.
* `delivery_point`: the share whose lines read give, through `postal.address.parse_lines`,
  the delivery-point key of the lines drawn (what the matcher keys on).
* `return_cer`: as `addressee_cer`, for the return addresses drawn.
* `images_per_s` and `ms_per_image` (median): reading time of `read_blocks`, on one core
  (the process is pinned to one CPU; the models are loaded before the clock starts), and
  `ratio_to_decode`: the time to decode the same images from JPEG bytes alone, in the same
  run, over the reading time (the figure that survives a loaded machine).

Engines: `lines` (the default: imaging.linereader, Tesseract in-process with RapidOCR's
recogniser on doubted words), `lines-tesseract` (the same without RapidOCR), `rapidocr`
(RapidOCR alone over the whole image) and `tesseract` (the program, per image).

Prints one JSON line on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from faker import Faker
from rapidfuzz.distance import Levenshtein

from mailcover.imaging.linereader import LineReader
from mailcover.imaging.ocr import Engine, RapidOcr, Tesseract, read_blocks
from mailcover.imaging.read import open_image
from mailcover.imaging.render import NOISE, Envelope, encoded, render
from mailcover.matching import synth
from mailcover.postal.address import AddressError, parse_lines
from mailcover.postal.imb import encode

SEED = 2026
ENGINES: dict[str, Callable[[], Engine]] = {
    # The default reader: lines found by geometry, Tesseract in-process, doubted words read
    # again by RapidOCR's recogniser.
    "lines": lambda: LineReader(strong=RapidOcr()),
    # The same lines read by Tesseract in-process alone.
    "lines-tesseract": lambda: LineReader(strong=None),
    # RapidOCR alone over the whole image (detection, angle, recognition): the reader before.
    "rapidocr": RapidOcr,
    # The tesseract program over the whole image, sparse text, one process per image.
    "tesseract": Tesseract,
}


def progress(message: str) -> None:
    print(f"[bench/ocr_engines] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Sample:
    envelope: Envelope
    addressee: tuple[str, ...]
    return_address: tuple[str, ...]


def samples(count: int, seed: int) -> list[Sample]:
    rng = random.Random(seed)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    drawn = []
    for _ in range(count):
        address = synth.address(rng)
        addressee: tuple[str, ...] = (fake.name().upper(),)
        if rng.random() < 0.2:
            addressee += (fake.company().upper(),)
        addressee += address.lines()
        sender: tuple[str, ...] = ()
        if rng.random() < 0.8:
            name = fake.company() if rng.random() < 0.3 else fake.name()
            sender = (name.upper(), *synth.address(rng).lines())
        bars = None
        if rng.random() < 0.8:
            tracking = f"00{rng.randint(100, 999)}{rng.randint(0, 10**15 - 1):015d}"
            bars = encode(tracking, address.zip5 + (address.zip4 or ""))
        envelope = Envelope(addressee=addressee, return_address=sender or None, bars=bars)
        drawn.append(Sample(envelope, addressee, sender))
    return drawn


def _joined(lines: Sequence[str]) -> str:
    return "\n".join(lines)


def _zip5(line: str) -> str | None:
    found = re.search(r"(\d{5})(?:-\d{4})?$", line)
    return found.group(1) if found else None


def _delivery_point(lines: Sequence[str]) -> str | None:
    try:
        return parse_lines(lines).delivery_point_key
    except AddressError:
        return None


def score(
    engine: Engine, images: list[Any], drawn: list[Sample], decode_s: float
) -> dict[str, Any]:
    seconds: list[float] = []
    edits = {"addressee": 0, "return": 0}
    lengths = {"addressee": 0, "return": 0}
    zips = points = 0
    for image, sample in zip(images, drawn, strict=True):
        start = time.perf_counter()
        blocks = read_blocks(image, engine)
        seconds.append(time.perf_counter() - start)
        read = [line.text for line in blocks.addressee]
        edits["addressee"] += Levenshtein.distance(_joined(read), _joined(sample.addressee))
        lengths["addressee"] += len(_joined(sample.addressee))
        if sample.return_address:
            sender = [line.text for line in blocks.return_address]
            edits["return"] += Levenshtein.distance(_joined(sender), _joined(sample.return_address))
            lengths["return"] += len(_joined(sample.return_address))
        zips += bool(read) and _zip5(read[-1]) == _zip5(sample.addressee[-1])
        points += _delivery_point(read) == _delivery_point(sample.addressee)
    return {
        "addressee_cer": round(edits["addressee"] / lengths["addressee"], 4),
        "zip_exact": round(zips / len(drawn), 3),
        "delivery_point": round(points / len(drawn), 3),
        "return_cer": round(edits["return"] / max(1, lengths["return"]), 4),
        "images_per_s": round(len(drawn) / sum(seconds), 2),
        "ratio_to_decode": round(decode_s / sum(seconds), 4),
        "ms_per_image": round(1000 * statistics.median(seconds), 1),
    }


def pin_to_one_core() -> None:
    """One CPU for the whole process (onnxruntime, OpenCV, Tesseract's child process)."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:  # pragma: no cover - OpenCV comes with rapidocr-onnxruntime
        pass


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="envelopes per noise level")
    parser.add_argument("--noise", default="default,hard", help="noise levels, comma-separated")
    parser.add_argument("--engines", default=",".join(ENGINES), help="engines, comma-separated")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    pin_to_one_core()
    drawn = samples(args.n, args.seed)
    engines = {name: ENGINES[name]() for name in args.engines.split(",")}
    warm_up = render(drawn[0].envelope, NOISE["clean"], seed=args.seed).image
    for engine in engines.values():
        if isinstance(engine, LineReader):
            engine.load()
        read_blocks(warm_up, engine)  # loads the models, outside the clock
    results: dict[str, dict[str, Any]] = {}
    for noise in args.noise.split(","):
        images = [
            render(sample.envelope, NOISE[noise], seed=args.seed + i).image
            for i, sample in enumerate(drawn)
        ]
        jpegs = [encoded(image, "JPEG", 92) for image in images]
        start = time.perf_counter()
        images = [open_image(data) for data in jpegs]
        decode_s = time.perf_counter() - start
        results[noise] = {}
        for name, engine in engines.items():
            progress(f"{noise}: {name} on {len(images)} images")
            results[noise][name] = score(engine, images, drawn, decode_s)
            progress(f"{noise}: {name}: {results[noise][name]}")
    print(json.dumps({"n": args.n, "seed": args.seed, "noise": results}))


if __name__ == "__main__":
    main()
