"""The insider with the admin role: power over cases takes two people (SEC-TWO-PERSON).

Each test is an attack the issue reproduced through /admin/ and what it now meets."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.conftest import OVERSIGHT_BODY, signed_in

from mailcover.accounts import grants
from mailcover.accounts.models import (
    AccountChange,
    ApiToken,
    Delegation,
    NondisclosureAcknowledgment,
    User,
)
from mailcover.law.errors import RuleBroken
from mailcover.law.grants import ChangeKind
from mailcover.law.terms import DelegationScope, Policy, Role
from mailcover.ledger.models import Entry

pytestmark = pytest.mark.django_db(transaction=False)


def propose(client: Client, **fields: Any) -> Any:
    return client.post("/accounts/changes", fields)


def latest() -> AccountChange:
    return AccountChange.objects.order_by("-pk").first()  # type: ignore[return-value]


def new_account_in_the_admin(people: Any, username: str, agency: Any) -> User:
    response = signed_in(people.admin).post(
        "/admin/accounts/user/add/",
        {"username": username, "email": f"{username}@example.gov", "agency": agency.pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(username=username)


def test_sec_two_person_an_admin_cannot_make_an_oversight_account_alone(people: Any) -> None:
    admin = signed_in(people.admin)
    made = new_account_in_the_admin(people, "mole", people.oversight.agency)

    # The admin chose no password and learns none: the person gets a one-time link.
    assert not made.has_usable_password()
    assert [m.to for m in mail.outbox] == [["mole@example.gov"]]
    assert "/accounts/set-password#" in mail.outbox[0].body
    # Roles cannot be set in the admin...
    admin.post(
        f"/admin/accounts/user/{made.pk}/change/",
        {"username": "mole", "roles": '["oversight"]', "is_active": "on"},
    )
    made.refresh_from_db()
    assert made.roles == []
    # ...only proposed; the proposal gives nothing until the head of oversight confirms it.
    assert propose(admin, kind="grant_role", account=made.pk, role="oversight").status_code == 302
    change = latest()
    made.refresh_from_db()
    assert change.pending
    assert made.roles == []
    listed = signed_in(people.head).get("/accounts/changes").content.decode()
    assert "mole@example.gov" in listed  # the confirmer sees where the link went
    assert f'action="/accounts/changes/{change.pk}/confirm"' in listed
    assert (
        f'action="/accounts/changes/{change.pk}/confirm"'
        not in admin.get("/accounts/changes").content.decode()
    )

    refused = admin.post(f"/accounts/changes/{change.pk}/confirm")

    assert refused.status_code == 403
    assert "SEC-TWO-PERSON" in refused.content.decode()
    made.refresh_from_db()
    assert made.roles == []
    # The chief is not who confirms oversight either.
    assert signed_in(people.chief).post(f"/accounts/changes/{change.pk}/confirm").status_code == 403

    confirmed = signed_in(people.head).post(f"/accounts/changes/{change.pk}/confirm")

    assert confirmed.status_code == 302
    made.refresh_from_db()
    assert made.role_set == {Role.OVERSIGHT}
    events = list(Entry.objects.filter(event__startswith="account_change.").values("event"))
    assert [e["event"] for e in events] == [
        "account_change.proposed",
        "account_change.confirmed",
    ]


def test_sec_two_person_the_admin_sets_no_acknowledgment_or_delegation_in_the_admin(
    people: Any,
) -> None:
    admin = signed_in(people.admin)

    acknowledgment = admin.post(
        "/admin/accounts/nondisclosureacknowledgment/add/",
        {"user": people.no_nda.pk, "signed_on": "2026-01-01"},
    )
    delegation = admin.post(
        "/admin/accounts/delegation/add/",
        {
            "holder": people.undelegated.pk,
            "reference": "DEL-X",
            "scope": "hq_designee",
            "valid_from_0": "2020-01-01",
            "valid_from_1": "00:00:00",
        },
    )

    assert acknowledgment.status_code == 403
    assert delegation.status_code == 403
    assert not NondisclosureAcknowledgment.objects.filter(user=people.no_nda).exists()
    assert not Delegation.objects.filter(reference="DEL-X").exists()


def test_mc_authority_an_admin_cannot_make_back_dated_designees_past_the_limit(
    people: Any,
) -> None:
    admin = signed_in(people.admin)
    back_dated = (timezone.now() - timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")

    response = propose(
        admin,
        kind="record_delegation",
        account=people.undelegated.pk,
        reference="DEL-HQ-BACK",
        scope="hq_designee",
        valid_from=back_dated,
    )

    assert response.status_code == 422
    assert "cannot be back-dated (MC-AUTHORITY)" in response.content.decode()
    assert not AccountChange.objects.exists()
    # Two proposals that each fit the limit (one headquarters designee in force of two)...
    for holder, reference in ((people.undelegated, "DEL-HQ-2"), (people.iic, "DEL-HQ-3")):
        proposed = propose(
            admin,
            kind="record_delegation",
            account=holder.pk,
            reference=reference,
            scope="hq_designee",
        )
        assert proposed.status_code == 302
    first, second = AccountChange.objects.order_by("pk")
    chief = signed_in(people.chief)

    assert chief.post(f"/accounts/changes/{first.pk}/confirm").status_code == 302
    over = chief.post(f"/accounts/changes/{second.pk}/confirm")

    # ...are counted again when confirmed: the second would be a third designee.
    assert over.status_code == 422
    assert "already 2 headquarters designees" in over.content.decode()
    assert Delegation.objects.filter(scope="hq_designee").count() == 2
    second.refresh_from_db()
    assert second.pending


def test_mc_authority_the_shell_counts_designees_too(people: Any) -> None:
    from mailcover.accounts.provisioning import NewUser, ProvisioningError, add_user

    add_user(
        NewUser(
            "hq2",
            "U.S. Postal Inspection Service",
            ["approver"],
            "a long passphrase 1",
            delegation="DEL-HQ-2",
            delegation_scope="hq_designee",
        ),
        timezone.now(),
        Policy(),
    )
    with pytest.raises(ProvisioningError, match="MC-AUTHORITY"):
        add_user(
            NewUser(
                "hq3",
                "U.S. Postal Inspection Service",
                ["approver"],
                "a long passphrase 1",
                delegation="DEL-HQ-3",
                delegation_scope="hq_designee",
            ),
            timezone.now(),
            Policy(),
        )


def test_sec_two_person_an_admin_cannot_take_over_an_account_by_its_password(
    people: Any,
) -> None:
    victim = people.approver
    victim.email = "approver@example.gov"
    victim.save(update_fields=["email"])
    TOTPDevice.objects.create(user=victim, name="phone", confirmed=True)
    ApiToken.issue(victim, timezone.now(), 1)
    admin = signed_in(people.admin)

    # No password form...
    password_form = admin.post(
        f"/admin/accounts/user/{victim.pk}/password/",
        {"password1": "chosen by the admin 1", "password2": "chosen by the admin 1"},
    )
    # ...no way to send the reset link to an address of the admin's...
    admin.post(
        f"/admin/accounts/user/{victim.pk}/change/",
        {"username": victim.username, "email": "admin@evil.example", "is_active": "on"},
    )
    # ...and no page that makes or shows anyone's one-time-code device.
    devices = admin.get("/admin/otp_totp/totpdevice/add/")

    assert password_form.status_code == 403
    assert devices.status_code == 404
    victim.refresh_from_db()
    assert victim.email == "approver@example.gov"

    reset = admin.post(
        "/admin/accounts/user/",
        {"action": "reset_sign_in", "_selected_action": [victim.pk]},
    )

    assert reset.status_code == 302
    victim.refresh_from_db()
    assert not victim.has_usable_password()
    assert not ApiToken.objects.filter(user=victim).exists()
    assert not TOTPDevice.objects.filter(user=victim).exists()
    assert [m.to for m in mail.outbox] == [["approver@example.gov"]]
    assert Entry.objects.filter(event="account.sign_in_reset", actor_ref=people.admin.pk).exists()
    # The person, and only they, set the new password through the link; it works once.
    link = re.search(r"http://testserver(/accounts/set-password)#(\S+)", mail.outbox[0].body)
    assert link is not None
    person = Client()
    new = "only the approver knows 7"
    assert person.get(link[1]).status_code == 200
    done = person.post(link[1], {"link": link[2], "new_password1": new, "new_password2": new})
    assert done.status_code == 302
    victim.refresh_from_db()
    assert victim.check_password(new)
    again = person.post(
        link[1], {"link": link[2], "new_password1": "x" * 20, "new_password2": "x" * 20}
    )
    assert again.status_code == 400


def test_sec_two_person_the_links_code_never_reaches_the_server_in_a_url(people: Any) -> None:
    """The code sits after the '#': no access log, proxy or Referer ever carries it; the
    page's own script moves it into the form that is POSTed."""
    new_account_in_the_admin(people, "fresh", people.oversight.agency)
    body = mail.outbox[-1].body
    page, code = re.search(r"http://testserver(/accounts/set-password)#(\S+)", body).groups()
    assert code not in page
    shown = Client().get(page).content.decode()
    assert 'name="link"' in shown
    assert "set-password.js" in shown


def test_sec_two_person_the_chief_cannot_confirm_their_own_proposal(people: Any) -> None:
    chief = signed_in(people.chief)
    assert (
        propose(chief, kind="grant_role", account=people.inspector.pk, role="approver").status_code
        == 302
    )
    change = latest()

    refused = chief.post(f"/accounts/changes/{change.pk}/confirm")

    assert refused.status_code == 403
    assert "you proposed this change" in refused.content.decode()
    people.inspector.refresh_from_db()
    assert people.inspector.roles == ["inspector"]


def test_sec_two_person_nobody_confirms_a_grant_to_themselves(people: Any) -> None:
    assert (
        propose(
            signed_in(people.admin),
            kind="record_delegation",
            account=people.chief.pk,
            reference="DEL-CPI-2",
            scope="chief",
        ).status_code
        == 302
    )

    refused = signed_in(people.chief).post(f"/accounts/changes/{latest().pk}/confirm")

    assert refused.status_code == 403
    assert "your own power" in refused.content.decode()
    assert not Delegation.objects.filter(reference="DEL-CPI-2").exists()


def test_sec_two_person_a_head_of_oversight_is_confirmed_by_another(people: Any) -> None:
    proposed = grants.propose(
        people.admin,
        grants.Proposal(ChangeKind.GRANT_ROLE, account=people.oversight, role=Role.OVERSIGHT_HEAD),
        timezone.now(),
        Policy(),
    )
    with pytest.raises(grants.NotAllowed):
        grants.confirm(people.oversight, proposed.pk, timezone.now(), Policy())

    grants.confirm(people.head, proposed.pk, timezone.now(), Policy())

    people.oversight.refresh_from_db()
    assert Role.OVERSIGHT_HEAD in people.oversight.role_set


@pytest.mark.parametrize("who", ["requester", "inspector", "oversight", "operator"])
def test_sec_two_person_who_takes_no_part_may_not_see_or_propose(people: Any, who: str) -> None:
    client = signed_in(getattr(people, who))

    page = client.get("/accounts/changes")
    proposed = propose(client, kind="grant_role", account=people.requester.pk, role="inspector")

    assert page.status_code == 403
    assert "SEC-TWO-PERSON" in page.content.decode()
    assert proposed.status_code == 403
    assert not AccountChange.objects.exists()


def test_sec_two_person_a_refusal_is_kept_and_on_the_ledger_as_a_digest(people: Any) -> None:
    change = grants.propose(
        people.admin,
        grants.Proposal(ChangeKind.GRANT_ROLE, account=people.inspector, role=Role.APPROVER),
        timezone.now(),
        Policy(),
    )

    refused = signed_in(people.chief).post(
        f"/accounts/changes/{change.pk}/refuse", {"reason": "no written delegation yet"}
    )

    assert refused.status_code == 302
    change.refresh_from_db()
    assert change.outcome == "refused"
    entry = Entry.objects.get(event="account_change.refused")
    assert b"no written delegation yet" not in bytes(entry.data)
    with pytest.raises(RuleBroken, match="already refused"):
        grants.confirm(people.chief, change.pk, timezone.now(), Policy())


def test_sec_two_person_a_revoked_delegation_ends_when_confirmed(people: Any) -> None:
    delegation = Delegation.objects.get(holder=people.hq)
    change = grants.propose(
        people.admin,
        grants.Proposal(ChangeKind.REVOKE_DELEGATION, delegation=delegation),
        timezone.now(),
        Policy(),
    )
    assert change.account == people.hq

    grants.confirm(people.chief, change.pk, timezone.now(), Policy())

    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_mc_authority_a_confirmation_locks_before_it_counts_designees(people: Any) -> None:
    """Two confirmations at once cannot both pass the limit: each locks the postal inspection
    service's rows (where every approver and chief is) before it reads the delegations, so
    the second waits for the first to commit and then counts its delegation."""
    change = grants.propose(
        people.admin,
        grants.Proposal(
            ChangeKind.RECORD_DELEGATION,
            account=people.undelegated,
            reference="DEL-HQ-2",
            scope=DelegationScope.HQ_DESIGNEE,
        ),
        timezone.now(),
        Policy(),
    )

    with CaptureQueriesContext(connection) as seen:
        grants.confirm(people.chief, change.pk, timezone.now(), Policy())

    sql = [q["sql"] for q in seen.captured_queries]
    lock = next(
        i
        for i, q in enumerate(sql)
        if q.startswith('SELECT "accounts_agency"') and "FOR UPDATE" in q
    )
    count = next(i for i, q in enumerate(sql) if q.startswith('SELECT "accounts_delegation"'))
    assert lock < count
    assert any("accounts_accountchange" in q and "FOR UPDATE" in q for q in sql[:lock])


def test_an_oversight_persons_acknowledgment_is_confirmed_by_the_head_of_oversight(
    people: Any,
) -> None:
    analyst = User.objects.create(
        username="analyst", roles=["oversight"], agency=people.oversight.agency, email="a@x.gov"
    )
    assert analyst.agency.name == OVERSIGHT_BODY
    change = grants.propose(
        people.admin,
        grants.Proposal(
            ChangeKind.RECORD_ACKNOWLEDGMENT, account=analyst, signed_on=timezone.now().date()
        ),
        timezone.now(),
        Policy(),
    )
    with pytest.raises(grants.NotAllowed):
        grants.confirm(people.chief, change.pk, timezone.now(), Policy())

    grants.confirm(people.head, change.pk, timezone.now(), Policy())

    assert analyst.has_nondisclosure()


def test_sec_two_person_the_api_holds_the_same_line(people: Any, api: Any) -> None:
    body = {"kind": "grant_role", "account": "oversight", "role": "oversight_head"}

    assert api.post("/account-changes", body, people.requester).status_code == 403
    proposed = api.post("/account-changes", body, people.admin)
    assert proposed.status_code == 201, proposed.content
    change = proposed.json()
    assert change["status"] == "pending"
    assert change["confirmed_by_role"] == "oversight_head"
    own = api.post(f"/account-changes/{change['id']}/confirm", {}, people.admin)
    chief = api.post(f"/account-changes/{change['id']}/confirm", {}, people.chief)
    head = api.post(f"/account-changes/{change['id']}/confirm", {}, people.head)

    assert own.status_code == 403
    assert own.json()["rule"] == "SEC-TWO-PERSON"
    assert chief.status_code == 403
    assert head.status_code == 200
    assert head.json()["status"] == "confirmed"
    fbi = api.post(
        "/account-changes",
        {"kind": "grant_role", "account": "outsider", "role": "inspector"},
        people.admin,
    )
    assert fbi.status_code == 422
    assert fbi.json()["rule"] == "SEC-ROLE-AGENCY"
    listed = api.get("/account-changes", people.chief)
    assert [c["id"] for c in listed.json()] == [change["id"]]


def test_sec_two_person_a_proposal_names_what_it_lacks_and_what_does_not_apply(
    people: Any,
) -> None:
    response = propose(
        signed_in(people.admin),
        kind="grant_role",
        account=people.inspector.pk,
        signed_on="2026-01-01",
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert "role is required to grant a role" in page
    assert "signed on does not apply to grant a role" in page
    assert not AccountChange.objects.exists()


# -- The admin who keeps a way into an account that is later given power --


def set_password_by_link(message: Any, password: str) -> None:
    """Follow a one-time link from an e-mail, as whoever reads that mailbox would."""
    found = re.search(r"(/accounts/set-password)#(\S+)", message.body)
    assert found is not None
    done = Client().post(
        found[1], {"link": found[2], "new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302, done.content.decode()[:500]


def test_sec_two_person_the_admin_who_set_an_accounts_password_loses_it_when_power_is_granted(
    people: Any,
) -> None:
    # The admin makes the account with an address they read, sets its password through the
    # link, then gives it a real official's address before proposing oversight for it.
    made = new_account_in_the_admin(people, "sock", people.oversight.agency)
    set_password_by_link(mail.outbox[-1], "the admin's own secret 2026")
    made.refresh_from_db()
    assert made.check_password("the admin's own secret 2026")
    TOTPDevice.objects.create(user=made, name="the admin's phone", confirmed=True)
    admin = signed_in(people.admin)
    admin.post(
        f"/admin/accounts/user/{made.pk}/change/",
        {
            "username": "sock",
            "email": "jane.doe@oig.example.gov",
            "agency": made.agency_id,
            "is_active": "on",
        },
    )
    made.refresh_from_db()
    assert made.email == "jane.doe@oig.example.gov"
    propose(admin, kind="grant_role", account=made.pk, role="oversight")
    mail.outbox.clear()

    signed_in(people.head).post(f"/accounts/changes/{latest().pk}/confirm")

    made.refresh_from_db()
    assert made.role_set == {Role.OVERSIGHT}
    # What the admin set before the confirmation is gone: the password, the device...
    assert not made.has_usable_password()
    assert not TOTPDevice.objects.filter(user=made).exists()
    # ...and the new link goes to the address the head of oversight saw, not the admin's.
    assert [m.to for m in mail.outbox] == [["jane.doe@oig.example.gov"]]
    assert Entry.objects.filter(event="account.sign_in_reset").exists()


def test_sec_two_person_the_address_is_fixed_while_a_proposal_waits(people: Any) -> None:
    made = new_account_in_the_admin(people, "waiting", people.oversight.agency)
    admin = signed_in(people.admin)
    propose(admin, kind="grant_role", account=made.pk, role="oversight")

    admin.post(
        f"/admin/accounts/user/{made.pk}/change/",
        {
            "username": "waiting",
            "email": "admin.reads.this@example.gov",
            "agency": made.agency_id,
            "is_active": "on",
        },
    )

    made.refresh_from_db()
    assert made.email == "waiting@example.gov"


def test_sec_two_person_the_admin_does_not_bring_back_a_deactivated_official(
    people: Any,
) -> None:
    people.inspector.is_active = False
    people.inspector.save()
    admin = signed_in(people.admin)

    admin.post(
        f"/admin/accounts/user/{people.inspector.pk}/change/",
        {"username": "inspector", "email": "", "is_active": "on"},
    )

    people.inspector.refresh_from_db()
    assert not people.inspector.is_active


def test_sec_two_person_one_person_with_a_second_account_confirms_nothing_for_themselves(
    people: Any,
) -> None:
    people.head.email = "head@oig.example.gov"
    people.head.save()
    # The admin pages refuse a second account with the head's address...
    refused = signed_in(people.admin).post(
        "/admin/accounts/user/add/",
        {"username": "head-2", "email": "HEAD@oig.example.gov", "agency": people.head.agency.pk},
    )
    assert refused.status_code == 200
    assert "one person has one account" in refused.content.decode()
    assert not User.objects.filter(username="head-2").exists()
    # ...and one made on the shell with it still cannot have its power confirmed by the head.
    second = User.objects.create(
        username="head-2", email="head@oig.example.gov", agency=people.head.agency
    )
    propose(signed_in(people.admin), kind="grant_role", account=second.pk, role="oversight")

    answer = signed_in(people.head).post(f"/accounts/changes/{latest().pk}/confirm")

    assert answer.status_code == 403
    assert "your e-mail address" in answer.content.decode()
    second.refresh_from_db()
    assert second.roles == []


def test_sec_two_person_the_admin_does_not_rename_a_verified_agency(people: Any) -> None:
    agency = people.requester.agency
    assert agency.verified_at is not None

    signed_in(people.admin).post(
        f"/admin/accounts/agency/{agency.pk}/change/",
        {"name": "Acme Private Investigations LLC", "address": "1 ELSEWHERE RD"},
    )

    agency.refresh_from_db()
    assert agency.name == "Springfield Police Department"
    assert agency.address != "1 ELSEWHERE RD"


def test_the_changes_are_paged_newest_first_and_none_is_left_unreachable(
    people: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("mailcover.web.listing.PAGE_SIZE", 2)
    admin = signed_in(people.admin)
    for account, role in ((people.inspector, "approver"), (people.approver, "inspector"),
                          (people.hq, "inspector")):  # fmt: skip
        answer = propose(admin, kind="grant_role", account=account.pk, role=role)
        assert answer.status_code == 302
    made = list(AccountChange.objects.order_by("-pk"))

    first = admin.get("/accounts/changes").content.decode()
    second = admin.get("/accounts/changes?page=2").content.decode()

    assert [c.pk for c in made if f'data-change="{c.pk}"' in first] == [made[0].pk, made[1].pk]
    assert [c.pk for c in made if f'data-change="{c.pk}"' in second] == [made[2].pk]
    assert "1 to 2 of 3 changes, newest first" in first
    assert 'href="/accounts/changes?page=2"' in first
