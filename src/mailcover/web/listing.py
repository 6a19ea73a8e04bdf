"""Server-side lists: search, filters, sort and pages over a queryset the access rules have
already narrowed.

Every list starts from the rows the person may see (`covers.actions.visible_requests`,
`visible_orders`, `records.actions.visible_requests`: law.roles decides, agency scoping
included). What a person types here only narrows that queryset further, with AND: a search
or a filter can never widen it, and every count, every choice offered in a filter (the
agencies, for one) and every "no match" is computed from the narrowed rows alone, so a
search for another agency's case number or subject answers exactly as a search for one that
does not exist.

Bad parameters (an unknown sort key or state, a malformed date, a page past the end) are
told in words and the list is shown as if that parameter were absent; never a server error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import QueryDict

PAGE_SIZE = 25
MAX_SEARCH = 100
# The parameters a list reads; anything else in the address is ignored.
PARAMS = ("q", "state", "grounds", "agency", "from", "to", "sort", "page")


@dataclass(frozen=True)
class Problem:
    """A parameter set aside, with why: `field` is its name in the address (`q`, `state`,
    `agency`, `from`, ...), so that a page lists the message and the API names the field."""

    field: str
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Sort:
    """One sort key a list offers: its label and the ORM field (or, for a derived value such
    as an order's status, a key function over rows)."""

    label: str
    field: str = ""
    key: Callable[[Any], Any] | None = None


@dataclass
class ListQuery:
    """What the person asked for, as checked; `problems` says what was set aside and why."""

    q: str = ""
    state: str = ""
    grounds: str = ""
    agency: int | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    sort: str = ""
    descending: bool = False
    page: int = 1
    problems: list[Problem] = field(default_factory=list)

    @property
    def narrowed(self) -> bool:
        return bool(
            self.q or self.state or self.grounds or self.agency or self.filed_from or self.filed_to
        )

    def params(self, **changes: Any) -> dict[str, str]:
        """The query as address parameters (the defaults left out), with `changes`."""
        values: dict[str, Any] = {
            "q": self.q,
            "state": self.state,
            "grounds": self.grounds,
            "agency": self.agency or "",
            "from": self.filed_from.isoformat() if self.filed_from else "",
            "to": self.filed_to.isoformat() if self.filed_to else "",
            "sort": ("-" if self.descending else "") + self.sort,
            "page": self.page if self.page > 1 else "",
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in ("", None)}

    def link(self, **changes: Any) -> str:
        return "?" + urlencode(self.params(**changes))


_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")


def _date(raw: str, param: str, name: str, problems: list[Problem]) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    for spelling in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, spelling).date()
        except ValueError:
            continue
    problems.append(
        Problem(param, f"{name} '{raw[:20]}' is not a date: write it as 2026-11-24 or 11/24/2026.")
    )
    return None


def _one_of(
    raw: str, allowed: Sequence[Choice], name: str, problems: list[Problem], param: str = ""
) -> str:
    raw = raw.strip()
    if not raw:
        return ""
    values = [c.value for c in allowed]
    if raw in values:
        return raw
    choices = ", ".join(c.label for c in allowed) or "none: no row you may see has one"
    problems.append(
        Problem(param or name, f"There is no {name} '{raw[:40]}': choose one of {choices}.")
    )
    return ""


def _sort(
    raw: str, sorts: dict[str, Sort], default: str, problems: list[Problem]
) -> tuple[str, bool]:
    raw = raw.strip()
    descending = raw.startswith("-")
    key = raw.lstrip("-")
    if not key:
        key, descending = default.lstrip("-"), default.startswith("-")
    if key not in sorts:
        names = ", ".join(f"'{k}' ({s.label})" for k, s in sorts.items())
        problems.append(
            Problem("sort", f"The list cannot be sorted by '{key[:40]}': sort by one of {names}.")
        )
        key, descending = default.lstrip("-"), default.startswith("-")
    return key, descending


def _page(raw: str, problems: list[Problem]) -> int:
    raw = raw.strip()
    if not raw:
        return 1
    if not re.fullmatch(r"[0-9]{1,9}", raw) or int(raw) < 1:
        problems.append(
            Problem("page", f"Page '{raw[:20]}' is not a page number: pages are counted from 1.")
        )
        return 1
    return int(raw)


def _agency(raw: str, agencies: Sequence[Choice], problems: list[Problem]) -> int | None:
    # Only the agencies of rows the person may see are offered, and only those are taken:
    # an agency known to exist elsewhere is answered as one that does not. The page's menu
    # sends an agency's id; the API's callers, who see agencies by name, may send the name.
    by_name = {c.label.casefold(): c.value for c in agencies}
    raw = by_name.get(" ".join(raw.split()).casefold(), raw)
    value = _one_of(raw, agencies, "agency", problems)
    return int(value) if value else None


def parse(
    params: QueryDict,
    *,
    sorts: dict[str, Sort],
    default_sort: str,
    states: Sequence[Choice],
    grounds: Sequence[Choice],
    agencies: Sequence[Choice],
) -> ListQuery:
    problems: list[Problem] = []
    q = " ".join(params.get("q", "").split())[:MAX_SEARCH]
    sort, descending = _sort(params.get("sort", ""), sorts, default_sort, problems)
    found = ListQuery(
        q=q,
        state=_one_of(params.get("state", ""), states, "state", problems),
        grounds=_one_of(params.get("grounds", ""), grounds, "grounds", problems),
        agency=_agency(params.get("agency", ""), agencies, problems),
        filed_from=_date(params.get("from", ""), "from", "The first date", problems),
        filed_to=_date(params.get("to", ""), "to", "The last date", problems),
        sort=sort,
        descending=descending,
        page=_page(params.get("page", ""), problems),
        problems=problems,
    )
    if found.filed_from and found.filed_to and found.filed_from > found.filed_to:
        problems.append(
            Problem("from", "The first date is after the last date: no row can match both.")
        )
    return found


def search(rows: QuerySet[Any], q: str, fields: Iterable[str]) -> QuerySet[Any]:
    """Rows where every word of `q` is found in one of `fields` (case does not matter)."""
    for word in q.split():
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        rows = rows.filter(any_field)
    return rows


def dated(rows: QuerySet[Any], query: ListQuery, field_name: str) -> QuerySet[Any]:
    if query.filed_from:
        rows = rows.filter(**{f"{field_name}__date__gte": query.filed_from})
    if query.filed_to:
        rows = rows.filter(**{f"{field_name}__date__lte": query.filed_to})
    return rows


def ordered(rows: QuerySet[Any], query: ListQuery, sorts: dict[str, Sort]) -> QuerySet[Any]:
    """Sorted in the database by the chosen field, then by newest id for a stable order."""
    chosen = sorts[query.sort]
    if not chosen.field:
        return rows
    sign = "-" if query.descending else ""
    return rows.order_by(f"{sign}{chosen.field}", "-pk")


def agency_choices(rows: QuerySet[Any], field_prefix: str = "agency") -> list[Choice]:
    """The agencies of the rows the person may see, and no other."""
    pairs = rows.order_by().values_list(f"{field_prefix}_id", f"{field_prefix}__name").distinct()
    return sorted((Choice(str(pk), name) for pk, name in pairs), key=lambda c: c.label)


@dataclass(frozen=True)
class PageLink:
    """One item of the USWDS pagination: a page number, or an ellipsis (number None)."""

    number: int | None
    href: str = ""
    current: bool = False


@dataclass
class ListPage:
    rows: list[Any]
    total: int
    number: int
    pages: int
    first_row: int
    last_row: int
    links: list[PageLink]
    previous: str
    next: str

    def rooted(self, path: str) -> ListPage:
        """The page with its links on `path` (a page drawn at another address, such as a
        form's POST sent back with errors, still links to the list)."""
        self.links = [
            PageLink(link.number, path + link.href, link.current) if link.href else link
            for link in self.links
        ]
        self.previous = path + self.previous if self.previous else ""
        self.next = path + self.next if self.next else ""
        return self


def _window(current: int, pages: int) -> list[int | None]:
    """The page numbers USWDS shows: first, last, and the current one with a neighbour on
    each side, gaps marked None (an ellipsis)."""
    wanted = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
    shown: list[int | None] = []
    previous = 0
    for number in wanted:
        if previous and number - previous > 1:
            shown.append(None)
        shown.append(number)
        previous = number
    return shown


def paginate(rows: Sequence[Any] | QuerySet[Any], query: ListQuery) -> ListPage:
    """One page of `rows`. A page past the end shows the last page and says so."""
    paginator = Paginator(rows, PAGE_SIZE)
    pages = max(1, paginator.num_pages)
    if query.page > pages:
        query.problems.append(
            Problem(
                "page",
                f"There is no page {query.page}: the list has {pages}"
                f" page{'s' if pages > 1 else ''}. The last page is shown.",
            )
        )
        query.page = pages
    page = paginator.page(query.page)
    links = [
        PageLink(n, query.link(page=n), n == query.page) if n else PageLink(None)
        for n in _window(query.page, pages)
    ]
    return ListPage(
        rows=list(page.object_list),
        total=paginator.count,
        number=query.page,
        pages=pages,
        first_row=page.start_index(),
        last_row=page.end_index(),
        links=links,
        previous=query.link(page=query.page - 1) if page.has_previous() else "",
        next=query.link(page=query.page + 1) if page.has_next() else "",
    )


def page_only(rows: Sequence[Any] | QuerySet[Any], params: QueryDict) -> tuple[ListQuery, ListPage]:
    """A work queue in its own fixed order, paged and nothing else (the review queue)."""
    problems: list[Problem] = []
    query = ListQuery(page=_page(params.get("page", ""), problems), problems=problems)
    return query, paginate(rows, query)


def sort_links(query: ListQuery, sorts: dict[str, Sort]) -> dict[str, dict[str, str]]:
    """For each sortable column: the link that sorts by it (the other way round when it is
    the column sorted now) and its aria-sort value."""
    links = {}
    for key in sorts:
        now = key == query.sort
        descending_next = not query.descending if now else False
        links[key] = {
            "href": query.link(sort=("-" if descending_next else "") + key, page=""),
            "aria": ("descending" if query.descending else "ascending") if now else "none",
        }
    return links
