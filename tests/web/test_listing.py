"""web.listing: what a list reads from its address, checked, and the USWDS page links."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import QueryDict
from tests.conftest import signed_in

from mailcover.web import listing
from mailcover.web.listing import Choice, Sort

SORTS = {"case": Sort("case number", "case_number"), "filed": Sort("filed", "filed_at")}
STATES = [Choice("pending", "pending"), Choice("approved", "approved")]


def parse(query: str) -> listing.ListQuery:
    return listing.parse(
        QueryDict(query),
        sorts=SORTS,
        default_sort="-filed",
        states=STATES,
        grounds=[Choice("crime", "crime")],
        agencies=[Choice("7", "Springfield Police Department")],
    )


def test_a_good_query_is_read_whole() -> None:
    found = parse("q=+john++public+&state=pending&grounds=crime&agency=7&from=11/01/2026"
                  "&to=2026-11-30&sort=case&page=3")  # fmt: skip

    assert found.problems == []
    assert (found.q, found.state, found.grounds, found.agency) == ("john public", "pending",
                                                                    "crime", 7)  # fmt: skip
    assert (found.filed_from, found.filed_to) == (date(2026, 11, 1), date(2026, 11, 30))
    assert (found.sort, found.descending, found.page) == ("case", False, 3)
    assert found.link(page=4) == (
        "?q=john+public&state=pending&grounds=crime&agency=7&from=2026-11-01&to=2026-11-30"
        "&sort=case&page=4"
    )


def test_an_empty_query_sorts_by_the_default() -> None:
    found = parse("")

    assert (found.sort, found.descending, found.page, found.narrowed) == ("filed", True, 1, False)


def test_an_agency_not_offered_is_refused_as_one_that_does_not_exist() -> None:
    assert parse("agency=8").agency is None
    assert "There is no agency '8'" in parse("agency=8").problems[0].message
    assert parse("agency=8").problems[0].field == "agency"


def test_a_long_search_is_cut_and_its_words_all_count() -> None:
    assert len(parse("q=" + "x" * 500).q) == listing.MAX_SEARCH


@pytest.mark.parametrize(
    ("current", "pages", "shown"),
    [
        (1, 1, [1]),
        (1, 3, [1, 2, 3]),
        (1, 9, [1, 2, None, 9]),
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (9, 9, [1, None, 8, 9]),
        (3, 9, [1, 2, 3, 4, None, 9]),
    ],
)
def test_the_page_links_show_the_first_the_last_and_the_neighbours(current, pages, shown) -> None:
    assert listing._window(current, pages) == shown


def test_a_work_queue_is_paged_in_its_own_order() -> None:
    query, page = listing.page_only(list(range(60)), QueryDict("page=3"))

    assert page.rows == list(range(50, 60))
    assert (page.number, page.pages, page.total) == (3, 3, 60)
    assert page.previous == "?page=2"
    assert page.next == ""
    assert query.problems == []


def test_the_review_queue_tells_a_page_past_its_end(people) -> None:
    answer = signed_in(people.oversight).get("/reviews", {"page": "4"})

    assert answer.status_code == 400
    assert "There is no page 4: the list has 1 page." in answer.content.decode()


def test_an_agency_may_be_named_as_well_as_numbered() -> None:
    assert parse("agency=springfield+police+department").agency == 7
    assert parse("agency=Denver+Police+Department").agency is None
