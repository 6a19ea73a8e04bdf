"""Resetting a person's sign-in without anyone else learning or choosing their secrets.

An admin never sets a person's password and never sees or makes their one-time-code
device. A reset ends the person's API tokens, makes their password unusable, deletes their
devices and sends them a one-time link (Django's token generator: it stops working once the
password is set, and after PASSWORD_RESET_TIMEOUT) through the e-mail backend. The person
sets a new password through the link and enrols a new device after signing in with it.
A new account made in the admin gets the same link and no password from the admin.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django_otp import devices_for_user

from mailcover.accounts.models import User
from mailcover.accounts.tokens import revoke_tokens
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName

SIGN_IN_RESET = "sign_in_reset"
FIRST_POWER = "first_power"


class ResetRefused(ValueError):
    """The reset cannot be made as asked; the message says why."""


def link_for(user: User, base_url: str) -> str:
    """The page, with the person's code after the '#': the browser keeps it to itself."""
    code = (
        urlsafe_base64_encode(force_bytes(user.pk)) + "." + default_token_generator.make_token(user)
    )
    return base_url.rstrip("/") + reverse("accounts:set-password") + "#" + code


def user_for_link(uidb64: str, token: str) -> User | None:
    """The person a link was made for, while it is still good; None otherwise."""
    try:
        user = User.objects.filter(pk=int(urlsafe_base64_decode(uidb64).decode())).first()
    except (ValueError, UnicodeDecodeError):
        return None
    if user is None or not user.is_active:
        return None
    return user if default_token_generator.check_token(user, token) else None


def _send(user: User, base_url: str, why: str) -> None:
    send_mail(
        "mailcover: set your password",
        f"{why}\n\nSet your password with this link; it works once:\n\n"
        f"{link_for(user, base_url)}\n\nThen sign in and enrol your one-time-code device. "
        "Nobody at the service will ask you for your password or your codes.\n",
        None,
        [user.email],
    )


@transaction.atomic
def reset_sign_in(user: User, actor: User | None, now: datetime, base_url: str) -> None:
    """End every way in the person has (tokens, password, devices) and send them a link."""
    if not user.email:
        raise ResetRefused(f"{user.username} has no e-mail address to send the link to")
    revoke_tokens(user, now, SIGN_IN_RESET, actor)
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    ledger.record(
        actor, EventName.ACCOUNT_SIGN_IN_RESET, now, refs={"account": user.pk}, devices=len(devices)
    )
    # Sent inside the transaction: a link that cannot be sent leaves the account as it was.
    _send(user, base_url, "Your mailcover sign-in was reset by an administrator.")


@transaction.atomic
def start_afresh(user: User, actor: User | None, now: datetime, base_url: str) -> None:
    """An account receives its first power over cases (SEC-TWO-PERSON): whatever password,
    device or token it had was set before a second person vouched for it (an admin may
    have made the account with an address they read and set the password through its
    link), so all of it ends, and the link goes to the address the confirmer saw."""
    revoke_tokens(user, now, FIRST_POWER, actor)
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    user.set_unusable_password()
    user.save(update_fields=["password"])
    ledger.record(
        actor,
        EventName.ACCOUNT_SIGN_IN_RESET,
        now,
        refs={"account": user.pk},
        devices=len(devices),
        reason=FIRST_POWER,
        link_sent=bool(user.email),
    )
    if user.email:
        _send(user, base_url, "You were given a role in mailcover.")


@transaction.atomic
def invite(user: User, actor: User | None, now: datetime, base_url: str) -> None:
    """A new account from the admin: no password of the admin's choosing, only the link."""
    if not user.email:
        raise ResetRefused(f"{user.username} has no e-mail address to send the link to")
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    ledger.record(actor, EventName.ACCOUNT_INVITED, now, refs={"account": user.pk})
    _send(user, base_url, "A mailcover account was made for you.")
