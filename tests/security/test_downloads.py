# ruff: noqa: F811 (the records API fixtures, imported below, are parameters here)
"""The one who reads an access log, a proxy log or a browser's history: a production's
download token never travels in a URL. The API answers a link as `{token, url}` and the
token is POSTed in the body; the page downloads through a POST form; the old path with the
token in it answers 410 without looking the token up."""

from __future__ import annotations

from typing import Any

import pytest
from tests.api.test_records_requests import (  # noqa: F401 (fixtures)
    RecordsApi,
    customer,
    produced,
    rr,
    verified,
)
from tests.conftest import signed_in

from mailcover.ledger.models import Entry

pytestmark = pytest.mark.django_db

DOWNLOADED = "records.production_downloaded"


def issued(rr: RecordsApi, verified: Any) -> dict[str, Any]:
    request_id = produced(rr, verified)
    answer = rr.post(f"/records-requests/{request_id}/download-links", {}, verified.requester)
    assert answer.status_code == 201, answer.content
    return dict(answer.json())


def test_sec_tokens_a_download_link_keeps_its_token_out_of_the_url(
    rr: RecordsApi, verified: Any, customer: Any
) -> None:
    link = issued(rr, verified)

    assert link["url"] == "/api/v1/productions/download"
    assert link["token"] not in link["url"]


def test_sec_tokens_the_production_is_downloaded_with_the_token_in_the_body(
    rr: RecordsApi, verified: Any, customer: Any
) -> None:
    link = issued(rr, verified)

    answer = rr.post("/productions/download", {"token": link["token"]}, verified.requester)

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert answer["Cache-Control"] == "no-store"
    request_line = answer.request["PATH_INFO"] + answer.request.get("QUERY_STRING", "")
    assert link["token"] not in request_line  # what an access log writes
    assert Entry.objects.filter(event=DOWNLOADED).count() == 1


def test_sec_tokens_the_old_path_with_the_token_in_it_is_gone_and_touches_nothing(
    rr: RecordsApi, verified: Any, customer: Any, django_assert_num_queries: Any
) -> None:
    """A token that travelled in a URL may sit in a log: it is not honoured, not looked up
    and not recorded, for its holder as for anyone."""
    link = issued(rr, verified)
    headers = rr.headers(verified.requester)

    with django_assert_num_queries(0):
        answer = rr.client.get(f"/api/v1/productions/{link['token']}", headers=headers)

    assert answer.status_code == 410
    assert "POST" in answer.json()["detail"]
    assert not Entry.objects.filter(event=DOWNLOADED).exists()


def test_sec_tokens_a_stolen_token_in_the_body_still_serves_only_the_filing_agency(
    rr: RecordsApi, verified: Any, customer: Any
) -> None:
    link = issued(rr, verified)

    stolen = rr.post("/productions/download", {"token": link["token"]}, verified.outsider)

    assert stolen.status_code == 404
    assert not Entry.objects.filter(event=DOWNLOADED).exists()


@pytest.mark.parametrize("token", ["", "x" * 201])
def test_sec_tokens_an_empty_or_overlong_token_is_a_clear_422(
    rr: RecordsApi, verified: Any, token: str
) -> None:
    answer = rr.post("/productions/download", {"token": token}, verified.requester)

    assert answer.status_code == 422
    assert "token" in answer.content.decode()


def test_sec_tokens_the_page_downloads_through_a_post_form_only(
    rr: RecordsApi, verified: Any, customer: Any
) -> None:
    request_id = produced(rr, verified)
    browser = signed_in(verified.requester)

    page = browser.get(f"/records/{request_id}").content.decode()

    assert f'<form method="post" action="/records/{request_id}/download">' in page
    assert browser.get(f"/records/{request_id}/download").status_code == 405
    assert not Entry.objects.filter(event=DOWNLOADED).exists()
