"""Forms of oversight's pages: the return of report documents, and a discovery package."""

from __future__ import annotations

from django import forms

from mailcover.covers.forms import UswdsForm
from mailcover.law.discovery import LONGEST, DiscoveryDraft


class ReportReturnForm(UswdsForm):
    how = forms.ChoiceField(
        label="What the requesting authority did with the report documents",
        choices=[("returned", "returned them"), ("destroyed", "certified their destruction")],
        error_messages={
            "required": "Choose whether the documents were returned or their destruction certified."
        },
    )
    certified_by = forms.CharField(
        label="Who returned them or certifies their destruction (name and title)",
        max_length=200,
        required=False,
    )
    done_on = forms.DateField(
        label="On (YYYY-MM-DD)",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date they were returned or destroyed."},
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DiscoveryForm(UswdsForm):
    proceeding = forms.CharField(
        label="Proceeding (caption and docket number)", max_length=LONGEST, required=False
    )
    court = forms.CharField(label="Court", max_length=LONGEST, required=False)
    recipient_name = forms.CharField(
        label="Recipient (counsel for the subject, or the court)",
        max_length=LONGEST,
        required=False,
    )
    recipient_address = forms.CharField(
        label="Recipient's address", max_length=LONGEST, required=False
    )

    def to_draft(self) -> DiscoveryDraft:
        data = self.cleaned_data
        return DiscoveryDraft(
            proceeding=data["proceeding"],
            court=data["court"],
            recipient_name=data["recipient_name"],
            recipient_address=data["recipient_address"],
        )
