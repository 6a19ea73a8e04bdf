"""Benchmark of sealing captured data: what one AES-256-GCM key per order costs a capture.

Writing: the work `covers.captures.seal_exterior` does per capture (the exterior as JSON,
the order's key read from its file in the key folder, AES-256-GCM with a fresh nonce and
the row's associated data) against the baseline of the same JSON encoding alone, which
is what a capture cost before sealing. Reading: key read, open and JSON decode against
JSON decode alone. Images: sealing and opening a 300 KB image (about the size of a
200 dpi envelope JPEG) against copying its bytes. The two sides of each pair alternate
in rounds (ABBA order) so that machine noise falls on both.

The database insert that follows each capture is the same on both sides and left out:
the ratios are of the sealing work alone, an upper bound on what it adds to ingest.

Prints one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

ADDRESSEE = ["JOHN Q PUBLIC", "123 MAIN ST APT 4", "SPRINGFIELD IL 62704-1234"]
SENDER = ["ACME CORP", "PO BOX 100", "DENVER CO 80201"]
IMB = "FDDTTDDAFDDFFDDADTFDFAFDFADFAAAFDFFFAFATTTDFFFTAFAADTDDDTFDTFDADT"
IMAGE_BYTES = 300_000


def _exterior(number: int) -> dict[str, object]:
    return {
        "imb": IMB,
        "addressee": [f"{ADDRESSEE[0]} {number}", *ADDRESSEE[1:]],
        "return_address": SENDER,
    }


def _encode(value: dict[str, object]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _timed(work: Callable[[], object], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return times


def _abba(
    first: Callable[[], object], second: Callable[[], object], rounds: int
) -> tuple[float, float]:
    """Median seconds of each, run in ABBA order."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(rounds):
        a += _timed(first, 1)
        b += _timed(second, 2)
        a += _timed(first, 1)
    return statistics.median(a), statistics.median(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=20_000, help="exteriors per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    from django.conf import settings

    folder = tempfile.mkdtemp(prefix="mailcover-bench-keys-")
    settings.configure(MAILCOVER_KEY_DIR=folder)

    from mailcover.covers import sealing

    orders = 50  # captures spread over a few orders, one key file each
    exteriors = [_exterior(n) for n in range(args.captures)]
    for order in range(orders):
        sealing.order_key(order, create=True)

    def plain_write() -> list[bytes]:
        return [_encode(value) for value in exteriors]

    def sealed_write() -> list[bytes]:
        out = []
        for n, value in enumerate(exteriors):
            key = sealing.order_key(n % orders, create=True)
            out.append(
                sealing.seal(key, sealing.exterior_context(n % orders, f"P-{n}"), _encode(value))
            )
        return out

    plain = plain_write()
    sealed = sealed_write()

    def plain_read() -> list[object]:
        return [json.loads(raw) for raw in plain]

    def sealed_read() -> list[object]:
        opened = []
        for n, raw in enumerate(sealed):
            key = sealing.order_key(n % orders)
            context = sealing.exterior_context(n % orders, f"P-{n}")
            opened.append(json.loads(sealing.unseal(key, context, raw)))
        return opened

    image = os.urandom(IMAGE_BYTES)
    key = sealing.order_key(0)
    image_context = sealing.image_context(0, "captures/order-0/x.jpg")
    sealed_image = sealing.seal(key, image_context, image)

    def copy_image() -> bytes:
        return bytes(bytearray(image))

    def seal_image() -> bytes:
        return sealing.seal(sealing.order_key(0), image_context, image)

    def open_image() -> bytes:
        return sealing.unseal(sealing.order_key(0), image_context, sealed_image)

    write_plain, write_sealed = _abba(plain_write, sealed_write, args.rounds)
    read_plain, read_sealed = _abba(plain_read, sealed_read, args.rounds)
    images = 200
    copy_s, seal_s = _abba(
        lambda: [copy_image() for _ in range(images)],
        lambda: [seal_image() for _ in range(images)],
        args.rounds,
    )
    _, open_s = _abba(lambda: None, lambda: [open_image() for _ in range(images)], args.rounds)

    for path in Path(folder).iterdir():
        path.unlink()
    os.rmdir(folder)

    n = args.captures
    print(
        json.dumps(
            {
                "bench": "sealing",
                "python": platform.python_version(),
                "captures_per_round": n,
                "rounds": args.rounds,
                "write_plain_per_s": round(n / write_plain),
                "write_sealed_per_s": round(n / write_sealed),
                "write_ratio": round(write_sealed / write_plain, 2),
                "read_plain_per_s": round(n / read_plain),
                "read_sealed_per_s": round(n / read_sealed),
                "read_ratio": round(read_sealed / read_plain, 2),
                "seal_us_per_capture": round(1e6 * (write_sealed - write_plain) / n, 1),
                "image_bytes": IMAGE_BYTES,
                "image_copy_ms": round(1e3 * copy_s / images, 3),
                "image_seal_ms": round(1e3 * seal_s / images, 3),
                "image_open_ms": round(1e3 * open_s / images, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
