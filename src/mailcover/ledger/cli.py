"""`mailcover ledger ...`: verify the ledger, publish and export checkpoints, check proofs.

`verify-proof` needs no database and no settings: an outside party runs it with the
public key and the API's answers saved as files.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mailcover.ledger import entries, merkle, note

Setup = Callable[[], None]


def add_commands(commands: Any, django: Setup) -> None:
    """Register the `ledger` subcommands on the top-level parser's subparsers."""
    ledger = commands.add_parser(
        "ledger", help="verify the tamper-evident ledger, its checkpoints and proofs"
    ).add_subparsers(dest="action", required=True)

    verify = ledger.add_parser(
        "verify", help="recompute the tree from the rows and check every checkpoint"
    )
    verify.set_defaults(handler=lambda args: verify_ledger(django))

    publish = ledger.add_parser("checkpoint", help="publish a signed checkpoint now")
    publish.set_defaults(handler=lambda args: publish_checkpoint(django))

    publisher = ledger.add_parser(
        "publisher",
        help="publish checkpoints every MAILCOVER_CHECKPOINT_SECONDS while entries come in "
        "(runs until stopped)",
    )
    publisher.set_defaults(handler=lambda args: run_publisher(django))

    export = ledger.add_parser(
        "export-checkpoints", help="write every published checkpoint, one JSON line each"
    )
    export.add_argument("out", nargs="?", default="-", help="file to write (default: stdout)")
    export.set_defaults(handler=lambda args: export_checkpoints(django, args.out))

    check = ledger.add_parser(
        "check-checkpoint",
        help="check that saved checkpoints (a signed note, or an export) are consistent "
        "with today's tree",
    )
    check.add_argument("saved", help="a checkpoint note file, or an export-checkpoints file")
    check.set_defaults(handler=lambda args: check_checkpoint(django, args.saved))

    proof = ledger.add_parser(
        "verify-proof",
        help="check an inclusion or consistency proof with only the public key and the "
        "API's answers (no database)",
    ).add_subparsers(dest="kind", required=True)
    inclusion = proof.add_parser("inclusion", help="an entry is in a checkpoint's tree")
    _key_option(inclusion)
    inclusion.add_argument("--checkpoint", required=True, help="GET ledger/checkpoint, saved")
    inclusion.add_argument("--entry", required=True, help="GET ledger/entries/{index}, saved")
    inclusion.add_argument("--proof", required=True, help="GET ledger/proofs/inclusion, saved")
    inclusion.set_defaults(handler=verify_inclusion_proof)
    consistency = proof.add_parser(
        "consistency", help="a newer checkpoint's tree extends an older one's"
    )
    _key_option(consistency)
    consistency.add_argument("--old", required=True, help="the older checkpoint note")
    consistency.add_argument("--new", required=True, help="the newer checkpoint note")
    consistency.add_argument("--proof", required=True, help="GET ledger/proofs/consistency")
    consistency.set_defaults(handler=verify_consistency_proof)


def _key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key",
        required=True,
        help="the verifier key (GET ledger/public-key), or a file holding it",
    )


# --- with the database --------------------------------------------------------


def verify_ledger(django: Setup) -> int:
    django()
    from mailcover.ledger.checkpoints import SigningKeyError
    from mailcover.ledger.verify import verify

    try:
        report = verify()
    except SigningKeyError as problem:
        print(f"mailcover ledger verify: {problem}", file=sys.stderr)
        return 2
    if report.ok:
        print(
            f"ledger ok: {report.size} entries, {report.nodes} subtree roots, "
            f"{report.checkpoints} checkpoints; root {report.root.hex()}"
        )
        return 0
    if report.first_bad_entry is not None:
        print(f"ledger TAMPERED: first bad entry is {report.first_bad_entry}", file=sys.stderr)
    else:
        print("ledger TAMPERED", file=sys.stderr)
    for found in report.problems:
        print(f"  {found}", file=sys.stderr)
    return 1


def publish_checkpoint(django: Setup) -> int:
    django()
    from django.utils import timezone

    from mailcover.ledger import checkpoints

    published = checkpoints.publish(timezone.now())
    sys.stdout.write(published.note)
    return 0


def run_publisher(django: Setup) -> int:
    django()
    from django.conf import settings
    from django.utils import timezone

    from mailcover.ledger import checkpoints

    stop = threading.Event()
    for received in (signal.SIGTERM, signal.SIGINT):
        signal.signal(received, lambda number, frame: stop.set())
    # Check a few times per interval, so no checkpoint is much later than promised.
    pause = max(1.0, settings.MAILCOVER_CHECKPOINT_SECONDS / 5)
    while not stop.is_set():
        published = checkpoints.publish_when_due(timezone.now())
        if published is not None:
            print(f"published checkpoint at size {published.size}", flush=True)
        stop.wait(pause)
    return 0


def export_checkpoints(django: Setup, out: str) -> int:
    django()
    from mailcover.ledger.models import Checkpoint

    lines = [
        json.dumps(
            {
                "size": checkpoint.size,
                "root_hash": base64.b64encode(bytes(checkpoint.root_hash)).decode(),
                "published_at": checkpoint.published_at.isoformat(),
                "note": checkpoint.note,
            }
        )
        + "\n"
        for checkpoint in Checkpoint.objects.order_by("size", "pk")
    ]
    if out == "-":
        sys.stdout.writelines(lines)
    else:
        Path(out).write_text("".join(lines))
        print(f"wrote {len(lines)} checkpoints to {out}", file=sys.stderr)
    return 0


def check_checkpoint(django: Setup, saved: str) -> int:
    try:
        notes = _saved_notes(Path(saved).read_text())
    except (OSError, ValueError) as problem:
        print(f"mailcover ledger check-checkpoint: {problem}", file=sys.stderr)
        return 2
    django()
    from mailcover.ledger import checkpoints

    try:
        key = checkpoints.verifier()
    except checkpoints.SigningKeyError as problem:
        print(f"mailcover ledger check-checkpoint: {problem}", file=sys.stderr)
        return 2
    # Proofs come from the stored inner nodes: first make sure those are the ones the
    # entries' own bytes give, or a rewrite that kept the nodes would pass.
    from mailcover.ledger.verify import verify

    report = verify()
    if not report.ok:
        print(
            f"the ledger itself does not verify ({report.problems[0]}): run `mailcover "
            "ledger verify`; every saved checkpoint is INCONSISTENT with it",
            file=sys.stderr,
        )
        return 1
    failed = sum(not _consistent(text, key, report.size, report.root) for text in notes)
    return 1 if failed else 0


def _consistent(text: str, key: note.Verifier, size: int, root: bytes) -> bool:
    from mailcover.ledger import log

    try:
        old = note.open_checkpoint(text, key, key.name)
        if old.size > size:
            raise merkle.ProofError(f"the tree has shrunk to {size} entries")
        if old.size == 0 and old.root_hash != merkle.EMPTY_ROOT:
            raise merkle.ProofError("an empty tree's root must be the hash of nothing")
        if old.size:
            proof = log.consistency(old.size, size)
            merkle.verify_consistency(old.size, size, old.root_hash, root, proof)
    except (note.NoteError, merkle.ProofError) as problem:
        print(f"checkpoint {text.splitlines()[1:2]}: INCONSISTENT: {problem}", file=sys.stderr)
        return False
    print(f"checkpoint at size {old.size}: consistent with the tree of {size} entries")
    return True


def _saved_notes(text: str) -> list[str]:
    """A raw signed note, or export-checkpoints lines ({"note": ...} each)."""
    if text.lstrip().startswith("{"):
        notes = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    notes.append(str(json.loads(line)["note"]))
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise ValueError(f"line {number} is not an exported checkpoint") from None
        return notes
    return [text]


# --- with nothing but the public key ------------------------------------------


class _Refused(Exception):
    pass


def verify_inclusion_proof(args: argparse.Namespace) -> int:
    try:
        key = _verifier(args.key)
        checkpoint = note.open_checkpoint(_read(args.checkpoint), key, key.name)
        entry = _json(args.entry)
        answer = _json(args.proof)
        data = _b64(entry, "data")
        index, size = _int(answer, "index"), _int(answer, "size")
        if _int(entry, "index") != index:
            raise _Refused(f"the entry is {entry['index']} but the proof is for {index}")
        if size != checkpoint.size:
            raise _Refused(
                f"the proof is for a tree of {size} entries, the checkpoint has "
                f"{checkpoint.size}: ask for size={checkpoint.size}"
            )
        path = _hashes(answer, "audit_path")
        merkle.verify_inclusion(merkle.hash_leaf(data), index, size, path, checkpoint.root_hash)
        said = entries.decode(data)
        if said.seq != index:
            raise _Refused(f"the entry proved at {index} says it is entry {said.seq}")
    except (note.NoteError, merkle.ProofError, entries.EntryError, _Refused) as problem:
        print(f"inclusion proof REFUSED: {problem}", file=sys.stderr)
        return 1
    print(
        f"entry {index} ({said.event}, {entries.format_time(said.at)}) is in the signed tree "
        f"of {size} entries ({key.name})"
    )
    return 0


def verify_consistency_proof(args: argparse.Namespace) -> int:
    try:
        key = _verifier(args.key)
        old = note.open_checkpoint(_read(args.old), key, key.name)
        new = note.open_checkpoint(_read(args.new), key, key.name)
        answer = _json(args.proof)
        if (_int(answer, "first"), _int(answer, "second")) != (old.size, new.size):
            raise _Refused(
                f"the proof is from {answer['first']} to {answer['second']}, the checkpoints "
                f"are {old.size} and {new.size}"
            )
        proof = _hashes(answer, "consistency")
        merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
    except (note.NoteError, merkle.ProofError, _Refused) as problem:
        print(f"consistency proof REFUSED: {problem}", file=sys.stderr)
        return 1
    print(f"the tree of {new.size} entries extends the tree of {old.size} ({key.name})")
    return 0


def _verifier(given: str) -> note.Verifier:
    path = Path(given)
    text = path.read_text().strip() if "+" not in given and path.is_file() else given.strip()
    return note.Verifier.parse(text)


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError as problem:
        raise _Refused(f"cannot read {path}: {problem.strerror}") from None


def _json(path: str) -> dict[str, Any]:
    try:
        value = json.loads(_read(path))
    except json.JSONDecodeError:
        raise _Refused(f"{path} is not JSON") from None
    if not isinstance(value, dict):
        raise _Refused(f"{path} is not a JSON object")
    return value


def _int(answer: dict[str, Any], name: str) -> int:
    value = answer.get(name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Refused(f"the answer's {name!r} is not a whole number")
    return value


def _b64(answer: dict[str, Any], name: str) -> bytes:
    return _decode(answer.get(name), name)


def _hashes(answer: dict[str, Any], name: str) -> list[bytes]:
    value = answer.get(name)
    if not isinstance(value, list):
        raise _Refused(f"the answer's {name!r} is not a list of base64 hashes")
    return [_decode(item, name) for item in value]


def _decode(value: Any, name: str) -> bytes:
    if not isinstance(value, str):
        raise _Refused(f"the answer's {name!r} holds something other than base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _Refused(f"the answer's {name!r} is not valid base64") from None
