"""Shapes of the ledger API's answers (hashes and entry bytes in standard base64)."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class EntryOut(Schema):
    index: int
    data: str = Field(description="the entry's exact canonical JSON bytes, base64")


class InclusionQuery(Schema):
    index: int = Field(ge=0, description="the entry's sequence number")
    size: int | None = Field(
        default=None, ge=1, description="tree size; the latest checkpoint's when left out"
    )


class InclusionOut(Schema):
    index: int
    size: int
    leaf_hash: str = Field(description="SHA-256(0x00 || entry bytes), base64")
    audit_path: list[str] = Field(description="RFC 9162 inclusion proof, leaf side first")


class ConsistencyQuery(Schema):
    first: int = Field(ge=1, description="the older tree size")
    second: int | None = Field(
        default=None, ge=1, description="the newer tree size; the latest checkpoint's if left out"
    )


class ConsistencyOut(Schema):
    first: int
    second: int
    consistency: list[str] = Field(description="RFC 9162 consistency proof")
