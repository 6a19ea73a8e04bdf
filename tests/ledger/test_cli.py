"""`mailcover ledger ...`: verify, checkpoint, export-checkpoints, check-checkpoint and
verify-proof, run in-process through `mailcover.cli.main` as a shell would run them.

The files `verify-proof` reads are what the API answers, saved as an outside party
would save them with curl; the last tests run it with no settings and no database.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from mailcover.cli import main
from mailcover.ledger import checkpoints, log, note
from mailcover.ledger.events import EventName
from mailcover.ledger.models import Checkpoint

Json = dict[str, Any]
ADDED = 10
INDEX = 3
UNREACHABLE_DATABASE = "postgres://nobody@127.0.0.1:1/none"


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Ran]:
    """Run `mailcover ARGS...` in this process; its exit code, stdout and stderr."""

    def run(*argv: str | Path) -> Ran:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        out, err = capsys.readouterr()
        return Ran(code, out, err)

    return run


def append(count: int) -> None:
    for number in range(count):
        log.record(
            None, EventName.MAIL_INGESTED, timezone.now(), case="MC-2026-000001", number=number
        )


def opened(text: str) -> note.Checkpoint:
    return note.open_checkpoint(text, checkpoints.verifier(), settings.MAILCOVER_LEDGER_ORIGIN)


def another_key() -> note.Signer:
    """A key under the log's own name that is not the log's key."""
    return note.Signer.generate(settings.MAILCOVER_LEDGER_ORIGIN)


def forged(size: int, root: bytes, key: note.Signer | None = None) -> str:
    body = note.Checkpoint(settings.MAILCOVER_LEDGER_ORIGIN, size, root)
    return note.sign_checkpoint(body, key or checkpoints.signer())


def flip(raw: bytes, at: int = 0) -> bytes:
    return raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1 :]


def flip_base64(text: str, at: int = 0) -> str:
    return base64.b64encode(flip(base64.b64decode(text), at)).decode("ascii")


def edit_json(path: Path, **changes: Any) -> None:
    answer: Json = json.loads(path.read_text())
    answer.update(changes)
    path.write_text(json.dumps(answer))


def save(path: Path, response: Any) -> Path:
    assert response.status_code == 200, response.content
    path.write_bytes(response.content)
    return path


@pytest.fixture
def tree(people: Any) -> int:
    """The people's own entries and ADDED more, signed by a checkpoint; the tree's size."""
    append(ADDED)
    checkpoints.publish(timezone.now())
    return log.tree_size()


@dataclass
class Saved:
    key: Path
    checkpoint: Path
    entry: Path
    proof: Path

    def args(self, **instead: Path | str) -> list[str | Path]:
        files = {
            "key": self.key,
            "checkpoint": self.checkpoint,
            "entry": self.entry,
            "proof": self.proof,
        }
        files.update(instead)
        return [
            "ledger",
            "verify-proof",
            "inclusion",
            *[part for name, value in files.items() for part in (f"--{name}", value)],
        ]


@pytest.fixture
def saved(api: Any, people: Any, tree: int, tmp_path: Path) -> Saved:
    """The public key, the checkpoint, entry INDEX and its proof, as the API gave them."""
    return Saved(
        key=save(tmp_path / "key.txt", api.get("/ledger/public-key", None)),
        checkpoint=save(tmp_path / "cp.txt", api.get("/ledger/checkpoint", people.oversight)),
        entry=save(tmp_path / "entry.json", api.get(f"/ledger/entries/{INDEX}", people.oversight)),
        proof=save(
            tmp_path / "proof.json",
            api.get(f"/ledger/proofs/inclusion?index={INDEX}", people.oversight),
        ),
    )


@dataclass
class SavedConsistency:
    key: Path
    old: Path
    new: Path
    proof: Path

    def args(self, **instead: Path) -> list[str | Path]:
        files = {"key": self.key, "old": self.old, "new": self.new, "proof": self.proof}
        files.update(instead)
        return [
            "ledger",
            "verify-proof",
            "consistency",
            *[part for name, value in files.items() for part in (f"--{name}", value)],
        ]


@pytest.fixture
def saved_consistency(api: Any, people: Any, tmp_path: Path) -> SavedConsistency:
    """A checkpoint, ADDED entries later another, and the proof between them, all saved."""
    checkpoints.publish(timezone.now())
    old = save(tmp_path / "old.txt", api.get("/ledger/checkpoint", people.oversight))
    first = opened(old.read_text()).size
    append(ADDED)
    checkpoints.publish(timezone.now())
    new = save(tmp_path / "new.txt", api.get("/ledger/checkpoint", people.oversight))
    url = f"/ledger/proofs/consistency?first={first}"
    return SavedConsistency(
        key=save(tmp_path / "key.txt", api.get("/ledger/public-key", None)),
        old=old,
        new=new,
        proof=save(tmp_path / "consistency.json", api.get(url, people.oversight)),
    )


class TestVerify:
    def test_a_clean_ledger_verifies_and_prints_its_size_and_root(
        self, cli: Callable[..., Ran], tree: int
    ) -> None:
        ran = cli("ledger", "verify")

        assert ran.code == 0, ran.err
        assert f"ledger ok: {tree} entries" in ran.out
        assert f"{Checkpoint.objects.count()} checkpoints" in ran.out
        assert log.root_at(tree).hex() in ran.out

    def test_an_empty_ledger_verifies_with_no_entries(
        self, cli: Callable[..., Ran], db: None
    ) -> None:
        ran = cli("ledger", "verify")

        assert ran.code == 0, ran.err
        assert "ledger ok: 0 entries" in ran.out


class TestCheckpointCommand:
    def test_it_prints_a_signed_note_of_the_tree_as_it_stands(
        self, cli: Callable[..., Ran], tree: int
    ) -> None:
        append(2)

        ran = cli("ledger", "checkpoint")

        assert ran.code == 0, ran.err
        checkpoint = opened(ran.out)
        assert checkpoint.size == tree + 2
        assert checkpoint.root_hash == log.root_at(tree + 2)
        assert Checkpoint.objects.get(size=tree + 2).note == ran.out

    def test_asking_again_without_new_entries_signs_nothing_new(
        self, cli: Callable[..., Ran], tree: int
    ) -> None:
        first = cli("ledger", "checkpoint")
        count = Checkpoint.objects.count()

        again = cli("ledger", "checkpoint")

        assert again.code == 0
        assert again.out == first.out
        assert Checkpoint.objects.count() == count


@pytest.fixture
def three_checkpoints(tree: int) -> list[int]:
    """Checkpoints at size 1 (the first entry's), at the people, and ADDED later."""
    append(ADDED)
    checkpoints.publish(timezone.now())
    sizes = list(Checkpoint.objects.order_by("size").values_list("size", flat=True))
    assert len(sizes) == 3
    return sizes


class TestExportCheckpoints:
    def test_it_writes_one_json_line_per_checkpoint_in_order_of_size(
        self, cli: Callable[..., Ran], three_checkpoints: list[int], tmp_path: Path
    ) -> None:
        out = tmp_path / "checkpoints.jsonl"

        ran = cli("ledger", "export-checkpoints", out)

        assert ran.code == 0, ran.err
        assert f"wrote 3 checkpoints to {out}" in ran.err
        lines = [json.loads(line) for line in out.read_text().splitlines()]
        assert [line["size"] for line in lines] == three_checkpoints
        for line in lines:
            row = Checkpoint.objects.get(size=line["size"])
            assert set(line) == {"size", "root_hash", "published_at", "note"}
            assert line["note"] == row.note
            assert base64.b64decode(line["root_hash"]) == bytes(row.root_hash)
            assert line["published_at"] == row.published_at.isoformat()
            assert opened(line["note"]).root_hash == log.root_at(line["size"])

    def test_without_a_file_it_writes_to_standard_output(
        self, cli: Callable[..., Ran], three_checkpoints: list[int]
    ) -> None:
        ran = cli("ledger", "export-checkpoints")

        assert ran.code == 0, ran.err
        assert [json.loads(line)["size"] for line in ran.out.splitlines()] == three_checkpoints


@pytest.fixture
def exported(cli: Callable[..., Ran], three_checkpoints: list[int], tmp_path: Path) -> Path:
    out = tmp_path / "witness.jsonl"
    assert cli("ledger", "export-checkpoints", out).code == 0
    return out


class TestCheckCheckpoint:
    def test_exported_checkpoints_are_consistent_with_the_tree_grown_since(
        self, cli: Callable[..., Ran], exported: Path, three_checkpoints: list[int]
    ) -> None:
        append(5)
        size = log.tree_size()

        ran = cli("ledger", "check-checkpoint", exported)

        assert ran.code == 0, ran.err
        for old in three_checkpoints:
            assert f"checkpoint at size {old}: consistent with the tree of {size} entries" in (
                ran.out
            )

    def test_a_single_saved_note_is_checked_too(
        self, cli: Callable[..., Ran], tree: int, tmp_path: Path
    ) -> None:
        saved = tmp_path / "cp.txt"
        saved.write_text(Checkpoint.objects.get(size=tree).note)
        append(4)

        ran = cli("ledger", "check-checkpoint", saved)

        assert ran.code == 0, ran.err
        assert f"checkpoint at size {tree}: consistent with the tree of {tree + 4}" in ran.out

    def test_a_rewritten_entry_fails_the_check_even_with_its_inner_nodes_left_alone(
        self, cli: Callable[..., Ran], exported: Path
    ) -> None:
        from django.db import connection

        from mailcover.ledger import merkle, triggers

        data = bytes(log.entry_at(2).data).replace(b'"v":1', b'"v":1 ')
        triggers.remove(connection)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_entry SET data = %s, leaf_hash = %s WHERE seq = 2",
                [data, merkle.hash_leaf(data)],
            )
        triggers.install(connection)

        ran = cli("ledger", "check-checkpoint", exported)

        assert ran.code == 1
        assert "the ledger itself does not verify" in ran.err

    def test_without_the_key_file_the_check_says_so_and_makes_no_key(
        self, cli: Callable[..., Ran], exported: Path, tmp_path: Path, settings: Any
    ) -> None:
        missing = tmp_path / "nowhere" / "ledger.key"
        settings.MAILCOVER_LEDGER_KEY_FILE = missing

        ran = cli("ledger", "check-checkpoint", exported)
        verified = cli("ledger", "verify")

        assert (ran.code, verified.code) == (2, 2)
        assert "no ledger signing key" in ran.err
        assert "no ledger signing key" in verified.err
        assert not missing.exists()

    def test_a_checkpoint_signed_with_the_log_key_over_a_wrong_root_is_inconsistent(
        self, cli: Callable[..., Ran], tree: int, tmp_path: Path
    ) -> None:
        saved = tmp_path / "forged.txt"
        saved.write_text(forged(tree, b"\x00" * 32))

        ran = cli("ledger", "check-checkpoint", saved)

        assert ran.code == 1
        assert "INCONSISTENT" in ran.err
        assert "consistent with" not in ran.out

    def test_one_forged_line_in_an_export_fails_the_check_and_the_rest_still_pass(
        self,
        cli: Callable[..., Ran],
        exported: Path,
        three_checkpoints: list[int],
    ) -> None:
        middle = three_checkpoints[1]
        line = {"size": middle, "note": forged(middle, log.root_at(middle - 1))}
        exported.write_text(exported.read_text() + json.dumps(line) + "\n")

        ran = cli("ledger", "check-checkpoint", exported)

        assert ran.code == 1
        assert ran.err.count("INCONSISTENT") == 1
        assert ran.out.count(": consistent with the tree") == 3

    def test_a_checkpoint_beyond_the_tree_is_inconsistent(
        self, cli: Callable[..., Ran], tree: int, tmp_path: Path
    ) -> None:
        saved = tmp_path / "ahead.txt"
        saved.write_text(forged(tree + 1, log.root_at(tree)))

        ran = cli("ledger", "check-checkpoint", saved)

        assert ran.code == 1
        assert "INCONSISTENT" in ran.err
        assert f"shrunk to {tree}" in ran.err

    def test_a_note_signed_by_another_key_is_refused(
        self, cli: Callable[..., Ran], tree: int, tmp_path: Path
    ) -> None:
        saved = tmp_path / "other.txt"
        saved.write_text(forged(tree, log.root_at(tree), another_key()))

        ran = cli("ledger", "check-checkpoint", saved)

        assert ran.code == 1
        assert "INCONSISTENT" in ran.err
        assert "no known key signed" in ran.err

    def test_a_file_that_is_not_an_export_is_a_usage_error(
        self, cli: Callable[..., Ran], tree: int, tmp_path: Path
    ) -> None:
        saved = tmp_path / "proof.json"
        saved.write_text(json.dumps({"size": tree, "root_hash": "AAAA"}) + "\n")

        ran = cli("ledger", "check-checkpoint", saved)

        assert ran.code == 2
        assert "line 1 is not an exported checkpoint" in ran.err

    def test_a_missing_file_is_a_usage_error(
        self, cli: Callable[..., Ran], tree: int, tmp_path: Path
    ) -> None:
        ran = cli("ledger", "check-checkpoint", tmp_path / "nowhere.jsonl")

        assert ran.code == 2
        assert "mailcover ledger check-checkpoint:" in ran.err
        assert "nowhere.jsonl" in ran.err


class TestVerifyInclusionProof:
    def test_the_saved_answers_verify_with_the_key_file(
        self, cli: Callable[..., Ran], saved: Saved, tree: int
    ) -> None:
        ran = cli(*saved.args())

        assert ran.code == 0, ran.err
        assert f"entry {INDEX} (" in ran.out
        assert f"is in the signed tree of {tree} entries" in ran.out

    def test_the_saved_answers_verify_with_the_key_given_as_text(
        self, cli: Callable[..., Ran], saved: Saved
    ) -> None:
        ran = cli(*saved.args(key=saved.key.read_text().strip()))

        assert ran.code == 0, ran.err

    def test_every_entry_of_the_tree_verifies(
        self, cli: Callable[..., Ran], api: Any, people: Any, saved: Saved, tree: int
    ) -> None:
        for index in range(tree):
            entry = save(saved.entry, api.get(f"/ledger/entries/{index}", people.oversight))
            url = f"/ledger/proofs/inclusion?index={index}"
            proof = save(saved.proof, api.get(url, people.oversight))

            assert cli(*saved.args(entry=entry, proof=proof)).code == 0

    def refused(self, cli: Callable[..., Ran], saved: Saved, **instead: Path | str) -> str:
        ran = cli(*saved.args(**instead))
        assert ran.code == 1
        assert "inclusion proof REFUSED" in ran.err
        assert ran.out == ""
        return ran.err

    def test_an_entry_with_one_byte_altered_is_refused(
        self, cli: Callable[..., Ran], saved: Saved
    ) -> None:
        entry = json.loads(saved.entry.read_text())
        edit_json(saved.entry, data=flip_base64(entry["data"], at=10))

        assert "inclusion proof for leaf" in self.refused(cli, saved)

    def test_an_altered_hash_in_the_audit_path_is_refused(
        self, cli: Callable[..., Ran], saved: Saved
    ) -> None:
        path = json.loads(saved.proof.read_text())["audit_path"]
        edit_json(saved.proof, audit_path=[flip_base64(path[0]), *path[1:]])

        self.refused(cli, saved)

    def test_a_shortened_audit_path_is_refused(self, cli: Callable[..., Ran], saved: Saved) -> None:
        path = json.loads(saved.proof.read_text())["audit_path"]
        edit_json(saved.proof, audit_path=path[:-1])

        assert "too few" in self.refused(cli, saved)

    @pytest.mark.parametrize("given", [None, "abc", {"0": "x"}])
    def test_an_audit_path_that_is_not_a_list_is_refused_not_crashed_on(
        self, cli: Callable[..., Ran], saved: Saved, given: Any
    ) -> None:
        edit_json(saved.proof, audit_path=given)

        assert "not a list of base64 hashes" in self.refused(cli, saved)

    def test_a_proof_for_another_size_than_the_checkpoint_is_refused(
        self, cli: Callable[..., Ran], api: Any, people: Any, saved: Saved, tree: int
    ) -> None:
        url = f"/ledger/proofs/inclusion?index={INDEX}&size={tree - 1}"
        save(saved.proof, api.get(url, people.oversight))

        assert f"ask for size={tree}" in self.refused(cli, saved)

    def test_a_checkpoint_signed_by_another_key_is_refused(
        self, cli: Callable[..., Ran], saved: Saved, tree: int
    ) -> None:
        saved.checkpoint.write_text(forged(tree, log.root_at(tree), another_key()))

        assert "no known key signed" in self.refused(cli, saved)

    def test_a_checkpoint_signed_with_the_log_key_over_another_root_is_refused(
        self, cli: Callable[..., Ran], saved: Saved, tree: int
    ) -> None:
        saved.checkpoint.write_text(forged(tree, log.root_at(tree - 1)))

        self.refused(cli, saved)

    def test_a_wrong_key_is_refused(self, cli: Callable[..., Ran], saved: Saved) -> None:
        wrong = another_key().verifier().to_string()

        assert "no known key signed" in self.refused(cli, saved, key=wrong)

    def test_a_key_that_is_no_key_is_refused(
        self, cli: Callable[..., Ran], saved: Saved, tmp_path: Path
    ) -> None:
        self.refused(cli, saved, key=tmp_path / "no-such-key.txt")

    def test_an_entry_other_than_the_one_proved_is_refused(
        self, cli: Callable[..., Ran], api: Any, people: Any, saved: Saved
    ) -> None:
        save(saved.entry, api.get(f"/ledger/entries/{INDEX + 1}", people.oversight))

        assert f"the entry is {INDEX + 1} but the proof is for {INDEX}" in self.refused(cli, saved)

    def test_an_entry_relabelled_with_the_proved_index_is_refused(
        self, cli: Callable[..., Ran], api: Any, people: Any, saved: Saved
    ) -> None:
        save(saved.entry, api.get(f"/ledger/entries/{INDEX + 1}", people.oversight))
        edit_json(saved.entry, index=INDEX)

        self.refused(cli, saved)

    def test_a_proof_that_is_not_json_is_refused(
        self, cli: Callable[..., Ran], saved: Saved
    ) -> None:
        saved.proof.write_text("<html>502 Bad Gateway</html>")

        assert "is not JSON" in self.refused(cli, saved)

    def test_a_proof_file_that_does_not_exist_is_refused(
        self, cli: Callable[..., Ran], saved: Saved, tmp_path: Path
    ) -> None:
        assert "cannot read" in self.refused(cli, saved, proof=tmp_path / "nowhere.json")

    def test_an_entry_whose_data_is_not_base64_is_refused(
        self, cli: Callable[..., Ran], saved: Saved
    ) -> None:
        edit_json(saved.entry, data="not base64!")

        assert "not valid base64" in self.refused(cli, saved)

    def test_a_proof_whose_index_is_not_a_number_is_refused(
        self, cli: Callable[..., Ran], saved: Saved
    ) -> None:
        edit_json(saved.proof, index=str(INDEX))

        assert "'index' is not a whole number" in self.refused(cli, saved)


class TestVerifyConsistencyProof:
    def test_the_newer_checkpoint_extends_the_older_one(
        self, cli: Callable[..., Ran], saved_consistency: SavedConsistency
    ) -> None:
        old = opened(saved_consistency.old.read_text()).size
        new = opened(saved_consistency.new.read_text()).size

        ran = cli(*saved_consistency.args())

        assert ran.code == 0, ran.err
        assert f"the tree of {new} entries extends the tree of {old}" in ran.out
        assert new == old + ADDED

    def refused(self, cli: Callable[..., Ran], saved: SavedConsistency, **instead: Path) -> str:
        ran = cli(*saved.args(**instead))
        assert ran.code == 1
        assert "consistency proof REFUSED" in ran.err
        assert ran.out == ""
        return ran.err

    def test_a_tampered_proof_is_refused(
        self, cli: Callable[..., Ran], saved_consistency: SavedConsistency
    ) -> None:
        proof = json.loads(saved_consistency.proof.read_text())["consistency"]
        edit_json(saved_consistency.proof, consistency=[*proof[:-1], flip_base64(proof[-1])])

        self.refused(cli, saved_consistency)

    def test_swapped_checkpoints_are_refused(
        self, cli: Callable[..., Ran], saved_consistency: SavedConsistency
    ) -> None:
        swapped = {"old": saved_consistency.new, "new": saved_consistency.old}

        assert "the proof is from" in self.refused(cli, saved_consistency, **swapped)

    def test_an_old_checkpoint_signed_over_another_root_is_refused(
        self, cli: Callable[..., Ran], saved_consistency: SavedConsistency
    ) -> None:
        old = opened(saved_consistency.old.read_text()).size
        saved_consistency.old.write_text(forged(old, log.root_at(old - 1)))

        self.refused(cli, saved_consistency)

    def test_a_new_checkpoint_signed_by_another_key_is_refused(
        self, cli: Callable[..., Ran], saved_consistency: SavedConsistency
    ) -> None:
        new = opened(saved_consistency.new.read_text()).size
        saved_consistency.new.write_text(forged(new, log.root_at(new), another_key()))

        assert "no known key signed" in self.refused(cli, saved_consistency)


def without_django() -> dict[str, str]:
    """The environment of an outside party: no settings module, no reachable database."""
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["DATABASE_URL"] = UNREACHABLE_DATABASE
    return env


class TestVerifyProofNeedsNoDatabase:
    def test_verify_proof_inclusion_runs_with_no_settings_and_no_database(
        self, saved: Saved, tree: int, tmp_path: Path
    ) -> None:
        command = [sys.executable, "-m", "mailcover.cli", *map(str, saved.args())]

        ran = subprocess.run(
            command, env=without_django(), cwd=tmp_path, capture_output=True, text=True
        )

        assert ran.returncode == 0, ran.stderr
        assert f"entry {INDEX} (" in ran.stdout
        assert f"is in the signed tree of {tree} entries" in ran.stdout

    def test_verify_proof_consistency_runs_with_no_settings_and_no_database(
        self, saved_consistency: SavedConsistency, tmp_path: Path
    ) -> None:
        command = [sys.executable, "-m", "mailcover.cli", *map(str, saved_consistency.args())]

        ran = subprocess.run(
            command, env=without_django(), cwd=tmp_path, capture_output=True, text=True
        )

        assert ran.returncode == 0, ran.stderr
        assert "extends the tree of" in ran.stdout

    def test_verify_proof_never_imports_django(self, saved: Saved, tmp_path: Path) -> None:
        script = (
            "import sys\n"
            "from mailcover.cli import main\n"
            "code = main(sys.argv[1:])\n"
            "print('django loaded' if 'django' in sys.modules else 'no django')\n"
            "sys.exit(code)\n"
        )
        command = [sys.executable, "-c", script, *map(str, saved.args())]

        ran = subprocess.run(
            command, env=without_django(), cwd=tmp_path, capture_output=True, text=True
        )

        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.splitlines()[-1] == "no django"

    def test_a_tampered_entry_is_still_refused_outside(self, saved: Saved, tmp_path: Path) -> None:
        entry = json.loads(saved.entry.read_text())
        edit_json(saved.entry, data=flip_base64(entry["data"], at=3))
        command = [sys.executable, "-m", "mailcover.cli", *map(str, saved.args())]

        ran = subprocess.run(
            command, env=without_django(), cwd=tmp_path, capture_output=True, text=True
        )

        assert ran.returncode == 1
        assert "REFUSED" in ran.stderr
