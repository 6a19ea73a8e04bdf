"""Account administration. Case data is deliberately not registered here: the admin
role manages accounts and reads no case data.

Nor does the admin hold power over cases alone (SEC-TWO-PERSON): roles, delegations,
nondisclosure acknowledgments and agency verification are read-only here and change only
through proposals a second person confirms (accounts.grants, the Account changes page). The
admin never chooses or learns a person's password or second factor: there is no password
form, django-otp's device pages are not registered, and "Reset sign-in" sends the person a
one-time link instead (accounts.resets). A new account gets the same link."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from mailcover.accounts import resets
from mailcover.accounts.models import (
    AccountChange,
    Agency,
    Delegation,
    NondisclosureAcknowledgment,
    User,
)
from mailcover.law.roles import Action, may, may_change_standing
from mailcover.ledger import log as ledger
from mailcover.ledger.events import EventName

MANAGE = Action.MANAGE_ACCOUNTS


class Ledgered(admin.ModelAdmin):  # type: ignore[type-arg]
    """Accounts are managed here by the admin role (law.roles, MANAGE_ACCOUNTS), and every
    change goes on the ledger: who changed which record, which fields, and the values
    that decide what a person may do (RECORDED_VALUES)."""

    def _manages_accounts(self, request: HttpRequest) -> bool:
        user = request.user
        return isinstance(user, User) and user.is_active and may(user.role_set, MANAGE)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._manages_accounts(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages_accounts(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._manages_accounts(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages_accounts(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._manages_accounts(request)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        obj._ledger_fields = list(form.changed_data)  # type: ignore[attr-defined]

    # Every path through the admin that changes a row (forms, the password form, bulk
    # deletion) calls these, inside the view's transaction.
    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._record(request, EventName.ADMIN_ADDED, obj, _changed_fields(obj, message))
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._record(request, EventName.ADMIN_CHANGED, obj, _changed_fields(obj, message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            self._record(request, EventName.ADMIN_DELETED, obj, [])
        return super().log_deletions(request, queryset)

    @transaction.atomic
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        # Bulk actions run from here: the deletion and its ledger entries commit together.
        return super().changelist_view(request, extra_context)

    def _record(
        self, request: HttpRequest, event: EventName, obj: Model, fields: list[str]
    ) -> None:
        ledger.record(
            request.user if isinstance(request.user, User) else None,
            event,
            timezone.now(),
            refs={"model": obj._meta.label_lower, "object": obj.pk},
            fields=sorted(fields),
            values=_recorded_values(obj),
        )


# What an account change is recorded with, beyond the names of the fields changed: the
# values that decide what a person may do. Never a password, a name or an e-mail.
RECORDED_VALUES = {
    "accounts.user": ["username", "roles", "agency_id", "is_active", "is_staff"],
    "accounts.delegation": [
        "holder_id",
        "reference",
        "scope",
        "group",
        "valid_from",
        "valid_until",
        "revoked_at",
    ],
    "accounts.agency": ["name", "level"],
    "accounts.nondisclosureacknowledgment": ["user_id", "signed_on"],
    "covers.operatorfacility": ["operator_id", "facility"],
}


def _recorded_values(obj: Model) -> dict[str, Any]:
    values = {}
    for name in RECORDED_VALUES.get(obj._meta.label_lower, []):
        value = getattr(obj, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values


def _changed_fields(obj: Model, message: Any) -> list[str]:
    """The fields the form changed; the password form says so only in its message."""
    fields = getattr(obj, "_ledger_fields", None)
    if fields is not None:
        return list(fields)
    return ["password"] if "password" in str(message).lower() else []


class ReadOnly(Ledgered):
    """SEC-TWO-PERSON: listed for the admin to read; changed only through proposals."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(Ledgered):
    """An admin adds agencies and keeps their addresses; an agency's level (which roles it
    may hold, SEC-ROLE-AGENCY) is fixed once it exists, and its verification (RR-VERIFIED)
    is a proposal the chief confirms."""

    list_display = ["name", "level", "verified_at"]
    list_filter = ["level"]
    search_fields = ["name"]
    fields = ["name", "level", "address", "time_zone", "verified_at", "verification_reference"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("verified_at", "verification_reference")
        if obj.verified_at is not None:
            # A verified agency's name and address are what the service vouched for and
            # what the accounting of disclosures names as the recipient (PA-ACCOUNT): one
            # person does not rename the agency it verified.
            return ("name", "level", "address", "verified_at", "verification_reference")
        return ("level", "verified_at", "verification_reference")


class NewAccountForm(forms.ModelForm):  # type: ignore[type-arg]
    """A new account: who the person is and where they work. No password (the person sets
    it through the link sent to this address) and no roles (those are proposals)."""

    email = forms.EmailField(help_text="The one-time link to set a password goes here.")

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "agency"]

    def clean_email(self) -> str:
        return one_address_per_person(self.cleaned_data["email"], None)


class AccountForm(UserChangeForm):  # type: ignore[type-arg]
    """An account's page: one e-mail address is one person's (SEC-TWO-PERSON)."""

    def clean_email(self) -> str:
        return one_address_per_person(self.cleaned_data.get("email") or "", self.instance.pk)


def one_address_per_person(email: str, account_id: int | None) -> str:
    """SEC-TWO-PERSON compares people by their e-mail address: a second account with a
    person's address would let them confirm what they proposed, or their own power."""
    taken = User.objects.filter(email__iexact=email.strip())
    if account_id is not None:
        taken = taken.exclude(pk=account_id)
    if email.strip() and taken.exists():
        raise forms.ValidationError(
            "another account has this e-mail address; one person has one account (SEC-TWO-PERSON)"
        )
    return email.strip()


@admin.register(User)
class MailcoverUserAdmin(Ledgered, UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "agency", "roles", "is_active"]
    # Roles are mailcover's permissions: Django's own (superuser, groups, permissions)
    # are not offered, so no one can grant themselves a way around law.roles. Nor is the
    # password: the person sets it through a one-time link.
    fieldsets = (
        (None, {"fields": ("username",)}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("mailcover", {"fields": ("agency", "roles", "changes_link", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_form = NewAccountForm
    form = AccountForm
    add_fieldsets = (
        (None, {"fields": ("username", "first_name", "last_name", "email", "agency")}),
    )
    actions = ["reset_sign_in"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ()
        fixed = ["roles", "changes_link", "last_login", "date_joined"]
        user = request.user
        roles = user.role_set if isinstance(user, User) else frozenset()
        if not may_change_standing(roles, user.pk, obj.pk):
            fixed += ["is_active", "agency", "email", "username"]
        elif obj.roles or obj.changes_to.filter(decided_at__isnull=True).exists():
            # Who receives the reset link, and where the roles are held, are part of the
            # person's power (or of the power a waiting proposal would give, as its
            # confirmer saw it): changing them would let an admin take the account over.
            fixed += ["agency", "email", "username"]
        if obj.roles and not obj.is_active:
            # An official's account, once deactivated, is not brought back by one person
            # (SEC-TWO-PERSON): its roles are taken on Account changes, then the account is
            # reactivated and granted again, which starts its sign-in afresh.
            fixed += ["is_active"]
        return tuple(dict.fromkeys(fixed))

    @admin.display(description="Roles, delegations, acknowledgments")
    def changes_link(self, obj: User) -> str:
        return format_html(
            '<a href="{}">Propose a change</a>: it takes effect when the chief (or, for '
            "oversight, the head of oversight) confirms it (SEC-TWO-PERSON).",
            reverse("accounts:changes"),
        )

    def user_change_password(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        raise PermissionDenied(
            "an admin never sets a person's password: use Reset sign-in, which sends them a "
            "one-time link"
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: the ledger and the cases name the account

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if not change:
            obj.set_unusable_password()  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)
        if not change:
            assert isinstance(obj, User)
            resets.invite(obj, _actor(request), timezone.now(), request.build_absolute_uri("/"))

    @admin.action(description="Reset sign-in (e-mail a one-time link; end tokens and devices)")
    def reset_sign_in(self, request: HttpRequest, queryset: QuerySet[User]) -> HttpResponse | None:
        actor = _actor(request)
        for user in queryset:
            if actor is not None and user.pk == actor.pk:
                self.message_user(request, "Reset your own sign-in on the shell.", messages.ERROR)
                continue
            try:
                resets.reset_sign_in(user, actor, timezone.now(), request.build_absolute_uri("/"))
            except resets.ResetRefused as refused:
                self.message_user(request, str(refused), messages.ERROR)
            else:
                self.message_user(request, f"{user.username}: a one-time link was sent.")
        return None


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


@admin.register(Delegation)
class DelegationAdmin(ReadOnly):
    list_display = [
        "reference",
        "holder",
        "scope",
        "group",
        "valid_from",
        "valid_until",
        "revoked_at",
    ]


@admin.register(NondisclosureAcknowledgment)
class AcknowledgmentAdmin(ReadOnly):
    list_display = ["user", "signed_on"]


@admin.register(AccountChange)
class AccountChangeAdmin(ReadOnly):
    list_display = ["pk", "kind", "account", "role", "proposed_by", "outcome", "decided_by"]
    list_filter = ["kind", "outcome"]


def unregister_device_pages() -> None:
    """django-otp registers admin pages that create and edit anyone's one-time-code devices
    (and show their keys): none of them is offered. Called once every app's admin module
    is loaded (AccountsConfig.ready), so a device plugin added later is caught too."""
    for model in list(admin.site._registry):
        if model._meta.app_label.startswith("otp_"):
            admin.site.unregister(model)
