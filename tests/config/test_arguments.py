"""The argument types the command line and the management commands share."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from mailcover.config import arguments


def test_a_moment_needs_a_zone() -> None:
    assert arguments.moment("2034-01-01T00:00:00Z") == datetime(2034, 1, 1, tzinfo=UTC)
    for text in ("2034-01-01T00:00:00", "next week"):
        with pytest.raises(argparse.ArgumentTypeError, match="ISO 8601 moment with a zone"):
            arguments.moment(text)


def test_an_interval_is_seconds_above_zero() -> None:
    assert arguments.interval("2.5") == 2.5
    for text in ("0", "-1", "soon", "nan"):
        with pytest.raises(argparse.ArgumentTypeError, match="seconds above zero"):
            arguments.interval(text)
