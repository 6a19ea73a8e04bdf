"""The public report's suppression on small made-up layouts: what it hides and why."""

from __future__ import annotations

from mailcover.oversight.transparency_suppression import (
    BAND,
    WITHHELD,
    Covering,
    Layout,
    SumOf,
    suppress,
    suppress_parent,
)

T, A, B, C = ("s", "total", ""), ("s", "part", "a"), ("s", "part", "b"), ("s", "part", "c")
GROUP = Layout(sums=(SumOf(T, (A, B, C)),))


def test_a_banded_part_beside_shown_ones_withholds_the_largest() -> None:
    assert suppress({T: 60, A: 3, B: 40, C: 17}, GROUP) == {A: BAND, B: WITHHELD}


def test_nothing_small_hides_nothing() -> None:
    assert suppress({T: 60, A: 13, B: 30, C: 17}, GROUP) == {}


def test_banded_parts_that_can_each_be_anything_from_0_to_9_need_no_partner() -> None:
    # 12 = a + b + c with each 0-9: any one can be 0 (the others hold 12) or 9.
    assert suppress({T: 12, A: 5, B: 4, C: 3}, GROUP) == {A: BAND, B: BAND, C: BAND}


def test_banded_parts_pinned_near_their_top_withhold_the_total() -> None:
    # 26 = a + b + c with each at most 9: each is at least 8. The total must go.
    hidden = suppress({T: 26, A: 9, B: 9, C: 8}, GROUP)
    assert hidden[T] == WITHHELD


def test_a_partner_tied_to_another_sum_has_that_sum_protected_too() -> None:
    # The only part big enough is itself a total: its own parts get a partner in turn.
    d, e = ("s", "sub", "d"), ("s", "sub", "e")
    layout = Layout(sums=(SumOf(T, (A, B)), SumOf(B, (d, e))))
    hidden = suppress({T: 45, A: 5, B: 40, d: 25, e: 15}, layout)
    assert hidden[A] == BAND
    assert hidden[B] == WITHHELD
    assert hidden[d] == WITHHELD


def test_a_banded_category_the_others_cannot_cover_for_withholds_one() -> None:
    # 40 requests, categories 30 + 5 + 3 shown or banded: without the banded ones the
    # shown 30 cannot cover 40, so "5" would be pinned to at least 1.
    layout = Layout(sums=(), coverings=(Covering(T, (A, B, C)),))
    hidden = suppress({T: 40, A: 30, B: 5, C: 3}, layout)
    assert hidden[A] == WITHHELD


def test_a_half_hides_whatever_its_quarters_hide_as_withheld() -> None:
    assert suppress_parent([{A: BAND}, {B: WITHHELD, A: BAND}]) == {A: WITHHELD, B: WITHHELD}


def test_what_bounds_a_withheld_total_is_withheld_with_it() -> None:
    # 19 requests, all three outcomes banded (9 + 9 + 1): the total must go; shown, the 19
    # emergency requests would then say there are 19 requests or more, and pin the
    # outcomes again (1 approved at least).
    emergency = ("s", "emergency", "")
    layout = Layout(sums=(SumOf(T, (A, B, C)),), at_most=((emergency, T),))
    hidden = suppress({T: 19, A: 1, B: 9, C: 9, emergency: 19}, layout)
    assert hidden[T] == WITHHELD
    assert hidden[emergency] == WITHHELD
