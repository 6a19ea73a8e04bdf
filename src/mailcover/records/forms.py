"""The records-request forms of the pages; the law's refusals land next to their fields."""

from __future__ import annotations

from typing import Any

from django import forms

from mailcover.covers.forms import UswdsForm
from mailcover.law import records as law
from mailcover.web import labels

_FIELD_OF_RULE = {
    "instrument.type": "instrument",
    "instrument.issued_by": "issued_by",
    "instrument.issued_on": "issued_on",
    "customer": "email",
    "customer.tracking_number": "tracking_number",
    "emergency.danger": "emergency_danger",
    "emergency.facts": "emergency_facts",
    "emergency.attested_by": "emergency_attested_by",
    "emergency": "emergency_facts",
}


class RecordsRequestForm(UswdsForm):
    instrument = forms.ChoiceField(
        choices=labels.choices("instrument", law.Instrument),
        error_messages={"required": "Choose the legal instrument."},
        help_text="The least instrument a category needs: subscriber, a subpoena; "
        "transactional, a 2703(d) order or a warrant; content, a warrant; financial, one of "
        "the five instruments of 12 U.S.C. 3402 (RR-SCOPE).",
    )
    issued_by = forms.CharField(
        max_length=300,
        label="Issued by",
        error_messages={
            "required": "Enter who issued the instrument (a court, a grand jury, an agency)."
        },
    )
    issued_on = forms.DateField(required=False, label="Issued on (YYYY-MM-DD)")
    instrument_number = forms.CharField(max_length=100, required=False, label="Its number")
    instrument_pdf = forms.FileField(
        label="The instrument, as a PDF",
        error_messages={"required": "Attach the instrument as a PDF."},
    )
    email = forms.CharField(max_length=254, required=False, label="Customer's email")
    account = forms.CharField(max_length=20, required=False, label="Account number")
    tracking_number = forms.CharField(max_length=60, required=False, label="Tracking number")
    name = forms.CharField(max_length=200, required=False, label="Name")
    address = forms.CharField(max_length=300, required=False, label="Address (with the name)")
    categories = forms.MultipleChoiceField(
        choices=labels.choices("category", law.Category),
        error_messages={"required": "Choose at least one category of records."},
        # A CheckboxSelectMultiple is a RadioSelect to Django; USWDS styles it as a checkbox.
        widget=forms.CheckboxSelectMultiple(attrs={"class": "usa-checkbox__input"}),
    )
    start = forms.DateField(required=False, label="From (YYYY-MM-DD)")
    end = forms.DateField(required=False, label="To (YYYY-MM-DD)")
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Enter what the records are for."},
    )
    emergency_danger = forms.ChoiceField(
        required=False,
        label="Emergency: the danger",
        choices=[("", "Not an emergency"), *labels.choices("danger", law.DANGERS)],
    )
    emergency_facts = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10000,
        label="Emergency: the facts, and how the records relate to them",
    )
    emergency_attested_by = forms.CharField(
        max_length=300, required=False, label="Emergency: attested by (name, title)"
    )

    def body(self) -> dict[str, Any]:
        """The request as the API's JSON would carry it."""
        data = self.cleaned_data
        emergency = None
        if data["instrument"] == law.Instrument.EMERGENCY or data["emergency_danger"]:
            emergency = {
                "danger": data["emergency_danger"],
                "facts": data["emergency_facts"],
                "attested_by": data["emergency_attested_by"],
            }
        return {
            "instrument": {
                "type": data["instrument"],
                "issued_by": data["issued_by"],
                "issued_on": data["issued_on"].isoformat() if data["issued_on"] else None,
                "number": data["instrument_number"],
            },
            "customer": {k: data[k] or None for k in law.IDENTIFIER_FIELDS},
            "categories": data["categories"],
            "start": data["start"].isoformat() if data["start"] else None,
            "end": data["end"].isoformat() if data["end"] else None,
            "purpose": data["purpose"],
            "emergency": emergency,
        }


def add_violations(form: forms.Form, violations: Any) -> None:
    for v in violations:
        field = _FIELD_OF_RULE.get(v.field or "", v.field)
        text = f"{v.message} ({v.rule})"
        form.add_error(field if field in form.fields else None, text)


class ReviewForm(UswdsForm):
    # Nothing is chosen for the reviewer: one click must never release a customer's records.
    outcome = forms.ChoiceField(
        choices=[("approve", "Approve"), ("refuse", "Refuse")],
        error_messages={"required": "Choose approve and produce, or refuse."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        label="Reason (required to refuse)",
    )


class ChallengeNoticeForm(UswdsForm):
    served_on = forms.DateField(
        label="Notice served or mailed on (YYYY-MM-DD)",
        error_messages={"required": "Enter the date the notice was served or mailed."},
    )
    method = forms.ChoiceField(
        choices=labels.choices("notice_method", ("served", "mailed")),
        error_messages={"required": "Choose whether the notice was served or mailed."},
    )


class DelayForm(UswdsForm):
    kind = forms.ChoiceField(
        label="Court order",
        choices=labels.choices("delay_kind", law.DelayKind),
        error_messages={"required": "Choose the kind of court order."},
    )
    starts_on = forms.DateField(
        label="From (YYYY-MM-DD)",
        error_messages={"required": "Enter the date the court's order starts."},
    )
    ends_on = forms.DateField(required=False, label="Until (YYYY-MM-DD; blank: open-ended)")
    court_reference = forms.CharField(
        max_length=200,
        label="Court and order number",
        error_messages={"required": "Enter the court and the order's number."},
    )


class FollowUpForm(UswdsForm):
    instrument = forms.ChoiceField(
        choices=labels.choices(
            "instrument", [i for i in law.Instrument if i is not law.Instrument.EMERGENCY]
        ),
        error_messages={"required": "Choose the follow-up instrument."},
    )
    issued_by = forms.CharField(
        max_length=300,
        error_messages={"required": "Enter who issued the follow-up instrument."},
    )
    issued_on = forms.DateField(
        label="Issued on (YYYY-MM-DD)",
        error_messages={"required": "Enter the date the follow-up instrument was issued."},
    )
    instrument_number = forms.CharField(max_length=100, required=False)
    instrument_pdf = forms.FileField(
        label="The instrument, as a PDF",
        error_messages={"required": "Attach the follow-up instrument as a PDF."},
    )
