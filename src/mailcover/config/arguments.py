"""Argument types the command line and the management commands share: each refuses a bad
value with a message that says what is wanted."""

from __future__ import annotations

import argparse
from datetime import datetime


def moment(text: str) -> datetime:
    """An ISO 8601 moment with a zone (`--now`)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 moment with a zone, e.g. 2034-01-01T00:00:00Z"
        )
    return value


def interval(text: str) -> float:
    """A number of seconds above zero (`--interval`)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above zero")
    return seconds


def count(text: str) -> int:
    """A whole number, 1 or more (`--pieces`, `--readers`)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value
