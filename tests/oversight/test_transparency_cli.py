"""`mailcover report transparency`, run in-process as a shell would run it: the internal
version unless --public, each format, and exit status 2 with a message for a bad period."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from tests.covers.conftest import draft_for

from mailcover.cli import main
from mailcover.covers import actions
from mailcover.covers.models import CoverRequest

PERIOD = ("--start", "2020-01-01", "--end", "2029-12-31")


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    def run(*argv: str | Path) -> Ran:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


@pytest.fixture
def three_requests(people: Any, file: Callable[..., CoverRequest]) -> None:
    for name in ("ANN ONE", "BOB TWO", "CAL THREE"):
        file(people.requester, subject_name=name)


def test_the_report_is_internal_json_by_default(
    cli: Callable[..., Ran], three_requests: None
) -> None:
    ran = cli("report", "transparency", *PERIOD)
    assert ran.code == 0
    body = json.loads(ran.out)
    assert body["version"] == "internal"
    assert body["mail_covers"]["requested"] == 3


def test_public_bands_the_small_counts(cli: Callable[..., Ran], people: Any) -> None:
    filed = datetime(2025, 5, 12, 15, 0, tzinfo=UTC)
    for name in ("ANN ONE", "BOB TWO", "CAL THREE"):
        actions.file_request(
            people.requester, draft_for(people.requester, subject_name=name), filed
        )
    ran = cli(
        "report", "transparency", "--year", "2025", "--quarter", "2", "--public", "--format", "csv"
    )
    assert ran.code == 0
    assert "mail_covers,requested,,0-9" in ran.out
    assert "report,start,,2025-04-01" in ran.out


def test_sec_public_period_public_output_of_a_free_period_exits_2_naming_the_rule(
    cli: Callable[..., Ran], three_requests: None
) -> None:
    ran = cli("report", "transparency", *PERIOD, "--public")
    assert ran.code == 2
    assert ran.out == ""
    assert "SEC-PUBLIC-PERIOD" in ran.err
    assert "closed calendar quarter, half-year or year" in ran.err


def test_html_and_pdf_are_written_to_the_output_path(
    cli: Callable[..., Ran], three_requests: None, tmp_path: Path
) -> None:
    page, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    assert cli("report", "transparency", *PERIOD, "--format", "html", "--output", page).code == 0
    assert 'data-version="internal"' in page.read_text()
    assert "<svg" in page.read_text()
    assert cli("report", "transparency", *PERIOD, "--format", "pdf", "--output", pdf).code == 0
    assert "Requested 3" in PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--start", "2026-13-01"), "--start: '2026-13-01' is not a date"),
        (("--start", "2026-02-01", "--end", "2026-01-01"), "--end: 2026-01-01 is before start"),
    ],
)
def test_a_bad_period_exits_2_naming_the_option(
    cli: Callable[..., Ran], db: None, argv: tuple[str, ...], says: str
) -> None:
    ran = cli("report", "transparency", *argv)
    assert ran.code == 2
    assert says in ran.err
    assert ran.out == ""


def test_a_pdf_is_not_written_to_a_terminal(
    cli: Callable[..., Ran], db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    ran = cli("report", "transparency", *PERIOD, "--format", "pdf")
    assert ran.code == 2
    assert "--output" in ran.err


def test_a_path_that_cannot_be_written_exits_2(
    cli: Callable[..., Ran], db: None, tmp_path: Path
) -> None:
    ran = cli("report", "transparency", *PERIOD, "--output", tmp_path / "no" / "such" / "f")
    assert ran.code == 2
    assert "cannot write" in ran.err
