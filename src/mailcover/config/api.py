"""The public API, v1: one NinjaAPI, errors as {"detail", "rule"?} with the right status."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from mailcover.accounts.api import BearerToken, SecondFactorRequired
from mailcover.accounts.api import router as auth_router
from mailcover.accounts.changes_api import router as changes_router
from mailcover.accounts.grants import NoSuchChange, NotAllowed
from mailcover.covers.actions import Conflict, Forbidden, NotFound
from mailcover.covers.api import router as covers_router
from mailcover.law.errors import RuleBroken
from mailcover.ledger.api import router as ledger_router
from mailcover.oversight.compliance_api import router as compliance_router
from mailcover.oversight.transparency_api import router as transparency_router
from mailcover.records.actions import Gone
from mailcover.records.api import router as records_router
from mailcover.records.instruments import InstrumentFileError

api = NinjaAPI(
    title="mailcover API",
    version="1",
    description="Mail covers under 39 CFR 233.3. Every refusal names the rule it enforces.",
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("", auth_router)
api.add_router("", covers_router)
api.add_router("", ledger_router)
api.add_router("", records_router)
api.add_router("", compliance_router)
api.add_router("", transparency_router)
api.add_router("", changes_router)


@api.exception_handler(RuleBroken)
def rule_broken(request: HttpRequest, exc: RuleBroken) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": exc.detail,
            "rule": exc.rule,
            "errors": [
                {"rule": v.rule, "field": v.field, "message": v.message} for v in exc.violations
            ],
        },
        status=422,
    )


@api.exception_handler(NotAllowed)
def not_allowed(request: HttpRequest, exc: NotAllowed) -> HttpResponse:
    """SEC-TWO-PERSON: who may not propose or confirm is told so, with the rule (403)."""
    return api.create_response(request, {"detail": exc.detail, "rule": exc.rule}, status=403)


@api.exception_handler(NoSuchChange)
def no_such_change(request: HttpRequest, exc: NoSuchChange) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=404)


@api.exception_handler(SecondFactorRequired)
def second_factor_required(request: HttpRequest, exc: SecondFactorRequired) -> HttpResponse:
    """SEC-SECOND-FACTOR: the token was issued without a one-time code; sign in again."""
    return api.create_response(request, {"detail": exc.detail, "rule": exc.rule}, status=401)


@api.exception_handler(Forbidden)
def forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=403)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=404)


@api.exception_handler(Conflict)
def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(Gone)
def gone(request: HttpRequest, exc: Gone) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=410)


@api.exception_handler(InstrumentFileError)
def bad_instrument(request: HttpRequest, exc: InstrumentFileError) -> HttpResponse:
    status = 413 if exc.too_big else 422
    return api.create_response(
        request, {"detail": str(exc), "errors": [{"field": "instrument_pdf"}]}, status=status
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "sign in: send Authorization: Bearer <token> from POST /api/v1/auth/token"},
        status=401,
    )


def _where(loc: list[object]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "request"


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _where(list(e.get("loc", []))), "message": e.get("msg", "invalid")}
        for e in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)
