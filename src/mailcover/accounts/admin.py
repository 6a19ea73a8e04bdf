"""Account administration. Case data is deliberately not registered here: the admin
role manages accounts and reads no case data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from mailcover.accounts.models import Agency, Delegation, NondisclosureAcknowledgment, User


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "level"]
    list_filter = ["level"]
    search_fields = ["name"]


@admin.register(User)
class MailcoverUserAdmin(UserAdmin):  # type: ignore[type-arg]
    list_display = ["username", "agency", "roles", "is_active"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("mailcover", {"fields": ("agency", "roles")}))


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
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
class AcknowledgmentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "signed_on"]
