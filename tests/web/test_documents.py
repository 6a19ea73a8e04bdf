"""The service's documents are tagged PDFs (web/documents.py): structure, language, title,
the same bytes for the same facts, and nothing fetched while drawing."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from django.template import engines
from pypdf import PdfReader
from tests.web.tagged import read
from weasyprint.urls import FatalURLFetchingError

from mailcover.web.documents import NothingFetched, tagged_pdf

DATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _demo(title: str = "Subpoena GJ-1", **context: str) -> bytes:
    facts = {"title": "subpoena", "issued_by": "GRAND JURY", "number": "GJ-1", **context}
    return tagged_pdf("records/demo_instrument.html", facts, title, DATED)


def test_a_document_is_a_tagged_pdf_with_its_language_and_title() -> None:
    tagged = read(_demo())
    assert tagged.has_structure_tree
    assert tagged.marked
    assert tagged.language == "en-US"
    assert tagged.title == "Subpoena GJ-1"
    assert tagged.displays_title  # a reader shows the title, not the file name
    assert tagged.claims_pdf_ua
    assert {"/Document", "/H1", "/P"} <= tagged.structure_kinds


def test_the_same_facts_give_the_same_bytes_whatever_the_clock() -> None:
    first = _demo()
    assert first == _demo()
    info = PdfReader(io.BytesIO(first)).metadata
    assert info is not None
    assert info.creation_date == DATED
    assert info.modification_date == DATED


def test_different_facts_give_different_bytes() -> None:
    assert _demo() != _demo(number="GJ-2")


def test_a_name_typed_as_markup_is_written_as_text_not_drawn() -> None:
    tagged = read(_demo(issued_by='<img src="http://192.0.2.1/x.png"> <b>BOLD</b>'))
    assert '<img src="http://192.0.2.1/x.png">' in tagged.pages[0]


def test_a_document_that_asks_for_a_resource_stops_and_fetches_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fetched: list[str] = []
    monkeypatch.setattr("urllib.request.OpenerDirector.open", lambda *a, **k: fetched.append(a))
    asking = (
        '{% extends "web/document.html" %}'
        '{% block body %}<img src="file:///etc/passwd" alt="x">{% endblock %}'
    )
    monkeypatch.setattr(
        "mailcover.web.documents.render_to_string",
        lambda name, context: engines["django"].from_string(asking).render(context),
    )
    with pytest.raises(FatalURLFetchingError) as stopped:
        tagged_pdf("ignored.html", {}, "A document that asks", DATED)
    assert isinstance(stopped.value.__cause__, NothingFetched)
    assert fetched == []
