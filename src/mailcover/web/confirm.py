"""The confirmation step before a final or destructive action (deciding a request, ruling
an order improper, recording an indictment, releasing a customer's records).

The step is a page of its own, so it works without a script: the first POST of an action
answers with what will happen and a button that posts the same fields again with
`confirmed=yes`. The view acts only on a POST that carries that field, so a forged or
script-less POST without it changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"
# Fields the confirmation page never carries over: Django's own token is issued afresh.
NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRMED}


@dataclass(frozen=True)
class Confirmation:
    title: str  # what is about to happen, as the page's heading
    consequences: list[str]  # what it does, in the order it happens, and what cannot be undone
    button: str  # names the action: "Deny MC-2026-000001"
    back: str  # the page to go back to, changing nothing
    preview: str | None = None  # a template showing exactly what the action acts on
    context: dict[str, Any] = field(default_factory=dict)


def confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRMED) == "yes"


def ask(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    """The confirmation page: the posted fields as they were, and the action named."""
    carried = [
        (name, value)
        for name in request.POST
        if name not in NOT_CARRIED
        for value in request.POST.getlist(name)
    ]
    context = {
        "confirmation": confirmation,
        "carried": carried,
        "action": request.path,
        **confirmation.context,
    }
    return render(request, "web/confirm.html", context)
