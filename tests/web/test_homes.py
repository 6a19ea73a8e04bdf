"""Each home shows first what its person may act on now (web.homes): an official's queue of
the requests they may decide, with the age against the decision target; the emergency
confirmation deadline as a warning first on the page; an inspector's records requests
waiting for them; the operator's stream, with no case data."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from tests.conftest import signed_in
from tests.covers.conftest import approve, draft_for, emergency_order, file  # noqa: F401
from tests.records.test_views import form, world  # noqa: F401
from tests.records.test_views import signed_in as signed_in_with_code

from mailcover.covers import actions
from mailcover.covers.models import CoverRequest, StreamTally
from mailcover.web import homes

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def queue_part(page: str) -> str:
    start = page.index('data-testid="approval-queue"')
    return page[start : page.index("</section>", start)]


def test_an_official_sees_only_the_requests_they_may_decide(people, file) -> None:  # noqa: F811
    plain = file(people.requester, subject_name="PLAIN CASE")
    urgent = file(
        people.requester,
        subject_name="URGENT CASE",
        emergency=True,
        emergency_reason="The drop address is about to be abandoned and evidence lost.",
    )

    iic = queue_part(text(signed_in(people.iic).get("/")))
    osg = queue_part(text(signed_in(people.approver).get("/")))

    # MC-AUTHORITY (d)(3): an Inspector in Charge orders covers only in emergencies.
    assert urgent.case_number in iic
    assert plain.case_number not in iic
    assert "1 other pending request needs another official" in iic
    assert plain.case_number in osg
    assert urgent.case_number in osg
    assert 'data-testid="queue-others"' not in osg


def test_the_refreshed_queue_is_the_same_filtered_queue(people, file) -> None:  # noqa: F811
    plain = file(people.requester, subject_name="PLAIN CASE")

    fragment = text(signed_in(people.iic).get("/fragments/approval-queue"))

    assert plain.case_number not in fragment
    assert "Nothing waits for your decision." in fragment


def test_nobody_is_offered_a_request_they_filed(people) -> None:
    """MC-NOT-SELF: a person holding both roles never sees their own filing to decide."""
    both = people.approver
    official = both.as_official()
    filed = actions.file_request(people.requester, draft_for(people.requester), timezone.now())
    own = type(official)(filed.requester_id, official.roles, official.delegations, True)

    assert actions.approval_refusals(official, filed, timezone.now()) == []
    assert [v.rule for v in actions.approval_refusals(own, filed, timezone.now())] == [
        "MC-NOT-SELF"
    ]


def test_each_request_shows_its_age_against_the_decision_target(people, file) -> None:  # noqa: F811
    fresh = file(people.requester, subject_name="FRESH CASE")
    old = file(people.requester, subject_name="OLD CASE")
    CoverRequest.objects.filter(pk=old.pk).update(filed_at=timezone.now() - timedelta(hours=130))

    page = queue_part(text(signed_in(people.approver).get("/")))

    old_row = page[page.index(old.case_number) :].split("</tr>")[0]
    fresh_row = page[page.index(fresh.case_number) :].split("</tr>")[0]
    # OIG-TIMELINESS: 120 hours by default (MAILCOVER_DECISION_TARGET_HOURS).
    assert "over target" in old_row
    assert "5 days 10 hours (target 5 days)" in old_row
    assert "over target" not in fresh_row
    assert "of 5 days" in fresh_row
    # The oldest waits first.
    assert page.index(old.case_number) < page.index(fresh.case_number)


def test_the_emergency_deadline_is_a_warning_first_on_the_page(people, emergency_order) -> None:  # noqa: F811
    page = text(signed_in(people.requester).get("/"))

    alert = page.index('data-testid="emergency-deadlines"')
    assert "usa-alert--warning" in page[page.rfind("<div", 0, alert) : alert]
    assert alert < page.index("Your agency's requests")
    assert alert < page.index('id="orders-heading"')
    due = page[alert : page.index("</div></div>", alert)]
    assert emergency_order.case_number in due
    assert "2 days 23 hours left" in due  # 3 calendar days from filing, a moment ago


def test_the_emergency_alert_goes_once_confirmed_and_never_to_another_agency(
    people,
    emergency_order,  # noqa: F811
) -> None:
    assert "emergency-deadlines" not in text(signed_in(people.outsider).get("/"))
    actions.confirm_emergency(
        people.requester,
        emergency_order,
        "Confirmed in writing by the requesting officer's supervisor.",
        timezone.now(),
    )
    assert "emergency-deadlines" not in text(signed_in(people.requester).get("/"))


def test_time_left_reads_as_words() -> None:
    assert homes.span(timedelta(days=2, hours=23, minutes=59)) == "2 days 23 hours"
    assert homes.span(timedelta(hours=1, minutes=5)) == "1 hour 5 minutes"
    assert homes.span(timedelta(minutes=-5)) == "0 minutes"


def test_an_inspectors_records_queue_holds_what_waits_for_them(world) -> None:  # noqa: F811
    from mailcover.records.models import RecordsRequest

    signed_in_with_code(world.requester).post("/records/new", form())
    theirs = RecordsRequest.objects.get()
    inspector = signed_in_with_code(world.inspector)
    inspector.post("/records/new", form(email="other@example.com"))
    own = RecordsRequest.objects.exclude(pk=theirs.pk).get()

    page = text(inspector.get("/"))

    start = page.index('data-testid="records-queue"')
    waiting = page[start : page.index("</section>", start)]
    assert theirs.number in waiting
    assert own.number not in waiting  # MC-NOT-SELF: another inspector reviews it
    assert "records-queue" not in text(signed_in(world.requester).get("/"))


MOMENT = timezone.now()


def _tally(captured: int) -> None:
    now = MOMENT
    StreamTally.objects.create(
        source="api",
        started_at=now - timedelta(minutes=1),
        finished_at=now,
        received=40,
        rejected=2,
        matched=captured,
        captured=captured,
        no_order=40 - 2 - captured,
    )


def test_the_operator_reads_the_stream_and_nothing_of_coverage(people) -> None:
    _tally(captured=0)
    operator = signed_in(people.operator)
    uncovered_home = text(operator.get("/"))
    uncovered_page = text(operator.get("/stream"))
    StreamTally.objects.all().delete()
    _tally(captured=7)  # the same batch, seven of its pieces under cover

    covered_home = text(operator.get("/"))
    covered_page = text(operator.get("/stream"))

    assert 'data-testid="stream-tallies"' in uncovered_home
    assert "<td>40</td><td>2</td>" in uncovered_page
    assert "No NATS stream is configured" in uncovered_page

    def same(page: str) -> str:
        return page.split("<main", 1)[1].split("</main>", 1)[0]

    # SEC-OPERATOR: the page reads the same whether or not any piece was under cover.
    assert same(covered_home) == same(uncovered_home)
    assert same(covered_page) == same(uncovered_page)


@pytest.mark.parametrize("who", ["requester", "approver", "oversight", "admin"])
def test_only_the_operator_reads_the_stream_page(people, who) -> None:
    assert signed_in(getattr(people, who)).get("/stream").status_code == 403


def test_the_stream_page_asks_a_stranger_to_sign_in(client, db) -> None:
    answer = client.get("/stream")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/sign-in")
