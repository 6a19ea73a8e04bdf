"""The mail-stream matcher: which covered order, if any, a piece of mail belongs to.

Pure: no Django, no I/O, no clock (a piece carries the moment it was scanned). The ingest
worker builds a `MatchIndex` from the orders in the database, feeds it `Piece`s and stores
the `Capture`s; everything else it is given is dropped and counted (MC-NO-ORDER-NO-DATA).
"""

from mailcover.matching.index import Attorney, CoveredOrder, MatchError, MatchIndex
from mailcover.matching.piece import (
    Capture,
    Counters,
    MatchedOn,
    MatchResult,
    Outcome,
    Piece,
)

__all__ = [
    "Attorney",
    "Capture",
    "Counters",
    "CoveredOrder",
    "MatchError",
    "MatchIndex",
    "MatchResult",
    "MatchedOn",
    "Outcome",
    "Piece",
]
