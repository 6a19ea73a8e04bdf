"""`mailcover records import` and `mailcover records synth`, run in-process through
`mailcover.cli.main` as a shell would run them: exit status, errors on standard error with
their line numbers, a summary on standard output."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from mailcover.cli import main
from mailcover.ledger.models import Entry
from mailcover.records import cli as records_cli
from mailcover.records import importers
from mailcover.records.models import Customer, SignIn

pytestmark = pytest.mark.django_db

NOW = "2026-11-24T12:00:00+00:00"
HEADER = "account_number,name,address,email,opened_at\n"
ANN = "A1,Ann Example,1 Elm St Springfield IL 62704,ann@example.com,2025-01-01T00:00:00Z\n"
BOB = "A2,Bob Example,2 Elm St Springfield IL 62704,bob@example.com,2025-01-01T00:00:00Z\n"
BAD = "A3,Cy Example,3 Elm St Springfield IL 62704,cy@example.com,2025-01-01\n"


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
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def test_a_file_imported_whole_exits_0_with_a_summary(cli: Callable[..., Ran], tmp_path: Path):
    path = tmp_path / "customers.csv"
    path.write_text(HEADER + ANN + BOB)
    ran = cli("records", "import", "customers", path)
    assert (ran.code, ran.out, ran.err) == (0, "customers: 2 read, 2 imported, 0 rejected\n", "")
    assert Customer.objects.count() == 2
    assert Entry.objects.filter(event="records.imported").count() == 1


def test_rejected_rows_exit_1_listed_by_line_and_the_rest_is_kept(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_text(HEADER + ANN + BAD + BOB)
    ran = cli("records", "import", "customers", path)
    assert ran.code == 1
    assert (
        ran.err == "customers line 3: opened_at: has no time zone: add one, such as Z or -05:00\n"
    )
    assert "3 read, 2 imported, 1 rejected" in ran.out
    assert Customer.objects.count() == 2


def test_a_file_that_cannot_be_read_exits_2(cli: Callable[..., Ran], tmp_path: Path) -> None:
    ran = cli("records", "import", "customers", tmp_path / "missing.csv")
    assert ran.code == 2
    assert "cannot read" in ran.err


def test_a_csv_file_that_is_not_utf8_exits_2_and_nothing_is_imported(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes((HEADER + ANN).encode() + "A2,José,x,j@example.com,x\n".encode("latin-1"))
    ran = cli("records", "import", "customers", path)
    assert ran.code == 2
    assert "line 3 is not UTF-8 text" in ran.err
    assert not Customer.objects.exists()


def test_the_format_is_taken_from_the_extension_or_given(
    cli: Callable[..., Ran], tmp_path: Path
) -> None:
    row = {"account_number": "A1", "name": "Ann", "address": "1 Elm St Springfield IL 62704",
           "email": "ann@example.com", "opened_at": "2025-01-01T00:00:00Z"}  # fmt: skip
    path = tmp_path / "export.txt"
    path.write_text(json.dumps(row) + "\n")
    ran = cli("records", "import", "customers", path)
    assert (ran.code, "give --format csv or jsonl" in ran.err) == (2, True)
    assert cli("records", "import", "customers", path, "--format", "jsonl").code == 0


def test_a_kind_there_is_not_is_a_usage_error(cli: Callable[..., Ran], tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as usage:
        cli("records", "import", "parcels", tmp_path / "x.csv")
    assert usage.value.code == 2


def test_the_kinds_and_fields_the_help_lists_are_the_importers() -> None:
    assert records_cli.KINDS == importers.KINDS
    for kind, names in records_cli.FIELDS.items():
        expected = [n if n in importers.REQUIRED[kind] else f"{n}?" for n in importers.FIELDS[kind]]
        assert names.split() == expected, kind


def test_synth_writes_a_world_and_a_second_run_adds_nothing(cli: Callable[..., Ran]) -> None:
    ran = cli("records", "synth", "--customers", "4", "--seed", "2", "--now", NOW)
    assert ran.code == 0
    assert "customers: 4 read, 4 imported, 0 rejected" in ran.out
    sign_ins = SignIn.objects.count()
    again = cli("records", "synth", "--customers", "4", "--seed", "2", "--now", NOW)
    assert again.code == 1
    assert "customers: 4 read, 0 imported, 4 rejected" in again.out
    assert "another customer already has this account number" in again.err
    assert (Customer.objects.count(), SignIn.objects.count()) == (4, sign_ins)


def test_only_the_first_errors_are_listed(
    cli: Callable[..., Ran], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records_cli, "SHOWN_ERRORS", 2)
    path = tmp_path / "customers.csv"
    path.write_text(HEADER + BAD * 5)
    ran = cli("records", "import", "customers", path)
    assert ran.err.count("line ") == 2
    assert "only the first 2 errors were listed" in ran.err
