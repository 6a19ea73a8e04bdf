"""Whether two addresses are one delivery point: an order's, and one read from a piece.

Equal delivery-point keys are (postal/address.py says what the key holds); otherwise the
ZIP, the house number and the unit must be equal, and the street name and suffix the same
but for OCR slips. Each rule of tolerance has its precision risk written beside it and a
test in tests/postal/test_tolerance.py.
"""

from __future__ import annotations

from dataclasses import replace

from mailcover.postal.address import STANDARD_SUFFIXES, SUFFIX_FOLDS, Address
from mailcover.postal.confusion import folds, ocr_same, similarity

STREET_MIN_SIMILARITY = 0.8
"""Similarity (postal/confusion.py: 1 - slips / length, an OCR confusion no slip) a street
name needs, once ZIP, house number and unit are equal: one slip in 5 letters, two in 10.
A name of SHORT_STREET letters or fewer must be the same once folded (ELM is not ELK)."""

SHORT_STREET = 4


def same_delivery_point(known: Address, seen: Address, *, named: bool = False) -> bool:
    """Whether `seen` (read from a piece) is at `known`'s delivery point (an order's).

    Equal delivery-point keys are; otherwise the ZIP, the house number and the unit must be
    equal (`number_key`), the directionals too, and the street name and suffix the same
    but for slips: a suffix read through the OCR table (AVF for AVE, PI for PL) but never
    another suffix (MAIN ST is not MAIN AVE), and a street name at STREET_MIN_SIMILARITY
    (FISHFR for FISHER, ALLFN for ALLEN, REFD for REED). A suffix read into the name ("OAK
    AVF" with no suffix) is compared with the name and suffix together.

    `named` (the piece must also name the subject: scopes addressee and sender) lets numbers
    compare by `named_number_key`, every letter OCR reads for a digit read as the digit.

    Precision risk, accepted and documented: two streets of one ZIP Code whose names differ by
    a slip (MAIN and MAINE, FISHER and FISHERS) with the same house number and unit are taken
    for one; the name on the piece must still be the subject's (MC-ALL-NAMES), so what is
    at stake is a piece addressed by name to the subject, one slip away from their street.
    """
    if known.delivery_point_key == seen.delivery_point_key:
        return True
    if known.number_key == known.delivery_point_key:
        return False  # not a street address (a box, a route): compared whole, above
    if known.number_key != seen.number_key and not (
        named and known.named_number_key == seen.named_number_key
    ):
        return False  # another ZIP, number or unit
    if (known.predirectional, known.postdirectional) != (
        seen.predirectional,
        seen.postdirectional,
    ):
        return False
    seen = _suffix_in_name(known, seen)
    if known.suffix and seen.suffix:
        if known.suffix != seen.suffix and (
            seen.suffix in STANDARD_SUFFIXES
            or folds(seen.suffix).isdisjoint(SUFFIX_FOLDS.get(known.suffix, ()))
        ):
            return False
        return _street_names_agree(known.street_name, seen.street_name)
    return _street_names_agree(
        _joined(known.street_name, known.suffix), _joined(seen.street_name, seen.suffix)
    )


def _suffix_in_name(known: Address, seen: Address) -> Address:
    """`seen` with the last word of its street name taken for its suffix, when it has none
    and that word is a spelling of the order's suffix read with slips (THOMPSON TERR4CE,
    SHERLOCK AVENLIE: the parser did not know the word for a suffix)."""
    words = seen.street_name.split()
    if seen.suffix or len(words) < 2 or not known.suffix:
        return seen
    if folds(words[-1]).isdisjoint(SUFFIX_FOLDS.get(known.suffix, ())):
        return seen
    return replace(seen, street_name=" ".join(words[:-1]), suffix=known.suffix)


def _street_names_agree(known: str, seen: str) -> bool:
    a, b = known.replace(" ", ""), seen.replace(" ", "")
    if ocr_same(a, b):
        return True
    if min(len(a), len(b)) <= SHORT_STREET:
        return False
    return similarity(a, b) >= STREET_MIN_SIMILARITY


def _joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)
