"""Django system checks of the service's start (run by `mailcover manage` commands, the
development server and `mailcover manage check`); `mailcover` commands also run them
before anything else (config/startup.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from mailcover.config import assets, startup


@register(Tags.security)
def files_are_private(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found = startup.exposed()
    if not found:
        return []
    return [
        Error(
            startup.describe(found, with_fix=False),
            hint=startup.fix_command(found),
            id="mailcover.E001",
        )
    ]


@register(Tags.security)
def secret_key_is_kept(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.MAILCOVER_SECRET_KEY_IS_THROWAWAY:
        return []
    return [
        Error(
            "no secret key: MAILCOVER_SECRET_KEY is unset and the data folder holds no "
            "secret_key file, so this process signs sessions with a key of its own.",
            hint="start the service with a `mailcover` command (it generates the key into "
            "MAILCOVER_VAR_DIR), or set MAILCOVER_SECRET_KEY",
            id="mailcover.E002",
        )
    ]


@register(Tags.staticfiles)
def assets_are_built(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Pages without USWDS and htmx are broken pages: say so at start, not as 404s."""
    absent = assets.missing()
    if not absent:
        return []
    return [
        Error(
            assets.describe(absent),
            hint=f"run `{assets.BUILD_COMMAND}` in the checkout",
            id="mailcover.E003",
        )
    ]
