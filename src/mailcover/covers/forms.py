"""The request form: plain Django form fields, turned into a law draft; the law's
refusals are put back next to the fields they name."""

from __future__ import annotations

import functools
from typing import Any

from django import forms

from mailcover.law.errors import Violation
from mailcover.law.extensions import ExtensionDraft
from mailcover.law.requests import AgencyHeadApproval, AttorneyEntry, CoverRequestDraft
from mailcover.law.terms import AgencyLevel, Grounds, Scope
from mailcover.matching.matchable import RULE as MATCHABLE
from mailcover.matching.matchable import address_part_at_fault
from mailcover.postal.pub28 import STATES
from mailcover.web import labels

# Appendix B's codes with their names: STATES maps both a name and a code to the code.
STATE_CHOICES = sorted(
    (
        (code, f"{name.title().replace(' Of ', ' of ')} ({code})")
        for name, code in STATES.items()
        if name != code
    ),
    key=lambda choice: choice[1],
)

# Where a law field is shown on the form. The subject's address is asked for in parts (the
# USWDS address pattern) and sent to the law as the one string the API takes too; a refusal
# of it is shown next to the part at fault (`CoverRequestForm.field_for`).
FIELD_FOR = {
    "subject.name": "subject_name",
    "subject.address": "subject_street",
    "agency_head_approval": "agency_head_name",
    "agency_head_approval.name": "agency_head_name",
    "agency_head_approval.title": "agency_head_title",
    "agency_head_approval.date": "agency_head_date",
}


class UswdsForm(forms.Form):
    """Gives each widget the U.S. Web Design System class for its kind.

    aria-describedby is left to Django, which points it at `<id>_helptext` and
    `<id>_error` (web/_field.html) when the form is rendered, so that errors added
    after validation, such as the law's refusals, are announced with their field.
    """

    CLASSES = {
        forms.Textarea: "usa-textarea",
        forms.Select: "usa-select",
        forms.RadioSelect: "usa-radio__input",
        forms.CheckboxInput: "usa-checkbox__input",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Never a bare "This field is required.": the message names the field. Forms
            # say it in their own words (error_messages); this is the floor.
            if (
                field.error_messages.get("required")
                == forms.Field.default_error_messages["required"]
            ):
                field.error_messages["required"] = f"Fill in “{field.label}”."
            css = next(
                (c for kind, c in self.CLASSES.items() if isinstance(field.widget, kind)),
                "usa-input",
            )
            field.widget.attrs.setdefault("class", css)


def form_field(violation: Violation, form: forms.Form) -> str | None:
    if violation.field is None:
        return None
    name = FIELD_FOR.get(violation.field, violation.field)
    if name.startswith("attorneys["):
        name = "attorneys"
    if name.startswith("subject.aliases["):
        name = "subject_aliases"
    field_for = getattr(form, "field_for", None)
    if field_for is not None:
        name = field_for(violation, name)
    return name if name in form.fields else None


def add_violations(form: forms.Form, violations: tuple[Violation, ...]) -> None:
    for violation in violations:
        form.add_error(form_field(violation, form), f"{violation.message} ({violation.rule})")


class CoverRequestForm(UswdsForm):
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    subject_name = forms.CharField(label="Subject's name", max_length=200, required=False)
    subject_aliases = forms.CharField(
        label="Other names (one per line)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The USWDS address pattern. One subject address per request (MC-WRITTEN); the matcher
    # must be able to read it (SVC-MATCHABLE).
    subject_street = forms.CharField(
        label="Street address",
        max_length=120,
        required=False,
        help_text="House number and street, a PO box or a rural route, as on an envelope.",
    )
    subject_unit = forms.CharField(
        label="Street address line 2", max_length=60, required=False, help_text="APT 4, STE 200"
    )
    subject_city = forms.CharField(label="City", max_length=60, required=False)
    subject_state = forms.ChoiceField(
        label="State, territory or military post",
        choices=[("", "- Select -"), *STATE_CHOICES],
        required=False,
    )
    subject_zip = forms.CharField(
        label="ZIP code",
        max_length=10,
        required=False,
        help_text="5 digits, or ZIP+4. Mail is found by its delivery point, which needs it.",
        widget=forms.TextInput(
            attrs={
                "class": "usa-input usa-input--medium",
                "inputmode": "numeric",
            }
        ),
    )
    grounds = forms.ChoiceField(
        choices=[("", "- Select -"), *labels.choices("grounds", Grounds)],
        required=False,
        help_text="Only these grounds exist (MC-PURPOSE); postal statute "
        "grounds come from a postal inspector.",
    )
    statute = forms.CharField(label="Statute or legal basis", max_length=200, required=False)
    max_penalty_years = forms.DecimalField(
        label="Maximum prison term (years)",
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        help_text="For a crime, the statute must be punishable by more than one "
        "year (MC-CRIME-FELONY).",
    )
    forfeiture_authority = forms.CharField(
        label="Forfeiture authority",
        max_length=300,
        required=False,
        help_text="Forfeiture grounds cite the agency's forfeiture authority (MC-CRIME-FELONY).",
    )
    facts = forms.CharField(
        label="Facts that make the cover necessary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The reasonable grounds, in writing (MC-WRITTEN). Approvers and oversight "
        "read exactly this text; it cannot change after approval.",
    )
    scope = forms.ChoiceField(
        choices=labels.choices("scope", Scope),
        initial=Scope.ADDRESSEE.value,
        widget=forms.RadioSelect,
        help_text="Mail to the subject: mail addressed to the subject's names at the address. "
        "All mail to the address: every name there, which needs its own justification "
        "(MC-ALL-NAMES). Mail from the subject: mail bearing the subject's return address.",
    )
    scope_justification = forms.CharField(
        label="Why every name at the address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    days = forms.IntegerField(
        label="Days requested",
        initial=30,
        error_messages={"required": "Enter the number of days requested."},
        help_text="At most 30 days; fugitive and national-security covers at most 60 (MC-PERIOD).",
    )
    emergency = forms.BooleanField(
        label="Emergency (oral request, confirm in writing within 3 days)", required=False
    )
    emergency_reason = forms.CharField(
        label="The emergency", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    agency_head_name = forms.CharField(
        label="Agency head's name",
        required=False,
        max_length=200,
        help_text="National security only: the requesting agency head's personal approval "
        "(MC-NATSEC-HEAD).",
    )
    agency_head_title = forms.CharField(label="Agency head's title", required=False, max_length=200)
    agency_head_date = forms.DateField(
        label="Date of the agency head's approval",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    attorneys = forms.CharField(
        label="Known attorneys (one per line: NAME | ADDRESS)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Mail between the subject and a known attorney is never covered (MC-ATTORNEY).",
    )

    def to_draft(self, level: AgencyLevel) -> CoverRequestDraft:
        data: dict[str, Any] = self.cleaned_data
        head = None
        if data["agency_head_name"] or data["agency_head_title"] or data["agency_head_date"]:
            head = AgencyHeadApproval(
                data["agency_head_name"], data["agency_head_title"], data["agency_head_date"]
            )
        return CoverRequestDraft(
            subject_name=data["subject_name"],
            subject_address=self.assembled_address,
            aliases=tuple(
                line.strip() for line in data["subject_aliases"].splitlines() if line.strip()
            ),
            grounds=data["grounds"],
            statute=data["statute"],
            max_penalty_years=data["max_penalty_years"],
            facts=data["facts"],
            scope=data["scope"],
            scope_justification=data["scope_justification"] or None,
            days=data["days"],
            emergency=data["emergency"],
            emergency_reason=data["emergency_reason"] or None,
            agency_head_approval=head,
            forfeiture_authority=data["forfeiture_authority"] or None,
            requester_agency_level=level,
            attorneys=self._attorneys(data["attorneys"]),
        )

    @functools.cached_property
    def assembled_address(self) -> str:
        """The address parts as one string, as an envelope and the API write it:
        "123 MAIN ST, APT 4, SPRINGFIELD IL 62704". Kept once read: a refusal takes its
        field out of `cleaned_data`."""
        data = self.cleaned_data
        last = " ".join(
            part for part in (data["subject_city"].strip(), data["subject_state"]) if part
        )
        last = " ".join(part for part in (last, data["subject_zip"].strip()) if part)
        lines = (data["subject_street"].strip(), data["subject_unit"].strip(), last)
        return ", ".join(line for line in lines if line)

    def field_for(self, violation: Violation, name: str) -> str:
        """An address the matcher cannot read is shown next to the part at fault."""
        if violation.rule != MATCHABLE or violation.field != "subject.address":
            return name
        part = address_part_at_fault(self.assembled_address)
        return f"subject_{part}" if part else name

    @staticmethod
    def _attorneys(text: str) -> tuple[AttorneyEntry, ...]:
        entries = []
        for line in text.splitlines():
            if line.strip():
                name, _, address = line.partition("|")
                entries.append(AttorneyEntry(name.strip(), address.strip()))
        return tuple(entries)


class DecisionForm(UswdsForm):
    """Nothing is chosen for the official: no outcome is pre-selected and the days granted
    start empty, so an approval is always a number the official typed."""

    outcome = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("deny", "Deny")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or deny."},
    )
    days = forms.IntegerField(
        label="Days granted (required to approve)", required=False, min_value=1
    )
    reason = forms.CharField(
        label="Reason (required to deny)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "approve" and data.get("days") is None and "days" in data:
            self.add_error("days", "Enter the days granted: at most the days asked.")
        return data


class ExtensionForm(UswdsForm):
    days = forms.IntegerField(
        label="Days",
        initial=30,
        error_messages={"required": "Enter the number of days the extension asks for."},
    )
    investigative_benefit = forms.CharField(
        label="Investigative benefit so far and expected",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    indicted = forms.TypedChoiceField(
        label="Has the subject been indicted or charged?",
        choices=[("", "- Select -"), ("no", "No"), ("yes", "Yes")],
        required=False,
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    represented_by_attorney = forms.TypedChoiceField(
        label="Is the subject represented by an attorney?",
        choices=[("", "- Select -"), ("no", "No"), ("yes", "Yes")],
        required=False,
        coerce=lambda v: v == "yes",
        empty_value=None,
    )

    def to_draft(self) -> ExtensionDraft:
        data = self.cleaned_data
        return ExtensionDraft(
            data["days"],
            data["investigative_benefit"],
            data["indicted"],
            data["represented_by_attorney"],
        )


class ConfirmationForm(UswdsForm):
    written_request = forms.CharField(
        label="Written request (restate the facts)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class IndictmentForm(UswdsForm):
    filed_on = forms.DateField(
        label="Date the indictment or information was filed",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date the indictment or information was filed."},
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ImproperForm(UswdsForm):
    reasons = forms.CharField(
        label="Why the order was improper (the requester is told)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class ReviewForm(UswdsForm):
    note = forms.CharField(
        label="Review notes", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
