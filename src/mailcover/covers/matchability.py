"""SVC-MATCHABLE for covers: the subject a request files, and the orders from before the rule
whose subject the matcher still cannot use. The rule itself is `matching.matchable`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mailcover.covers.models import CoverOrder, CoverRequest
from mailcover.law.errors import Violation
from mailcover.law.requests import CoverRequestDraft
from mailcover.law.terms import OrderStatus
from mailcover.matching.matchable import check_matchable

# An order that can still capture, or will: the ones whose warning someone can act on.
_CAN_CAPTURE = frozenset({OrderStatus.ACTIVE.value, OrderStatus.SCHEDULED.value})


def subject_problems(draft: CoverRequestDraft) -> list[Violation]:
    return check_matchable(draft.subject_name, draft.aliases, draft.subject_address)


def request_problems(filed: CoverRequest) -> list[Violation]:
    """Why the matcher cannot use this request's subject (empty when it can): a request
    filed before SVC-MATCHABLE refused such subjects."""
    subject = filed.subject
    return check_matchable(subject.name, list(subject.aliases), subject.address)


def order_problems(order: CoverOrder) -> list[Violation]:
    """The same of an order's subject."""
    return request_problems(order.request)


@dataclass(frozen=True)
class Unmatchable:
    order: CoverOrder
    status: str
    problems: tuple[Violation, ...]


def unmatchable(rows: Iterable[dict[str, Any]]) -> list[Unmatchable]:
    """Of the home's order rows (each an `order` and its `status`, only orders the person may
    see), those that could capture and cannot be matched."""
    found = []
    for row in rows:
        if row["status"] not in _CAN_CAPTURE:
            continue
        problems = order_problems(row["order"])
        if problems:
            found.append(Unmatchable(row["order"], row["status"], tuple(problems)))
    return found
