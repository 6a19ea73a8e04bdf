"""law.operators (SEC-OPERATOR): which facilities an operator account feeds, and who may be
bound to them."""

from __future__ import annotations

from mailcover.law.operators import (
    check_bindable,
    check_facility_name,
    check_feed_facility,
    facility_key,
)
from mailcover.law.terms import Role


def test_sec_operator_a_piece_from_a_bound_facility_is_taken_whatever_its_spacing() -> None:
    assert facility_key("  springfield  il p&dc ") == "SPRINGFIELD IL P&DC"
    assert check_feed_facility("Springfield IL P&DC", ["SPRINGFIELD IL P&DC"]) == []


def test_sec_operator_a_piece_from_another_facility_is_refused_quoting_nothing_of_it() -> None:
    [refused] = check_feed_facility("DENVER CO P&DC", ["SPRINGFIELD IL P&DC"])
    assert (refused.rule, refused.field) == ("SEC-OPERATOR", "facility")
    assert "DENVER" not in refused.message
    assert check_feed_facility("SPRINGFIELD IL P&DC", []) != []  # bound to none: feeds none


def test_sec_operator_only_an_operator_account_is_bound_to_facilities() -> None:
    assert check_bindable([Role.OPERATOR]) == []
    for role in Role:
        if role is not Role.OPERATOR:
            assert check_bindable([role])[0].rule == "SEC-OPERATOR"


def test_sec_operator_a_facility_has_a_name_of_reasonable_length() -> None:
    assert check_facility_name("   ")[0].field == "facility"
    assert check_facility_name("X" * 201)
    assert check_facility_name("PEORIA IL P&DC") == []


def test_sec_operator_facilities_prepared_once_compare_alike() -> None:
    from mailcover.law.operators import bound_facilities

    bound = bound_facilities(["Springfield  IL P&DC", "DENVER CO P&DC"])
    assert check_feed_facility("SPRINGFIELD IL P&DC", bound) == []
    assert check_feed_facility("springfield il p&dc", bound) == []
    assert check_feed_facility("PEORIA IL P&DC", bound) != []
