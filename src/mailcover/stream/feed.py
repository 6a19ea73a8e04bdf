"""`mailcover feed`: a JSON Lines stream of pieces published to JetStream, one message a piece.

Each message carries the header `Nats-Msg-Id` = the piece's `piece_id`, so the stream drops
a piece a plant sends again within its duplicate window. Publishing is pipelined: up to
WINDOW messages are out before their acknowledgments are awaited, and every one of them
must be acknowledged before the feed reports it published. A photograph named by a line
(a path relative to the stream file, DESIGN.md) goes into the object store first, under
the piece's id, and the message names that object instead of the path.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nats.js import JetStreamContext
from nats.js.errors import APIError, NoStreamResponseError

from mailcover.stream import jetstream

WINDOW = 2000
"""Messages published before their acknowledgments are awaited (nats-py holds at most 4000
unacknowledged)."""
ACK_TIMEOUT_S = 10.0


@dataclass
class Fed:
    """What became of a stream's lines. `duplicates` were already in the stream (a resend)."""

    published: int = 0
    duplicates: int = 0
    images: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Outgoing:
    number: int
    piece_id: str
    subject: str
    payload: bytes


class Feed:
    """One feed into one stream; `run` publishes every line, in order."""

    def __init__(
        self,
        js: JetStreamContext,
        stream: str,
        *,
        subject: str | None = None,
        images_bucket: str = jetstream.IMAGES,
        folder: Path | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.js = js
        self.stream = stream
        self.subject = subject
        self.images_bucket = images_bucket
        self.folder = folder
        self.progress = progress
        self.fed = Fed()
        self._images: Any = None
        self._window: list[tuple[Outgoing, asyncio.Future[Any]]] = []

    async def run(self, lines: Iterable[bytes]) -> Fed:
        async with jetstream.named_errors(f"creating stream {self.stream}"):
            await jetstream.ensure_stream(self.js, self.stream)
        for number, line in enumerate(lines, 1):
            if line.strip():
                outgoing = await self._outgoing(number, line)
                if outgoing is not None:
                    await self._publish(outgoing)
        await self._settle()
        return self.fed

    async def _outgoing(self, number: int, line: bytes) -> Outgoing | None:
        """The message for one line, or None (the line refused, with its number and why)."""
        try:
            event = json.loads(line)
        except ValueError:
            self.fed.refused.append((number, "not JSON"))
            return None
        piece_id = event.get("piece_id") if isinstance(event, dict) else None
        if not isinstance(piece_id, str) or not piece_id.strip():
            self.fed.refused.append((number, "no piece_id (a string): it names the message"))
            return None
        image = event.get("image")
        if isinstance(image, str) and image and not image.startswith("data:"):
            try:
                event["image"] = await self._store_image(piece_id, image)
            except OSError as problem:
                self.fed.refused.append((number, f"image {image}: {problem.strerror}"))
                return None
            line = json.dumps(event, ensure_ascii=False).encode()
        subject = self.subject or jetstream.subject_for(self.stream, event.get("facility"))
        return Outgoing(number, piece_id, subject, line.rstrip(b"\r\n"))

    async def _store_image(self, piece_id: str, path: str) -> str:
        """Put the photograph beside the piece; the object's name, for the message."""
        base = (self.folder or Path.cwd()).resolve()
        file = (base / path).resolve()
        if not file.is_relative_to(base):
            raise OSError(0, "the path leads outside the stream's folder")
        data = file.read_bytes()
        name = f"{piece_id}{file.suffix}"
        async with jetstream.named_errors(f"storing {name} in bucket {self.images_bucket}"):
            if self._images is None:
                self._images = await jetstream.images(self.js, self.images_bucket)
            await self._images.put(name, data)
        self.fed.images += 1
        return name

    async def _publish(self, outgoing: Outgoing) -> None:
        async with jetstream.named_errors(f"publishing line {outgoing.number}"):
            future = await self.js.publish_async(
                outgoing.subject,
                outgoing.payload,
                headers={"Nats-Msg-Id": outgoing.piece_id},
                wait_stall=ACK_TIMEOUT_S,
            )
        self._window.append((outgoing, future))
        if len(self._window) >= WINDOW:
            await self._settle()

    async def _settle(self) -> None:
        """Await the acknowledgment of every message out; StreamError naming the first
        piece the stream refused or did not acknowledge."""
        window, self._window = self._window, []
        if not window:
            return
        done = asyncio.gather(*(future for _, future in window), return_exceptions=True)
        try:
            answers = await asyncio.wait_for(done, ACK_TIMEOUT_S)
        except TimeoutError:
            raise self._failed(window[0][0], "JetStream did not acknowledge it in time") from None
        for (outgoing, _), answer in zip(window, answers, strict=True):
            if isinstance(answer, NoStreamResponseError):
                wanted = jetstream.subjects(self.stream)
                raise self._failed(outgoing, f"no stream takes it ({self.stream} takes {wanted})")
            if isinstance(answer, BaseException):
                raise self._failed(outgoing, _reason(answer))
            if answer.duplicate:
                self.fed.duplicates += 1
            else:
                self.fed.published += 1
        if self.progress is not None:
            self.progress(len(window))

    def _failed(self, outgoing: Outgoing, reason: str) -> jetstream.StreamError:
        done = self.fed.published + self.fed.duplicates
        return jetstream.StreamError(
            f"line {outgoing.number} (piece {outgoing.piece_id}) was not published to "
            f"{outgoing.subject}: {reason}; {done} pieces before it were (a resend of the "
            "whole stream is safe: the stream drops what it already holds)"
        )


def _reason(problem: BaseException) -> str:
    if isinstance(problem, APIError):
        return f"JetStream refused it ({problem.description or problem.code})"
    return str(problem) or type(problem).__name__


async def publish(
    url: str,
    lines: Iterable[bytes],
    stream: str,
    **options: Any,
) -> Fed:
    """Connect, publish every line, wait for every acknowledgment, close."""
    client = await jetstream.connect(url, "mailcover feed")
    try:
        return await Feed(client.jetstream(), stream, **options).run(lines)
    finally:
        await client.close()
