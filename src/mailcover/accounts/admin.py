"""Account administration. Case data is deliberately not registered here: the admin
role manages accounts and reads no case data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from mailcover.accounts.models import Agency, Delegation, NondisclosureAcknowledgment, User
from mailcover.law.roles import Action, may
from mailcover.ledger import log as ledger

MANAGE = Action.MANAGE_ACCOUNTS


class Ledgered(admin.ModelAdmin):  # type: ignore[type-arg]
    """Accounts are managed here by the admin role (law.roles, MANAGE_ACCOUNTS), and every
    change goes on the ledger: who changed which record and which fields (names only;
    the values stay in the accounts tables)."""

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

    def save_model(
        self, request: HttpRequest, obj: Model, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        self._record(request, "admin.changed" if change else "admin.added", obj, form.changed_data)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self._record(request, "admin.deleted", obj, [])
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self._record(request, "admin.deleted", obj, [])
        super().delete_queryset(request, queryset)

    def _record(self, request: HttpRequest, event: str, obj: Model, fields: list[str]) -> None:
        ledger.record(
            request.user if isinstance(request.user, User) else None,
            event,
            timezone.now(),
            refs={"model": obj._meta.label_lower, "object": obj.pk},
            fields=sorted(fields),
        )


@admin.register(Agency)
class AgencyAdmin(Ledgered):
    list_display = ["name", "level"]
    list_filter = ["level"]
    search_fields = ["name"]


@admin.register(User)
class MailcoverUserAdmin(Ledgered, UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "agency", "roles", "is_active"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("mailcover", {"fields": ("agency", "roles")}))


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
