"""The OpenAPI document: generated from the code, valid, complete, served, and committed.

(That every answer matches it is checked on every request of the API suite:
tests/api/conformance.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from app import app
from chalicelib.api import contract, fallback
from chalicelib.domain.errors import HubError
from local.openapi import rendered
from tests.api.conformance import check, error_codes, status_of_codes

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "chalicelib" / "api" / "docs"


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
        for method, entry in methods.items()
        if method != "OPTIONS" and not fallback.is_fallback(entry)
    }
    documented = {
        (method, path) for path, item in contract.document()["paths"].items() for method in item
    }
    assert len(served) > 50
    assert documented == served


def test_every_route_declares_its_answers_a_summary_and_a_unique_operation_id():
    undeclared = [
        f"{op.method} {op.full_path}" for op in contract.every_operation() if not op.answers
    ]
    assert undeclared == []
    ids = [op.operation_id for op in contract.every_operation()]
    assert len(ids) == len(set(ids))
    for path, item in contract.document()["paths"].items():
        for method, operation in item.items():
            assert operation["summary"], f"{method} {path}"
            assert operation["responses"], f"{method} {path}"


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in contract.document()["paths"].items()
        for method, operation in item.items()
    ]


def refusals(operation: dict[str, Any]) -> dict[str, set[str]]:
    """The error codes an operation documents, by status."""
    return {
        status: error_codes(operation, status)
        for status in operation["responses"]
        if int(status) >= 400
    }


def test_each_error_code_has_one_status():
    """What lets an operation list its codes without their statuses."""
    statuses: dict[str, set[int]] = {}
    for error in every_error_class():
        statuses.setdefault(error.code, set()).add(error.status)
    assert {code: s for code, s in statuses.items() if len(s) > 1} == {}


def test_documented_error_codes_are_the_hubs_own_with_their_statuses():
    catalogue = status_of_codes()
    listed = [
        code
        for where in (
            *contract.document()["components"]["responses"].values(),
            *(operation for _, _, operation in operations()),
        )
        for code in where.get(contract.ERROR_CODES, [])
    ]
    assert listed
    assert set(listed) <= set(catalogue), set(listed) - set(catalogue)
    for method, path, operation in operations():
        for status, codes in refusals(operation).items():
            assert codes, f"{method} {path} {status}"


def test_each_operation_documents_exactly_the_refusals_its_route_may_answer():
    for op in contract.every_operation():
        operation = contract.document()["paths"][op.full_path][op.method.lower()]
        may_answer: dict[str, set[str]] = {}
        for error in op.all_errors():
            may_answer.setdefault(str(error.status), set()).add(error.code)
        assert refusals(operation) == may_answer, f"{op.method} {op.full_path}"
        # Nor does it list a code beside them (one its statuses would not answer).
        listed = set(operation.get(contract.ERROR_CODES, []))
        assert listed <= set().union(*may_answer.values()), f"{op.method} {op.full_path}"


def test_every_refusal_refers_to_the_one_error_component():
    document = contract.document()
    shared = document["components"]["responses"]
    for method, path, operation in operations():
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert set(response) == {"$ref"}, f"{method} {path} {status}"
                name = response["$ref"].removeprefix("#/components/responses/")
                assert name in shared, f"{method} {path} {status}"
    for name, response in shared.items():
        assert response["content"] == {
            "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
        }, name
    # The envelope is written once: no other schema, anywhere, describes {"error": ...}.
    envelopes = [
        where for where, schema in schemas_in(document) if "error" in schema.get("properties", {})
    ]
    assert envelopes == ["components/schemas/Error"]


def schemas_in(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every object in the document, with where it is."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((where, node))
        for key, value in node.items():
            found += schemas_in(value, f"{where}/{key}".lstrip("/"))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += schemas_in(value, f"{where}/{index}")
    return found


def test_the_served_document_is_under_195_kb(client):
    """A budget against repetition (one shared Error, shared responses, referenced
    parameters): it grows with the API, never by copying (issue 13 took it from 318 KB;
    issue 18's export, erasure, results and open data took it from 147 KB to 160 KB; issue
    19's four decision methods, their ballots, results and outcomes to 180 KB; its proxies,
    five routes, to 192 KB)."""
    served = client.http.get("/v1/openapi.json")
    assert served.status_code == 200
    assert len(served.body) < 195_000, len(served.body)


def test_every_timestamp_is_documented_as_a_date_time():
    """Every property named `*_at`, in answers and in bodies, is an RFC 3339 date-time: the
    format lets generated clients hand out datetimes instead of strings."""
    untyped = []
    for where, schema in schemas_in(contract.document()):
        for name, prop in (schema.get("properties") or {}).items():
            if not name.endswith("_at") or not isinstance(prop, dict):
                continue
            options = [o for o in prop.get("anyOf", [prop]) if o.get("type") != "null"]
            if not options or any(option.get("format") != "date-time" for option in options):
                untyped.append(f"{where}/properties/{name}")
    assert len(untyped) == 0, untyped


def test_a_ballot_body_is_one_of_the_shapes_each_decision_takes():
    document = contract.document()
    schema = document["components"]["schemas"]["BallotBody"]
    shapes = {shape["title"]: shape for shape in schema["oneOf"]}
    assert {title: shape["required"] for title, shape in shapes.items()} == {
        "VoteBallot": ["choice"],
        "PollBallot": ["choices"],
        "PetitionBallot": ["sign"],
        "RankedBallot": ["ranking"],
        "MajorityJudgmentBallot": ["grades"],
        "ScoreBallot": ["scores"],
        "DotBallot": ["points"],
    }
    validator = Draft202012Validator(dict(schema, components=document["components"]))
    receipt = "r" * 22
    for body in (
        {"choice": "yes"},
        {"choice": "abstain", "receipt": receipt},
        {"choices": ["o1", "o2"]},
        {"sign": True},
        {"ranking": ["o2", "o1"]},
        {"grades": {"o1": "bien", "o2": "a_rejeter"}},
        {"scores": {"o1": 0, "o2": 5}},
        {"points": {"o1": 3}, "receipt": receipt},
    ):
        assert validator.is_valid(body), body
    for body in (
        {},
        {"receipt": receipt},
        {"choice": "maybe"},
        {"choice": "yes", "sign": True},
        {"choices": ["o1"], "choice": "yes"},
        {"sign": False},
        {"sign": True, "extra": 1},
        {"grades": {"o1": "superbe"}},
        {"ranking": ["o1"], "scores": {"o1": 1}},
        {"points": {"o1": "3"}},
    ):
        assert not validator.is_valid(body), body


def test_routes_needing_a_token_say_so_and_document_401():
    for op in contract.every_operation():
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


def test_the_reference_page_and_what_it_loads_are_served_to_a_browser(client):
    http = client.http
    response = http.get("/v1/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    page = response.body.decode()
    assert page.lstrip().lower().startswith("<!doctype html>")
    assets = re.findall(r'(?:src|href)="(docs/[^"]+)"', page)
    assert sorted(assets) == [
        "docs/reference.js",
        "docs/swagger-ui-bundle.js",
        "docs/swagger-ui.css",
    ]
    types = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
    for asset in assets:
        # Relative to /v1/docs, `docs/x` is /v1/docs/x.
        served = http.get(f"/v1/{asset}")
        assert served.status_code == 200, asset
        assert served.headers["Content-Type"] == types[Path(asset).suffix], asset
        assert served.headers["Cache-Control"] == "public, max-age=300"
        name = asset.removeprefix("docs/")
        files = [DOCS / name, DOCS / "swagger-ui" / name]
        assert served.body == next(f for f in files if f.is_file()).read_bytes(), asset


def test_conformance_refuses_a_code_the_route_does_not_document():
    """The check every API test runs (tests/api/conformance.py), on made-up answers."""

    def refusal(code: str) -> bytes:
        return json.dumps({"error": {"code": code, "message": "m"}}).encode()

    check("GET", "/v1/debates/d1/ballot", 404, refusal("debate_not_found"))
    check("GET", "/v1/debates/d1/ballot", 401, refusal("unauthenticated"))
    for status, code in (
        (404, "group_not_found"),  # a code of that status, but not of this route
        (404, "unauthenticated"),  # a code of this route, but not of that status
        (409, "already_voted"),  # a status this route does not answer
    ):
        with pytest.raises(AssertionError):
            check("GET", "/v1/debates/d1/ballot", status, refusal(code))
    with pytest.raises(AssertionError):  # the envelope's shape
        check("GET", "/v1/debates/d1/ballot", 404, b'{"error": {"code": "debate_not_found"}}')
