"""Consequential choices never default to yes, and a final action happens only on a POST
that carries the confirmation the confirmation page adds: a forged or script-less POST
without it shows what would happen and changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.utils import timezone

from mailcover.accounts.models import User
from mailcover.covers.models import (
    CoverOrder,
    CoverRequest,
    Decision,
    ImproperRuling,
    IndictmentNotice,
)
from mailcover.law.terms import OrderStatus

Browse = Callable[[User], Client]
File = Callable[..., CoverRequest]
REASONS = "The facts describe a misdemeanour; the cited statute does not reach it."


def text(response: Any) -> str:
    return str(response.content.decode())


def decision_form(page: str) -> str:
    return page.split('action="/requests/', 1)[1].split("</form>", 1)[0]


def test_the_decision_form_chooses_nothing_and_days_granted_starts_empty(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester, days=30)

    form = decision_form(text(browse(people.approver).get(f"/requests/{filed.pk}")))

    assert 'name="outcome"' in form
    assert "checked" not in form
    days = re.search(r"<input[^>]*name=\"days\"[^>]*>", form)
    assert days is not None
    assert "value=" not in days.group(0)
    assert "Continue to confirm the decision" in form
    assert ">Submit<" not in form


def test_an_approval_without_days_is_refused_naming_the_field(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester)

    response = browse(people.approver).post(
        f"/requests/{filed.pk}/decide", {"outcome": "approve", "confirmed": "yes"}
    )

    assert response.status_code == 422
    assert "Enter the days granted" in text(response)
    assert not CoverOrder.objects.exists()


def test_a_decision_without_an_outcome_is_refused(browse: Browse, people: Any, file: File) -> None:
    filed = file(people.requester)

    response = browse(people.approver).post(f"/requests/{filed.pk}/decide", {"days": "30"})

    assert response.status_code == 422
    assert "Choose approve or deny." in text(response)
    assert not Decision.objects.exists()


def test_an_approval_without_confirmation_names_what_will_happen_and_approves_nothing(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester, days=30)

    response = browse(people.approver).post(
        f"/requests/{filed.pk}/decide", {"outcome": "approve", "days": "21"}
    )

    assert response.status_code == 200
    page = text(response)
    assert f"Approve {filed.case_number} for 21 days" in page
    assert "JOHN Q PUBLIC" in page
    assert '<input type="hidden" name="confirmed" value="yes">' in page
    assert '<input type="hidden" name="days" value="21">' in page
    assert not Decision.objects.exists()
    assert not CoverOrder.objects.exists()


def test_a_denial_without_confirmation_denies_nothing(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester)

    response = browse(people.approver).post(
        f"/requests/{filed.pk}/decide", {"outcome": "deny", "reason": "No tie to the offence."}
    )

    page = text(response)
    assert f"Deny {filed.case_number}" in page
    assert "cannot be approved afterwards" in page
    assert not Decision.objects.exists()
    filed.refresh_from_db()
    assert filed.state == "pending"


def test_a_requester_is_refused_before_any_confirmation_page(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.colleague)

    response = browse(people.requester).post(
        f"/requests/{filed.pk}/decide", {"outcome": "approve", "days": "30"}
    )

    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_ruling_an_order_improper_without_confirmation_names_the_destruction_and_keeps_all(
    browse: Browse, people: Any, order: CoverOrder
) -> None:
    response = browse(people.chief).post(f"/orders/{order.pk}/improper", {"reasons": REASONS})

    assert response.status_code == 200
    page = text(response)
    assert f"Rule {order.case_number} improper and destroy its data" in page
    assert "destroyed at once" in page
    assert REASONS in page  # carried to the confirming POST
    assert not ImproperRuling.objects.exists()
    assert order.status_at(timezone.now()) is OrderStatus.ACTIVE


def test_oversight_may_not_rule_an_order_improper_even_to_see_the_confirmation(
    browse: Browse, people: Any, order: CoverOrder
) -> None:
    response = browse(people.oversight).post(f"/orders/{order.pk}/improper", {"reasons": REASONS})

    assert response.status_code in (403, 404)
    assert not ImproperRuling.objects.exists()


def test_an_indictment_without_confirmation_terminates_nothing(
    browse: Browse, people: Any, order: CoverOrder
) -> None:
    today = timezone.now().date().isoformat()

    response = browse(people.requester).post(f"/orders/{order.pk}/indictment", {"filed_on": today})

    assert response.status_code == 200
    assert f"Record the indictment on {order.case_number}" in text(response)
    assert not IndictmentNotice.objects.exists()


def test_the_order_actions_say_what_they_do(browse: Browse, people: Any, order: CoverOrder) -> None:
    page = text(browse(people.chief).get(f"/orders/{order.pk}"))

    assert ">Submit<" not in page
    assert "Rule improper (you confirm on the next page)" in page
