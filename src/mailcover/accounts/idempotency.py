"""Idempotency-Key for every API POST (DESIGN.md, The public API).

The same caller, key and body get the first answer again and create nothing
new; the same key with another body is a 409, because it is almost surely a
client bug that would otherwise go unnoticed.

A key is reserved before the request runs. A worker killed mid-request (the server's
timeout, a crash) never writes its answer, so a reservation older than
MAILCOVER_IDEMPOTENCY_PENDING_SECONDS (longer than any request may run) is released and the
next call with that key runs afresh. A finished answer is never released: it is replayed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from mailcover.accounts.models import ApiToken, IdempotencyRecord

API_PREFIX = "/api/v1/"
MAX_KEY_LENGTH = 200
IN_PROGRESS = 0
STILL_PROCESSING = "a request with this Idempotency-Key is still being processed; retry shortly"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _body_digest(request: HttpRequest) -> str:
    """The body's digest. A multipart body is digested by its parts (each field, each
    file's bytes), not its bytes: a client sending the same form again draws a new
    boundary, and a file part may be larger than a JSON body is allowed to be."""
    if request.content_type != "multipart/form-data":
        return _sha256(request.body)
    digest = hashlib.sha256()
    for name in sorted(request.POST):
        for value in request.POST.getlist(name):
            digest.update(_sha256(f"{name}={value}".encode()).encode())
    for name in sorted(request.FILES):
        for upload in request.FILES.getlist(name):
            part = hashlib.sha256(name.encode())
            for chunk in upload.chunks():
                part.update(chunk)
            upload.seek(0)
            digest.update(part.hexdigest().encode())
    return digest.hexdigest()


def _caller(request: HttpRequest) -> str | None:
    """Keys belong to a person, not a token: a client that signs in again between two
    retries still gets the first answer."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    found = ApiToken.objects.usable(token.strip(), timezone.now())
    return f"user:{found.user_id}" if found is not None else None


class IdempotencyMiddleware:
    # The clock the pending reservations are aged by; a test replaces it.
    clock: Callable[[], datetime] = staticmethod(timezone.now)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not request.path.startswith(API_PREFIX) or key is None:
            return self.get_response(request)
        if not key or len(key) > MAX_KEY_LENGTH:
            return JsonResponse(
                {"detail": f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} characters"}, status=400
            )
        caller = _caller(request)
        if caller is None:
            return self.get_response(request)  # not signed in: the API answers 401
        try:
            body_digest = _body_digest(request)
        except RequestDataTooBig:
            return JsonResponse(
                {"detail": f"the body is over {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"},
                status=413,
            )
        earlier = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
        if earlier is not None and not self._released(earlier):
            return self._replay(earlier, request.path, body_digest)
        record = self._reserve(caller, key, request.path, body_digest)
        if record is None:
            return JsonResponse({"detail": STILL_PROCESSING}, status=409)
        return self._answer(request, record)

    def _released(self, earlier: IdempotencyRecord) -> bool:
        """Release a reservation whose request never finished (its worker died), once it is
        older than any request may run. The delete is conditional, so of two retries racing
        for an abandoned key only one takes it over."""
        if earlier.status != IN_PROGRESS:
            return False
        pending = timedelta(seconds=settings.MAILCOVER_IDEMPOTENCY_PENDING_SECONDS)
        if earlier.created_at > self.clock() - pending:
            return False
        deleted, _ = IdempotencyRecord.objects.filter(
            pk=earlier.pk, status=IN_PROGRESS, created_at=earlier.created_at
        ).delete()
        return deleted > 0

    @staticmethod
    def _reserve(caller: str, key: str, path: str, body_digest: str) -> IdempotencyRecord | None:
        """Reserve the key before acting, so two concurrent first calls cannot both create
        something; None when another call holds it."""
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    caller=caller,
                    key=key,
                    path=path,
                    body_digest=body_digest,
                    status=IN_PROGRESS,
                    content_type="",
                    body=b"",
                )
        except IntegrityError:
            return None

    def _answer(self, request: HttpRequest, record: IdempotencyRecord) -> HttpResponse:
        response = self.get_response(request)
        # By primary key and still pending: a reservation released meanwhile (this worker
        # was presumed dead) is not overwritten, nor is its successor deleted.
        mine = IdempotencyRecord.objects.filter(pk=record.pk, status=IN_PROGRESS)
        if response.status_code >= 500 or response.streaming:
            mine.delete()  # a failure is not an answer: the client may retry
            return response
        if "no-store" in response.get("Cache-Control", ""):
            mine.delete()  # a secret (a download link) is never kept to be replayed
            return response
        mine.update(
            status=response.status_code,
            content_type=response.get("Content-Type", "application/json"),
            body=response.content,
        )
        return response

    @staticmethod
    def _replay(earlier: IdempotencyRecord, path: str, body_digest: str) -> HttpResponse:
        if earlier.path != path or earlier.body_digest != body_digest:
            return JsonResponse(
                {
                    "detail": "this Idempotency-Key was already used with another "
                    "request; use a new key for a new request"
                },
                status=409,
            )
        if earlier.status == IN_PROGRESS:
            return JsonResponse({"detail": STILL_PROCESSING}, status=409)
        replay = HttpResponse(
            bytes(earlier.body), status=earlier.status, content_type=earlier.content_type
        )
        replay["Idempotent-Replayed"] = "true"
        return replay
