"""The one covers model the admin role manages: which facilities an operator account feeds
(SEC-OPERATOR). It names mail-processing plants, no one's mail; cases stay unregistered."""

from __future__ import annotations

from django.contrib import admin

from mailcover.accounts.admin import Ledgered
from mailcover.covers.models import OperatorFacility


@admin.register(OperatorFacility)
class OperatorFacilityAdmin(Ledgered):
    list_display = ["operator", "facility", "bound_at"]
    search_fields = ["facility", "operator__username"]
    raw_id_fields = ["operator"]
