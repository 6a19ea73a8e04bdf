"""A piece of mail read from its photograph alone: the addressee, the return address and the
barcode, safely and within a time limit.

`open_image` refuses what is not a usable image (empty, not an image, a format not taken,
truncated, a decompression bomb, an enormous image) with an `ImageError` whose message
names the problem and nothing of the picture. `read_envelope` reads an opened image:
the bars with `imaging.barcode`, the blocks with `imaging.ocr`. `EnvelopeReader` does both
in a worker process of its own, so that an image that makes an engine hang is stopped at
`time_limit` seconds (the worker is killed and started afresh) and never stalls the stream.

Nothing here keeps an image or what it says: the caller decides, after matching, whether
the piece is captured (and only then stores the image).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import queue
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from PIL import Image, ImageFile, UnidentifiedImageError

from mailcover.imaging.barcode import read_barcode
from mailcover.imaging.linereader import LineReader
from mailcover.imaging.ocr import Blocks, Engine, default_engine, read_blocks
from mailcover.imaging.spacing import respace_address

MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""The largest image file read: a 200-dpi flat as an uncompressed TIFF is about 4.6 MB."""

MAX_PIXELS = 30_000_000
"""The most pixels decoded: a flat (12 x 9.5 in) at 600 dpi is 41 million; at 400 dpi 18."""

FORMATS = frozenset({"PNG", "JPEG", "TIFF", "WEBP", "BMP"})

TIME_LIMIT_S = 20.0
"""Seconds one image may take in the worker before it is stopped."""

STARTUP_LIMIT_S = 120.0
"""Seconds a new worker may take to start and load the OCR model (not counted per image)."""


class ImageError(ValueError):
    """An image that cannot be read. `code` names the problem; the message quotes nothing."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[type[ImageError], tuple[str, str]]:
        return ImageError, (self.code, str(self))


def open_image(data: bytes) -> Image.Image:
    """The image, decoded and in grey levels; `ImageError` when it cannot be used."""
    if not data:
        raise ImageError("empty", "the image file is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError("too-large", f"the image file is over {MAX_IMAGE_BYTES} bytes")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except UnidentifiedImageError:
            raise ImageError("not-an-image", "the file is not an image") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError("bomb", "the image claims more pixels than are read") from None
        except (OSError, ValueError, SyntaxError):
            raise ImageError("not-an-image", "the file is not a readable image") from None
        if image.format not in FORMATS:
            raise ImageError(
                "format", f"images are read as {', '.join(sorted(FORMATS))}, not this format"
            )
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageError(
                "too-many-pixels",
                f"the image is {width} x {height} pixels, over the {MAX_PIXELS} read",
            )
        if width < 100 or height < 50:
            raise ImageError("too-small", f"the image is {width} x {height} pixels: no envelope")
        # A truncated file is refused, whatever a library loaded in this process asked of
        # Pillow (WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES when it is imported).
        allowed, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            image.load()
            return image.convert("L")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError("bomb", "the image claims more pixels than are read") from None
        except (OSError, ValueError, SyntaxError, EOFError):
            raise ImageError("truncated", "the image file is truncated or damaged") from None
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = allowed


LOW_CONFIDENCE = 0.6
"""Below this the reading is marked low-confidence (the lines are still given)."""


@dataclass(frozen=True)
class EnvelopeReading:
    """What the photograph says, in the shape of the mail-piece event's fields."""

    addressee: tuple[str, ...] | None
    return_address: tuple[str, ...] | None
    imb: str | None
    """The bars as read, when they decode (else None: the text decides)."""
    confidence: float
    """Of the addressee block (0 when none was read)."""
    upside_down: bool
    barcode_problem: str | None
    """Why the bars gave nothing, when they did not ("no barcode found", a CRC failure)."""

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


def read_envelope(
    image: Image.Image, *, respace: bool = True, engine: Engine | None = None
) -> EnvelopeReading:
    """Read an opened image: the address blocks, then the barcode, re-spaced unless
    `respace` is False (bench/imaging.py measures both). `engine` defaults to
    `ocr.default_engine()`."""
    engine = engine or default_engine()
    blocks: Blocks = read_blocks(image, engine)
    hint = None
    if isinstance(engine, LineReader):
        # The barcode's row, as the layout found it, is searched first (then the whole image);
        # an addressee that does not look like an address is read again by the strong engine.
        hint = engine.bars_hint(image)
        blocks = engine.confirm(blocks, image.size)
    bars = read_barcode(image, region=hint)
    # The engine's lines, with the spaces it dropped between an address's words put back
    # (imaging/spacing.py): only here, for what a photograph says, never for a plant's text.
    spaced = respace_address if respace else tuple
    addressee = spaced([line.text for line in blocks.addressee]) or None
    back = spaced([line.text for line in blocks.return_address]) or None
    return EnvelopeReading(
        addressee=addressee,
        return_address=back,
        imb=bars.imb.bars if bars.imb is not None else None,  # the right way up
        confidence=blocks.confidence if addressee else 0.0,
        upside_down=blocks.rotation == 180 or bars.upside_down,
        barcode_problem=None if bars.imb is not None else bars.error,
    )


def read_bytes(data: bytes) -> EnvelopeReading:
    """`open_image`, then `read_envelope`: in this process, without a time limit."""
    return read_envelope(open_image(data))


# -- the worker ------------------------------------------------------------------------------


def load_models() -> None:
    """Load the default engine's models now (a worker does it before its first image)."""
    engine = default_engine()
    if isinstance(engine, LineReader):
        engine.load()
    else:
        read_blocks(Image.new("L", (400, 200), 255), engine)
    respace_address(["SPRINGFIELD IL 62704"])  # the ZIP Codes' list, read once


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in the worker process
    # One thread for OpenCV, as for Tesseract and onnxruntime: a worker is one core's.
    import cv2

    cv2.setNumThreads(1)
    # Load the OCR models before the first image, outside any image's time limit.
    load_models()
    conn.send(("ready", None))
    while True:
        try:
            data = conn.recv_bytes()
        except EOFError:
            return
        try:
            conn.send(("ok", read_bytes(data)))
        except ImageError as error:
            conn.send(("image-error", error))
        except Exception as error:  # reported by its type, never by its content
            conn.send(("failed", type(error).__name__))


class EnvelopeReader:
    """Reads images in a worker process, each within `time_limit` seconds.

    The worker (spawned, so it holds nothing of the caller) keeps the OCR model loaded
    between images; one that overruns is killed and the next image starts a new worker.
    """

    def __init__(self, time_limit: float = TIME_LIMIT_S) -> None:
        self.time_limit = time_limit
        self._process: Any = None
        self._conn: Connection | None = None

    def read(self, data: bytes) -> EnvelopeReading:
        conn = self._worker()
        try:
            conn.send_bytes(data)
        except OSError:
            self.close()
            raise ImageError("failed", "the image reader stopped; the image was not read") from None
        if not conn.poll(self.time_limit):
            self.close()
            raise ImageError(
                "time-limit", f"reading the image took over {self.time_limit:g} seconds"
            )
        try:
            kind, value = conn.recv()
        except EOFError:
            self.close()
            raise ImageError("failed", "the image reader stopped on this image") from None
        if kind == "ok":
            reading: EnvelopeReading = value
            return reading
        if kind == "image-error":
            raise value
        raise ImageError("failed", f"the image could not be read ({value})")

    def _worker(self) -> Connection:
        if self._conn is None or self._process is None or not self._process.is_alive():
            self.close()
            context = multiprocessing.get_context("spawn")
            ours, theirs = context.Pipe()
            self._process = context.Process(target=_serve, args=(theirs,), daemon=True)
            self._process.start()
            theirs.close()
            self._conn = ours
            try:
                ready = ours.poll(STARTUP_LIMIT_S) and ours.recv()[0] == "ready"
            except (EOFError, OSError):
                ready = False
            if not ready:
                self.close()
                raise ImageError("failed", "the image reader did not start")
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            self._process.kill()
            self._process.join(timeout=5)
            self._process = None

    def __enter__(self) -> EnvelopeReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReaderPool:
    """Several `EnvelopeReader`s, a worker process each (one per core by default), reading
    many images at once; each image keeps its reader's guarantees (time limit, a worker
    killed and restarted after an image that overran, a bad image refused by name)."""

    def __init__(self, workers: int | None = None, time_limit: float = TIME_LIMIT_S) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._readers = [EnvelopeReader(time_limit) for _ in range(self.workers)]
        self._free: queue.SimpleQueue[EnvelopeReader] = queue.SimpleQueue()
        for reader in self._readers:
            self._free.put(reader)
        self._threads = ThreadPoolExecutor(self.workers, thread_name_prefix="envelope-reader")

    def start(self) -> None:
        """Start every worker now and wait until each has loaded its models."""
        list(self._threads.map(lambda reader: reader._worker(), self._readers))

    def read_all(self, images: Iterable[bytes]) -> Iterator[EnvelopeReading | ImageError]:
        """The reading of each image, or the `ImageError` refusing it, in the images' order."""
        return self._threads.map(self._read_one, images)

    def _read_one(self, data: bytes) -> EnvelopeReading | ImageError:
        reader = self._free.get()
        try:
            return reader.read(data)
        except ImageError as error:
            return error
        finally:
            self._free.put(reader)

    def close(self) -> None:
        self._threads.shutdown(wait=True)
        for reader in self._readers:
            reader.close()

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
