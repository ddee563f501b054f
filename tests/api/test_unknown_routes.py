"""A path nobody declares answers 404 `not_found`, a method a path does not declare 405
`method_not_allowed` with `Allow`: in the Hub's error shape and the caller's language, as
every other refusal, here in the test client, under `make run` (tests/integration) and in
the cloud, where the same views answer (chalicelib/api/fallback.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.api import contract

NOT_FOUND = {
    "fr": "Rien n\u2019a été trouvé à cette adresse.",
    "en": "Nothing was found at this address.",
}
NOT_ALLOWED = {
    "fr": "Cette méthode n\u2019est pas autorisée ici.",
    "en": "This method is not allowed here.",
}


def in_language(locale: str) -> dict[str, str]:
    return {"Accept-Language": locale}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/nowhere",
        "/v1/groups/some-group/nowhere",
        "/v1/a/b/c/d",
        "/nowhere",
        "/",
        "/v1",
        "/v1/invitations",
        "/v1/nowhere?limit=3",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_a_path_nobody_declares_is_404_not_found(as_user, path, method):
    response = as_user("alice").request(method, path, headers=in_language("en"))

    assert response.status_code == 404
    assert response.data == {"error": {"code": "not_found", "message": NOT_FOUND["en"]}}


def test_a_path_nobody_declares_is_404_without_a_token_too(as_user):
    response = as_user(None).get("/v1/nowhere", headers=in_language("en"))

    assert response.status_code == 404
    assert response.data["error"]["code"] == "not_found"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_404_speaks_the_callers_language(as_user, locale):
    response = as_user(None).get("/v1/nowhere/at/all", headers=in_language(locale))

    assert response.data["error"]["message"] == NOT_FOUND[locale]
    assert response.headers["Content-Language"] == locale
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/v1/groups", "GET, HEAD, POST"),
        ("PUT", "/v1/me", "GET, HEAD, PATCH, DELETE"),
        ("POST", "/v1/groups/some-group", "GET, HEAD, PATCH"),
        ("GET", "/v1/invitations/some-code/accept", "POST"),
    ],
)
def test_a_method_the_path_does_not_declare_is_405_with_allow(as_user, method, path, allow):
    response = as_user("alice").request(method, path, headers=in_language("en"))

    assert response.status_code == 405
    assert response.data == {"error": {"code": "method_not_allowed", "message": NOT_ALLOWED["en"]}}
    assert response.headers["Allow"] == allow


def test_allow_lists_exactly_what_the_document_declares_for_every_path(as_user):
    for path, operations in contract.document()["paths"].items():
        declared = {method.upper() for method in operations}
        concrete = path.replace("{", "x").replace("}", "")
        undeclared = next(m for m in ("DELETE", "PUT", "PATCH", "POST") if m not in declared)
        response = as_user(None).request(undeclared, concrete)
        assert response.status_code == 405, (undeclared, path)
        head = {"HEAD"} if "GET" in declared else set()
        assert set(response.headers["Allow"].split(", ")) == declared | head, path


def test_head_answers_as_get_without_the_body(as_user):
    alice = as_user("alice")
    group = alice.post("/v1/groups", {"name": "Jardins"}, expect=201).data
    got = alice.get(f"/v1/groups/{group['id']}")
    head = alice.request("HEAD", f"/v1/groups/{group['id']}")

    assert (head.status_code, head.body) == (200, b"")
    assert head.headers["Content-Language"] == got.headers["Content-Language"]
    missing = as_user(None).request("HEAD", "/v1/groups/no-such-group")
    assert (missing.status_code, missing.body) == (404, b"")
    assert as_user(None).request("HEAD", "/v1/me").status_code == 401


@pytest.mark.parametrize("method", ["TRACE", "CONNECT"])
def test_a_method_nobody_declares_anywhere_names_only_the_paths_methods(as_user, method):
    response = as_user(None).request(method, "/v1/groups", headers=in_language("en"))

    assert response.status_code == 405
    assert response.data["error"]["code"] == "method_not_allowed"
    assert response.headers["Allow"] == "GET, HEAD, POST"


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_the_405_speaks_the_callers_language(as_user, locale):
    response = as_user(None).request("DELETE", "/v1/groups", headers=in_language(locale))

    assert response.data["error"]["message"] == NOT_ALLOWED[locale]
    assert response.headers["Content-Language"] == locale


def test_a_405_is_refused_before_the_token_is_read(as_user):
    # Nothing runs for an undeclared method: an invalid token does not turn it into a 401.
    response = as_user(None, token="not-a-token").request("PUT", "/v1/me")

    assert response.status_code == 405


def test_the_fallbacks_are_not_operations_of_the_document():
    document = contract.document()
    assert not [path for path in document["paths"] if "+" in path or path in ("/", "/v1")]
    assert "delete" not in document["paths"]["/v1/groups"]
    operation_ids = [
        operation["operationId"]
        for operations in document["paths"].values()
        for operation in operations.values()
    ]
    assert not {"not_found", "method_not_allowed"} & set(operation_ids)


# ---------------------------------------------------------------- as Lambda receives them


def gateway_event(method: str, resource: str, path: str, **parameters: str) -> dict[str, Any]:
    """An API Gateway (REST, proxy integration) event for `path`, matched to `resource`."""
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": {"Accept-Language": "fr-FR,fr;q=0.9", "Host": "api.example.org"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/api{path}",
            "stage": "api",
            "identity": {"sourceIp": "203.0.113.9"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def test_lambda_answers_api_gateways_greedy_resource_with_the_hubs_404(table):
    from app import app

    event = gateway_event("GET", "/{proxy+}", "/v1/a/b", proxy="v1/a/b")
    answer = app(event, None)

    assert answer["statusCode"] == 404
    assert json.loads(answer["body"]) == {
        "error": {"code": "not_found", "message": NOT_FOUND["fr"]}
    }
    assert answer["headers"]["Content-Language"] == "fr"


def test_lambda_answers_an_undeclared_method_with_the_hubs_405(table):
    from app import app

    answer = app(gateway_event("DELETE", "/v1/groups", "/v1/groups"), None)

    assert answer["statusCode"] == 405
    assert json.loads(answer["body"])["error"]["message"] == NOT_ALLOWED["fr"]
    assert answer["headers"]["Allow"] == "GET, HEAD, POST"
