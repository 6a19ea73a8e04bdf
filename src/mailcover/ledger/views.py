"""Oversight pages: the ledger's latest checkpoint and an inclusion check, and the
Privacy Act accounting of disclosures per subject (page and CSV)."""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from mailcover.accounts.models import User
from mailcover.covers import actions
from mailcover.covers.forms import UswdsForm
from mailcover.covers.models import Subject
from mailcover.covers.views import case_view
from mailcover.law.roles import Action
from mailcover.ledger import accounting, checkpoints, log, merkle, note
from mailcover.web.times import zone_name_for


class InclusionForm(UswdsForm):
    index = forms.IntegerField(
        min_value=0,
        label="Entry number",
        help_text="The ledger entry's sequence number.",
        error_messages={"required": "Enter the number of the ledger entry to check."},
    )


def _require(request: HttpRequest, action: Action) -> User:
    user: User = request.user  # type: ignore[assignment]
    actions.require(user, action)
    return user


@case_view
@require_GET
def ledger_page(request: HttpRequest) -> HttpResponse:
    _require(request, Action.READ_LEDGER)
    latest = checkpoints.latest()
    form = InclusionForm(request.GET if "index" in request.GET else None)
    context: dict[str, Any] = {
        "checkpoint": latest,
        "root_b64": base64.b64encode(bytes(latest.root_hash)).decode() if latest else "",
        "tree_size": log.tree_size(),
        "public_key": checkpoints.public_key().to_string(),
        "form": form,
    }
    if latest is not None and form.is_bound and form.is_valid():
        context["check"] = _inclusion_check(form, latest.size, latest.note)
    return render(request, "ledger/ledger.html", context)


def _inclusion_check(form: InclusionForm, size: int, signed: str) -> dict[str, Any]:
    """Prove entry `index` is in the latest checkpoint's tree, as an outside party would:
    the signed root, the entry's bytes, the audit path, and the RFC 9162 verifier."""
    index = form.cleaned_data["index"]
    if index >= size:
        form.add_error("index", f"the latest checkpoint covers entries 0 to {size - 1}")
        return {}
    key = checkpoints.public_key()
    signed_head = note.open_checkpoint(signed, key, key.name)
    entry = log.entry_at(index)
    path = log.inclusion(index, size)
    try:
        merkle.verify_inclusion(
            merkle.hash_leaf(bytes(entry.data)), index, size, path, signed_head.root_hash
        )
    except merkle.ProofError as failed:
        return {"ok": False, "entry": entry, "path": path, "problem": str(failed), "size": size}
    return {"ok": True, "entry": entry, "path": [p.hex() for p in path], "size": size}


@case_view
@require_GET
def accounting_index(request: HttpRequest) -> HttpResponse:
    _require(request, Action.READ_ACCOUNTING)
    counts = accounting.subjects_with_disclosures()
    names = dict(Subject.objects.filter(pk__in=[s for s, _ in counts]).values_list("pk", "name"))
    rows = [{"id": s, "name": names.get(s), "count": n} for s, n in counts]
    return render(request, "ledger/accounting_index.html", {"rows": rows})


@case_view
@require_GET
def subject_accounting(request: HttpRequest, subject_id: int) -> HttpResponse:
    _require(request, Action.READ_ACCOUNTING)
    subject_copy = request.GET.get("copy") == "subject"
    found = accounting.accounting_for(subject_id, subject_copy=subject_copy)
    if request.GET.get("format") == "csv":
        which = "subject-copy" if subject_copy else "full"
        response = HttpResponse(
            accounting.as_csv(found, zone_name_for(request.user)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="accounting-subject-{subject_id}-{which}.csv"'
        )
        return response
    subject = Subject.objects.filter(pk=subject_id).first()
    return render(
        request,
        "ledger/subject_accounting.html",
        {"subject_id": subject_id, "subject": subject, "disclosures": found},
    )
