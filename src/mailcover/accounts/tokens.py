"""SEC-TOKENS: a person's API tokens end when their standing changes.

A bearer token stands for the person as they were when it was issued. When the password
changes (on any path: the sign-in reset link, `mailcover user password`, Django's own
forms), the account is deactivated, or it loses a role, every token of that person is
deleted, and the ledger says so. The check is a signal on the account's row, so no path
that saves it can forget it; a bulk `QuerySet.update()` sends no signal and is used on
accounts nowhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from mailcover.accounts.models import ApiToken, User
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName

PASSWORD_CHANGED = "password_changed"
DEACTIVATED = "deactivated"
ROLE_LOST = "role_lost"
WATCHED = {"password", "is_active", "roles"}


def revoke_tokens(user: User, now: datetime, reason: str, actor: User | None = None) -> int:
    """Delete every API token of this person; on the ledger when there were any."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    if deleted:
        ledger.record(
            actor,
            EventName.TOKEN_REVOKED,
            now,
            refs={"account": user.pk},
            reason=reason,
            tokens=deleted,
        )
    return deleted


def _reason(stored: dict[str, Any], user: User) -> str | None:
    if stored["password"] != user.password:
        return PASSWORD_CHANGED
    if stored["is_active"] and not user.is_active:
        return DEACTIVATED
    if set(stored["roles"] or []) - set(user.roles or []):
        return ROLE_LOST
    return None


@receiver(pre_save, sender=User, dispatch_uid="mailcover.tokens.standing")
def _note_standing_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    instance._token_revocation = None  # type: ignore[attr-defined]
    fields = kwargs.get("update_fields")
    if instance.pk is None or (fields is not None and not WATCHED & set(fields)):
        return  # a new account has no tokens; a sign-in only touches last_login
    stored = User.objects.filter(pk=instance.pk).values(*WATCHED).first()
    if stored is not None:
        instance._token_revocation = _reason(stored, instance)  # type: ignore[attr-defined]


@receiver(post_save, sender=User, dispatch_uid="mailcover.tokens.revoke")
def _revoke_after_change(sender: type[User], instance: User, **kwargs: Any) -> None:
    reason = getattr(instance, "_token_revocation", None)
    if reason is not None:
        instance._token_revocation = None  # type: ignore[attr-defined]
        revoke_tokens(instance, timezone.now(), reason)
