"""The Intelligent Mail barcode (IMb) of USPS-B-3200: encoding, decoding and checking.

An IMb carries 20 to 31 digits in 65 four-state bars: a 20-digit tracking code (barcode
identifier, service type, mailer ID, serial number) and an optional routing code, the
delivery-point ZIP of 5, 9 or 11 digits. Encoding is the six steps of USPS-B-3200
section 2.2: the digits become one 102-bit number; an 11-bit CRC, the frame check
sequence (FCS), is taken over it; the number is cut into ten codewords A-J; the FCS
and an orientation mark go into codewords A and J; the codewords become ten 13-bit
characters through the 5-of-13 and 2-of-13 tables, and a character is inverted for
each set FCS bit; finally each bar takes one bit of one character for its ascender
and one bit of another for its descender (Table IV).

The specification defines no decoder. `decode` is the exact inverse, as the public
decoders do it, and it refuses rather than guesses: the IMb's CRC detects errors but
cannot correct them, and for a mail cover a wrong ZIP or serial number is worse than
no reading. Every refusal is an `ImbError` whose `code` names what is wrong.

The character tables are generated at import by the routine the specification gives,
not transcribed, and so are the inverse tables that make a decode a few dozen integer
operations: the matcher decodes tens of thousands of barcodes a second. The common case,
65 upper-case bars that decode the right way up, takes a fast path (`_fast_value`): the
bars are looked up five at a time in tables of the code's own constants (which bits of
which characters each group of five bars sets), and the CRC by a table per byte of the
value. It only ever answers for bars that decode; anything else, or anything it is unsure
of, goes the reference way (`_reference_value`), which gives the refusal. Nothing is
remembered of the bars read: the tables hold only the code's constants.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import getitem, xor

BAR_COUNT = 65
"""Bars in every Intelligent Mail barcode."""

TRACKING_LENGTH = 20
"""Digits in the tracking code: barcode identifier 2, service type 3, mailer ID and serial 15."""

ROUTING_LENGTHS = (0, 5, 9, 11)
"""Digits the routing code may have: none, ZIP, ZIP+4, ZIP+4 and delivery point."""

SYMBOLS = "TDAF"
"""The four bar states, indexed by (ascender bit << 1) | descender bit."""

CHARACTER_NAMES = "ABCDEFGHIJ"
"""The ten characters (and codewords), in the order the specification names them."""

_CHARACTER_MASK = 0x1FFF  # 13 bits
_CRC_POLYNOMIAL = 0xF35  # x^11 + x^10 + x^9 + x^8 + x^5 + x^4 + x^2 + 1, top bit implied
_CRC_MASK = 0x7FF
_VALUE_BITS = 102
_CODEWORD_RADIX = 1365  # codewords B-I: 1287 five-of-13 characters + 78 two-of-13
_J_RADIX = 636  # codeword J before the orientation mark doubles it
_A_LIMIT = 659  # codeword A before the top FCS bit adds 659 to it
_VALUE_LIMIT = _A_LIMIT * _CODEWORD_RADIX**8 * _J_RADIX  # the largest codewords can carry
_SERIAL_SCALE = 10**18  # tracking digits 3-20 are the low 18 decimal digits of the value
_ROUTING_OFFSETS = {0: 0, 5: 1, 9: 100_001, 11: 1_000_100_001}
_ROUTING_VALUE_LIMIT = 101_000_100_000  # routing 99999999999 + 1000100001

# Table IV of USPS-B-3200, bars 1-65 left to right: "descender:ascender" as character
# letter and bit number, so "H2:E3" is descender from bit 2 of H, ascender from bit 3 of E.
_TABLE_IV_TEXT = """
    H2:E3   B10:A0  J12:C8  F5:G11  I9:D1
    A1:F12  C5:B8   E4:J11  G3:I10  D9:H6
    F11:B4  I5:C12  J10:A2  H1:G7   D6:E9
    A3:I6   G4:C7   B1:J9   H10:F2  E0:D8
    G2:A4   I11:B0  J8:D12  C6:H7   F1:E10
    B12:G9  H3:I0   F8:J7   E6:C10  D4:A5
    I4:F7   H11:B9  G0:J6   A6:E8   C1:D2
    F9:I12  E11:G1  J5:H4   D3:B2   A7:C0
    B3:E1   G10:D5  I7:J4   C11:F6  A8:H12
    E2:I1   F10:D0  J3:A9   G5:C4   H8:B7
    F0:E5   C3:A10  G12:J2  D11:B6  I8:H9
    F4:A11  B5:C2   J1:E12  I3:G6   H0:D7
    E7:H5   A12:B11 C9:J0   G8:F3   D10:I2
"""

CharacterBit = tuple[int, int]
"""(character index 0-9 for A-J, bit number 0-12) of one bar half."""


class ImbError(ValueError):
    """A tracking code, routing code or bar string that is not a valid IMb.

    `code` names the problem ("tracking-length", "crc", ...); `usps_code` is the return
    code of the Postal Service's reference encoder for the same input problem, where it
    has one; `positions` holds the 1-based bars, or the 0-based characters A-J, that the
    message names.
    """

    def __init__(
        self, code: str, message: str, usps_code: str | None = None, positions: tuple[int, ...] = ()
    ) -> None:
        super().__init__(message)
        self.code = code
        self.usps_code = usps_code
        self.positions = positions

    def __reduce__(self) -> tuple[type[ImbError], tuple[str, str, str | None, tuple[int, ...]]]:
        # ValueError pickles only its message; a worker process must hand back the code too.
        return ImbError, (self.code, str(self), self.usps_code, self.positions)


# --- the tables --------------------------------------------------------------------------


def _n_of_13_table(n: int, size: int) -> tuple[int, ...]:
    """The specification's table routine: the 13-bit values with n bits set, in its order.

    Counting up, each value is stored beside its bit reversal at the bottom of the table
    (so an upside-down character stays a valid one), and palindromes fill the table from
    the top down. The codeword-to-character mapping is this order, so it must be exact.
    """
    table = [0] * size
    low, high = 0, size - 1
    for value in range(1 << 13):
        if value.bit_count() != n:
            continue
        reverse = int(f"{value:013b}"[::-1], 2)
        if reverse == value:
            table[high] = value
            high -= 1
        elif reverse > value:
            table[low], table[low + 1] = value, reverse
            low += 2
    if low != high + 1:
        raise RuntimeError(f"the {n}-of-13 table did not fill exactly: {low} != {high + 1}")
    return tuple(table)


TABLE_I = _n_of_13_table(5, 1287)
"""Table I of USPS-B-3200: the 5-of-13 characters for codewords 0-1286."""

TABLE_II = _n_of_13_table(2, 78)
"""Table II of USPS-B-3200: the 2-of-13 characters for codewords 1287-1364."""

_CHARACTER_OF = TABLE_I + TABLE_II
_INVERTED = 1 << 11  # flag above the largest codeword (1364) in _CODEWORD_OF


def _codeword_table() -> list[int]:
    """Every 13-bit value to its codeword, | _INVERTED for an inverted character, or -1.

    An inverted 5-of-13 character has 8 bits set and an inverted 2-of-13 has 11, so no
    value is both a character and the inverse of one: one lookup settles both.
    """
    table = [-1] * (1 << 13)
    for codeword, character in enumerate(_CHARACTER_OF):
        table[character] = codeword
        table[character ^ _CHARACTER_MASK] = codeword | _INVERTED
    return table


_CODEWORD_OF = _codeword_table()


def _parse_table_iv() -> tuple[tuple[CharacterBit, CharacterBit], ...]:
    def character_bit(text: str) -> CharacterBit:
        return CHARACTER_NAMES.index(text[0]), int(text[1:])

    bars = []
    for pair in _TABLE_IV_TEXT.split():
        descender, ascender = pair.split(":")
        bars.append((character_bit(descender), character_bit(ascender)))
    return tuple(bars)


TABLE_IV = _parse_table_iv()
"""Table IV of USPS-B-3200: bars 1-65 as ((descender character, bit), (ascender character, bit))."""


def _bar_byte_tables() -> tuple[tuple[int, ...], ...]:
    """Tables that move the bits of a bar string, read as one base-4 number, into place.

    Reading bars "TDAF" as digits 0-3 makes bar 1 the top two bits of a 130-bit number
    (ascender the higher bit). Each table turns one byte of that number into the bits
    it contributes to the ten characters packed 13 bits apart (A lowest), so Table IV
    costs 17 lookups instead of 130 shifts.
    """
    targets = [0] * (2 * BAR_COUNT)
    for bar, ((d_char, d_bit), (a_char, a_bit)) in enumerate(TABLE_IV):
        low_bit = 2 * (BAR_COUNT - 1 - bar)
        targets[low_bit] = 1 << (13 * d_char + d_bit)
        targets[low_bit + 1] = 1 << (13 * a_char + a_bit)
    targets += [0] * (8 * 17 - len(targets))
    tables = []
    for byte_index in range(17):  # most significant byte first, as to_bytes gives them
        base = 8 * (16 - byte_index)
        table = [0] * 256
        for byte in range(1, 256):
            lowest = (byte & -byte).bit_length() - 1
            table[byte] = table[byte & (byte - 1)] | targets[base + lowest]
        tables.append(tuple(table))
    return tuple(tables)


_BAR_BYTE_TABLES = _bar_byte_tables()
_CHARACTER_SHIFTS = tuple(13 * index for index in range(10))
_BAR_DIGITS = str.maketrans("TDAFtdaf", "01230123")
_BAR_STRING = re.compile(r"[ADFTadft]{65}")
_UPSIDE_DOWN = str.maketrans("ADad", "DAda")


def _crc_step(register: int, bit: int) -> int:
    """One input bit through the FCS register, as section 2.2.2 defines it."""
    if ((register >> 10) ^ bit) & 1:
        return ((register << 1) ^ _CRC_POLYNOMIAL) & _CRC_MASK
    return (register << 1) & _CRC_MASK


def _crc_byte_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        register = byte << 3
        for _ in range(8):
            register = _crc_step(register, 0)
        table.append(register)
    return tuple(table)


_CRC_TABLE = _crc_byte_table()
# The CRC starts at 0x7FF on the 102 value bits, but bytes come in whole: start instead
# from the register that the two always-zero top bits of the 13 bytes turn into 0x7FF
# (a zero bit is invertible on the register because the polynomial's x^0 term is set).
_CRC_START = next(r for r in range(1 << 11) if _crc_step(_crc_step(r, 0), 0) == _CRC_MASK)


# --- the data ----------------------------------------------------------------------------


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _non_digits(text: str) -> str:
    return ", ".join(f"{c!r} at position {i}" for i, c in enumerate(text, 1) if not "0" <= c <= "9")


def _check_tracking(tracking: str) -> None:
    """Checks in the order, and with the return codes, of the USPS reference encoder."""
    if len(tracking) != TRACKING_LENGTH:
        raise ImbError(
            "tracking-length",
            f"the tracking code must be {TRACKING_LENGTH} digits; got {len(tracking)} characters",
            usps_code="09",
        )
    if not _is_digits(tracking):
        raise ImbError(
            "tracking-digits",
            f"the tracking code must be digits only; it has {_non_digits(tracking)}",
            usps_code="10",
        )
    if tracking[1] > "4":
        raise ImbError(
            "barcode-identifier",
            f"the barcode identifier {tracking[:2]} is not valid: its second digit "
            f"(tracking position 2) must be 0-4, not {tracking[1]}",
            usps_code="11",
        )


def _check_routing(routing: str) -> None:
    if len(routing) not in ROUTING_LENGTHS:
        raise ImbError(
            "routing-length",
            "the routing code must be empty or a ZIP code of 5, 9 or 11 digits "
            f"(ZIP, ZIP+4, ZIP+4 and delivery point); got {len(routing)} characters",
            usps_code="12",
        )
    if routing and not _is_digits(routing):
        raise ImbError(
            "routing-digits",
            f"the routing code must be digits only; it has {_non_digits(routing)}",
            usps_code="13",
        )


@dataclass(frozen=True)
class Tracking:
    """The 20-digit tracking code: who sent the piece, what service, and which piece.

    A mailer ID that starts with 9 has 9 digits and the serial number 6; any other has 6
    and the serial 9, so the 20 digits always split one way.
    """

    barcode_id: str
    service_type: str
    mailer_id: str
    serial: str

    def __post_init__(self) -> None:
        _check_tracking(self.digits)
        if len(self.barcode_id) != 2 or len(self.service_type) != 3:
            raise ImbError(
                "tracking-fields",
                f"the barcode identifier has 2 digits and the service type 3; got "
                f"{self.barcode_id!r} and {self.service_type!r}",
            )
        expected = 9 if self.mailer_id[:1] == "9" else 6
        if len(self.mailer_id) != expected:
            raise ImbError(
                "mailer-id",
                f"the mailer ID {self.mailer_id} must have {expected} digits: 9-digit mailer "
                "IDs start with 9 and 6-digit ones with 0-8",
            )

    @classmethod
    def parse(cls, digits: str) -> Tracking:
        """Split a 20-digit tracking code into its fields (surrounding whitespace ignored)."""
        digits = digits.strip()
        _check_tracking(digits)
        end = 14 if digits[5] == "9" else 11
        return cls(digits[:2], digits[2:5], digits[5:end], digits[end:])

    @property
    def digits(self) -> str:
        """The 20 digits, as the barcode carries them."""
        return self.barcode_id + self.service_type + self.mailer_id + self.serial


@dataclass(frozen=True)
class Imb:
    """What one Intelligent Mail barcode says: its tracking code and routing ZIP."""

    tracking: Tracking
    routing: str = ""

    def __post_init__(self) -> None:
        _check_routing(self.routing)

    @property
    def zip5(self) -> str | None:
        """The 5-digit ZIP code, or None when the barcode has no routing code."""
        return self.routing[:5] or None

    @property
    def zip4(self) -> str | None:
        """The ZIP+4 add-on, or None when the routing code has no more than a ZIP."""
        return self.routing[5:9] or None

    @property
    def delivery_point(self) -> str | None:
        """The 2-digit delivery point, or None when the routing code has none."""
        return self.routing[9:] or None

    @property
    def bars(self) -> str:
        """The 65 bars that carry this data."""
        return encode(self.tracking.digits, self.routing)


# --- encoding: the six steps of USPS-B-3200 section 2.2 ------------------------------------


def binary_value(tracking: str, routing: str = "") -> int:
    """Step 1: the tracking and routing codes as one number below 2**102.

    The routing code is offset by its length so that every length has its own range
    (none 0; ZIP 1-100000; ZIP+4 up to 1000100000; 11 digits beyond), and the second
    tracking digit, always 0-4, counts in base 5. Surrounding whitespace is ignored, as
    the Postal Service's reference test set shows its encoder does (rows 191 and 194:
    20 characters with a space are refused for their length, not for the space).
    """
    tracking, routing = tracking.strip(), routing.strip()
    _check_tracking(tracking)
    _check_routing(routing)
    value = int(routing) + _ROUTING_OFFSETS[len(routing)] if routing else 0
    value = (value * 10 + int(tracking[0])) * 5 + int(tracking[1])
    return value * _SERIAL_SCALE + int(tracking[2:])


def crc11(value: int) -> int:
    """Step 2: the 11-bit frame check sequence over the 102 bits of `value`, top bit first.

    Generator 0xF35, register preset to 0x7FF, no reflection and no final XOR; worked a
    byte at a time from a table.
    """
    if not 0 <= value < 1 << _VALUE_BITS:
        raise ValueError(f"the IMb frame check sequence covers 102-bit values, not {value}")
    fcs = _CRC_START
    for byte in value.to_bytes(13, "big"):
        fcs = ((fcs << 8) & _CRC_MASK) ^ _CRC_TABLE[((fcs >> 3) ^ byte) & 0xFF]
    return fcs


def codewords(value: int) -> tuple[int, ...]:
    """Step 3: the value in mixed radix, A (0-658), B-I (0-1364 each), J (0-635)."""
    if not 0 <= value < _VALUE_LIMIT:
        raise ValueError(f"{value} is beyond what ten IMb codewords can carry")
    value, last = divmod(value, _J_RADIX)
    middle = []
    for _ in range(8):
        value, codeword = divmod(value, _CODEWORD_RADIX)
        middle.append(codeword)
    return (value, *reversed(middle), last)


def add_extra_information(words: Sequence[int], fcs: int) -> tuple[int, ...]:
    """Step 4: J doubled (the orientation mark: J is even only the right way up) and,
    when the top FCS bit is set, 659 added to A."""
    first = words[0] + _A_LIMIT if fcs >> 10 & 1 else words[0]
    return (first, *words[1:9], words[9] * 2)


def characters(words: Sequence[int]) -> tuple[int, ...]:
    """Step 5, first half: each codeword's 13-bit character from Table I or Table II."""
    return tuple(_CHARACTER_OF[word] for word in words)


def apply_fcs(chars: Sequence[int], fcs: int) -> tuple[int, ...]:
    """Step 5, second half: character i inverted when FCS bit i (0-9) is set."""
    return tuple(c ^ _CHARACTER_MASK if fcs >> i & 1 else c for i, c in enumerate(chars))


def bars_from_characters(chars: Sequence[int]) -> str:
    """Step 6: each bar's descender and ascender from the character bits Table IV names."""
    return "".join(
        SYMBOLS[(chars[d_char] >> d_bit & 1) | (chars[a_char] >> a_bit & 1) << 1]
        for (d_char, d_bit), (a_char, a_bit) in TABLE_IV
    )


def encode(tracking: str, routing: str = "") -> str:
    """The 65 bars (A ascender, D descender, F full, T tracker) for a tracking and routing code.

    Refuses what the Postal Service's encoder refuses, in its order: the tracking
    length, then non-digits in it, then a barcode identifier whose second digit is not
    0-4, then the routing length, then non-digits in it.
    """
    value = binary_value(tracking, routing)
    fcs = crc11(value)
    words = add_extra_information(codewords(value), fcs)
    return bars_from_characters(apply_fcs(characters(words), fcs))


# --- decoding ----------------------------------------------------------------------------


def decode(bars: str) -> Imb:
    """The tracking and routing codes that 65 bars carry; raises ImbError if they do not.

    Case and whitespace are ignored. The bars are refused, in this order, if a symbol is
    not A, D, F or T or there are not 65 of them, if any character is not one of the
    tables' (or its inverse), if codeword J is odd (the bars are the wrong way round), if
    a codeword is out of range, if the frame check sequence does not match, or if the
    routing value is beyond any ZIP.
    """
    value = _fast_value(bars)
    return _unpack(_reference_value(bars) if value is None else value)


def routing_of_bars(bars: str) -> str:
    """The routing code of `read(bars)`: the bars as given or turned round, without building
    the rest (the matcher needs only this). Raises the ImbError that `read` raises."""
    value = _fast_value(bars)
    if value is None:
        return read(bars).imb.routing
    return _routing_of(value // _ROUTING_SCALE)


# The fast path. Two facts about the code make it a few calls into C: Table IV sends each of
# the 130 bar halves to its own bit of one character, so the bits that groups of bars set
# never overlap and add up; and the value is a weighted sum of the codewords (step 3), so a
# character can be looked up straight into what it adds to the value. Characters are packed
# 16 bits apart (not 13), so that the packed bits, as bytes, are the ten characters as
# unsigned 16-bit numbers.
_GROUP = 5  # bars looked up at once: 13 groups of 4**5 = 1,024 spellings each
_GROUPS = struct.Struct(f"{_GROUP}s" * (BAR_COUNT // _GROUP))
_SLOT = 16
_FCS_BITS = 11
_INVALID = 1 << 256  # above any sum of ten valid entries (2**(102 + 11) at most)
_ROUTING_SCALE = 50 * _SERIAL_SCALE  # the value above the 20 tracking digits (_unpack)


def _bar_group_tables() -> tuple[dict[bytes, int], ...]:
    """For each group of five bars, every spelling of them (b"TTTTT" to b"FFFFF") to the
    character bits it sets, character i at bits 16 i to 16 i + 12. Only upper-case A, D, F
    and T are keys: anything else misses, and the reference path decides."""
    tables = []
    for start in range(0, BAR_COUNT, _GROUP):
        partial: dict[bytes, int] = {b"": 0}
        for (d_char, d_bit), (a_char, a_bit) in TABLE_IV[start : start + _GROUP]:
            descender, ascender = 1 << (_SLOT * d_char + d_bit), 1 << (_SLOT * a_char + a_bit)
            sets = (0, descender, ascender, ascender | descender)  # SYMBOLS: T D A F
            partial = {
                spelling + symbol.encode(): bits | sets[state]
                for spelling, bits in partial.items()
                for state, symbol in enumerate(SYMBOLS)
            }
        tables.append(partial)
    return tuple(tables)


def _character_tables() -> tuple[tuple[int, ...], ...]:
    """For each character A-J, every 13-bit value to what it adds to `value << 11 | fcs`:
    its codeword times the codeword's weight in step 3, its FCS bit when it is inverted and,
    for A, the top FCS bit (step 4). _INVALID where `_reference_value` refuses the character
    alone: not in the tables, J odd (orientation), A or J beyond its range."""
    weights = [_J_RADIX * _CODEWORD_RADIX ** (8 - index) for index in range(9)] + [1]
    tables = []
    for index, weight in enumerate(weights):
        table = [_INVALID] * (1 << 13)
        for character, entry in enumerate(_CODEWORD_OF):
            if entry < 0:
                continue
            word, fcs = entry & ~_INVERTED, (1 << index if entry & _INVERTED else 0)
            if index == 0 and word >= _A_LIMIT:
                word, fcs = word - _A_LIMIT, fcs | 1 << 10
            if index == 9:
                if word & 1:
                    continue
                word >>= 1
            if word >= (_A_LIMIT if index == 0 else _J_RADIX if index == 9 else _CODEWORD_RADIX):
                continue
            table[character] = (word * weight) << _FCS_BITS | fcs
        tables.append(tuple(table))
    return tuple(tables)


def _crc_byte_position_tables() -> tuple[tuple[int, ...], ...]:
    """The FCS is affine in the value's bits (a CRC with a preset and no final XOR): that of
    a value is the FCS of zero, XOR one entry per byte of its 13 big-endian bytes."""
    zero = crc11(0)
    bits = [crc11(1 << bit) ^ zero for bit in range(_VALUE_BITS)]
    bits += [0] * (8 * 13 - _VALUE_BITS)  # no value reaches 2**102 (_VALUE_LIMIT)
    tables = []
    for position in range(13):
        base = 8 * (12 - position)
        table = [0] * 256
        for byte in range(1, 256):
            lowest = (byte & -byte).bit_length() - 1
            table[byte] = table[byte & (byte - 1)] ^ bits[base + lowest]
        tables.append(tuple(table))
    return tuple(tables)


_BAR_GROUP_TABLES = _bar_group_tables()
_CHARACTER_TABLES = _character_tables()
_CRC_BYTE_TABLES = _crc_byte_position_tables()
_CRC_ZERO = crc11(0)


def _fast_value(bars: str) -> int | None:
    """The value that 65 upper-case bars carry the right way up, if they decode; else None,
    and the reference path says why (or reads them turned round).

    Every check of `_reference_value` is made, and of `_routing_of`: the routing value too,
    so that such bars go on to `read`'s second try. tests/postal/test_imb.py holds the two
    paths to agree."""
    if len(bars) != BAR_COUNT or not bars.isascii():
        return None
    try:
        packed = sum(map(getitem, _BAR_GROUP_TABLES, _GROUPS.unpack(bars.encode())))
    except KeyError:
        return None
    slots = memoryview(packed.to_bytes(2 * len(_CHARACTER_TABLES), "little")).cast("H")
    total = sum(map(getitem, _CHARACTER_TABLES, slots))
    if total >= _INVALID:
        return None
    value, fcs = total >> _FCS_BITS, total & _CRC_MASK
    expected = reduce(xor, map(getitem, _CRC_BYTE_TABLES, value.to_bytes(13, "big")), _CRC_ZERO)
    if expected != fcs or value // _ROUTING_SCALE > _ROUTING_VALUE_LIMIT:
        return None
    return value


def _reference_value(bars: str) -> int:
    """The value the bars carry, every step checked in the order `decode` gives; ImbError
    naming the first that fails."""
    normalised = "".join(bars.split())
    if _BAR_STRING.fullmatch(normalised) is None:
        raise _bar_string_error(normalised)
    number = int(normalised.translate(_BAR_DIGITS), 4)
    packed = 0
    for table, byte in zip(_BAR_BYTE_TABLES, number.to_bytes(17, "big"), strict=True):
        packed |= table[byte]
    entries = [_CODEWORD_OF[packed >> shift & _CHARACTER_MASK] for shift in _CHARACTER_SHIFTS]
    if min(entries) < 0:
        raise _invalid_characters(entries)
    fcs = 0
    for index, entry in enumerate(entries):
        if entry & _INVERTED:
            fcs |= 1 << index
    value, fcs = _value_of_codewords([entry & ~_INVERTED for entry in entries], fcs)
    expected = crc11(value)
    if expected != fcs:
        raise ImbError(
            "crc",
            f"the frame check sequence does not match: the bars carry {fcs:#05x} but the "
            f"data they hold give {expected:#05x}, so at least one bar is misread",
        )
    return value


def _bar_string_error(normalised: str) -> ImbError:
    for position, symbol in enumerate(normalised, 1):
        if symbol not in "ADFTadft":
            return ImbError(
                "bar-symbol",
                f"bar {position} is {symbol!r}, not one of A (ascender), D (descender), "
                "F (full) or T (tracker)",
                positions=(position,),
            )
    return ImbError(
        "bar-count",
        f"an Intelligent Mail barcode has {BAR_COUNT} bars; got {len(normalised)}",
    )


def _invalid_characters(entries: Sequence[int]) -> ImbError:
    invalid = tuple(index for index, entry in enumerate(entries) if entry < 0)
    names = ", ".join(CHARACTER_NAMES[index] for index in invalid)
    plural = len(invalid) > 1
    return ImbError(
        "invalid-character",
        f"character{'s' if plural else ''} {names} {'are' if plural else 'is'} not in the "
        "5-of-13 or 2-of-13 tables, nor inverted from them: a bar drawing on "
        f"{'them' if plural else 'it'} is misread",
        positions=invalid,
    )


def _value_of_codewords(words: list[int], fcs: int) -> tuple[int, int]:
    """Undo steps 4 and 3: the value, and the FCS with its top bit taken from codeword A."""
    first, last = words[0], words[9]
    if first >= _A_LIMIT:
        first -= _A_LIMIT
        fcs |= 1 << 10
    if last & 1:
        raise ImbError(
            "orientation",
            "codeword J is odd, but an encoder always makes it even: the bars are in "
            "reverse order or upside down",
            positions=(9,),
        )
    last >>= 1
    for index, word, limit in ((0, first, _A_LIMIT), (9, last, _J_RADIX)):
        if word >= limit:
            raise ImbError(
                "codeword-range",
                f"codeword {CHARACTER_NAMES[index]} is {word}, beyond its largest, "
                f"{limit - 1}: the bars cannot come from an encoder",
                positions=(index,),
            )
    value = first
    for word in words[1:9]:
        value = value * _CODEWORD_RADIX + word
    return value * _J_RADIX + last, fcs


def _unpack(value: int) -> Imb:
    """Undo step 1."""
    high, low = divmod(value, _SERIAL_SCALE)
    high, second = divmod(high, 5)
    routing_value, first = divmod(high, 10)
    tracking = Tracking.parse(f"{first}{second}{low:018d}")
    return Imb(tracking, _routing_of(routing_value))


def _routing_of(routing_value: int) -> str:
    if routing_value == 0:
        return ""
    if routing_value <= 100_000:
        return f"{routing_value - 1:05d}"
    if routing_value <= 1_000_100_000:
        return f"{routing_value - 100_001:09d}"
    if routing_value <= _ROUTING_VALUE_LIMIT:
        return f"{routing_value - 1_000_100_001:011d}"
    raise ImbError(
        "routing-range",
        f"the routing value {routing_value} is beyond the largest any ZIP gives "
        f"({_ROUTING_VALUE_LIMIT}): the bars cannot come from an encoder",
    )


# --- reading either way up ---------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """A decoded barcode, and whether the bars had to be turned round to read it."""

    imb: Imb
    upside_down: bool


def rotated(bars: str) -> str:
    """The bars as seen turned through 180 degrees: reversed, ascenders and descenders swapped."""
    return "".join(bars.split())[::-1].translate(_UPSIDE_DOWN)


def read(bars: str) -> Reading:
    """Decode the bars as given or, failing that, turned round (an image may be upside down).

    The bars as given come first, and the other way round only when they fail: bars
    that decode one way round hold invalid characters the other way (all 8,128 of the
    Postal Service's reference barcodes do). If neither way decodes, the error is the
    one for the bars as given.
    """
    try:
        return Reading(decode(bars), upside_down=False)
    except ImbError as error:
        if error.code in ("bar-count", "bar-symbol"):
            raise
        try:
            return Reading(decode(rotated(bars)), upside_down=True)
        except ImbError:
            raise error from None
