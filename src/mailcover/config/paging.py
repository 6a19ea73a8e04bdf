"""The API's lists: one way to page them, and the pages' search and filters read the same way.

Every list under /api/v1 takes `offset` (rows to skip, from 0) and `limit` (rows wanted, 1 to
LIMIT_MAX, LIMIT_DEFAULT when absent) and answers with `X-Total-Count` (the rows that match,
all pages together) and, when there is more, an RFC 8288 `Link` header with `rel="next"`
(and `rel="prev"` past the first page). A value out of range is a 422 naming the field; an
offset past the end is an empty page, not an error.

The search and filters are those of the pages (web.listing): a caller's parameters become
the address parameters a page reads, `web.listing.parse` checks them, and every problem it
finds is a 422 naming the parameter as the caller spelled it. As on the pages, they only
narrow the rows the access rules allow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, QueryDict
from ninja import Schema
from ninja.errors import ValidationError
from pydantic import Field

from mailcover.web.listing import ListQuery

LIMIT_DEFAULT = 50
LIMIT_MAX = 200
SEARCH_MAX = 100

Row = TypeVar("Row")


class PageIn(Schema):
    offset: int = Field(0, ge=0, le=1_000_000_000, description="rows to skip, from 0")
    limit: int = Field(
        LIMIT_DEFAULT,
        ge=1,
        le=LIMIT_MAX,
        description=f"rows wanted, 1 to {LIMIT_MAX} (default {LIMIT_DEFAULT})",
    )


class SearchIn(PageIn):
    """The search and filters every case list shares, as the pages have them."""

    q: str = Field(
        "",
        max_length=SEARCH_MAX,
        description="words, each found in one of the searched fields (case does not matter)",
    )
    agency: str | None = Field(
        None, max_length=200, description="an agency's name, as the rows' `agency` gives it"
    )
    filed_from: date | None = Field(
        None, alias="from", description="the first day, inclusive (YYYY-MM-DD, UTC)"
    )
    to: date | None = Field(None, description="the last day, inclusive (YYYY-MM-DD, UTC)")
    sort: str | None = Field(
        None, max_length=40, description="a sort key, `-` before it for descending"
    )


def as_list_params(query: SearchIn, **filters: str | None) -> QueryDict:
    """The caller's query as the address parameters a page's list reads."""
    params = QueryDict(mutable=True)
    values: dict[str, Any] = {
        "q": query.q,
        "agency": query.agency,
        "from": query.filed_from.isoformat() if query.filed_from else None,
        "to": query.to.isoformat() if query.to else None,
        "sort": query.sort,
        **filters,
    }
    for name, value in values.items():
        if value:
            params[name] = value
    return params


def refuse_problems(found: ListQuery, renamed: Mapping[str, str] | None = None) -> None:
    """A 422 naming every parameter web.listing set aside (as the caller spelled it)."""
    names = dict(renamed or {})
    if found.problems:
        raise ValidationError(
            [
                {"loc": ("query", names.get(p.field, p.field)), "msg": p.message}
                for p in found.problems
            ]
        )


def window(rows: Sequence[Row] | Any, page: PageIn) -> Any:
    """The rows of one page (a queryset is sliced in the database)."""
    return rows[page.offset : page.offset + page.limit]


def _link(request: HttpRequest, offset: int, relation: str) -> str:
    params = request.GET.copy()
    params["offset"] = str(offset)
    return f'<{request.path}?{params.urlencode()}>; rel="{relation}"'


def set_headers(request: HttpRequest, response: HttpResponse, total: int, page: PageIn) -> None:
    """`X-Total-Count`, and a `Link` to the next and previous pages where there are some."""
    response["X-Total-Count"] = str(total)
    links = []
    if page.offset + page.limit < total:
        links.append(_link(request, page.offset + page.limit, "next"))
    if page.offset > 0:
        links.append(_link(request, max(0, min(page.offset, total) - page.limit), "prev"))
    if links:
        response["Link"] = ", ".join(links)


PAGING_HEADERS: dict[str, Any] = {
    "X-Total-Count": {
        "description": "the rows that match, all pages together",
        "schema": {"type": "integer"},
    },
    "Link": {
        "description": 'RFC 8288 links to the next and previous pages (rel="next", rel="prev")',
        "schema": {"type": "string"},
    },
}


def paged_openapi(description: str = "one page of the list") -> dict[str, Any]:
    """openapi_extra for a paged list: its 200 answer's headers."""
    return {"responses": {200: {"description": description, "headers": PAGING_HEADERS}}}
