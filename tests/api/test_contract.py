"""The OpenAPI document: generated from the code, valid, complete, served, and committed.

(That every answer matches it is checked on every request of the API suite:
tests/api/conformance.py.)"""

from __future__ import annotations

import json
from pathlib import Path

from openapi_spec_validator import validate

from app import app
from chalicelib.api import contract
from chalicelib.domain.errors import HubError
from local.openapi import rendered

ROOT = Path(__file__).resolve().parents[2]


def every_error_class(root: type[HubError] = HubError) -> list[type[HubError]]:
    found = [root]
    for child in root.__subclasses__():
        found += every_error_class(child)
    return found


def test_the_document_is_valid_openapi_3_1():
    document = contract.document()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_it_lists_every_route_the_app_serves_and_nothing_else():
    served = {
        (method.lower(), path)
        for path, methods in app.routes.items()
        for method in methods
        if method != "OPTIONS"
    }
    documented = {
        (method, path) for path, item in contract.document()["paths"].items() for method in item
    }
    assert len(served) > 50
    assert documented == served


def test_every_route_declares_its_answers_a_summary_and_a_unique_operation_id():
    undeclared = [f"{op.method} {op.full_path}" for op in contract.OPERATIONS if not op.answers]
    assert undeclared == []
    ids = [op.operation_id for op in contract.OPERATIONS]
    assert len(ids) == len(set(ids))
    for path, item in contract.document()["paths"].items():
        for method, operation in item.items():
            assert operation["summary"], f"{method} {path}"
            assert operation["responses"], f"{method} {path}"


def test_documented_error_codes_are_the_hubs_own_with_their_statuses():
    known = {(error.code, error.status) for error in every_error_class()}
    for path, item in contract.document()["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                schema = response["content"]["application/json"]["schema"]
                codes = schema["properties"]["error"]["properties"]["code"]["enum"]
                assert codes, f"{method} {path} {status}"
                for code in codes:
                    assert (code, int(status)) in known, f"{method} {path}: {code} {status}"


def test_routes_needing_a_token_say_so_and_document_401():
    for op in contract.OPERATIONS:
        operation = contract.document()["paths"][op.full_path][op.method.lower()]
        if op.auth is contract.Auth.REQUIRED:
            assert operation["security"] == [{"bearer": []}]
            assert "401" in operation["responses"]
        if op.auth is contract.Auth.NONE:
            assert operation["security"] == []


def test_the_committed_openapi_json_is_what_the_code_generates():
    committed = (ROOT / "openapi.json").read_text(encoding="utf-8")
    assert committed == rendered(contract.document()), "run `make openapi` and commit openapi.json"


def test_the_document_is_served_to_anyone(as_user):
    response = as_user(None).get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.data == json.loads(json.dumps(contract.document()))
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_the_reference_page_is_served_to_a_browser(client):
    response = client.http.get("/v1/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.body.decode()
    assert page.lstrip().lower().startswith("<!doctype html>")
    assert "openapi.json" in page
