"""The committed OpenAPI schema (docs/openapi.json) is the schema the code serves, and the
interactive docs answer. External agency systems are built against this file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ninja.responses import NinjaJSONEncoder

from mailcover.config.api import api as ninja_api

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
REGENERATE = "docs/openapi.json is out of date with the API: run `make openapi` and commit it"

# DESIGN.md, The public API (v1): the cover calls and the sign-in.
DOCUMENTED_CALLS = {
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/cover-requests"),
    ("get", "/api/v1/cover-requests"),
    ("get", "/api/v1/cover-requests/{request_id}"),
    ("post", "/api/v1/cover-requests/{request_id}/approve"),
    ("post", "/api/v1/cover-requests/{request_id}/deny"),
    ("get", "/api/v1/cover-orders/{order_id}"),
    ("post", "/api/v1/cover-orders/{order_id}/extensions"),
    ("post", "/api/v1/cover-orders/{order_id}/emergency-confirmation"),
    ("post", "/api/v1/cover-orders/{order_id}/indictment"),
    ("post", "/api/v1/cover-orders/{order_id}/improper"),
    ("post", "/api/v1/cover-orders/{order_id}/reviews"),
}


def as_json(schema: Any) -> Any:
    """The schema as `make openapi` writes it: through ninja's encoder, keys sorted."""
    return json.loads(json.dumps(schema, cls=NinjaJSONEncoder, sort_keys=True))


@pytest.fixture(scope="module")
def generated() -> Any:
    return as_json(ninja_api.get_openapi_schema())


@pytest.fixture(scope="module")
def committed() -> Any:
    return json.loads(COMMITTED.read_text())


def test_the_committed_schema_is_the_schema_the_code_generates(generated, committed):
    changed = sorted(
        path
        for path in set(generated["paths"]) | set(committed["paths"])
        if generated["paths"].get(path) != committed["paths"].get(path)
    )

    assert generated == committed, f"{REGENERATE} (paths that differ: {changed or 'none'})"


def test_the_schema_documents_every_call_of_the_public_api(generated):
    served = {(method, path) for path, methods in generated["paths"].items() for method in methods}

    assert served >= DOCUMENTED_CALLS, REGENERATE


def test_the_served_schema_is_the_committed_one(api, committed, db):
    response = api.client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json() == committed, REGENERATE


def test_the_interactive_docs_answer_under_the_api(api, db):
    assert api.client.get("/api/v1/docs").status_code == 200


def test_the_interactive_docs_answer_at_api_docs_as_design_md_says(api, db):
    response = api.client.get("/api/docs", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/api/v1/docs"
