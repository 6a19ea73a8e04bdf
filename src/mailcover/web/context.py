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
