"""The form that proposes a change to power over cases; the service checks the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from mailcover.accounts.grants import Proposal
from mailcover.accounts.models import Agency, Delegation, User
from mailcover.law.grants import ChangeKind
from mailcover.law.terms import DelegationScope, Role
from mailcover.web import labels


class _UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.username} ({obj.agency or 'no agency'})"


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(
        label="Change",
        choices=[(k.value, labels.label("change_kind", k)) for k in ChangeKind],
        error_messages={"required": "Choose the change to propose."},
    )
    account = _UserChoice(
        queryset=User.objects.filter(is_active=True).select_related("agency"),
        required=False,
        empty_label="Choose an account",
    )
    role = forms.ChoiceField(
        choices=[("", "Choose a role"), *labels.choices("role", Role)], required=False
    )
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.all(),
        required=False,
        help_text="For verifying an agency",
        empty_label="Choose an agency",
    )
    reference = forms.CharField(
        max_length=200,
        required=False,
        help_text="The written delegation's reference, or the agency verification's",
    )
    scope = forms.ChoiceField(
        label="Delegation scope",
        choices=[("", "Choose a scope"), *labels.choices("delegation_scope", DelegationScope)],
        required=False,
    )
    group = forms.CharField(
        max_length=100, required=False, help_text="Operations Support Group of an OSG designee"
    )
    valid_from = forms.DateTimeField(
        required=False,
        help_text="When the delegation takes effect, in your time zone; empty: when it is "
        "confirmed. "
        "Never earlier than the confirmation (MC-AUTHORITY).",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    valid_until = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    delegation = forms.ModelChoiceField(
        queryset=Delegation.objects.filter(revoked_at__isnull=True).select_related("holder"),
        required=False,
        help_text="The delegation to revoke",
        empty_label="Choose a delegation",
    )
    signed_on = forms.DateField(
        required=False,
        help_text="The day the acknowledgment was signed",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "usa-select" if isinstance(field.widget, forms.Select) else "usa-input"
            field.widget.attrs.setdefault("class", css)

    def to_proposal(self) -> Proposal:
        data = self.cleaned_data
        return Proposal(
            kind=ChangeKind(data["kind"]),
            account=data["account"],
            role=Role(data["role"]) if data["role"] else None,
            agency=data["agency"],
            reference=data["reference"],
            scope=DelegationScope(data["scope"]) if data["scope"] else None,
            group=data["group"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            delegation=data["delegation"],
            signed_on=data["signed_on"],
        )


class RefusalForm(forms.Form):
    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "usa-textarea"}),
        error_messages={"required": "Enter the reason for refusing the change."},
    )
