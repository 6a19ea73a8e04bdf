"""What every page needs to know about the person looking at it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from mailcover.law.grants import takes_part
from mailcover.law.roles import Action, may
from mailcover.law.terms import Role


def roles(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    held: frozenset[Role] = (
        getattr(user, "role_set", frozenset()) if user is not None else frozenset()
    )
    return {
        "can": {action.value: may(held, action) for action in Action},
        "takes_part_in_changes": takes_part(held),
        "role_names": sorted(r.value for r in held),
    }


def session_limits(request: HttpRequest) -> dict[str, Any]:
    """What the session-timeout warning needs (static/mailcover/session-timeout.js): how long
    the signed-in session has left and how early to warn. Nothing for anyone else."""
    from mailcover.web.http import warning_seconds

    left = getattr(request, "mailcover_session_expires_in", None)
    if left is None:
        return {}
    return {"session_limits": {"expires_in": left, "warn_before": warning_seconds()}}
