"""One side of a mail piece (its addressee or its return address), as the matcher reads it:
no more than it must, and each reading once (matching/index.py)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailcover.matching.names import PersonName, names_anyone
from mailcover.postal.address import (
    Address,
    AddressError,
    parse_lines,
    printed_lines,
    recipient_lines,
)

_FIRST_NUMBER = re.compile(r"[\s,]\d")


class Side:
    """One side of a piece (addressee or return address), read no more than it must be."""

    __slots__ = ("_address", "_named", "_printed", "_read", "_recipient", "error", "lines")

    def __init__(self, lines: tuple[str, ...] | None) -> None:
        self.lines: tuple[str, ...] = lines or ()
        self._address: Address | None = None
        self._read = False
        self._recipient: Sequence[str] | None = None
        self._named: dict[int, bool] = {}
        self._printed: tuple[str, str] | bool | None = False  # False: not looked at yet
        self.error = ""  # the AddressError's code, never its message (which quotes the text)

    def address(self) -> Address | None:
        """The normalised address, or None when it cannot be read (the error says why, with
        the text in it, so only its code is kept)."""
        if not self._read:
            self._read = True
            if not self.lines:
                self.error = "none"
                return None
            try:
                self._address = parse_lines(self.lines)
            except AddressError as error:
                self.error = error.code
        return self._address

    def printed(self) -> tuple[str, str] | None:
        """`printed_lines` of the side, looked at once."""
        if self._printed is False:
            self._printed = printed_lines(self.lines)
        return self._printed  # type: ignore[return-value]

    def names(self, people: tuple[PersonName, ...]) -> bool:
        """MC-ALL-NAMES: whether this side names one of `people` (an order's subject and
        aliases), asked once per order's subject and piece; cheaper than reading the address,
        so asked first."""
        known = self._named.get(id(people))
        if known is None:
            known = self._named[id(people)] = names_anyone(people, self.recipient())
        return known

    def recipient(self) -> Sequence[str]:
        """The lines that name the addressee or sender: found by the shape of the lines when
        they tell (`recipient_lines`, no labelling), else by the full parse. Never more lines
        than the parse would give, so never a name more; the same lines every time asked."""
        if self._recipient is None:
            # The cheap reading even when the address is parsed already (`even`): one piece,
            # one answer, whichever way it was matched.
            cheap = recipient_lines(self.lines) if self.lines else None
            if cheap is None:
                self.address()
            self._recipient = self.name_lines() if cheap is None else cheap
        return self._recipient

    def attorney_lines(self) -> Sequence[str]:
        """Every line where an attorney's name may be written (MC-ATTORNEY, where a name missed
        is mail unlawfully kept): each line whole, and each line cut before its first number,
        for a name on the line of the address ("JANE ROE, ESQ 1 COURT SQ ..."). Never the
        parse's reading, so that whether the side was parsed changes nothing."""
        cut = (_FIRST_NUMBER.split(line, 1)[0] for line in self.lines)
        return (*self.lines, *(c for c in cut if c.strip(" ,")))

    def name_lines(self) -> Sequence[str]:
        """The lines that name the addressee or sender: all of them when the address is not
        parsed (a street line names nobody, so reading it as a name costs only time)."""
        address = self._address
        return address.recipient if address is not None else self.lines
