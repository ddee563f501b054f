"""A route's declaration is its behaviour: every operation of the OpenAPI document is called
as the document describes it, and answers what its declaration promises before any view
code runs. And a view whose signature does not match its declaration is refused at import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from chalicelib.api import contract
from chalicelib.api.answers import Answer, Timestamp
from chalicelib.api.contract import Auth
from chalicelib.api.http import Answered, Paging, RouteDeclarationError, route
from chalicelib.domain.model import Caller
from tests.api.conformance import error_codes

# ---------------------------------------------------------------- every operation, over HTTP


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path with every parameter filled, the operation's document)."""
    import app  # noqa: F401  -- registers every route, as the deployed API does

    for template, methods in contract.document()["paths"].items():
        path = re.sub(r"\{\w+\}", "x", template)
        for method, operation in methods.items():
            yield method.upper(), path, operation


def answer_codes(operation: dict[str, Any], status: int) -> list[str]:
    """The error codes the document lists for `status`, or [] when it lists none."""
    if str(status) not in operation["responses"]:
        return []
    return sorted(error_codes(operation, str(status)))


def test_every_route_that_requires_a_token_refuses_an_anonymous_caller(as_user):
    anonymous = as_user(None)
    checked = []
    for method, path, operation in operations():
        if operation["security"] != [{"bearer": []}]:
            continue
        response = anonymous.request(method, path, body={})
        assert response.status_code == 401, (method, path, response.data)
        assert response.data["error"]["code"] == "unauthenticated", (method, path)
        assert "unauthenticated" in answer_codes(operation, 401), (method, path)
        checked.append((method, path))
    assert len(checked) >= 40  # the walk reached the API, not an empty document


def test_every_route_that_reads_a_token_refuses_an_invalid_one(as_user):
    """Where anonymous callers are welcome, a token sent must still be valid."""
    forged = {"authorization": "Bearer not-a-token"}
    checked = []
    for method, path, operation in operations():
        if {"bearer": []} not in operation["security"]:
            continue
        response = as_user(None).request(method, path, body={}, headers=forged)
        assert response.status_code == 401, (method, path, response.data)
        assert response.data["error"]["code"] == "unauthenticated", (method, path)
        checked.append(operation["security"])
    assert [{}, {"bearer": []}] in checked  # optional routes were walked too


@pytest.mark.parametrize(
    "wrong_body",
    [[], [{"name": "x"}], {"no_such_field": 1}, "null", 42],
    ids=["empty-array", "array", "unknown-field", "null", "number"],
)
def test_every_route_that_takes_a_body_refuses_one_of_the_wrong_shape(as_user, wrong_body):
    """Refused (422, as each route documents) before anything is looked up: the path's
    ids name nothing, yet the body's shape is what answers."""
    alice = as_user("alice")
    checked = []
    for method, path, operation in operations():
        if "requestBody" not in operation:
            continue
        response = alice.request(method, path, body=wrong_body)
        assert response.status_code == 422, (method, path, response.data)
        assert response.data["error"]["code"] in answer_codes(operation, 422), (method, path)
        assert response.data["error"]["details"], (method, path)
        checked.append((method, path))
    assert len(checked) >= 15


# ---------------------------------------------------------------- views match declarations


class Thing(BaseModel):
    name: str


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> list[contract.Operation]:
    """A registry of its own, so that these test routes never reach the real document."""
    operations: list[contract.Operation] = []
    monkeypatch.setattr(contract, "OPERATIONS", operations)
    return operations


def _things() -> Any:
    from chalice import Blueprint

    return Blueprint(__name__)


def view_asking_for_a_caller_on_an_anonymous_route(caller: Caller, thing_id: str) -> None: ...


def view_without_the_declared_body(caller: Caller, thing_id: str) -> None: ...


def view_without_its_path_parameter(caller: Caller) -> None: ...


def view_paging_an_unpaged_route(caller: Caller, thing_id: str, paging: Paging) -> None: ...


def view_ignoring_its_query(caller: Caller, thing_id: str) -> None: ...


def view_taking_anything(**anything: Any) -> None: ...


MISMATCHES: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (view_asking_for_a_caller_on_an_anonymous_route, {"auth": Auth.NONE}),
    (view_without_the_declared_body, {"body": Thing}),
    (view_without_its_path_parameter, {}),
    (view_paging_an_unpaged_route, {}),
    (view_ignoring_its_query, {"query": Thing}),
    (view_taking_anything, {}),
]


@pytest.mark.parametrize(
    ("view", "declaration"), MISMATCHES, ids=[view.__name__ for view, _ in MISMATCHES]
)
def test_a_view_that_does_not_match_its_declaration_is_refused_at_registration(
    registry, view, declaration
):
    with pytest.raises(RouteDeclarationError, match=view.__name__):
        route(_things(), "/things/{thing_id}", ["PUT"], answers={204: None}, **declaration)(view)
    assert registry == []


def test_a_view_that_asks_for_what_is_declared_is_registered(registry):
    def put_thing(caller: Caller, thing_id: str, body: Thing, paging: Paging) -> None: ...

    route(_things(), "/things/{thing_id}", ["PUT"], answers={204: None}, body=Thing, paged=True)(
        put_thing
    )
    assert [(op.method, op.path, op.view) for op in registry] == [
        ("PUT", "/things/{thing_id}", put_thing)
    ]


# ---------------------------------------------------------------- answers


class ThingOut(Answer):
    name: str
    seen_at: Timestamp


def _serve(*views: Callable[[Any], Any]) -> Any:
    """A small app whose routes answer what `views` return."""
    from chalice import Blueprint, Chalice
    from chalice.test import Client

    things = Blueprint(__name__)
    answers = {200: ThingOut, 201: ThingOut}
    for number, view in enumerate(views):
        route(things, f"/things/{number}", ["GET"], auth=Auth.NONE, answers=answers)(view)
    app = Chalice(app_name="things")
    app.register_blueprint(things)
    return Client(app)


def test_an_answer_is_its_model_serialised_with_the_declared_status(registry):
    thing = ThingOut(name="é", seen_at=datetime(2026, 11, 27, 2, 19, 43, 123456, tzinfo=UTC))

    def created_thing() -> Answered:
        return Answered(201, thing)

    def unclear_thing() -> ThingOut:
        return thing  # two successes declared: which one is not said

    with _serve(created_thing, unclear_thing) as client:
        created = client.http.get("/things/0")
        assert created.status_code == 201
        assert created.body == b'{"name":"\\u00e9","seen_at":"2026-11-27T02:19:43.123Z"}'
        assert client.http.get("/things/1").status_code == 500  # a bug, never a guess
