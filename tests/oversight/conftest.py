"""The cover helpers (filing, approving, signed-in browsers) shared with the cover tests."""

from tests.covers.conftest import (
    approve,
    browse,
    draft_for,
    emergency_order,
    file,
    order,
)

__all__ = ["approve", "browse", "draft_for", "emergency_order", "file", "order"]
