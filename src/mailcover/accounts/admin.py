"""Account administration. Case data is deliberately not registered here: the admin
role manages accounts and reads no case data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from mailcover.accounts.models import Agency, Delegation, NondisclosureAcknowledgment, User
from mailcover.law.roles import Action, may, may_change_standing
from mailcover.ledger import log as ledger

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
        self._record(request, "admin.added", obj, _changed_fields(obj, message))
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        self._record(request, "admin.changed", obj, _changed_fields(obj, message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        for obj in queryset:
            self._record(request, "admin.deleted", obj, [])
        return super().log_deletions(request, queryset)

    @transaction.atomic
    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        # Bulk actions run from here: the deletion and its ledger entries commit together.
        return super().changelist_view(request, extra_context)

    def _record(self, request: HttpRequest, event: str, obj: Model, fields: list[str]) -> None:
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


@admin.register(Agency)
class AgencyAdmin(Ledgered):
    list_display = ["name", "level"]
    list_filter = ["level"]
    search_fields = ["name"]


@admin.register(User)
class MailcoverUserAdmin(Ledgered, UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "agency", "roles", "is_active"]
    # Roles are mailcover's permissions: Django's own (superuser, groups, permissions)
    # are not offered, so no one can grant themselves a way around law.roles.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        ("mailcover", {"fields": ("agency", "roles", "is_active", "is_staff")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        user = request.user
        roles = user.role_set if isinstance(user, User) else frozenset()
        if obj is not None and not may_change_standing(roles, user.pk, obj.pk):
            return ("roles", "is_active", "is_staff", "agency")
        return super().get_readonly_fields(request, obj)


@admin.register(Delegation)
class DelegationAdmin(Ledgered):
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
class AcknowledgmentAdmin(Ledgered):
    list_display = ["user", "signed_on"]
