"""Commands of oversight (filled in below)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Setup = Callable[[], None]


def add_commands(commands: Any, django: Setup) -> None:
    """No commands yet."""
