"""Which figures the public transparency report hides, and how (no Django, no database).

A report's figures are tied to one another: some are sums of others (`requested` of the
requests by grounds), some bound others (a request names one data category or more). And
the reports of one year are tied across time: a quarter and its sibling add up to their
half, the halves to the year. A reader who has every published report of a year can
combine all of them; a figure hidden in one must not come out of the others.

The scheme, as statistical agencies do for hierarchical tables:

1. **A quarter** is suppressed alone: a count below 10 is `BAND` ("0-9"); then every sum
   with a hidden figure gets a hidden partner that can absorb any change of it (a
   complementary suppression, `WITHHELD`), until no sum, and no bound, pins a hidden
   figure to fewer values than its band (`suppress`).
2. **A half or a year** hides every figure hidden in any of its quarters, and shows it as
   `WITHHELD` ("hidden", saying nothing of its size) (`suppress_parent`). What it shows is
   then the sum of what its quarters show, and its own sums are the sums of its quarters'
   sums: it tells a reader nothing the quarters did not. The quarters are disjoint
   periods, tied by no relation, so the whole year is as safe as each quarter alone.

A quarter's pattern depends on its own counts only, so it never changes when its half
or year is published later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

PUBLIC_THRESHOLD = 10
BAND = "0-9"
# A hidden count, of any size: a complementary suppression (a count of 10 or more hidden
# beside a small one), or, in a half or a year, whatever a quarter hid.
WITHHELD = "withheld"

Cell = tuple[str, str, str]  # (section, measure, key): a figure's place in the report
Hidden = dict[Cell, str]


@dataclass(frozen=True)
class SumOf:
    """`total` = the sum of `parts`, in every report."""

    total: Cell
    parts: tuple[Cell, ...]


@dataclass(frozen=True)
class Covering:
    """Each part is at most `total`, and the parts add up to `total` or more (a request
    names one data category or more, so the categories cover the requests)."""

    total: Cell
    parts: tuple[Cell, ...]


@dataclass(frozen=True)
class Layout:
    """The relations a reader knows between a report's figures."""

    sums: tuple[SumOf, ...]
    coverings: tuple[Covering, ...] = ()
    # (smaller, larger): a count that is part of another, e.g. emergency requests of all
    # requests, approved extensions of all extensions.
    at_most: tuple[tuple[Cell, Cell], ...] = ()

    def within(self, cells: Iterable[Cell]) -> Layout:
        """The relations among `cells` only (a report built by hand may leave keys out)."""
        have = set(cells)
        return Layout(
            sums=tuple(s for s in self.sums if {s.total, *s.parts} <= have),
            coverings=tuple(c for c in self.coverings if {c.total, *c.parts} <= have),
            at_most=tuple(pair for pair in self.at_most if set(pair) <= have),
        )

    def sums_of(self, cell: Cell) -> list[SumOf]:
        return [s for s in self.sums if cell == s.total or cell in s.parts]

    def bounded(self, cell: Cell) -> bool:
        """Whether a bound other than a sum ties `cell` to another figure."""
        in_covering = any(cell == c.total or cell in c.parts for c in self.coverings)
        return in_covering or any(cell in pair for pair in self.at_most)


def suppress(exact: Mapping[Cell, int], layout: Layout) -> Hidden:
    """The hidden figures of one report suppressed on its own (a quarter, or a period
    oversight asked to see in public form): small counts banded, then complementary
    suppressions until every hidden figure can take every value of its band."""
    layout = layout.within(exact)
    hidden: Hidden = {c: BAND for c, v in exact.items() if v < PUBLIC_THRESHOLD}
    while _one_more(exact, layout, hidden):
        pass
    return hidden


def suppress_parent(children: Iterable[Mapping[Cell, str]]) -> Hidden:
    """A half's or a year's hidden figures: every figure any of its quarters hides,
    shown as `WITHHELD` (a half's small count is hidden in its quarters too)."""
    return {cell: WITHHELD for child in children for cell in child}


def _one_more(exact: Mapping[Cell, int], layout: Layout, hidden: Hidden) -> bool:
    """Hide one more figure where a sum or a bound could still pin a hidden one; False
    when none can."""
    for total_sum in layout.sums:
        if _sum_needs_more(total_sum, exact, layout, hidden) and _hide_partner(
            total_sum, exact, layout, hidden
        ):
            return True
    for covering in layout.coverings:
        if _covering_needs_more(covering, exact, hidden) and _hide_cover(covering, exact, hidden):
            return True
    return _hide_bounds_of_hidden(layout, hidden)


def _hide_bounds_of_hidden(layout: Layout, hidden: Hidden) -> bool:
    """A hidden figure stays hidden only if what bounds it is hidden too: shown emergency
    requests would say that the withheld requests are at least as many, and shown data
    categories would bound the withheld records requests from both sides."""
    bounding = [small for small, large in layout.at_most if large in hidden]
    bounding += [p for c in layout.coverings if c.total in hidden for p in c.parts]
    for cell in bounding:
        if cell not in hidden:
            hidden[cell] = WITHHELD
            return True
    return False


def _sum_needs_more(s: SumOf, exact: Mapping[Cell, int], layout: Layout, hidden: Hidden) -> bool:
    members = [m for m in (s.total, *s.parts) if m in hidden]
    if not members:
        return False
    if exact[s.total] < PUBLIC_THRESHOLD:
        return False  # every part is at most the total: all of them are banded
    # A hidden figure moves only against another hidden one of the same sum: one alone
    # is the others' difference, whatever it is called.
    partner = any(_absorbs(m, s, exact, layout, hidden, frozenset()) for m in members)
    if partner and len(members) >= 2:
        return False
    return not _banded_parts_move_alone(s, exact, hidden)


def _banded_parts_move_alone(s: SumOf, exact: Mapping[Cell, int], hidden: Hidden) -> bool:
    """A shown total whose parts are all banded: each part can be anything from 0 to 9
    when the others can take up the difference, i.e. when their sum is from 9 to 9 for
    each part but one."""
    if s.total in hidden or any(exact[p] >= PUBLIC_THRESHOLD for p in s.parts):
        return False
    most = PUBLIC_THRESHOLD - 1
    return most <= exact[s.total] <= most * (len(s.parts) - 1)


def _absorbs(
    cell: Cell,
    within: SumOf,
    exact: Mapping[Cell, int],
    layout: Layout,
    hidden: Hidden,
    seen: frozenset[Cell],
) -> bool:
    """Whether hidden `cell` can move by up to 9 either way, as a partner in `within`,
    while every other sum it is in still adds up: it is 10 or more, and each of its other
    sums has a partner that can absorb the move in turn."""
    if cell not in hidden or exact[cell] < PUBLIC_THRESHOLD or cell in seen:
        return False
    if layout.bounded(cell):
        return False  # a bound such as "emergency requests <= requests" could stop it
    return all(
        any(
            _absorbs(other, s, exact, layout, hidden, seen | {cell})
            for other in (s.total, *s.parts)
            if other != cell
        )
        for s in layout.sums_of(cell)
        if s != within
    )


def _hide_partner(s: SumOf, exact: Mapping[Cell, int], layout: Layout, hidden: Hidden) -> bool:
    """Withhold a shown part of `s` (one tied to nothing else first, the largest: it can
    absorb the most), else its total."""
    shown = [p for p in s.parts if p not in hidden]
    if shown:
        free = [p for p in shown if len(layout.sums_of(p)) == 1 and not layout.bounded(p)]
        chosen = max(free or shown, key=lambda c: (exact[c], c))
        hidden[chosen] = WITHHELD
        return True
    if s.total not in hidden:
        hidden[s.total] = WITHHELD
        return True
    return False  # everything in it is hidden already: nothing more to hide here


def _covering_needs_more(c: Covering, exact: Mapping[Cell, int], hidden: Hidden) -> bool:
    """A banded part can fall to 0 only if the others can still cover the total: the
    shown ones as they are, a banded one up to 9, a withheld one without limit."""
    banded = [p for p in c.parts if hidden.get(p) == BAND]
    if not banded or exact[c.total] < PUBLIC_THRESHOLD:
        return False
    if any(hidden.get(p) == WITHHELD for p in c.parts):
        return False
    most = PUBLIC_THRESHOLD - 1
    others = sum(exact[p] for p in c.parts if p not in hidden) + most * (len(banded) - 1)
    total = exact[c.total]
    return others < total


def _hide_cover(c: Covering, exact: Mapping[Cell, int], hidden: Hidden) -> bool:
    shown = [p for p in c.parts if p not in hidden]
    if shown:
        hidden[max(shown, key=lambda p: (exact[p], p))] = WITHHELD
        return True
    if c.total not in hidden:
        hidden[c.total] = WITHHELD
        return True
    return False
