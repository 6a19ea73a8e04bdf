"""Who may do what (law/roles.py): one table read by the API and the pages alike."""

from __future__ import annotations

import pytest

from mailcover.law.roles import (
    CASE_DATA,
    PERMISSIONS,
    Action,
    check_case_access,
    may,
    may_change_standing,
    reaches_case_data,
    sees_captures,
    sees_case,
)
from mailcover.law.terms import Role

OWN_AGENCY = 10
OTHER_AGENCY = 20
READING_ACTIONS = {
    Action.VIEW_CASES,
    Action.VIEW_CAPTURES,
    Action.VIEW_OVERSIGHT,
    Action.READ_LEDGER,
    Action.READ_ACCOUNTING,
}
CHANGING_ACTIONS = set(Action) - READING_ACTIONS


def test_every_role_has_an_entry_in_the_permissions_table() -> None:
    assert set(PERMISSIONS) == set(Role)


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.INSPECTOR], ids=str)
def test_a_requesting_role_files_requests_extensions_and_confirmations(role: Role) -> None:
    for action in (
        Action.FILE_REQUEST,
        Action.FILE_EXTENSION,
        Action.CONFIRM_EMERGENCY,
        Action.NOTIFY_INDICTMENT,
        Action.VIEW_CASES,
    ):
        assert may({role}, action), action


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.INSPECTOR], ids=str)
def test_a_requesting_role_decides_reviews_and_rules_on_nothing(role: Role) -> None:
    for action in (Action.DECIDE_REQUEST, Action.RULE_IMPROPER, Action.REVIEW_ORDER):
        assert not may({role}, action), action


@pytest.mark.parametrize("role", [Role.APPROVER, Role.CHIEF], ids=str)
def test_a_deciding_role_decides_reviews_and_rules_improper(role: Role) -> None:
    for action in (Action.DECIDE_REQUEST, Action.RULE_IMPROPER, Action.REVIEW_ORDER):
        assert may({role}, action), action


@pytest.mark.parametrize("role", [Role.APPROVER, Role.CHIEF], ids=str)
def test_a_deciding_role_does_not_file_requests_or_extensions(role: Role) -> None:
    # MC-NOT-SELF by construction: those who decide do not also file.
    assert not may({role}, Action.FILE_REQUEST)
    assert not may({role}, Action.FILE_EXTENSION)
    assert not may({role}, Action.CONFIRM_EMERGENCY)


def test_oversight_reads_everything_and_changes_nothing() -> None:
    assert may({Role.OVERSIGHT}, Action.VIEW_CASES)
    assert may({Role.OVERSIGHT}, Action.VIEW_OVERSIGHT)
    for action in CHANGING_ACTIONS:
        assert not may({Role.OVERSIGHT}, action), action


def test_the_operator_feeds_the_mail_stream_and_does_nothing_else() -> None:
    assert PERMISSIONS[Role.OPERATOR] == {Action.FEED_MAIL}


def test_the_admin_manages_accounts_and_does_nothing_else() -> None:
    assert PERMISSIONS[Role.ADMIN] == {Action.MANAGE_ACCOUNTS}


def test_only_oversight_sees_the_oversight_pages() -> None:
    holders = {role for role in Role if may({role}, Action.VIEW_OVERSIGHT)}
    assert holders == {Role.OVERSIGHT}


def test_a_person_with_several_roles_may_do_what_any_of_them_may() -> None:
    assert may({Role.OPERATOR, Role.ADMIN}, Action.MANAGE_ACCOUNTS)
    assert may({Role.OPERATOR, Role.ADMIN}, Action.FEED_MAIL)
    assert not may({Role.OPERATOR, Role.ADMIN}, Action.VIEW_CASES)


def test_a_person_with_no_roles_may_do_nothing() -> None:
    for action in Action:
        assert not may(set(), action), action


@pytest.mark.parametrize("role", [Role.REQUESTER, Role.INSPECTOR], ids=str)
def test_a_requester_sees_their_own_agencys_cases_only(role: Role) -> None:
    assert sees_case({role}, OWN_AGENCY, OWN_AGENCY)
    assert not sees_case({role}, OWN_AGENCY, OTHER_AGENCY)


@pytest.mark.parametrize("role", [Role.APPROVER, Role.CHIEF, Role.OVERSIGHT], ids=str)
def test_those_who_decide_and_oversee_see_every_agencys_cases(role: Role) -> None:
    assert sees_case({role}, OWN_AGENCY, OTHER_AGENCY)
    assert sees_case({role}, OWN_AGENCY, OWN_AGENCY)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.ADMIN], ids=str)
def test_the_operator_and_the_admin_see_no_case_not_even_their_own_agencys(role: Role) -> None:
    assert not sees_case({role}, OWN_AGENCY, OWN_AGENCY)
    assert not sees_case({role}, OWN_AGENCY, OTHER_AGENCY)


def test_roles_may_be_given_as_any_iterable() -> None:
    assert sees_case(iter([Role.REQUESTER]), OWN_AGENCY, OWN_AGENCY)
    assert may((r for r in [Role.CHIEF]), Action.REVIEW_ORDER)


def test_approvers_the_chief_and_oversight_see_every_agency_and_nobody_else_does() -> None:
    from mailcover.law.roles import sees_every_agency
    from mailcover.law.terms import Role

    assert {r for r in Role if sees_every_agency({r})} == {
        Role.APPROVER,
        Role.CHIEF,
        Role.OVERSIGHT,
    }


def test_only_the_requesting_agency_acts_for_a_case_and_a_person_without_one_never_does() -> None:
    from mailcover.law.roles import is_requesting_agency

    assert is_requesting_agency(7, 7)
    assert not is_requesting_agency(8, 7)
    assert not is_requesting_agency(None, 7)


def test_the_admin_changes_others_standing_but_never_their_own() -> None:
    assert may_change_standing({Role.ADMIN}, 7, 8)
    assert not may_change_standing({Role.ADMIN}, 7, 7)
    assert not may_change_standing({Role.OVERSIGHT}, 7, 8)


@pytest.mark.parametrize(
    ("roles", "agency", "sees"),
    [
        ({Role.REQUESTER}, OWN_AGENCY, True),
        ({Role.INSPECTOR}, OWN_AGENCY, True),
        ({Role.REQUESTER}, OTHER_AGENCY, False),
        ({Role.OVERSIGHT}, OTHER_AGENCY, True),
        ({Role.APPROVER}, OTHER_AGENCY, False),
        ({Role.CHIEF}, OWN_AGENCY, False),
        ({Role.OPERATOR}, OWN_AGENCY, False),
        ({Role.ADMIN}, OWN_AGENCY, False),
    ],
)
def test_mc_reporting_captures_go_to_the_requesting_authority_and_oversight_only(
    roles: set[Role], agency: int, sees: bool
) -> None:
    assert sees_captures(roles, agency, OWN_AGENCY) is sees


# --- MC-NONDISCLOSURE: which actions reach case data -------------------------------------


def test_mc_nondisclosure_every_case_role_needs_the_form_and_the_feed_and_admin_do_not() -> None:
    for role in (Role.REQUESTER, Role.INSPECTOR, Role.APPROVER, Role.CHIEF, Role.OVERSIGHT):
        assert reaches_case_data([role])
        [missing] = check_case_access([role], has_nondisclosure=False)
        assert missing.rule == "MC-NONDISCLOSURE"
        assert check_case_access([role], has_nondisclosure=True) == []
    for role in (Role.OPERATOR, Role.ADMIN):
        assert not reaches_case_data([role])
        assert check_case_access([role], has_nondisclosure=False) == []


def test_mc_nondisclosure_every_action_but_feeding_and_managing_accounts_reads_case_data() -> None:
    assert frozenset(Action) - CASE_DATA == {Action.FEED_MAIL, Action.MANAGE_ACCOUNTS}
    for action in Action:
        refused = check_case_access([Role.OPERATOR], False, action)
        assert bool(refused) == (action in CASE_DATA)
