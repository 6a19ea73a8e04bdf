"""Glyphs an OCR engine reads for one another on printed mail, and words compared despite them.

An address block read by OCR comes back with slips that follow the shapes of the glyphs,
not the keyboard: a digit for a letter (5 for S, 1 for I, 0 for O), a letter for a letter
that differs by one stroke (F for E, I for L, O for D or Q), two glyphs for one (RN for M,
VV for W, CL for D, LI for U). The pairs are FEBRL's OCR rules, the same as GeCo's OCR
variation table (Christen and Vatsalan, "Flexible and extensible generation and corruption
of personal data", CIKM 2013), in the upper case of an address block.

`fold` maps every glyph of a confusable group to one representative, so two readings of
one word fold to the same string. It is a comparison key, never a correction: what is
stored and shown is always the text as read. Folding joins real words too (LEE and FEE,
DALE and OALE), so callers fold only where something else has already narrowed the
candidates (the ZIP Code, the house number and the unit for a street name; the ZIP Code for
a state code) and say in their own docstring what precision that costs.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

# FEBRL's OCR rules (dsgen/librules/lib_ocr_rules.txt, the pairs of GeCo's table), in upper
# case: S 5, Z 2, G 6, B 8, A 4, O 0, D O, Q O, U V, Y V, F P, E F, RN M, VV W, CL D, LI U,
# I L, L 1, I 1. Folding joins each pair's glyphs into one group (so E, F and P are one),
# each group written as its first letter.
_GROUPS = ("O0DQ", "I1L|!", "S5", "Z2", "G6", "B8", "A4", "UVY", "EFP")
_FOLD = str.maketrans({glyph: group[0] for group in _GROUPS for glyph in group[1:]})
_PAIRS = (("RN", "M"), ("VV", "W"), ("CL", "D"), ("LI", "U"))

DIGIT_OF = str.maketrans("OQDILZASGB", "0001124568")
"""A letter OCR reads for a digit, read back as the digit: in a ZIP Code, where letters
have no place (92G72 is 92672)."""

DIGIT_LIKE = "0-9OQDILZASGB"
"""A regular-expression class body: a digit, or a letter OCR reads for one."""


def fold(word: str) -> str:
    """`word` (upper case) with each confusable glyph, or pair of glyphs, replaced by its
    group's representative: FISHFR and FISHER, IOCK and LOCK, K5 and KS, 185B4 and 18584
    fold alike. Two numbers of digits only fold alike only when they are equal."""
    for pair, glyph in _PAIRS:
        if pair in word:
            word = word.replace(pair, glyph)
    return word.translate(_FOLD)


def folds(word: str) -> frozenset[str]:
    """Every fold of `word` with some, all or none of the two-glyph pairs it holds read as one
    glyph: CL is D in CLARK read as DARK, but the C and L of CLR (CIR with I read as L) are
    glyphs of their own, and in CLIRTIS (CURTIS) it is LI, not CL, that is one glyph. `fold`
    is one of them. Two words may be one when their folds share a reading."""
    present = [(pair, glyph) for pair, glyph in _PAIRS if pair in word]
    if not present:
        return frozenset((word.translate(_FOLD),))
    readings = set()
    for chosen in range(1 << len(present)):
        reading = word
        for bit, (pair, glyph) in enumerate(present):
            if chosen >> bit & 1:
                reading = reading.replace(pair, glyph)
        readings.add(reading.translate(_FOLD))
    return frozenset(readings)


def digit_pattern(number: str) -> str:
    """A regular expression for `number` as OCR may have read it: each digit may be a letter
    of its group (18584 is also 185B4 or I8584)."""
    classes = {}
    for group in _GROUPS:
        digits = "".join(c for c in group if c.isdigit())
        letters = "".join(c for c in group if c.isalpha())
        for digit in digits:
            classes[digit] = f"[{digit}{letters}]"
    return "".join(classes.get(c, c) for c in number)


def ocr_same(known: str, seen: str) -> bool:
    """Whether `seen` may be `known` as read by OCR: equal once both are folded (`folds`)."""
    return known == seen or not folds(known).isdisjoint(folds(seen))


def similarity(known: str, seen: str) -> float:
    """1 - slips / length, an OCR confusion being no slip and any other edit (a letter wrong,
    more or less, or two swapped) one: optimal string alignment on the folded words, or on the
    words as written when that is higher (folding RN to M turns a swap into two slips)."""
    if ocr_same(known, seen):
        return 1.0
    return max(
        OSA.normalized_similarity(fold(known), fold(seen)), OSA.normalized_similarity(known, seen)
    )
