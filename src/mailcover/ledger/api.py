"""/api/v1/ledger: the signed checkpoint, the public key, entries and proofs.

The answers are what an outside party needs to check the log with nothing but the
public key (`mailcover ledger verify-proof`): hashes are standard base64, as in
checkpoints and the CT APIs. The public key is for anyone; the rest is for oversight.
"""

from __future__ import annotations

import base64
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from mailcover.accounts.models import User
from mailcover.covers import actions
from mailcover.covers.schemas import ErrorOut
from mailcover.ledger import checkpoints, log
from mailcover.ledger.schemas import (
    ConsistencyOut,
    ConsistencyQuery,
    EntryOut,
    InclusionOut,
    InclusionQuery,
)

router = Router(tags=["ledger"])


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _oversight(request: HttpRequest) -> User:
    """Oversight, with its nondisclosure acknowledgment on file (`require` asks for both)."""
    user: User = request.auth  # type: ignore[attr-defined]
    actions.require(user, actions.Action.READ_LEDGER)
    return user


@router.get(
    "/ledger/checkpoint",
    response={200: str, **ERRORS},
    summary="The latest signed checkpoint, as signed-note text",
    openapi_extra={"responses": {200: {"content": {"text/plain": {}}}}},
)
def checkpoint(request: HttpRequest) -> HttpResponse:
    _oversight(request)
    latest = checkpoints.latest()
    if latest is None:
        return HttpResponse(
            '{"detail": "no checkpoint has been published yet"}',
            status=404,
            content_type="application/json",
        )
    return HttpResponse(latest.note, content_type="text/plain; charset=utf-8")


@router.get(
    "/ledger/public-key",
    auth=None,
    response={200: str},
    summary="The checkpoint verifier key, <name>+<hex key id>+<base64 key>",
    openapi_extra={"responses": {200: {"content": {"text/plain": {}}}}},
)
def public_key(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        checkpoints.public_key().to_string() + "\n", content_type="text/plain; charset=utf-8"
    )


@router.get("/ledger/entries/{index}", response={200: EntryOut, **ERRORS})
def entry(request: HttpRequest, index: int) -> Status[Any]:
    _oversight(request)
    try:
        found = log.entry_at(index)
    except log.TreeRangeError as missing:
        return Status(404, {"detail": str(missing)})
    return Status(200, {"index": found.seq, "data": b64(bytes(found.data))})


@router.get("/ledger/proofs/inclusion", response={200: InclusionOut, **ERRORS})
def inclusion(request: HttpRequest, query: Query[InclusionQuery]) -> Status[Any]:
    _oversight(request)
    size = query.size if query.size is not None else _checkpoint_size()
    try:
        path = log.inclusion(query.index, size)
    except log.TreeRangeError as problem:
        return Status(422, {"detail": str(problem)})
    return Status(
        200,
        {
            "index": query.index,
            "size": size,
            "leaf_hash": b64(bytes(log.entry_at(query.index).leaf_hash)),
            "audit_path": [b64(node) for node in path],
        },
    )


@router.get("/ledger/proofs/consistency", response={200: ConsistencyOut, **ERRORS})
def consistency(request: HttpRequest, query: Query[ConsistencyQuery]) -> Status[Any]:
    _oversight(request)
    second = query.second if query.second is not None else _checkpoint_size()
    try:
        proof = log.consistency(query.first, second)
    except log.TreeRangeError as problem:
        return Status(422, {"detail": str(problem)})
    return Status(
        200,
        {"first": query.first, "second": second, "consistency": [b64(n) for n in proof]},
    )


def _checkpoint_size() -> int:
    """Proofs default to the latest checkpoint, the tree head a verifier can trust."""
    latest = checkpoints.latest()
    return latest.size if latest is not None else 0
