"""Glyphs an OCR engine reads for one another on printed mail, and words compared despite them.

An address block read by OCR comes back with slips that follow the shapes of the glyphs,
not the keyboard: a digit for a letter (5 for S, 1 for I, 0 for O), a letter for a letter
that differs by one stroke (F for E, I for L, O for D or Q), two glyphs for one (RN for M,
VV for W). The pairs come from GeCo's OCR variation table (Christen and Vatsalan, "Flexible
and extensible generation and corruption of personal data", CIKM 2013; the table shipped as
`ocr-variations-upper-lower.csv` with GeCo), restricted to the upper-case glyphs of an
address block, and from the slips measured on mail in the matcher's evaluation (E read as
F, L as I, S as 5, I as 1 in every field; docs/mail-stream.md).

`fold` maps every glyph of a confusable group to one representative, so two readings of
one word fold to the same string. It is a comparison key, never a correction: what is
stored and shown is always the text as read. Folding joins real words too (LEE and FEE,
DALE and OALE), so callers fold only where something else has already narrowed the
candidates (the ZIP Code, the house number and the unit for a street name; the ZIP Code for
a state code) and say in their own docstring what precision that costs.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

# Each glyph to its group's representative: O for 0 Q D, I for 1 L |, S for 5, B for 8,
# G for 6, Z for 2, E for F.
_FOLD = str.maketrans(
    {"0": "O", "Q": "O", "D": "O", "1": "I", "L": "I", "|": "I", "!": "I",
     "5": "S", "8": "B", "6": "G", "2": "Z", "F": "E"}
)  # fmt: skip


def fold(word: str) -> str:
    """`word` (upper case) with each confusable glyph, or pair of glyphs, replaced by its
    group's representative: FISHFR and FISHER, IOCK and LOCK, K5 and KS fold alike."""
    return word.translate(_FOLD).replace("RN", "M").replace("VV", "W")


def ocr_same(known: str, seen: str) -> bool:
    """Whether `seen` may be `known` as read by OCR: equal once both are folded."""
    return known == seen or fold(known) == fold(seen)


def similarity(known: str, seen: str) -> float:
    """1 - slips / length, an OCR confusion being no slip and any other edit (a letter wrong,
    more or less, or two swapped) one: optimal string alignment on the folded words, or on the
    words as written when that is higher (folding RN to M turns a swap into two slips)."""
    if ocr_same(known, seen):
        return 1.0
    return max(
        OSA.normalized_similarity(fold(known), fold(seen)), OSA.normalized_similarity(known, seen)
    )
