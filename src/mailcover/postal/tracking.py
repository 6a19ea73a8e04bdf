"""USPS package tracking numbers: Intelligent Mail package barcode (IMpb) and legacy PICs.

The number a label prints under its barcode is the Package Identification Code (PIC),
grouped in fours ("9400 1112 0108 0805 4830 16"); the barcode itself may carry the
destination ZIP Code in front of it as GS1 application identifier 420 (SPECS.md 3.2,
from USPS-2000508 and Publication 199). `read_tracking` accepts any of these as a person
would copy them, spaces, hyphens and the brackets of the "(420)" form included, and
returns the PIC alone as the canonical form, with the routing ZIP kept beside it:

* a 22-digit PIC whose first two digits, the channel application identifier, are 92
  (commercial, 9-digit mailer ID), 93 (commercial, 6-digit mailer ID), 94 (USPS online
  channels) or 95 (USPS retail); 91 is the prefix of the numbers before IMpb;
* a 26-digit PIC of channel 92 to 95 (it occurs on labels; SPECS.md 3.2 leaves its field
  split unverified, so nothing here reads its fields);
* either of those after 420 and a ZIP (8 digits) or ZIP+4 (12 digits): 30, 34 or 38
  digits. 34 digits can be ZIP+4 and a 22-digit PIC or ZIP and a 26-digit one; the first
  is the form USPS-2000508 describes, so it is tried first;
* a legacy 20-digit PIC of Publication 109 (service type, customer ID, sequence, check).

The last digit of the PIC is a GS1 mod-10 check digit over the PIC's other digits, never
over 420 and the ZIP (SPECS.md 3.3). A number whose check digit does not add up is
refused: it was mistyped, and a records request or a search for a mistyped number would
name another package or none.

One rule is `jkeen/tracking_number_data`'s, not a USPS document's (SPECS.md 3.3 and 6):
a 20-digit number that does not start with 91 to 95 and fails its check is checked
again with "91" in front, the legacy IMpb prefix that labels often leave out of the
printed text. Such a number's canonical PIC is the 22 digits with the 91, so that both
ways of writing it compare equal. The cost is that the check catches fewer slips in a
20-digit number: one digit raised by 2 at an odd position, or by 4 at an even one
(counting from the right, the check digit being 1), then reads as a valid 91 number.

Pure: no Django, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ROUTING_AI = "420"
"""The GS1 application identifier of the destination ZIP Code."""

CHANNELS = ("92", "93", "94", "95")
"""The channel application identifiers of IMpb numbers (91 is the pre-IMpb prefix)."""

LEGACY = "legacy"
"""The channel of a 20-digit Publication 109 number, or of one with the 91 prefix."""

PIC_LENGTHS = (20, 22, 26)
"""Digits a PIC may have."""

_SEPARATORS = re.compile(r"[\s\-()]+")
_DIGITS = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²" and "٣"
_ZIP_LENGTHS = (5, 9)


class TrackingError(ValueError):
    """A string that is not a valid USPS tracking number.

    `code` names the problem: "empty", "not-digits", "all-zeros", "length", "channel",
    "check-digit". The message says what to do, and quotes at most the check digit.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class TrackingNumber:
    """A tracking number that passed its check.

    `pic` is the digits the check digit covers: the form to store and to compare.
    `routing_zip` is the ZIP (5 digits) or ZIP+4 (9 digits, no hyphen) that came before
    it, or None. `channel` is "92" to "95", or "legacy" for a 20-digit or 91 number.
    """

    pic: str
    routing_zip: str | None
    channel: str

    @property
    def grouped(self) -> str:
        """The PIC as a label prints it, in groups of four digits."""
        return " ".join(self.pic[i : i + 4] for i in range(0, len(self.pic), 4))


def check_digit(data: str) -> int:
    """The GS1 mod-10 check digit of `data` (the digits before the check digit).

    Weights 3, 1, 3, ... from the rightmost data digit; the check digit brings the
    weighted sum to a multiple of 10. Weight 3 is prime to 10, so any one wrong digit
    changes the sum's last digit and is caught.
    """
    if not _DIGITS.fullmatch(data):
        raise TrackingError("not-digits", "the check digit is computed over digits only")
    total = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(data)))
    return (10 - total % 10) % 10


def with_check_digit(data: str) -> str:
    """`data` followed by its check digit."""
    return data + str(check_digit(data))


def make_tracking(body: str, routing_zip: str | None = None) -> str:
    """A valid tracking number from a PIC without its check digit (19, 21 or 25 digits),
    with "420" and the ZIP in front when `routing_zip` (5 or 9 digits) is given.

    For the synthetic data and the tests; the result is read back by `read_tracking`,
    so a body of the wrong shape (a 21-digit body whose channel is not 91 to 95, ...)
    raises the `TrackingError` that reading would.
    """
    number = with_check_digit(body)
    if routing_zip is not None:
        if not _DIGITS.fullmatch(routing_zip) or len(routing_zip) not in _ZIP_LENGTHS:
            raise TrackingError("length", "a routing ZIP has 5 or 9 digits")
        number = ROUTING_AI + routing_zip + number
    read = read_tracking(number)
    if read.routing_zip != routing_zip:
        # 34 digits read as ZIP+4 and a 22-digit PIC although made as ZIP and 26 digits.
        raise TrackingError("length", "this ZIP and PIC read back as another split")
    return number


def read_tracking(raw: str) -> TrackingNumber:
    """Validate a tracking number as written; see the module's docstring for the forms."""
    digits = _SEPARATORS.sub("", raw)
    if not digits:
        raise TrackingError("empty", "the tracking number is empty")
    if not _DIGITS.fullmatch(digits):
        raise TrackingError(
            "not-digits",
            "a USPS tracking number is digits only (spaces and hyphens aside); this one has "
            "letters or other characters: check it was copied from the right field",
        )
    if digits.strip("0") == "":
        raise TrackingError("all-zeros", "a tracking number of zeros only is a placeholder")
    if digits.startswith(ROUTING_AI) and len(digits) in (30, 34, 38):
        return _routed(digits)
    if len(digits) == 20:
        return _legacy(digits)
    if len(digits) in (22, 26):
        return _checked(_channel_pic(digits), None)
    raise TrackingError("length", _length_message(digits))


def _length_message(digits: str) -> str:
    count = len(digits)
    expected = (
        "a USPS tracking number has 20, 22 or 26 digits, or 30, 34 or 38 with the 420 ZIP prefix"
    )
    if count in (30, 34, 38):
        return f"{expected}; this one has {count} digits but does not start with 420"
    return f"{expected}; this one has {count}: check for a digit left out or added"


def _channel_pic(pic: str) -> str:
    """A 22- or 26-digit PIC whose channel identifier is one there is."""
    if pic.strip("0") == "":
        raise TrackingError("all-zeros", "a tracking number of zeros only is a placeholder")
    allowed = ("91", *CHANNELS) if len(pic) == 22 else CHANNELS
    if pic[:2] not in allowed:
        raise TrackingError(
            "channel",
            f"a {len(pic)}-digit tracking number starts with "
            f"{', '.join(allowed[:-1])} or {allowed[-1]} (the channel identifier); this one "
            f"starts with {pic[:2]}",
        )
    return pic


def _routed(digits: str) -> TrackingNumber:
    """420 + ZIP or ZIP+4 + PIC. The first split whose PIC checks wins; when none does,
    the error is the first split's, unless only its channel was wrong."""
    errors: list[TrackingError] = []
    for zip_length in (9, 5):  # ZIP+4 first: 34 digits are ZIP+4 and 22 by the spec
        routing_zip, pic = digits[3 : 3 + zip_length], digits[3 + zip_length :]
        if len(pic) not in (22, 26):
            continue
        try:
            return _checked(_channel_pic(pic), routing_zip)
        except TrackingError as error:
            errors.append(error)
    errors.sort(key=lambda error: error.code == "channel")  # stable: the first split first
    raise errors[0]


def _legacy(digits: str) -> TrackingNumber:
    try:
        return _checked(digits, None)
    except TrackingError as as_written:
        if digits[:2] in ("91", *CHANNELS):
            raise
        error = as_written
    try:
        # jkeen/tracking_number_data's rule (module docstring): the 91 left out.
        return _checked("91" + digits, None)
    except TrackingError:
        raise error from None


def _checked(pic: str, routing_zip: str | None) -> TrackingNumber:
    expected = check_digit(pic[:-1])
    if expected != int(pic[-1]):
        raise TrackingError(
            "check-digit",
            f"the check digit is {expected}, the number ends in {pic[-1]}: a digit was "
            "mistyped, or two were swapped",
        )
    channel = pic[:2] if len(pic) > 20 and pic[:2] in CHANNELS else LEGACY
    return TrackingNumber(pic=pic, routing_zip=routing_zip, channel=channel)
