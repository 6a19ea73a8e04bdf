"""An exact check of what a reader can work out from every published report of a year.

Written apart from the product's suppression, from the definitions of the figures
(docs/transparency.md): each figure of each of the seven reports of a year (four
quarters, two halves, the year) is an integer unknown; the reader knows

- a shown figure exactly, a banded one is from 0 to 9, a withheld one is 0 or more;
- within a report, the sums the document states (requested = by grounds = by agency
  level = approved + denied + pending; approved = the duration bands; received = by
  instrument = the four outcomes; emergency = by_instrument.emergency), that emergency
  requests and approved extensions are among the requests and extensions, and that
  every data category is named by at most all requests, each request naming one to all
  of them;
- across time, that a half is the sum of its quarters and the year of its halves, for
  every figure but `notices_delayed` (a delay in force on a day of either quarter), which
  is at least each quarter's and at most their sum.

For every hidden figure, an integer program (scipy's HiGHS) finds the least and the
greatest value it can take given all of that: the exact range a reader can pin it to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse.csgraph import connected_components

from mailcover.law.records import Category, Instrument
from mailcover.law.terms import REQUESTING_LEVELS, Grounds
from mailcover.oversight.transparency import DURATION_BANDS, figures
from mailcover.oversight.transparency import TransparencyReport as Report

Cell = tuple[str, str, str]
PERIODS = ("Q1", "Q2", "Q3", "Q4", "H1", "H2", "Y")
PARENTS = {"H1": ("Q1", "Q2"), "H2": ("Q3", "Q4"), "Y": ("H1", "H2")}
NOT_ADDITIVE = ("records_requests", "notices_delayed", "")
UNBOUNDED = 10**6

MC, RR, DUR = "mail_covers", "records_requests", "mail_covers.durations"


def _keyed(section: str, measure: str, keys: list[str]) -> list[Cell]:
    return [(section, measure, k) for k in keys]


REQUESTED, APPROVED, RECEIVED = (MC, "requested", ""), (MC, "approved", ""), (RR, "received", "")
SUMS: list[tuple[Cell, list[Cell]]] = [
    (REQUESTED, _keyed(MC, "by_grounds", [g.value for g in Grounds])),
    (REQUESTED, _keyed(MC, "by_agency_level", [lv.value for lv in REQUESTING_LEVELS])),
    (REQUESTED, [(MC, "approved", ""), (MC, "denied", ""), (MC, "pending", "")]),
    (APPROVED, _keyed(DUR, "bands", [label for label, _, _ in DURATION_BANDS])),
    (RECEIVED, _keyed(RR, "by_instrument", [i.value for i in Instrument])),
    (RECEIVED, [(RR, m, "") for m in ("produced", "refused", "no_records", "pending")]),
    ((RR, "emergency", ""), [(RR, "by_instrument", "emergency")]),
]
CATEGORIES = _keyed(RR, "by_category", [c.value for c in Category])
AT_MOST = [
    ((MC, "emergency", ""), REQUESTED),
    ((MC, "extensions_approved", ""), (MC, "extensions", "")),
]


@dataclass(frozen=True)
class Pinned:
    period: str
    cell: Cell
    shown: object
    exact: int
    low: int
    high: int


def counts(report: Report) -> dict[Cell, int | str]:
    return {f.cell: f.value for f in figures(report) if not f.statistic}  # type: ignore[misc]


def pinned_figures(exact: Mapping[str, Report], published: Mapping[str, Report]) -> list[Pinned]:
    """Every hidden figure of the seven published reports that a reader can pin to fewer
    values than its band: a banded one to less than all of 0 to 9, a withheld one to fewer
    than 10 values."""
    true = {p: counts(exact[p]) for p in PERIODS}
    shown = {p: counts(published[p]) for p in PERIODS}
    cells = list(true["Y"])
    unknown = [(p, c) for p in PERIODS for c in cells if not isinstance(shown[p][c], int)]
    index = {key: i for i, key in enumerate(unknown)}
    known = {(p, c): v for p in PERIODS for c, v in shown[p].items() if isinstance(v, int)}
    matrix, low_rhs, high_rhs = _relations(index, known, cells)
    lower = np.zeros(len(index))
    upper = np.array([_most(shown[p][c]) for p, c in unknown], dtype=float)
    found = []
    for members in _components(matrix, len(index)):
        rows = np.unique(matrix[:, members].nonzero()[0])
        program = _Program(matrix[rows][:, members], low_rhs[rows], high_rhs[rows])
        labels = [shown[p][c] for p, c in (unknown[i] for i in members)]
        for n, (low, high) in enumerate(program.ranges(lower[members], upper[members], labels)):
            p, c = unknown[members[n]]
            if _pinned(labels[n], low, high):
                found.append(Pinned(p, c, labels[n], int(true[p][c]), low, high))
    return found


@dataclass
class _Program:
    """The relations of one group of unknowns, as an integer program."""

    matrix: Any
    low: np.ndarray
    high: np.ndarray

    def solve(self, objective: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
        result = milp(
            objective,
            constraints=[LinearConstraint(self.matrix, self.low, self.high)],
            bounds=Bounds(lower, upper),
            integrality=np.ones(len(lower)),
        )
        assert result.success, result.message
        return np.round(result.x)

    def ranges(
        self, lower: np.ndarray, upper: np.ndarray, labels: list[object]
    ) -> list[tuple[int, int]]:
        """Each unknown's least and greatest integer value. Every integer solution found
        on the way is a world the reader cannot rule out: the values it shows need no
        program of their own (an unknown already seen at 0 and at 9, say)."""
        seen_low = np.full(len(lower), np.inf)
        seen_high = np.full(len(lower), -np.inf)

        def record(x: np.ndarray) -> None:
            np.minimum(seen_low, x, out=seen_low)
            np.maximum(seen_high, x, out=seen_high)

        def settled(n: int) -> bool:
            if labels[n] == "0-9":
                return bool(seen_low[n] == 0 and seen_high[n] == 9)
            return bool(seen_high[n] - seen_low[n] >= 9)

        record(self.solve(np.ones(len(lower)), lower, upper))
        record(self.solve(-np.ones(len(lower)), lower, upper))
        exact: dict[int, tuple[int, int]] = {}
        for n in range(len(lower)):
            if settled(n):
                continue
            pushed = []
            for sign in (1, -1):
                objective = np.zeros(len(lower))
                objective[n] = sign
                x = self.solve(objective, lower, upper)
                record(x)
                pushed.append(int(x[n]))
            exact[n] = (pushed[0], pushed[1])
        return [exact.get(n, (int(seen_low[n]), int(seen_high[n]))) for n in range(len(lower))]


def _components(matrix: Any, size: int) -> list[np.ndarray]:
    """The unknowns in groups that no relation links to one another: each group's range
    is found on its own, a much smaller program."""
    linked = (matrix.T @ matrix) != 0
    count, label = connected_components(linked, directed=False)
    return [np.flatnonzero(label == n) for n in range(count)]


def _most(label: object) -> int:
    return 9 if label == "0-9" else UNBOUNDED


def _pinned(label: object, low: int, high: int) -> bool:
    if label == "0-9":
        return (low, high) != (0, 9)
    return high - low < 9


def _relations(
    index: Mapping[tuple[str, Cell], int],
    known: Mapping[tuple[str, Cell], int],
    cells: list[Cell],
) -> tuple[Any, np.ndarray, np.ndarray]:
    """Every relation as low <= row . unknowns <= high, shown figures moved to the sides;
    a relation among shown figures alone tells nothing of the hidden ones and is left out."""
    rows: list[dict[int, float]] = []
    low: list[float] = []
    high: list[float] = []

    def add(terms: list[tuple[str, Cell, int]], at_least: float, at_most: float) -> None:
        row: dict[int, float] = {}
        constant = 0.0
        for period, cell, factor in terms:
            if (period, cell) in known:
                constant += factor * known[(period, cell)]
            else:
                i = index[(period, cell)]
                row[i] = row.get(i, 0.0) + factor
        if row:
            rows.append(row)
            low.append(at_least - constant)
            high.append(at_most - constant)

    for p in PERIODS:
        for total, parts in SUMS:
            add([(p, total, 1), *((p, c, -1) for c in parts)], 0, 0)
        for small, large in AT_MOST:
            add([(p, large, 1), (p, small, -1)], 0, np.inf)
        for category in CATEGORIES:
            add([(p, RECEIVED, 1), (p, category, -1)], 0, np.inf)
        every = [(p, c, 1) for c in CATEGORIES]
        add([*every, (p, RECEIVED, -1)], 0, np.inf)
        add([*every, (p, RECEIVED, -len(CATEGORIES))], -np.inf, 0)
    for parent, (first, second) in PARENTS.items():
        for cell in cells:
            if cell == NOT_ADDITIVE:
                add([(parent, cell, 1), (first, cell, -1)], 0, np.inf)
                add([(parent, cell, 1), (second, cell, -1)], 0, np.inf)
                add([(parent, cell, 1), (first, cell, -1), (second, cell, -1)], -np.inf, 0)
            else:
                add([(parent, cell, 1), (first, cell, -1), (second, cell, -1)], 0, 0)
    matrix = sparse.lil_matrix((len(rows), len(index)))
    for r, row in enumerate(rows):
        for i, factor in row.items():
            matrix[r, i] = factor
    return matrix.tocsr(), np.array(low), np.array(high)
