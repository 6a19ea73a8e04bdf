"""The web pages of covers: signing in, each role's home page, the request form, the
request and order pages and the actions on them. Each page is checked for who may see
it and who may not."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from mailcover.accounts.models import User
from mailcover.accounts.provisioning import NewUser, add_user
from mailcover.covers.forms import CoverRequestForm
from mailcover.covers.models import (
    CaseCounter,
    CoverOrder,
    CoverRequest,
    Decision,
    EmergencyConfirmation,
    ImproperRuling,
    IndictmentNotice,
    Notice,
    Review,
)
from mailcover.law.terms import OrderStatus, Policy
from mailcover.ledger.models import Entry

Browse = Callable[[User], Client]
File = Callable[..., CoverRequest]

BENEFIT = (
    "Two covered pieces tied the subject to a second mail drop; the next period should "
    "identify the supplier."
)
REASONS = "The facts describe a misdemeanour; the cited statute does not reach it."


def text(response: Any) -> str:
    return str(response.content.decode())


def case_numbers_in(page: str) -> set[str]:
    return set(re.findall(r"MC-\d{4}-\d{6}(?:-E\d+)?", page))


# --- signing in ---------------------------------------------------------------


def test_the_sign_in_page_asks_for_username_password_and_one_time_code(client: Client) -> None:
    response = client.get("/sign-in")

    assert response.status_code == 200
    page = text(response)
    for name in ("username", "password", "otp"):
        assert f'<label class="usa-label" for="id_{name}">' in page
        assert f'name="{name}"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/requests/new", "/requests/1", "/orders/1"])
def test_pages_send_a_stranger_to_sign_in(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/sign-in?next={path}"


def test_signing_out_ends_the_session(browse: Browse, people: Any) -> None:
    client = browse(people.requester)

    assert client.post("/sign-out")["Location"] == "/sign-in"
    assert client.get("/").status_code == 302


# --- home pages -----------------------------------------------------------------


def test_a_requester_sees_their_agencys_requests_and_not_another_agencys(
    browse: Browse, people: Any, file: File
) -> None:
    mine = file(people.colleague)  # same agency, another officer
    theirs = file(people.outsider)

    response = browse(people.requester).get("/")

    assert response.status_code == 200
    page = text(response)
    assert "Your agency's requests" in page
    assert mine.case_number in page
    assert theirs.case_number not in page
    assert 'id="approval-queue"' not in page
    assert "Oversight overview" not in page


def test_a_requester_sees_their_agencys_orders_and_not_another_agencys(
    browse: Browse, people: Any, file: File, approve: Any
) -> None:
    mine = approve(file(people.requester))
    theirs = approve(file(people.outsider))

    page = text(browse(people.requester).get("/"))

    assert f'href="/orders/{mine.pk}"' in page
    assert f'href="/orders/{theirs.pk}"' not in page


def test_an_approver_sees_the_approval_queue_of_every_agency(
    browse: Browse, people: Any, file: File, approve: Any
) -> None:
    waiting = [file(people.requester), file(people.outsider)]
    decided = file(people.colleague)
    approve(decided)

    page = text(browse(people.approver).get("/"))

    assert 'id="approval-queue"' in page
    queue = page.split('id="approval-queue"', 1)[1].split("</section>", 1)[0]
    assert case_numbers_in(queue) == {r.case_number for r in waiting}
    assert "Your agency's requests" not in page  # approvers do not file


def test_oversight_sees_the_overview_and_every_agencys_orders(
    browse: Browse, people: Any, file: File, approve: Any
) -> None:
    orders = [approve(file(people.requester)), approve(file(people.outsider))]
    file(people.colleague)  # pending

    page = text(browse(people.oversight).get("/"))

    assert "Oversight overview" in page
    assert re.search(r">3</p><p>requests<", page)
    assert re.search(r">1</p><p>pending<", page)
    for order in orders:
        assert f'href="/orders/{order.pk}"' in page
    assert 'id="approval-queue"' not in page  # oversight changes nothing
    assert "File a request" not in page


@pytest.mark.parametrize(
    ("persona", "told"),
    [("operator", "You feed the mail stream"), ("admin", "administration pages")],
)
def test_the_operator_and_the_admin_see_no_case_data(
    browse: Browse, people: Any, file: File, approve: Any, persona: str, told: str
) -> None:
    order = approve(file(people.requester))
    file(people.outsider)

    response = browse(getattr(people, persona)).get("/")

    assert response.status_code == 200
    page = text(response)
    assert case_numbers_in(page) == set()
    assert "JOHN Q PUBLIC" not in page
    assert "do not include reading case data" in page
    assert told in page
    assert browse(getattr(people, persona)).get(f"/orders/{order.pk}").status_code == 404


# --- the request form -------------------------------------------------------------


def test_the_request_form_renders_every_field_with_a_label(browse: Browse, people: Any) -> None:
    response = browse(people.requester).get("/requests/new")

    assert response.status_code == 200
    page = text(response)
    form = CoverRequestForm()
    for name, bound in ((n, form[n]) for n in form.fields if n != "submission_key"):
        if name == "emergency":
            assert (
                f'<label class="usa-checkbox__label" for="id_{name}">{escape(bound.label)}' in page
            )
        elif name == "scope":
            for i, (_, shown) in enumerate(form.fields["scope"].choices):
                assert f'<label class="usa-radio__label" for="id_scope_{i}">{shown}' in page
            assert 'role="radiogroup" aria-labelledby="scope-label"' in page
            assert '<span class="usa-label" id="scope-label">Scope</span>' in page
        else:
            assert f'<label class="usa-label" for="id_{name}">{escape(bound.label)}</label>' in page
            assert f'id="id_{name}"' in page
    assert re.search(r'<input type="hidden" name="submission_key" value="[0-9a-f]{32}"', page)


def test_hints_are_tied_to_their_fields(browse: Browse, people: Any, field_part: Any) -> None:
    response = browse(people.requester).get("/requests/new")

    facts = field_part(response, "facts").html
    assert 'id="id_facts_helptext"' in facts
    assert 'aria-describedby="id_facts_helptext"' in facts


def test_the_request_form_shows_no_errors_before_it_is_sent(
    browse: Browse, people: Any, field_part: Any
) -> None:
    response = browse(people.requester).get("/requests/new")

    for name in ("subject_name", "facts", "max_penalty_years", "scope_justification"):
        assert field_part(response, name).errors == []
    assert 'aria-invalid="true"' not in text(response)


def test_a_valid_request_is_filed_and_shown(browse: Browse, people: Any, form_data: Any) -> None:
    client = browse(people.requester)

    response = client.post("/requests/new", form_data())

    filed = CoverRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{filed.pk}"
    assert filed.requester == people.requester
    assert filed.agency == people.requester.agency
    assert filed.subject.name == "JOHN Q PUBLIC"
    assert filed.subject.aliases == ["JACK PUBLIC", "J Q PUBLIC"]
    assert filed.subject.address == "123 MAIN ST, APT 4, SPRINGFIELD IL 62704-1234"
    assert (filed.grounds, filed.scope, filed.days, filed.emergency) == (
        "crime",
        "addressee",
        30,
        False,
    )
    assert [(a.name, a.address) for a in filed.attorneys.all()] == [
        ("JANE ROE ESQ", "1 COURT SQ, SPRINGFIELD IL 62701")
    ]
    shown = text(client.get(response["Location"]))
    assert f"Request {filed.case_number} filed; it now waits for an approver." in shown
    assert 'data-testid="request-state">Waiting for a decision<' in shown


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"max_penalty_years": "1"}, "max_penalty_years", "MC-CRIME-FELONY"),
        ({"max_penalty_years": ""}, "max_penalty_years", "MC-CRIME-FELONY"),
        ({"scope": "delivery_point"}, "scope_justification", "MC-ALL-NAMES"),
        ({"facts": ""}, "facts", "MC-WRITTEN"),
        ({"facts": "He gets mail."}, "facts", "MC-WRITTEN"),
        ({"subject_name": ""}, "subject_name", "MC-WRITTEN"),
        ({"subject_street": "1 A ST, X IL; 2 B ST"}, "subject_street", "MC-WRITTEN"),
        ({"subject_zip": ""}, "subject_zip", "SVC-MATCHABLE"),
        ({"subject_zip": "6270"}, "subject_zip", "SVC-MATCHABLE"),
        ({"subject_state": "IN"}, "subject_state", "SVC-MATCHABLE"),
        (
            {"subject_street": "THE BLUE HOUSE BEHIND THE OLD MILL"},
            "subject_street",
            "SVC-MATCHABLE",
        ),
        ({"subject_name": "THE PUBLIC FAMILY"}, "subject_name", "SVC-MATCHABLE"),
        ({"subject_aliases": "JACK PUBLIC\nJ JR."}, "subject_aliases", "SVC-MATCHABLE"),
        ({"grounds": "postal_statute"}, "grounds", "MC-PURPOSE"),
        ({"grounds": ""}, "grounds", "MC-PURPOSE"),
        ({"days": "45"}, "days", "MC-PERIOD"),
        ({"emergency": "on"}, "emergency_reason", "MC-EMERGENCY"),
        ({"grounds": "national_security", "days": "60"}, "agency_head_name", "MC-NATSEC-HEAD"),
        ({"grounds": "forfeiture"}, "forfeiture_authority", "MC-CRIME-FELONY"),
        ({"attorneys": " | 1 COURT SQ"}, "attorneys", "MC-ATTORNEY"),
    ],
)
def test_a_broken_rule_is_shown_next_to_its_field_and_nothing_is_filed(
    browse: Browse,
    people: Any,
    form_data: Any,
    field_part: Any,
    changes: dict[str, str],
    field: str,
    rule: str,
) -> None:
    response = browse(people.requester).post("/requests/new", form_data(**changes))

    assert response.status_code == 422
    part = field_part(response, field)
    assert any(f"({rule})" in error for error in part.errors), part.errors
    # The error is announced with its field: the field points at it.
    assert 'aria-invalid="true"' in part.html
    assert re.search(rf'aria-describedby="[^"]*\bid_{field}_error\b', part.html)
    assert f'<div id="id_{field}_error">' in part.html
    assert "The request was not filed" in text(response)
    assert not CoverRequest.objects.exists()
    assert not Entry.objects.filter(event="request.filed").exists()


def test_every_broken_rule_is_shown_at_once(
    browse: Browse, people: Any, form_data: Any, field_part: Any
) -> None:
    response = browse(people.requester).post(
        "/requests/new", form_data(max_penalty_years="1", facts="", scope="delivery_point")
    )

    assert response.status_code == 422
    assert field_part(response, "max_penalty_years").errors
    assert field_part(response, "facts").errors
    assert field_part(response, "scope_justification").errors
    assert field_part(response, "subject_name").errors == []


def test_input_that_is_not_even_a_number_is_refused_next_to_its_field(
    browse: Browse, people: Any, form_data: Any, field_part: Any
) -> None:
    response = browse(people.requester).post("/requests/new", form_data(days="thirty"))

    assert response.status_code == 422
    assert field_part(response, "days").errors == ["Enter a whole number."]
    assert not CoverRequest.objects.exists()


def test_a_refused_form_keeps_what_was_typed(
    browse: Browse, people: Any, form_data: Any, field_part: Any
) -> None:
    data = form_data(max_penalty_years="1")

    response = browse(people.requester).post("/requests/new", data)

    assert 'value="JOHN Q PUBLIC"' in field_part(response, "subject_name").html
    assert f'value="{data["submission_key"]}"' in text(response)


def test_a_double_submit_of_the_same_form_files_one_request(
    browse: Browse, people: Any, form_data: Any
) -> None:
    client = browse(people.requester)
    data = form_data()

    first = client.post("/requests/new", data)
    second = client.post("/requests/new", data)

    filed = CoverRequest.objects.get()
    assert first["Location"] == second["Location"] == f"/requests/{filed.pk}"
    assert Entry.objects.filter(event="request.filed").count() == 1


def test_the_same_request_sent_again_as_a_new_form_is_refused_while_pending(
    browse: Browse, people: Any, form_data: Any
) -> None:
    client = browse(people.requester)
    client.post("/requests/new", form_data())

    again = client.post("/requests/new", form_data())  # a new submission key

    assert again.status_code == 422
    assert "already pending as" in text(again)
    assert CoverRequest.objects.count() == 1


def test_an_htmx_post_with_errors_gets_the_form_fragment_alone(
    browse: Browse, people: Any, form_data: Any, field_part: Any
) -> None:
    response = browse(people.requester).post(
        "/requests/new", form_data(max_penalty_years="1"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    page = text(response).strip()
    assert page.startswith('<form id="request-form"')
    assert page.endswith("</form>")
    assert "<html" not in page
    assert any("MC-CRIME-FELONY" in e for e in field_part(response, "max_penalty_years").errors)
    assert not CoverRequest.objects.exists()


def test_an_htmx_post_that_files_sends_the_browser_to_the_request(
    browse: Browse, people: Any, form_data: Any
) -> None:
    response = browse(people.requester).post(
        "/requests/new", form_data(), headers={"HX-Request": "true"}
    )

    filed = CoverRequest.objects.get()
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/requests/{filed.pk}"


def test_htmx_is_told_to_show_a_refused_form_rather_than_drop_it(
    browse: Browse, people: Any
) -> None:
    """htmx swaps no 4xx answer by default; the 422 form with its errors must be swapped."""
    page = text(browse(people.requester).get("/requests/new"))

    found = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", page)
    assert found is not None
    handling = json.loads(found.group(1))["responseHandling"]
    first_match = next(h for h in handling if re.fullmatch(h["code"], "422"))
    assert first_match["swap"] is True
    assert next(h for h in handling if re.fullmatch(h["code"], "500"))["swap"] is False


@pytest.mark.parametrize("persona", ["approver", "oversight", "operator", "admin"])
def test_only_requesting_roles_may_file(
    browse: Browse, people: Any, form_data: Any, persona: str
) -> None:
    client = browse(getattr(people, persona))

    assert client.get("/requests/new").status_code == 403
    assert client.post("/requests/new", form_data()).status_code == 403
    assert not CoverRequest.objects.exists()


def test_a_requester_without_a_nondisclosure_acknowledgment_cannot_file(
    browse: Browse, people: Any, form_data: Any
) -> None:
    response = browse(people.no_nda).post("/requests/new", form_data())

    # Refused at the door of every case page (covers.views.case_view), before the form.
    assert response.status_code == 403
    assert "(MC-NONDISCLOSURE)" in text(response)
    assert not CoverRequest.objects.exists()


# --- the request page and deciding -------------------------------------------------


def test_the_request_page_is_not_found_for_another_agency(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester)

    assert browse(people.outsider).get(f"/requests/{filed.pk}").status_code == 404
    assert browse(people.operator).get(f"/requests/{filed.pk}").status_code == 404
    assert browse(people.requester).get("/requests/999999").status_code == 404


@pytest.mark.parametrize("persona", ["requester", "colleague", "approver", "oversight"])
def test_the_request_page_is_shown_to_its_agency_the_approvers_and_oversight(
    browse: Browse, people: Any, file: File, persona: str
) -> None:
    filed = file(people.requester)

    response = browse(getattr(people, persona)).get(f"/requests/{filed.pk}")

    assert response.status_code == 200
    page = text(response)
    assert filed.case_number in page
    assert "Victims of a lottery scheme" in page
    assert "JANE ROE ESQ" in page
    assert ("Continue to confirm the decision" in page) is (persona == "approver")


def test_an_approver_approves_through_the_form_and_sees_the_order_with_its_end(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester)
    client = browse(people.approver)

    response = client.post(
        f"/requests/{filed.pk}/decide", {"outcome": "approve", "days": "30", "confirmed": "yes"}
    )

    order = CoverOrder.objects.get(request=filed)
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}"
    period = order.periods.get()
    assert period.ends_at - period.starts_at == timedelta(days=30)
    assert order.status_at(timezone.now()) is OrderStatus.ACTIVE
    page = text(client.get(response["Location"]))
    assert f"Approved: order {order.case_number} is in force." in page
    # The approver's agency keeps the service's zone (UTC); the moment is marked up in UTC.
    ends = period.ends_at.astimezone(UTC)
    assert (
        f'data-testid="order-ends"><time datetime="{ends:%Y-%m-%dT%H:%M:%SZ}" '
        f'title="{ends:%Y-%m-%d %H:%M} UTC">{ends:%Y-%m-%d %H:%M} UTC</time><'
    ) in page
    assert 'data-testid="order-status">Active<' in page
    decision = Decision.objects.get(request=filed)
    assert decision.official == people.approver
    assert decision.delegation is not None
    assert decision.delegation.reference == "DEL-OSG-1"


def test_an_approver_may_grant_fewer_days_than_asked(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester)

    browse(people.approver).post(
        f"/requests/{filed.pk}/decide", {"outcome": "approve", "days": "10", "confirmed": "yes"}
    )

    period = CoverOrder.objects.get(request=filed).periods.get()
    assert period.ends_at - period.starts_at == timedelta(days=10)


def test_an_approver_may_not_grant_more_days_than_asked(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester, days=20)

    response = browse(people.approver).post(
        f"/requests/{filed.pk}/decide",
        {"outcome": "approve", "days": "30", "confirmed": "yes"},
        follow=True,
    )

    assert "(MC-PERIOD)" in text(response)
    assert not CoverOrder.objects.exists()


def test_a_requester_cannot_post_the_decide_form(browse: Browse, people: Any, file: File) -> None:
    filed = file(people.colleague)

    response = browse(people.requester).post(
        f"/requests/{filed.pk}/decide", {"outcome": "approve", "days": "30", "confirmed": "yes"}
    )

    assert response.status_code == 403
    assert not Decision.objects.exists()
    assert not CoverOrder.objects.exists()


def test_an_approver_without_a_delegation_is_refused_naming_mc_authority(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester)

    response = browse(people.undelegated).post(
        f"/requests/{filed.pk}/decide",
        {"outcome": "approve", "days": "30", "confirmed": "yes"},
        follow=True,
    )

    assert "(MC-AUTHORITY)" in text(response)
    assert 'data-testid="request-state">Waiting for a decision<' in text(response)
    assert not CoverOrder.objects.exists()


def test_an_approver_denies_with_a_reason(browse: Browse, people: Any, file: File) -> None:
    filed = file(people.requester)

    response = browse(people.approver).post(
        f"/requests/{filed.pk}/decide",
        {
            "outcome": "deny",
            "reason": "The facts do not tie the address to the offence.",
            "confirmed": "yes",
        },
        follow=True,
    )

    page = text(response)
    assert f"{filed.case_number} denied." in page
    assert 'data-testid="request-state">Denied<' in page
    assert "The facts do not tie the address to the offence." in page
    assert not CoverOrder.objects.exists()


def test_a_denial_without_a_reason_is_refused(browse: Browse, people: Any, file: File) -> None:
    filed = file(people.requester)

    response = browse(people.approver).post(
        f"/requests/{filed.pk}/decide",
        {"outcome": "deny", "reason": " ", "confirmed": "yes"},
        follow=True,
    )

    assert "(MC-WRITTEN)" in text(response)
    assert not Decision.objects.exists()


def test_a_request_is_decided_once_only(browse: Browse, people: Any, file: File) -> None:
    filed = file(people.requester)
    client = browse(people.approver)
    client.post(
        f"/requests/{filed.pk}/decide", {"outcome": "approve", "days": "30", "confirmed": "yes"}
    )

    again = client.post(
        f"/requests/{filed.pk}/decide",
        {"outcome": "deny", "reason": "Changed my mind.", "confirmed": "yes"},
        follow=True,
    )

    assert "was already approved" in text(again)
    assert Decision.objects.get().outcome == "approved"


def test_another_agencys_request_cannot_be_decided_by_guessing_its_number(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester)

    response = browse(people.outsider).post(f"/requests/{filed.pk}/decide", {"outcome": "approve"})

    assert response.status_code == 404


# --- the order page and the actions on an order ---------------------------------


def test_the_order_page_shows_the_timeline(browse: Browse, people: Any, order: CoverOrder) -> None:
    page = text(browse(people.requester).get(f"/orders/{order.pk}"))

    timeline = page.split('data-testid="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "Request filed" in timeline
    assert "Request approved" in timeline
    assert timeline.index("Request filed") < timeline.index("Request approved")
    assert "request.filed" not in timeline  # the words, never the ledger's code
    assert "· requester ·" in timeline
    assert "· approver ·" in timeline


def test_the_timeline_shows_no_other_case_whose_number_begins_the_same(
    browse: Browse, people: Any, file: File, approve: Any
) -> None:
    year = timezone.now().year
    CaseCounter.objects.create(year=year, last=99_999)
    order = approve(file(people.requester))  # MC-YYYY-100000
    CaseCounter.objects.filter(year=year).update(last=999_999)
    other = file(people.outsider)  # MC-YYYY-1000000: another agency's case
    assert other.case_number.startswith(order.case_number)

    page = text(browse(people.requester).get(f"/orders/{order.pk}"))

    assert other.case_number not in page


def test_the_order_page_is_not_found_for_another_agency(
    browse: Browse, people: Any, order: CoverOrder
) -> None:
    assert browse(people.outsider).get(f"/orders/{order.pk}").status_code == 404
    assert browse(people.oversight).get(f"/orders/{order.pk}").status_code == 200
    assert browse(people.approver).get(f"/orders/{order.pk}").status_code == 200


def test_oversight_reads_the_order_but_is_offered_no_action(
    browse: Browse, people: Any, order: CoverOrder
) -> None:
    client = browse(people.oversight)

    assert "Actions" not in text(client.get(f"/orders/{order.pk}"))
    for event in ("extension", "confirm", "indictment", "improper", "review"):
        assert client.post(f"/orders/{order.pk}/{event}", {}).status_code == 403


def test_an_unknown_action_on_an_order_is_not_found(
    browse: Browse, people: Any, order: CoverOrder
) -> None:
    assert browse(people.approver).post(f"/orders/{order.pk}/appeal", {}).status_code == 404


def test_each_form_on_the_order_page_has_its_own_field_ids(
    browse: Browse, people: Any, order: CoverOrder
) -> None:
    """The approver gets the indictment and the review forms, both with a note."""
    page = text(browse(people.approver).get(f"/orders/{order.pk}"))

    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for target in re.findall(r'<label class="usa-label" for="([^"]+)"', page):
        assert f'id="{target}"' in page


class TestExtension:
    def test_the_requester_asks_for_an_extension(
        self, browse: Browse, people: Any, order: CoverOrder
    ) -> None:
        response = browse(people.requester).post(
            f"/orders/{order.pk}/extension",
            {
                "days": "30",
                "investigative_benefit": BENEFIT,
                "indicted": "no",
                "represented_by_attorney": "no",
            },
            follow=True,
        )

        extension = CoverRequest.objects.get(extends=order)
        assert extension.case_number == f"{order.case_number}-E1"
        assert extension.state == "pending"
        assert (extension.indicted, extension.represented_by_attorney) == (False, False)
        page = text(response)
        assert f"Extension {extension.case_number} filed; it waits for an approver." in page
        assert "Extension requested" in page  # on the order's timeline

    def test_an_extension_without_its_statements_is_refused_next_to_each(
        self, browse: Browse, people: Any, order: CoverOrder, field_part: Any
    ) -> None:
        response = browse(people.requester).post(
            f"/orders/{order.pk}/extension", {"days": "30", "investigative_benefit": "More."}
        )

        assert response.status_code == 422
        for name in ("investigative_benefit", "indicted", "represented_by_attorney"):
            assert any("(MC-EXTENSION)" in e for e in field_part(response, name).errors)
        assert '<details class="margin-y-2" open>' in text(response)
        assert not CoverRequest.objects.filter(extends=order).exists()

    def test_an_approver_cannot_ask_for_an_extension(
        self, browse: Browse, people: Any, order: CoverOrder
    ) -> None:
        response = browse(people.approver).post(
            f"/orders/{order.pk}/extension",
            {"days": "30", "investigative_benefit": BENEFIT, "indicted": "no"},
        )

        assert response.status_code == 403
        assert not CoverRequest.objects.filter(extends=order).exists()

    def test_another_agency_cannot_reach_the_order(
        self, browse: Browse, people: Any, order: CoverOrder
    ) -> None:
        response = browse(people.outsider).post(f"/orders/{order.pk}/extension", {"days": "30"})

        assert response.status_code == 404


class TestEmergencyConfirmation:
    def test_the_requester_confirms_in_writing(
        self, browse: Browse, people: Any, emergency_order: CoverOrder
    ) -> None:
        response = browse(people.requester).post(
            f"/orders/{emergency_order.pk}/confirm",
            {"written_request": "Written confirmation of the oral request, facts restated."},
            follow=True,
        )

        assert "Emergency confirmed in writing." in text(response)
        assert EmergencyConfirmation.objects.get(order=emergency_order).confirmed_by == (
            people.requester
        )

    def test_a_confirmation_that_restates_nothing_is_refused(
        self, browse: Browse, people: Any, emergency_order: CoverOrder, field_part: Any
    ) -> None:
        response = browse(people.requester).post(
            f"/orders/{emergency_order.pk}/confirm", {"written_request": "Confirmed."}
        )

        assert response.status_code == 422
        errors = field_part(response, "written_request").errors
        assert any("(MC-EMERGENCY)" in e for e in errors)
        assert not EmergencyConfirmation.objects.exists()

    def test_an_order_that_was_no_emergency_has_nothing_to_confirm(
        self, browse: Browse, people: Any, order: CoverOrder
    ) -> None:
        client = browse(people.requester)

        assert "Confirm the emergency in writing" not in text(client.get(f"/orders/{order.pk}"))
        response = client.post(
            f"/orders/{order.pk}/confirm", {"written_request": "Written confirmation, restated."}
        )
        assert response.status_code == 403


class TestIndictment:
    def test_the_requester_records_an_indictment_and_the_order_ends(
        self, browse: Browse, people: Any, order: CoverOrder
    ) -> None:
        today = timezone.now().date().isoformat()

        response = browse(people.requester).post(
            f"/orders/{order.pk}/indictment",
            {"filed_on": today, "note": "Indicted by the grand jury.", "confirmed": "yes"},
            follow=True,
        )

        page = text(response)
        assert "Indictment recorded." in page
        assert 'data-testid="order-status">Terminated (indictment)<' in page
        assert "Indictment recorded" in page
        assert IndictmentNotice.objects.get(order=order).noted_by == people.requester

    def test_an_indictment_dated_in_the_future_is_refused(
        self, browse: Browse, people: Any, order: CoverOrder, field_part: Any
    ) -> None:
        tomorrow = (timezone.now() + timedelta(days=2)).date().isoformat()

        response = browse(people.requester).post(
            f"/orders/{order.pk}/indictment", {"filed_on": tomorrow, "confirmed": "yes"}
        )

        assert response.status_code == 422
        assert any("(MC-INDICTMENT)" in e for e in field_part(response, "filed_on").errors)
        assert not IndictmentNotice.objects.exists()


class TestImproperRuling:
    def test_the_requester_cannot_rule_their_own_order_improper(
        self, browse: Browse, people: Any, order: CoverOrder
    ) -> None:
        client = browse(people.requester)

        assert "Rule the order improper" not in text(client.get(f"/orders/{order.pk}"))
        response = client.post(
            f"/orders/{order.pk}/improper", {"reasons": REASONS, "confirmed": "yes"}
        )
        assert response.status_code == 403
        assert not ImproperRuling.objects.exists()

    def test_the_chief_rules_an_order_improper_and_the_requester_is_told(
        self, browse: Browse, people: Any, order: CoverOrder
    ) -> None:
        response = browse(people.chief).post(
            f"/orders/{order.pk}/improper", {"reasons": REASONS, "confirmed": "yes"}, follow=True
        )

        page = text(response)
        assert "Order ruled improper; the requester has been told." in page
        assert 'data-testid="order-status">Ruled improper<' in page
        notice = Notice.objects.get()
        assert notice.recipient == people.requester
        home = text(browse(people.requester).get("/"))
        assert f"Mail cover {order.case_number} discontinued: ruled improper" in home
        assert REASONS in home
        assert "discontinued" not in text(browse(people.colleague).get("/"))

    def test_an_order_ruled_improper_offers_no_more_actions(
        self, browse: Browse, people: Any, order: CoverOrder
    ) -> None:
        chief = browse(people.chief)
        assert "Rule the order improper" in text(chief.get(f"/orders/{order.pk}"))
        chief.post(f"/orders/{order.pk}/improper", {"reasons": REASONS, "confirmed": "yes"})

        page = text(chief.get(f"/orders/{order.pk}"))
        assert "Rule the order improper" not in page
        assert "Record a periodic review" not in page
        assert "Request an extension" not in text(
            browse(people.requester).get(f"/orders/{order.pk}")
        )

    def test_a_ruling_without_reasons_is_refused(
        self, browse: Browse, people: Any, order: CoverOrder, field_part: Any
    ) -> None:
        response = browse(people.chief).post(
            f"/orders/{order.pk}/improper", {"reasons": "No.", "confirmed": "yes"}
        )

        assert response.status_code == 422
        assert any("(MC-IMPROPER)" in e for e in field_part(response, "reasons").errors)
        assert not ImproperRuling.objects.exists()
        assert not Notice.objects.exists()


@pytest.fixture
def inspector_approver(people: Any) -> User:
    """A postal inspector who also holds an OSG delegation: files and decides."""
    return add_user(
        NewUser(
            username="inspector-approver",
            agency="U.S. Postal Inspection Service",
            roles=["inspector", "approver"],
            password="correct horse battery staple",
            nondisclosure=True,
            delegation="DEL-OSG-2",
            totp_secret="JBSWY3DPEHPK3PXPJBSWY3DP",  # SEC-SECOND-FACTOR
        ),
        timezone.now() - timedelta(days=1),
        Policy(),
    )


class TestReview:
    def test_an_approver_who_did_not_file_reviews_the_order(
        self, browse: Browse, people: Any, order: CoverOrder
    ) -> None:
        response = browse(people.hq).post(
            f"/orders/{order.pk}/review",
            {"note": "Reviewed the facts and the scope: still necessary."},
            follow=True,
        )

        page = text(response)
        assert "Review recorded." in page
        assert "Periodic review recorded" in page
        assert Review.objects.get(order=order).reviewer == people.hq

    def test_the_filer_cannot_review_their_own_order(
        self,
        browse: Browse,
        people: Any,
        file: File,
        approve: Any,
        inspector_approver: User,
    ) -> None:
        own = approve(file(inspector_approver, grounds="postal_statute"))

        response = browse(inspector_approver).post(
            f"/orders/{own.pk}/review", {"note": "Reviewed my own order: all fine."}
        )

        assert response.status_code == 422
        assert "(MC-NOT-SELF)" in text(response)
        assert not Review.objects.exists()

    def test_a_review_says_what_was_reviewed(
        self, browse: Browse, people: Any, order: CoverOrder, field_part: Any
    ) -> None:
        response = browse(people.hq).post(f"/orders/{order.pk}/review", {"note": "  "})

        assert response.status_code == 422
        page = text(response)
        review_form = page.split(f'action="/orders/{order.pk}/review"', 1)[1].split("</form>")[0]
        assert any("(MC-REVIEW)" in e for e in field_part(review_form, "note").errors)
        indictment_form = page.split(f'action="/orders/{order.pk}/indictment"')[1]
        assert field_part(indictment_form.split("</form>")[0], "note").errors == []
        assert not Review.objects.exists()


# --- the approval queue fragment --------------------------------------------------


def test_the_approval_queue_fragment_is_for_approvers_only(
    browse: Browse, people: Any, file: File
) -> None:
    filed = file(people.requester)

    assert browse(people.requester).get("/fragments/approval-queue").status_code == 403
    assert browse(people.oversight).get("/fragments/approval-queue").status_code == 403
    response = browse(people.approver).get("/fragments/approval-queue")
    assert response.status_code == 200
    fragment = text(response).strip()
    assert fragment.startswith('<section id="approval-queue"')
    assert "<html" not in fragment
    assert filed.case_number in fragment


def test_case_pages_leave_disclosures_and_ledger_numbers_to_oversight(
    people: Any, order: Any, browse: Callable[[User], Client]
) -> None:
    from mailcover.ledger import accounting

    agency = people.requester.agency
    agency.address = "800 E MONROE ST, SPRINGFIELD IL"
    agency.save()
    accounting.record_disclosure(
        people.requester,
        timezone.now(),
        subject_id=order.request.subject_id,
        case=order.case_number,
        recipient=agency,
        nature="view of captured mail exterior data",
        purpose="Investigation of mail fraud",
        law_enforcement=True,
        agency_head_written_request=True,
    )

    as_requester = browse(people.requester).get(f"/orders/{order.pk}").content.decode()
    as_oversight = browse(people.oversight).get(f"/orders/{order.pk}").content.decode()

    assert "Request approved" in as_requester
    assert "disclosure" not in as_requester
    assert "ledger entry" not in as_requester
    assert "ledger entry" in as_oversight
    assert "disclosure" not in as_oversight


# --- SVC-MATCHABLE: orders from before the rule -------------------------------------

UNMATCHABLE_ADDRESS = "THE BLUE HOUSE BEHIND THE OLD MILL, SPRINGFIELD"


@pytest.fixture
def order_from_before(people: Any, approve: Any) -> CoverOrder:
    """An order in force whose subject the matcher cannot use, filed as it could be before
    SVC-MATCHABLE (the demo seeds one the same way)."""
    from tests.covers.conftest import draft_for

    from mailcover.covers import actions

    draft = draft_for(
        people.requester,
        subject_name="RICHARD ROE",
        subject_address=UNMATCHABLE_ADDRESS,
        aliases=("J JR.",),
    )
    filed = actions._file(people.requester, draft, timezone.now(), None, matchable=False)
    result: CoverOrder = approve(filed)
    return result


def test_svc_matchable_an_order_from_before_warns_at_the_top_of_its_page(
    browse: Browse, people: Any, order_from_before: CoverOrder
) -> None:
    for who in (people.requester, people.approver, people.oversight):
        shown = text(browse(who).get(f"/orders/{order_from_before.pk}"))

        assert 'data-testid="unmatchable-warning"' in shown
        assert "This order cannot capture any mail" in shown
        assert "no ZIP Code" in shown
        assert escape("'J JR.' names nobody") in shown
        assert shown.index("unmatchable-warning") < shown.index("order-status")


def test_svc_matchable_a_matchable_order_shows_no_warning(
    browse: Browse, people: Any, order: CoverOrder
) -> None:
    for path in (f"/orders/{order.pk}", "/"):
        assert "unmatchable" not in text(browse(people.approver).get(path))


def test_svc_matchable_the_approvers_and_oversights_homes_list_orders_from_before(
    browse: Browse, people: Any, order_from_before: CoverOrder, order: CoverOrder
) -> None:
    for who in (people.approver, people.oversight, people.requester):
        shown = text(browse(who).get("/"))

        assert 'data-testid="unmatchable-orders"' in shown
        warning = shown[shown.index("unmatchable-orders") :].split("</ul>")[0]
        assert order_from_before.case_number in warning
        assert order.case_number not in warning
        assert "no ZIP Code" in warning


def test_svc_matchable_the_warning_tells_nothing_to_those_who_may_not_see_the_order(
    browse: Browse, people: Any, order_from_before: CoverOrder
) -> None:
    for who in (people.outsider, people.operator, people.admin, people.no_nda):
        client = browse(who)
        home = text(client.get("/"))
        page = client.get(f"/orders/{order_from_before.pk}")

        assert "unmatchable" not in home
        assert order_from_before.case_number not in home
        assert UNMATCHABLE_ADDRESS not in home
        assert page.status_code in (403, 404)
        assert UNMATCHABLE_ADDRESS not in text(page)


def test_svc_matchable_an_ended_order_from_before_is_not_on_the_homes(
    browse: Browse, people: Any, order_from_before: CoverOrder
) -> None:
    period = order_from_before.periods.get()
    period.starts_at -= timedelta(days=60)
    period.ends_at = timezone.now() - timedelta(days=1)
    period.save()

    assert "unmatchable-orders" not in text(browse(people.approver).get("/"))
    assert "unmatchable-warning" in text(
        browse(people.approver).get(f"/orders/{order_from_before.pk}")
    )


def test_svc_matchable_a_request_from_before_warns_on_its_page(
    browse: Browse, people: Any, order_from_before: CoverOrder
) -> None:
    shown = text(browse(people.approver).get(f"/requests/{order_from_before.request_id}"))

    assert 'data-testid="unmatchable-warning"' in shown
    assert "An order on this request could not capture any mail" in shown
    assert (
        browse(people.outsider).get(f"/requests/{order_from_before.request_id}").status_code == 404
    )
