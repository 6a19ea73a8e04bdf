"""`seed_demo`: a synthetic world with requests in every state, made by the same actions
people use, seeded once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from mailcover.accounts.models import AccountChange, Agency, Delegation, User
from mailcover.covers.demo import DEMO_PASSWORD, PEOPLE
from mailcover.covers.models import CoverOrder, CoverRequest, Notice, Subject
from mailcover.law.periods import CONTINUOUS_CAP_DAYS
from mailcover.law.terms import OrderStatus
from mailcover.ledger import checkpoints, log
from mailcover.ledger.models import Entry
from mailcover.ledger.verify import verify

pytestmark = pytest.mark.django_db(transaction=False)


def seed(*options: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--no-photographs", *options, stdout=out)
    return out.getvalue()


@pytest.fixture
def world() -> dict[str, Any]:
    said = seed()
    now = timezone.now()
    orders = list(
        CoverOrder.objects.select_related(
            "request", "emergency_confirmation", "indictment", "improper_ruling"
        ).prefetch_related("periods__request__decision__official", "extension_requests")
    )
    return {
        "said": said,
        "now": now,
        "orders": orders,
        "status": {order.pk: order.status_at(now) for order in orders},
    }


def test_seeding_says_so_and_lists_every_demo_sign_in(world: dict[str, Any]) -> None:
    assert "Seeded the demo world." in world["said"]
    assert DEMO_PASSWORD in world["said"]
    for person in PEOPLE:
        assert person.username in world["said"]


def test_sec_second_factor_every_demo_person_who_needs_a_code_has_one_and_its_secret_is_printed(
    world: dict[str, Any],
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mailcover.covers.demo import demo_totp_secret
    from mailcover.law.sign_in import needs_second_factor
    from mailcover.law.terms import Role

    for user in User.objects.all():
        needed = needs_second_factor(user.role_set, staff=user.is_staff)
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists() == needed
    for person in PEOPLE:
        secret = demo_totp_secret(person.username, person.roles)
        if Role.OPERATOR in {Role(r) for r in person.roles}:
            assert secret is None
        else:
            assert secret is not None
            assert secret in world["said"]


def test_there_is_a_person_for_every_role_and_an_agency_of_every_level(
    world: dict[str, Any],
) -> None:
    roles = {role for user in User.objects.all() for role in user.roles}
    assert roles == {
        "requester",
        "inspector",
        "approver",
        "chief",
        "oversight",
        "oversight_head",
        "operator",
        "admin",
    }
    assert set(Agency.objects.values_list("level", flat=True)) == {
        "federal",
        "state",
        "local",
        "postal",
        "oversight",
    }
    # Everyone has signed a nondisclosure form but the analyst the compliance check is to find.
    unsigned = [u.username for u in User.objects.all() if not u.has_nondisclosure()]
    assert unsigned == ["analyst"]
    scopes = set(Delegation.objects.values_list("scope", flat=True))
    assert scopes == {"chief", "hq_designee", "osg_designee", "inspector_in_charge"}
    assert User.objects.get(username="requester").check_password(DEMO_PASSWORD)


def test_every_role_is_held_where_it_may_be_and_one_change_waits_for_confirmation(
    world: dict[str, Any],
) -> None:
    """SEC-ROLE-AGENCY: every demo role is in force at its agency; SEC-TWO-PERSON: the
    analyst's acknowledgment, proposed by the admin, waits for the head of oversight."""
    for user in User.objects.select_related("agency"):
        assert user.role_set == user.stored_roles, user.username
    oversight = User.objects.filter(username__in=["oversight", "head", "analyst"])
    assert {u.agency.level for u in oversight if u.agency} == {"oversight"}
    pending = AccountChange.objects.get(decided_at__isnull=True)
    assert pending.account is not None
    assert (pending.kind, pending.account.username) == ("record_acknowledgment", "analyst")
    assert pending.proposed_by.username == "admin"


def test_requests_are_pending_approved_and_denied(world: dict[str, Any]) -> None:
    states = Counter(r.state for r in CoverRequest.objects.select_related("decision"))

    assert states["pending"] >= 2  # a new request and an extension waiting in the queue
    assert states["approved"] >= 10
    assert states["denied"] >= 1
    pending_kinds = {
        r.kind for r in CoverRequest.objects.filter(decision__isnull=True)
    }  # both kinds wait for approvers
    assert pending_kinds == {"initial", "extension"}


def test_orders_are_in_every_status(world: dict[str, Any]) -> None:
    assert set(world["status"].values()) == {
        OrderStatus.ACTIVE,
        OrderStatus.ENDED,
        OrderStatus.SUSPENDED,
        OrderStatus.TERMINATED,
        OrderStatus.IMPROPER,
    }


def test_an_emergency_awaits_its_written_confirmation(world: dict[str, Any]) -> None:
    waiting = [
        o
        for o in world["orders"]
        if o.request.emergency
        and not hasattr(o, "emergency_confirmation")
        and world["status"][o.pk] is OrderStatus.ACTIVE
    ]
    assert waiting
    assert all(o.request.filed_at + timedelta(days=3) > world["now"] for o in waiting)


def test_an_unconfirmed_emergency_is_suspended_and_a_confirmed_one_is_not(
    world: dict[str, Any],
) -> None:
    suspended = [o for o in world["orders"] if world["status"][o.pk] is OrderStatus.SUSPENDED]
    assert suspended
    assert all(o.request.emergency for o in suspended)
    assert all(not hasattr(o, "emergency_confirmation") for o in suspended)
    confirmed = [o for o in world["orders"] if hasattr(o, "emergency_confirmation")]
    assert confirmed
    assert all(world["status"][o.pk] is not OrderStatus.SUSPENDED for o in confirmed)


def test_an_order_was_extended(world: dict[str, Any]) -> None:
    extended = [o for o in world["orders"] if o.periods.count() > 1]

    assert extended
    for order in extended:
        periods = list(order.periods.all())
        assert all(a.ends_at == b.starts_at for a, b in pairwise(periods))
        assert all(p.request.is_extension for p in periods[1:])


def test_an_order_runs_past_120_days_on_the_chiefs_approval_after_a_review(
    world: dict[str, Any],
) -> None:
    long_running = [
        o
        for o in world["orders"]
        if o.facts().ends_at - o.facts().starts_at > timedelta(days=CONTINUOUS_CAP_DAYS)
    ]

    assert len(long_running) == 1
    (order,) = long_running
    assert world["status"][order.pk] is OrderStatus.ACTIVE
    last = list(order.periods.all())[-1]
    assert last.request.decision.official.username == "chief"
    assert "chief" in last.request.decision.official.roles
    assert order.reviews.exists()
    assert order.last_review_at() is not None
    assert order.last_review_at() < last.request.decision.decided_at
    # Every earlier period was within the cap and approved by the designee.
    for period in list(order.periods.all())[:-1]:
        assert period.ends_at - order.facts().starts_at <= timedelta(days=CONTINUOUS_CAP_DAYS)
        assert period.request.decision.official.username == "approver"


def test_an_order_was_terminated_by_an_indictment(world: dict[str, Any]) -> None:
    terminated = [o for o in world["orders"] if world["status"][o.pk] is OrderStatus.TERMINATED]

    assert terminated
    assert all(hasattr(o, "indictment") for o in terminated)


def test_an_order_was_ruled_improper_and_its_requester_told(world: dict[str, Any]) -> None:
    improper = [o for o in world["orders"] if world["status"][o.pk] is OrderStatus.IMPROPER]

    assert len(improper) == 1
    (order,) = improper
    assert order.improper_ruling.ruled_by.username == "chief"
    notice = Notice.objects.get(case_number=order.case_number)
    assert notice.recipient == order.request.requester


def test_fugitive_and_national_security_orders_run_longer(world: dict[str, Any]) -> None:
    by_grounds = {o.request.grounds: o for o in world["orders"]}

    for grounds in ("fugitive", "national_security"):
        facts = by_grounds[grounds].facts()
        assert facts.ends_at - facts.starts_at == timedelta(days=60)
    natsec = by_grounds["national_security"].request
    assert natsec.decision.official.username == "hq"
    assert natsec.agency_head_name


def test_every_action_is_on_the_audit_trail(world: dict[str, Any]) -> None:
    actions = set(Entry.objects.values_list("event", flat=True))

    assert {
        "request.filed",
        "request.approved",
        "request.denied",
        "extension.filed",
        "emergency.confirmed",
        "indictment.noted",
        "order.ruled_improper",
        "order.reviewed",
    } <= actions
    assert Entry.objects.filter(event="request.filed").count() == (
        CoverRequest.objects.filter(kind="initial").count()
    )


def test_the_demo_ledger_verifies_and_ends_in_a_signed_checkpoint(world: dict[str, Any]) -> None:
    report = verify()

    assert report.ok, report.problems
    assert report.size == Entry.objects.count() == log.tree_size()
    assert checkpoints.latest() is not None
    assert checkpoints.latest().size == report.size
    assert Entry.objects.filter(event="account.added").count() == User.objects.count()


def test_every_demo_agency_has_an_address_for_the_accounting_of_disclosures(
    world: dict[str, Any],
) -> None:
    assert not Agency.objects.filter(address="").exists()


def test_every_demo_agency_address_has_a_city_state_and_zip_that_fit_together(
    world: dict[str, Any],
) -> None:
    import zipcodes

    from mailcover.postal.address import parse

    for agency in Agency.objects.all():
        address = parse(agency.address)  # a ZIP in another state is refused here
        [place] = zipcodes.matching(address.zip5)
        cities = {place["city"].upper(), *(c.upper() for c in place["acceptable_cities"])}
        assert address.city in cities, f"{agency.name}: {agency.address}"
        assert place["state"] == address.state


def test_a_state_or_local_agency_sits_in_its_own_state_and_its_subjects_live_there(
    world: dict[str, Any],
) -> None:
    police = Agency.objects.get(name="Springfield Police Department")
    assert police.address.endswith("Springfield, IL 62701")
    filed = CoverRequest.objects.filter(requester__username__in=("requester", "trooper"))
    assert filed.exists()
    for request in filed.select_related("subject"):
        if request.subject.address.startswith("THE BLUE HOUSE"):
            continue  # the order from before SVC-MATCHABLE, filed as it was then
        assert " IL " in request.subject.address, request.subject.address


def test_the_facts_of_every_demo_request_tell_what_happened_and_what_the_cover_should_show(
    world: dict[str, Any],
) -> None:
    from mailcover.covers.demo_facts import surname_of

    # An extension carries its order's facts; each first request tells its own story.
    stories = CoverRequest.objects.filter(kind="initial").select_related("subject")
    assert stories.count() >= 20
    told = set()
    for request in stories:
        assert surname_of(request.subject.name) in request.facts, request.facts
        assert "The cover should" in request.facts or "A cover on mail" in request.facts
        told.add(request.facts)
    assert len(told) == stories.count()  # no two requests tell the same story


def test_the_demo_prints_customers_to_try_a_records_request_with(
    world: dict[str, Any],
) -> None:
    from mailcover.records.actions import find_customer
    from mailcover.records.models import RecordsRequest

    printed = world["said"].split("Customers to try a records request with")[1]
    lines = [line for line in printed.splitlines() if " email " in line]
    assert len(lines) == 3
    named = [r.identifiers for r in RecordsRequest.objects.all()]
    for line in lines:
        words = line.split()
        email = words[words.index("email") + 1]
        account = words[words.index("account") + 1]
        tracking = words[words.index("tracking") + 1]
        customer = find_customer({"email": email})
        assert customer is not None
        assert find_customer({"account": account}) == customer
        assert find_customer({"tracking_number": tracking}) == customer
        assert customer.sign_ins.exists()
        assert all(email not in ids.values() and account not in ids.values() for ids in named)


def test_seeding_again_changes_nothing(world: dict[str, Any]) -> None:
    def counts() -> dict[str, int]:
        return {
            model.__name__: model.objects.count()
            for model in (User, Agency, Delegation, Subject, CoverRequest, CoverOrder, Entry)
        }

    before = counts()

    said = seed()

    assert "The demo world is already seeded." in said
    assert counts() == before


def test_orders_have_captures_made_while_they_were_in_force(world: dict[str, Any]) -> None:
    from mailcover.covers.models import Capture, StreamTally
    from mailcover.law.orders import may_record

    with_captures = [o for o in world["orders"] if o.captures.exists()]
    assert len(with_captures) >= len(world["orders"]) // 2
    assert {world["status"][o.pk] for o in with_captures} >= {
        OrderStatus.ACTIVE,
        OrderStatus.ENDED,
    }
    for capture in Capture.objects.select_related("order"):
        facts = capture.order.facts()
        assert may_record(facts, capture.scanned_at, capture.captured_at)
    tally = StreamTally.objects.get(source="demo")
    assert tally.no_order > tally.matched > 0  # most of the stream was dropped
    assert tally.excluded > 0  # attorney mail withheld (MC-ATTORNEY)


def test_captured_pieces_carry_their_photograph_and_some_were_read_from_it_alone(
    settings: Any, tmp_path: Any
) -> None:
    from django.test import TestCase

    from mailcover.covers.models import Capture

    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", "--photographs", "2", stdout=out)
    with_images = Capture.objects.exclude(image="")
    # The demo photographs the pieces its synthetic truth says are to be captured; the few
    # the matcher also captures beyond that truth (a handful in 200) carry no photograph.
    assert with_images.count() >= Capture.objects.count() * 0.97
    for capture in with_images[:5]:
        assert (tmp_path / capture.image).is_file()
    assert len(list(tmp_path.rglob("*.jpg"))) == with_images.values("image").distinct().count()


def test_records_requests_are_in_every_state_and_three_instruments_reach_production(
    world: dict[str, Any],
) -> None:
    from mailcover.records.models import Customer, RecordsRequest

    assert Customer.objects.count() == 40
    requests = list(RecordsRequest.objects.all())
    states = {r.state for r in requests}
    assert states == {"produced", "approved", "under_review", "refused", "no_records"}
    produced = {r.instrument for r in requests if r.state == "produced"}
    assert produced == {"subpoena", "court_order_2703d", "emergency"}
    for request in requests:
        if request.state == "produced":
            assert request.production.counts  # something was produced, within its scope
            assert set(request.production.counts) <= set(request.categories)
    held = next(r for r in requests if r.instrument == "court_order_2703d")
    assert held.customer_notice.sent_at is None  # a delayed-notice order holds it
    sent = next(r for r in requests if r.instrument == "subpoena" and r.state == "produced")
    assert sent.customer_notice.sent_at is not None


def test_svc_matchable_the_demo_has_one_order_from_before_that_cannot_be_matched(
    world: dict[str, Any],
) -> None:
    from mailcover.covers.matchability import order_problems

    unmatchable = [o for o in world["orders"] if order_problems(o)]

    assert len(unmatchable) == 1
    [order] = unmatchable
    assert world["status"][order.pk] is OrderStatus.ACTIVE
    assert not order.captures.exists()
    fields = {p.field for p in order_problems(order)}
    assert fields == {"subject.address", "subject.aliases[0]"}
