"""Bodies are sized up, and their sender named, before anything reads them.

Django parses a multipart body on first touch of `request.POST` (the CSRF check does it
for every page POST), spooling each file part over FILE_UPLOAD_MAX_MEMORY_SIZE to a
temporary file: before this, anyone on the network could make the server write an
instrument-sized file to disk per request without signing in. So, from the headers alone:

- a body larger than any request needs is a 413, whoever sends it: a multipart form
  carries at most the largest instrument PDF (MAILCOVER_INSTRUMENT_MAX_BYTES) and its
  fields, anything else at most DATA_UPLOAD_MAX_MEMORY_SIZE (a batch of mail pieces);
- someone not signed in (no usable bearer token, no signed-in session) sends nothing larger
  than a sign-in form: a larger multipart body is a 401 ("sign in before sending files"),
  any other a 413. A form that small is parsed in memory, never spooled.

Content-Length is what Django itself reads up to, so a body cannot be longer than it says.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import get_user
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from mailcover.accounts.models import ApiToken

API_PREFIX = "/api/"
# A multipart form carries, besides the instrument's PDF, a JSON part and its boundaries.
FORM_OVERHEAD = 1024 * 1024
# The largest body someone not signed in sends: a sign-in form or a token request.
ANONYMOUS_MAX_BYTES = 64 * 1024
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def largest_body(multipart: bool) -> int:
    if multipart:
        return int(settings.MAILCOVER_INSTRUMENT_MAX_BYTES) + FORM_OVERHEAD
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def _length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _signed_in(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return ApiToken.objects.usable(token.strip(), timezone.now()) is not None
    return bool(get_user(request).is_authenticated)


class UploadGateMiddleware:
    """Placed after the session middleware and before anything that reads the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in BODY_METHODS:
            return self.get_response(request)
        refused = self._refusal(request)
        if refused is not None:
            status, detail = refused
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": detail}, status=status)
            return HttpResponse(detail, status=status, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest) -> tuple[int, str] | None:
        length = _length(request)
        if length is None:
            return 400, "Content-Length must be a whole number of bytes"
        multipart = request.content_type == "multipart/form-data"
        largest = largest_body(multipart)
        if length > largest:
            return 413, (
                f"the body is {length} bytes, over {largest} bytes, the most a request may send"
                + (
                    " (an instrument's PDF is at most "
                    f"{settings.MAILCOVER_INSTRUMENT_MAX_BYTES} bytes)"
                    if multipart
                    else ""
                )
            )
        if length <= ANONYMOUS_MAX_BYTES:
            return None
        if _signed_in(request):
            return None
        if multipart:
            return 401, "sign in before sending files"
        return 413, (
            f"the body is {length} bytes, over {ANONYMOUS_MAX_BYTES} bytes, the most a request "
            "may send without signing in"
        )
