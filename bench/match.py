"""Benchmark of the mail-stream matcher: accuracy, ingest throughput, name and address linkage.

Accuracy, on two generators written apart:

* `matching.synth` (the stream the matcher was built against) makes ORDERS orders in force
  and a PIECES-piece stream about them with its ground truth (which orders the law says must
  capture each piece); every piece goes through `MatchIndex.match` with the stream's `now`
  as the moment it is recorded.
* `matching.mailgen` (a second generator, whose error model comes from FEBRL and GeCo and
  whose names, places and designators from the Census lists, the ZIP Code list and
  Publication 28) makes MAILGEN_ORDERS orders and MAILGEN_PIECES pieces, read into `Piece`s
  by `matching.events.piece_from` as the ingest side reads them. Twice: with
  MAILGEN_TUNING_SEED and MAILGEN_SECOND_TUNING_SEED, whose misses may be studied, with
  MAILGEN_HELD_OUT_SEED, which is never tuned on, and with MAILGEN_FRESH_SEEDS, never
  tuned on either; `accuracy_mailgen_unseen` pools the last three.

For each: precision and recall of captures (piece, order) against the truth; the misses
counted by kind of piece and by corruption code (counts only: a report names kinds and
codes, never any text of a piece); and the captures that must be none: of household mail
not under scope delivery_point, of neighbours, of unrelated mail, of attorney mail, and of
pieces outside their order's window.

Throughput: the orders are filed and approved in a fresh SQLite database through
`covers.actions` (as people do), and `covers.ingest.Ingestor` (what `mailcover ingest` runs,
minus reading the file) takes THROUGHPUT_PIECES JSON lines: once a stream in which every piece
has an undamaged barcode with a full routing code ("barcode-keyed"), once the same kind of
stream without barcodes ("text-only"). Each includes storing its captures and their ledger
entries. Against it, in the same run: the time merely to `json.loads` the same lines (the
baseline), so the ratio says how much of the JSON parser's own speed ingest keeps. One core,
one process; the best of ROUNDS runs of each, alternating, each round with new piece
ids (so each captures anew). The index of orders in force is built before the clock starts
(a fixed cost of a long-running ingest, reported as `index_build_s`).

Linkage: `bench/linkage.py` (FEBRL4 against Splink, see there).

Prints one JSON line on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

ORDERS = 1000
PIECES = 100_000
THROUGHPUT_PIECES = 50_000
ROUNDS = 3
SEED = 233
TARGETS = {"precision": 0.999, "recall": 0.99, "barcode_pieces_per_s": 40_000}
MAILGEN_ORDERS = 60
MAILGEN_PIECES = 20_000
MAILGEN_TUNING_SEED = 1990
"""The mailgen stream whose misses may be read, to learn what the matcher does not handle."""
MAILGEN_SECOND_TUNING_SEED = 101
"""Measured once as a fresh seed (recall 0.9816), then its misses were studied too."""
MAILGEN_HELD_OUT_SEED = 28_028
"""Never tuned on: report it, do not look at its misses. Its figures say how the matcher does
on mail it was not fitted to; a change made to pass it would make them say nothing."""
MAILGEN_FRESH_SEEDS = (202, 303)
"""More seeds never tuned on, reported beside the held-out one so that one lucky seed does not
decide; `unseen` pools them with it."""
FORBIDDEN_KINDS = {
    "household": "household",
    "neighbour": "neighbour",
    "elsewhere": "elsewhere",
    "attorney_to": "attorney",
    "attorney_from": "attorney",
    "outside_window": "outside_window",
}
"""Kinds whose captures must be none beyond the truth's (household mail is captured only under
scope delivery_point, where the truth lists it), grouped as the report counts them."""
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def progress(message: str) -> None:
    print(f"[bench/match] {message}", file=sys.stderr, flush=True)


# --- accuracy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scored:
    """One piece to score: the piece, its kind, the orders that must capture it, and the
    corruption codes applied to it (none for synth, which does not name them)."""

    piece: Any
    kind: str
    expected: frozenset[int]
    codes: tuple[str, ...] = ()


def score(orders: list[Any], items: Iterable[Scored]) -> dict[str, Any]:
    """Precision, recall and the counted misses and wrong captures of the matcher on `items`.

    Only counts leave this function: kinds and codes, never a piece's id or text (the
    report is printed, and the mail of a real stream would be case data or nobody's)."""
    from mailcover.matching import MatchIndex

    index = MatchIndex.build(orders)
    pieces = true_pairs = found_pairs = right_pairs = 0
    misses_by_kind: Counter[str] = Counter()
    misses_by_code: Counter[str] = Counter()
    true_by_code: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    forbidden = dict.fromkeys(sorted(set(FORBIDDEN_KINDS.values())), 0)
    attorney_captures = window_captures = 0
    started = time.perf_counter()
    for item in items:
        pieces += 1
        captured = {c.order_id for c in index.match(item.piece, NOW).captures}
        true_pairs += len(item.expected)
        found_pairs += len(captured)
        right_pairs += len(captured & item.expected)
        for _ in item.expected:
            true_by_code.update(item.codes or ("none",))
        for _ in item.expected - captured:
            misses_by_kind[item.kind] += 1
            misses_by_code.update(item.codes or ("none",))
        wrong[item.kind] += len(captured - item.expected)
        if item.kind in FORBIDDEN_KINDS:
            forbidden[FORBIDDEN_KINDS[item.kind]] += len(captured - item.expected)
        if item.kind.startswith("attorney"):
            attorney_captures += len(captured)
        if item.kind == "outside_window":
            window_captures += len(captured)
    seconds = time.perf_counter() - started
    return {
        "orders": len(orders),
        "pieces": pieces,
        "true_captures": true_pairs,
        "captures": found_pairs,
        "precision": round(right_pairs / found_pairs, 5) if found_pairs else 1.0,
        "recall": round(right_pairs / true_pairs, 5) if true_pairs else 1.0,
        "missed": true_pairs - right_pairs,
        "misses_by_kind": dict(sorted(misses_by_kind.items())),
        "misses_by_code": dict(misses_by_code.most_common()),
        "true_captures_by_code": dict(true_by_code.most_common()),
        "wrong_by_kind": {kind: n for kind, n in sorted(wrong.items()) if n},
        "forbidden_captures": forbidden,
        "attorney_captures": attorney_captures,
        "outside_window_captures": window_captures,
        "match_seconds": round(seconds, 2),
    }


def synth_items(orders: list[Any], pieces: int) -> Iterator[Scored]:
    from mailcover.matching import synth

    for event, truth in synth.stream(orders, pieces, SEED, NOW):
        yield Scored(synth.piece_of(event), truth.kind, frozenset(truth.captures))


def mailgen_accuracy(orders: int, pieces: int, seed: int) -> dict[str, Any]:
    """The matcher on a mailgen world and stream made with `seed`, read as ingest reads."""
    from mailcover.matching import mailgen
    from mailcover.matching.events import piece_from

    world = mailgen.world(orders, seed, NOW)
    items = (
        Scored(piece_from(event, NOW), truth.kind, frozenset(truth.captures), truth.corruptions)
        for event, truth in mailgen.stream(world, pieces, seed)
    )
    return {"seed": seed, **score(list(world.orders), items)}


def pooled(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision and recall over several runs' captures together."""
    true = sum(r["true_captures"] for r in runs)
    found = sum(r["captures"] for r in runs)
    missed = sum(r["missed"] for r in runs)
    right = true - missed
    return {
        "seeds": [r["seed"] for r in runs],
        "true_captures": true,
        "captures": found,
        "precision": round(right / found, 5) if found else 1.0,
        "recall": round(right / true, 5) if true else 1.0,
        "missed": missed,
        "forbidden_captures": sum(sum(r["forbidden_captures"].values()) for r in runs),
    }


def meets(accuracy: dict[str, Any]) -> dict[str, bool]:
    return {
        "precision": accuracy["precision"] >= TARGETS["precision"],
        "recall": accuracy["recall"] >= TARGETS["recall"],
        "no_forbidden_captures": sum(accuracy["forbidden_captures"].values()) == 0,
    }


# --- throughput ---------------------------------------------------------------------------


def start_django(var_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "mailcover.config.settings"
    os.environ["MAILCOVER_VAR_DIR"] = str(var_dir)
    os.environ["MAILCOVER_LEDGER_KEY_FILE"] = str(var_dir / "ledger-signing.key")
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def file_orders(orders: list[Any], now: datetime = NOW, purpose: str = "matcher") -> None:
    """Each synthetic order filed and approved through covers.actions, as people do (also
    by bench/stream.py)."""
    from mailcover.accounts.provisioning import NewUser, add_user
    from mailcover.covers import actions
    from mailcover.law.requests import AttorneyEntry, CoverRequestDraft
    from mailcover.law.terms import Policy

    earlier = now - timedelta(days=400)
    password = "bench-password-1234"
    requester = add_user(
        NewUser("bench-requester", "Bench Police", ["requester"], password,
                agency_level="local", nondisclosure=True, agency_verified="BENCH-VERIFIED"),
        earlier, Policy(),
    )  # fmt: skip
    approver = add_user(
        NewUser("bench-approver", "U.S. Postal Inspection Service", ["approver"], password,
                agency_level="postal", delegation="DEL-BENCH", delegation_scope="hq_designee",
                nondisclosure=True),
        earlier, Policy(),
    )  # fmt: skip
    for order in orders:
        starts = order.facts.starts_at
        draft = CoverRequestDraft(
            subject_name=order.names[0],
            aliases=tuple(order.names[1:]),
            subject_address=", ".join(order.address.lines()),
            grounds="crime",
            statute="18 U.S.C. 1341",
            max_penalty_years=Decimal(20),
            facts=f"Synthetic order for the {purpose} benchmark.",
            scope=order.scope.value,
            scope_justification="Every name at the address receives the scheme's mail."
            if order.scope.value == "delivery_point"
            else None,
            days=30,
            emergency=False,
            attorneys=tuple(
                AttorneyEntry(a.name, ", ".join(a.address.lines()) if a.address else "")
                for a in order.attorneys
            ),
            requester_agency_level=requester.agency.agency_level,
        )
        filed = actions.file_request(requester, draft, starts - timedelta(minutes=1))
        actions.approve(approver, filed, None, starts)


def lines_of(orders: list[Any], pieces: int, barcode: bool) -> list[bytes]:
    from mailcover.matching import synth

    mix = (
        synth.Mix(barcode=1.0, damaged=0.0, upside_down=0.0, short_routing=0.0)
        if barcode
        else synth.Mix(barcode=0.0)
    )
    return [
        json.dumps(event).encode() + b"\n"
        for event, _ in synth.stream(orders, pieces, SEED + (1 if barcode else 2), NOW, mix)
    ]


def time_ingest(lines: list[bytes], clock: Callable[[], datetime]) -> tuple[float, float, Any]:
    """Seconds to build the index of orders in force, and to ingest the lines with it."""
    from django.db import connection

    from mailcover.covers.in_force import OrderIndex
    from mailcover.covers.ingest import Ingestor

    started = time.perf_counter()
    orders = OrderIndex(clock)
    orders.current(clock())
    built = time.perf_counter() - started
    ingestor = Ingestor("bench", orders=orders, clock=clock)
    started = time.perf_counter()
    for number, line in enumerate(lines, 1):
        ingestor.feed_line(number, line)
    summary = ingestor.finish()
    seconds = time.perf_counter() - started
    connection.close()
    return built, seconds, summary


def time_parse(lines: list[bytes]) -> float:
    loads = json.loads
    started = time.perf_counter()
    for line in lines:
        loads(line)
    return time.perf_counter() - started


def throughput(orders: list[Any], pieces: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="mailcover-bench-") as var:
        start_django(Path(var))
        progress(f"filing and approving {len(orders)} orders")
        file_orders(orders)
        clock = lambda: NOW  # noqa: E731  the stream's moment, as for accuracy
        out: dict[str, Any] = {}
        for kind, barcode in (("barcode_keyed", True), ("text_only", False)):
            stream = lines_of(orders, pieces, barcode)
            best_ingest = best_parse = best_build = float("inf")
            summary = None
            for round_ in range(ROUNDS):
                progress(f"{kind}: round {round_ + 1} of {ROUNDS}")
                # New piece ids each round, so that every round captures, none re-ingests.
                lines = [line.replace(b'"P-', f'"R{round_}-'.encode(), 1) for line in stream]
                best_parse = min(best_parse, time_parse(lines))
                built, seconds, summary = time_ingest(lines, clock)
                best_ingest = min(best_ingest, seconds)
                best_build = min(best_build, built)
            assert summary is not None
            out[kind] = {
                "pieces": len(lines),
                "ingest_pieces_per_s": round(len(lines) / best_ingest),
                "json_parse_pieces_per_s": round(len(lines) / best_parse),
                "ratio": round(best_parse / best_ingest, 4),
                "index_build_s": round(best_build, 3),
                "matched": summary.matched,
                "rejected": len(summary.rejected),
            }
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=ORDERS)
    parser.add_argument("--pieces", type=int, default=PIECES)
    parser.add_argument("--mailgen-orders", type=int, default=MAILGEN_ORDERS)
    parser.add_argument("--mailgen-pieces", type=int, default=MAILGEN_PIECES)
    parser.add_argument("--throughput-pieces", type=int, default=THROUGHPUT_PIECES)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-linkage", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mailcover.config.settings")
    from mailcover.matching import synth

    orders = synth.orders(args.orders, SEED, NOW)
    progress(f"accuracy on synth: {args.pieces} pieces, {len(orders)} orders")
    result: dict[str, Any] = {"accuracy": score(orders, synth_items(orders, args.pieces))}
    result["accuracy_mailgen"] = {}
    seeds = [("tuning", MAILGEN_TUNING_SEED), ("tuning_2", MAILGEN_SECOND_TUNING_SEED),
             ("held_out", MAILGEN_HELD_OUT_SEED)]  # fmt: skip
    seeds += [(f"fresh_{seed}", seed) for seed in MAILGEN_FRESH_SEEDS]
    for name, seed in seeds:
        progress(f"accuracy on mailgen, {name} seed: {args.mailgen_pieces} pieces")
        result["accuracy_mailgen"][name] = mailgen_accuracy(
            args.mailgen_orders, args.mailgen_pieces, seed
        )
    result["accuracy_mailgen_unseen"] = pooled(
        [v for k, v in result["accuracy_mailgen"].items() if not k.startswith("tuning")]
    )
    if not args.skip_throughput:
        progress("throughput")
        result["throughput"] = throughput(orders, args.throughput_pieces)
    if not args.skip_linkage:
        progress("linkage on FEBRL4 against Splink")
        import linkage

        result["linkage"] = linkage.run()["febrl4"]
    acc = result["accuracy"]
    targets = result["targets_met"] = {
        "precision": acc["precision"] >= TARGETS["precision"],
        "recall": acc["recall"] >= TARGETS["recall"],
        "no_attorney_or_window_captures": acc["attorney_captures"] + acc["outside_window_captures"]
        == 0,
        "synth_no_forbidden_captures": meets(acc)["no_forbidden_captures"],
    }
    for name, mailgen_acc in result["accuracy_mailgen"].items():
        targets.update({f"mailgen_{name}_{k}": v for k, v in meets(mailgen_acc).items()})
    if "throughput" in result:
        speed = result["throughput"]["barcode_keyed"]["ingest_pieces_per_s"]
        targets["barcode_pieces_per_s"] = speed >= TARGETS["barcode_pieces_per_s"]
    if "linkage" in result:
        link = result["linkage"]
        targets["linkage_f1_at_least_splinks"] = (
            link["matcher"]["f1"] >= link["splink_same_fields"]["f1"]
        )
        targets["linkage_faster"] = link["time_ratio"] < 1
    print(json.dumps(result))


if __name__ == "__main__":
    main()
