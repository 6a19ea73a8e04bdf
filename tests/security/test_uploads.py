"""The stranger on the network who sends files without signing in, and the caller who sends
more than any request needs: refused from the headers, before Django parses the body and
spools its files to disk (accounts/uploads.py). Whether the body was parsed is watched on
Django's multipart parser itself."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import multipartparser
from django.test import Client
from django.utils import timezone
from tests.conftest import signed_in

from mailcover.accounts import uploads
from mailcover.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

BIG_PDF = b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024)  # over FILE_UPLOAD_MAX_MEMORY_SIZE: spooled


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths whose multipart body Django parsed (and so spooled)."""
    seen: list[str] = []
    real = multipartparser.MultiPartParser.parse

    def watching(self: Any) -> Any:
        seen.append("parsed")
        return real(self)

    monkeypatch.setattr(multipartparser.MultiPartParser, "parse", watching)
    return seen


def upload() -> dict[str, Any]:
    return {
        "request": "{}",
        "instrument_pdf": SimpleUploadedFile("i.pdf", BIG_PDF, "application/pdf"),
    }


def bearer(user: Any) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {ApiToken.issue(user, timezone.now(), 1, second_factor=True)}"
    }


def test_sec_uploads_an_anonymous_file_to_the_api_is_refused_before_it_is_spooled(
    parsed: list[str],
) -> None:
    answer = Client().post("/api/v1/records-requests", upload())

    assert answer.status_code == 401
    assert answer.json()["detail"] == "sign in before sending files"
    assert parsed == []


def test_sec_uploads_an_anonymous_file_to_a_page_is_refused_before_the_csrf_check_reads_it(
    parsed: list[str],
) -> None:
    answer = Client().post("/records/new", upload())

    assert answer.status_code == 401
    assert "sign in before sending files" in answer.content.decode()
    assert parsed == []


def test_sec_uploads_a_file_with_a_token_that_is_not_usable_is_refused(
    parsed: list[str],
) -> None:
    answer = Client().post(
        "/api/v1/records-requests", upload(), headers={"Authorization": "Bearer not-a-token"}
    )

    assert answer.status_code == 401
    assert parsed == []


def test_sec_uploads_an_anonymous_large_body_is_413(parsed: list[str]) -> None:
    body = '{"username": "' + "x" * (uploads.ANONYMOUS_MAX_BYTES + 1) + '"}'

    answer = Client().post("/api/v1/auth/token", body, content_type="application/json")

    assert answer.status_code == 413
    assert "without signing in" in answer.json()["detail"]


def test_sec_uploads_a_signed_in_caller_sending_more_than_any_instrument_is_413_unread(
    people: Any, parsed: list[str], settings: Any
) -> None:
    settings.MAILCOVER_INSTRUMENT_MAX_BYTES = 1024 * 1024  # the 3 MiB PDF is too big

    answer = Client().post("/api/v1/records-requests", upload(), headers=bearer(people.requester))

    assert answer.status_code == 413
    assert f"at most {1024 * 1024} bytes" in answer.json()["detail"]
    assert parsed == []


def test_sec_uploads_a_claimed_length_over_the_limit_is_refused_without_reading(
    people: Any, parsed: list[str]
) -> None:
    """Content-Length is what Django reads up to: a huge one is refused at the door."""
    answer = signed_in(people.requester).post(
        "/records/new", upload(), CONTENT_LENGTH=str(uploads.largest_body(multipart=True) + 1)
    )

    assert answer.status_code == 413
    assert parsed == []


def test_sec_uploads_a_malformed_content_length_is_400(parsed: list[str]) -> None:
    answer = Client().post("/api/v1/auth/token", "{}", "application/json", CONTENT_LENGTH="12x")

    assert answer.status_code == 400
    assert "Content-Length" in answer.json()["detail"]


def test_sec_uploads_a_signed_in_requester_still_uploads_an_instrument(
    people: Any, parsed: list[str]
) -> None:
    answer = Client().post("/api/v1/records-requests", upload(), headers=bearer(people.requester))

    assert answer.status_code not in (400, 401, 413), answer.content
    assert parsed == ["parsed"]


def test_sec_uploads_a_page_session_still_uploads(people: Any, parsed: list[str]) -> None:
    answer = signed_in(people.requester).post("/records/new", upload())

    assert answer.status_code not in (400, 401, 413)
    assert parsed == ["parsed"]


def test_sec_uploads_a_small_anonymous_form_is_read_in_memory_as_a_sign_in_is(
    parsed: list[str],
) -> None:
    """The test client sends a form as multipart; a browser's sign-in is urlencoded. Either
    way it is under ANONYMOUS_MAX_BYTES, parsed in memory and never spooled."""
    answer = Client().post("/sign-in", {"username": "nobody", "password": "wrong password"})

    assert answer.status_code == 401  # the sign-in page's own answer to a wrong password
    assert "sign in before sending files" not in answer.content.decode()
    assert parsed == ["parsed"]


def test_sec_uploads_an_oversized_batch_of_mail_pieces_is_413_unread(
    people: Any, settings: Any
) -> None:
    answer = Client().post(
        "/api/v1/mail-pieces",
        "[]",
        "application/json",
        headers=bearer(people.operator),
        CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    )

    assert answer.status_code == 413
