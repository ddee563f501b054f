"""Retries are safe: every POST that creates something takes an `Idempotency-Key` (IETF draft
"The Idempotency-Key HTTP Header Field"). The same request with the same key within 24 hours
gets the first answer back, and nothing is created twice; the same key for another request
is refused (422); while the first is still being processed, 409; keys are per caller.

The creating routes are read from the OpenAPI document (every POST answering 201), so a new
one is covered here, or this file fails until it has a scenario.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import boto3
import pytest

from bench.meter import dynamodb_calls
from chalicelib.api import contract
from chalicelib.settings import get_settings
from tests.api.helpers import (
    add_member,
    create_consultation,
    create_group,
    dynamodb_requests,
    invite,
    publish,
    travel,
)

KEY = "8e03978e-40d5-43e8-bc93-6894a57f9324"


def with_key(key: str = KEY) -> dict[str, str]:
    return {"Idempotency-Key": key}


def creating_operations() -> list[str]:
    import app  # noqa: F401  -- registers every route

    return sorted(
        f"POST {path}"
        for path, methods in contract.document()["paths"].items()
        if "post" in methods and "201" in methods["post"]["responses"]
    )


def table_items() -> list[dict[str, Any]]:
    """Every item of the table, in key order: what a request wrote, compared whole."""
    settings = get_settings()
    client = boto3.client("dynamodb", region_name=settings.region)
    items = client.scan(TableName=settings.table, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item["sk"]["S"]))


def without_keys(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [item for item in items if not item["pk"]["S"].startswith("IDEMPOTENCY#")]


# ---------------------------------------------------------------- a scenario per creating route


@dataclass
class Request:
    caller: Any  # tests/http.Api
    path: str
    body: Any = None

    def send(self, headers: dict[str, str] | None = None) -> Any:
        return self.caller.post(self.path, self.body, headers=headers)


@dataclass
class Scenario:
    first: Request  # succeeds on its own
    other: Request  # the same caller, another body or path: would succeed on its own too
    rival: Request  # another caller, who may do the same: succeeds on its own too


def groups(as_user: Callable[..., Any]) -> Scenario:
    alice, bob = as_user("alice"), as_user("bob")
    return Scenario(
        Request(alice, "/v1/groups", {"name": "Les Amis du Parc"}),
        Request(alice, "/v1/groups", {"name": "Comité des fêtes"}),
        Request(bob, "/v1/groups", {"name": "Les Amis du Parc"}),
    )


def two_admins(as_user: Callable[..., Any], **fields: Any) -> tuple[str, Any, Any]:
    alice = as_user("alice")
    group_id = create_group(alice, **fields)
    return group_id, alice, add_member(as_user, alice, group_id, "anna", "admin")


def invitations(as_user: Callable[..., Any]) -> Scenario:
    group_id, alice, anna = two_admins(as_user)
    path = f"/v1/groups/{group_id}/invitations"
    return Scenario(
        Request(alice, path, {"role": "observer"}),
        Request(alice, path, {"role": "participant"}),
        Request(anna, path, {"role": "observer"}),
    )


def consultations(as_user: Callable[..., Any]) -> Scenario:
    group_id, alice, anna = two_admins(as_user)
    path = f"/v1/groups/{group_id}/consultations"
    body = {"title": "Budget", "visibility": "members", "closes_at": "2099-01-01T00:00:00Z"}
    return Scenario(
        Request(alice, path, body),
        Request(alice, path, {**body, "title": "Fête"}),
        Request(anna, path, body),
    )


def join(as_user: Callable[..., Any]) -> Scenario:
    alice = as_user("alice")
    first = create_group(alice, "Open", join_policy="open")
    second = create_group(alice, "Also open", join_policy="open")
    return Scenario(
        Request(as_user("bob"), f"/v1/groups/{first}/join"),
        Request(as_user("bob"), f"/v1/groups/{second}/join"),
        Request(as_user("carol"), f"/v1/groups/{first}/join"),
    )


def approve(as_user: Callable[..., Any]) -> Scenario:
    group_id, alice, anna = two_admins(as_user, join_policy="request")
    for asker in ("bob", "carol"):
        as_user(asker).post(f"/v1/groups/{group_id}/join", expect=202)
    path = f"/v1/groups/{group_id}/join-requests/{{}}/approve"
    return Scenario(
        Request(alice, path.format("bob")),
        Request(alice, path.format("carol")),
        Request(anna, path.format("carol")),
    )


def accept_invitation(as_user: Callable[..., Any]) -> Scenario:
    alice = as_user("alice")
    group_id = create_group(alice)
    code = invite(alice, group_id, max_uses=5)
    other = invite(alice, create_group(alice, "Another"))
    return Scenario(
        Request(as_user("bob"), f"/v1/invitations/{code}/accept"),
        Request(as_user("bob"), f"/v1/invitations/{other}/accept"),
        Request(as_user("carol"), f"/v1/invitations/{code}/accept"),
    )


def debates(as_user: Callable[..., Any]) -> Scenario:
    group_id, alice, anna = two_admins(as_user)
    path = f"/v1/consultations/{create_consultation(alice, group_id)['id']}/debates"
    body = {"title": "Des bancs", "function": {"type": "vote"}}
    return Scenario(
        Request(alice, path, body),
        Request(alice, path, {**body, "title": "Une fontaine"}),
        Request(anna, path, body),
    )


def partners(as_user: Callable[..., Any]) -> Scenario:
    group_id, alice, anna = two_admins(as_user)
    consultation_id = create_consultation(alice, group_id)["id"]
    fetes, jardins = (create_group(as_user("paula"), name) for name in ("Fêtes", "Jardins"))
    path = f"/v1/consultations/{consultation_id}/partners"
    return Scenario(
        Request(alice, path, {"group_id": fetes}),
        Request(alice, path, {"group_id": jardins}),
        Request(anna, path, {"group_id": jardins}),
    )


def accept_partnership(as_user: Callable[..., Any]) -> Scenario:
    alice, paula, quentin = as_user("alice"), as_user("paula"), as_user("quentin")
    host = create_group(alice, "Host")
    fetes, jardins = create_group(paula, "Fêtes"), create_group(quentin, "Jardins")
    first, second = (create_consultation(alice, host, title)["id"] for title in ("A", "B"))
    for consultation_id in (first, second):
        for partner in (fetes, jardins):
            partnered = f"/v1/consultations/{consultation_id}/partners"
            alice.post(partnered, {"group_id": partner}, expect=201)
    return Scenario(
        Request(paula, f"/v1/consultations/{first}/partners/{fetes}/accept"),
        Request(paula, f"/v1/consultations/{second}/partners/{fetes}/accept"),
        Request(quentin, f"/v1/consultations/{first}/partners/{jardins}/accept"),
    )


def open_debate(as_user: Callable[..., Any]) -> tuple[str, Any, Any]:
    """An open consultation's debate, its author alice, and bob, a participant (anna is a
    second admin)."""
    alice = as_user("alice")
    group_id = create_group(alice)
    add_member(as_user, alice, group_id, "anna", "admin")
    bob = add_member(as_user, alice, group_id, "bob", "participant")
    consultation_id = create_consultation(alice, group_id)["id"]
    debate = {"title": "Des bancs", "function": {"type": "vote"}}
    created = alice.post(f"/v1/consultations/{consultation_id}/debates", debate, expect=201)
    publish(alice, consultation_id)
    return created.data["id"], alice, bob


def addenda(as_user: Callable[..., Any]) -> Scenario:
    debate_id, alice, _ = open_debate(as_user)
    path = f"/v1/debates/{debate_id}/addenda"
    return Scenario(
        Request(alice, path, {"body": "Trois bancs, pas deux."}),
        Request(alice, path, {"body": "Et une fontaine."}),
        Request(as_user("anna"), path, {"body": "Trois bancs, pas deux."}),
    )


def comments(as_user: Callable[..., Any]) -> Scenario:
    debate_id, alice, bob = open_debate(as_user)
    path = f"/v1/debates/{debate_id}/comments"
    return Scenario(
        Request(bob, path, {"body": "Oui, des bancs.", "stance": "pro"}),
        Request(bob, path, {"body": "Oui, des bancs.", "stance": "con"}),
        Request(alice, path, {"body": "Oui, des bancs.", "stance": "pro"}),
    )


def flags(as_user: Callable[..., Any]) -> Scenario:
    debate_id, alice, bob = open_debate(as_user)
    thread = f"/v1/debates/{debate_id}/comments"
    first, second = (
        alice.post(thread, {"body": body}, expect=201).data["id"]
        for body in ("Des bancs partout.", "Et des fontaines.")
    )
    return Scenario(
        Request(bob, f"/v1/comments/{first}/flags", {"reason": "spam"}),
        Request(bob, f"/v1/comments/{second}/flags", {"reason": "spam"}),
        Request(as_user("anna"), f"/v1/comments/{first}/flags", {"reason": "off_topic"}),
    )


SCENARIOS: dict[str, Callable[[Callable[..., Any]], Scenario]] = {
    "POST /v1/groups": groups,
    "POST /v1/groups/{group_id}/invitations": invitations,
    "POST /v1/groups/{group_id}/consultations": consultations,
    "POST /v1/groups/{group_id}/join": join,
    "POST /v1/groups/{group_id}/join-requests/{user_id}/approve": approve,
    "POST /v1/invitations/{code}/accept": accept_invitation,
    "POST /v1/consultations/{consultation_id}/debates": debates,
    "POST /v1/consultations/{consultation_id}/partners": partners,
    "POST /v1/consultations/{consultation_id}/partners/{group_id}/accept": accept_partnership,
    "POST /v1/debates/{debate_id}/addenda": addenda,
    "POST /v1/debates/{debate_id}/comments": comments,
    "POST /v1/comments/{comment_id}/flags": flags,
}

every_route = pytest.mark.parametrize("route", sorted(SCENARIOS))


def scenario_of(route: str, as_user: Callable[..., Any]) -> Scenario:
    return SCENARIOS[route](as_user)


def test_every_creating_route_takes_a_key_and_has_a_scenario_here():
    assert sorted(SCENARIOS) == creating_operations()
    for label in creating_operations():
        path = label.removeprefix("POST ")
        operation = contract.document()["paths"][path]["post"]
        assert {"$ref": "#/components/parameters/IdempotencyKey"} in operation["parameters"]
        for code in ("invalid_idempotency_key", "idempotency_key_reused"):
            assert code in operation["x-error-codes"], (label, code)


def test_the_key_is_documented_once_as_an_optional_header():
    key = contract.document()["components"]["parameters"]["IdempotencyKey"]
    assert (key["name"], key["in"], key["required"]) == ("Idempotency-Key", "header", False)
    assert key["schema"]["maxLength"] == 255


def test_no_other_route_takes_a_key():
    for path, methods in contract.document()["paths"].items():
        for method, operation in methods.items():
            if f"{method.upper()} {path}" in SCENARIOS:
                continue
            assert all("$ref" not in p for p in operation.get("parameters", [])), (method, path)


# ---------------------------------------------------------------- the same request again


@every_route
def test_the_same_request_twice_with_one_key_is_carried_out_once(as_user, route):
    scenario = scenario_of(route, as_user)
    first = scenario.first.send(with_key())
    assert 200 <= first.status_code < 300, first.data
    written = table_items()
    calls: list[str] = []
    with dynamodb_calls(lambda operation, params, response: calls.append(operation)):
        again = scenario.first.send(with_key())
    assert (again.status_code, again.data) == (first.status_code, first.data)
    assert table_items() == written  # nothing written, not even the key's record
    assert calls == ["PutItem"]  # the refused claim, which returns the first answer


@every_route
def test_the_same_key_for_another_request_is_refused(as_user, route):
    scenario = scenario_of(route, as_user)
    assert 200 <= scenario.first.send(with_key()).status_code < 300
    written = table_items()
    other = scenario.other.send(with_key())
    assert other.status_code == 422, other.data
    assert other.data["error"]["code"] == "idempotency_key_reused"
    assert table_items() == written
    # Under another key, the other request was fine all along.
    assert 200 <= scenario.other.send(with_key("another key")).status_code < 300


@every_route
def test_another_caller_with_the_same_key_is_not_answered_from_the_first(as_user, route):
    scenario = scenario_of(route, as_user)
    first = scenario.first.send(with_key())
    rival = scenario.rival.send(with_key())
    assert 200 <= rival.status_code < 300, rival.data
    assert rival.data != first.data
    assert scenario.rival.send(with_key()).data == rival.data  # its own first answer


@every_route
def test_without_a_key_nothing_changes(as_user, route):
    scenario = scenario_of(route, as_user)
    with dynamodb_requests() as calls:
        first = scenario.first.send()
    assert 200 <= first.status_code < 300, first.data
    assert "IDEMPOTENCY#" not in json.dumps([call.params for call in calls])


def test_two_groups_without_a_key_are_two_groups(as_user):
    alice = as_user("alice")
    body = {"name": "Les Amis du Parc"}
    ids = {alice.post("/v1/groups", body, expect=201).data["id"] for _ in range(2)}
    assert len(ids) == 2


# ---------------------------------------------------------------- the key itself


@pytest.mark.parametrize(
    "key",
    [
        "",
        "   ",
        '""',
        "k" * 256,
        '"' + "k" * 256 + '"',
        "clé",
        "tab\tinside",
        '"unterminated',
        '"bad \\n escape"',
        '"a", "b"',
        '"a";param=1',
    ],
)
def test_an_invalid_key_is_refused_before_anything_is_written(as_user, key):
    before = table_items()
    refused = as_user("alice").post("/v1/groups", {"name": "Club"}, headers=with_key(key))
    assert refused.status_code == 400, refused.data
    assert refused.data["error"]["code"] == "invalid_idempotency_key"
    assert table_items() == before


@pytest.mark.parametrize(
    ("sent", "same_as"),
    [
        ("k" * 255, "k" * 255),
        ('"abc"', "abc"),  # the draft's form, a Structured Field String
        ('"a\\"b\\\\c"', 'a"b\\c'),
        ("  padded  ", "padded"),
        ("with space", "with space"),
    ],
)
def test_a_valid_key_is_one_key_however_it_is_written(as_user, sent, same_as):
    alice = as_user("alice")
    first = alice.post("/v1/groups", {"name": "Club"}, headers=with_key(sent), expect=201)
    again = alice.post("/v1/groups", {"name": "Club"}, headers=with_key(same_as), expect=201)
    assert again.data == first.data


def test_the_key_is_kept_hashed_per_caller_for_a_day(as_user):
    as_user("alice").post("/v1/groups", {"name": "Club"}, headers=with_key(), expect=201)
    [record] = [item for item in table_items() if item["pk"]["S"].startswith("IDEMPOTENCY#")]
    assert record["pk"]["S"].startswith("IDEMPOTENCY#alice#")
    assert KEY not in json.dumps(record)
    from chalicelib.domain import clock

    expires = int(record["ttl"]["N"])
    assert expires - clock.now().timestamp() == pytest.approx(24 * 3600, abs=5)


def test_the_table_lets_dynamodb_delete_expired_keys(table):
    settings = get_settings()
    client = boto3.client("dynamodb", region_name=settings.region)
    ttl = client.describe_time_to_live(TableName=settings.table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "ttl")


def test_the_body_is_compared_as_json_not_as_text(as_user):
    alice = as_user("alice")
    first = alice.post(
        "/v1/groups", '{"name": "Club", "listed": true}', headers=with_key(), expect=201
    )
    again = alice.post(
        "/v1/groups", '{"listed":true,"name":"\\u0043lub"}', headers=with_key(), expect=201
    )
    assert again.data == first.data


# ---------------------------------------------------------------- refusals and time


def test_a_refused_request_gives_its_key_back_for_a_corrected_retry(as_user):
    alice, bob = as_user("alice"), as_user("bob")
    group_id = create_group(alice)
    path = f"/v1/groups/{group_id}/invitations"
    refused = bob.post(path, {"role": "observer"}, headers=with_key())
    assert refused.status_code in (403, 404), refused.data
    add_member(as_user, alice, group_id, "bob", "admin")
    created = bob.post(path, {"role": "observer"}, headers=with_key(), expect=201)
    assert bob.post(path, {"role": "observer"}, headers=with_key()).data == created.data


def test_a_request_refused_for_its_body_may_be_corrected_under_the_same_key(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    path = f"/v1/groups/{group_id}/consultations"
    body = {"title": "Budget", "visibility": "members", "closes_at": "2020-01-01T00:00:00Z"}
    refused = alice.post(path, body, headers=with_key())
    assert refused.status_code == 422, refused.data
    corrected = {**body, "closes_at": "2099-01-01T00:00:00Z"}
    created = alice.post(path, corrected, headers=with_key(), expect=201)
    assert alice.post(path, corrected, headers=with_key()).data == created.data


def test_a_refusal_after_the_key_is_claimed_gives_it_back(as_user):
    """Joining twice is refused by the service (409), after the key was claimed."""
    alice, bob = as_user("alice"), as_user("bob")
    group_id = create_group(alice, join_policy="open")
    bob.post(f"/v1/groups/{group_id}/join", expect=201)
    refused = bob.post(f"/v1/groups/{group_id}/join", headers=with_key())
    assert refused.status_code == 409, refused.data
    assert refused.data["error"]["code"] == "already_member"
    assert not [i for i in table_items() if i["pk"]["S"].startswith("IDEMPOTENCY#")]


def test_after_a_day_the_key_is_forgotten(as_user, monkeypatch):
    alice = as_user("alice")
    first = alice.post("/v1/groups", {"name": "Club"}, headers=with_key(), expect=201)
    travel(monkeypatch, timedelta(hours=23, minutes=59))
    assert alice.post("/v1/groups", {"name": "Club"}, headers=with_key()).data == first.data
    travel(monkeypatch, timedelta(minutes=2))
    # DynamoDB deletes expired items some time later: the Hub does not wait for it.
    later = alice.post("/v1/groups", {"name": "Club"}, headers=with_key(), expect=201)
    assert later.data["id"] != first.data["id"]


# ---------------------------------------------------------------- races


def test_requests_racing_with_one_key_create_one_group(as_user, monkeypatch):
    """While the first request is creating its group, five more with the same key arrive:
    each is told to wait (409, Retry-After), none creates. Then a retry gets the group."""
    from chalicelib.store import groups as group_store

    alice = as_user("alice")
    body = {"name": "Les Amis du Parc"}
    create_group_now = group_store.create_group
    racing: list[Any] = []

    def create_while_others_arrive(*args: Any, **kwargs: Any) -> Any:
        if not racing:
            racing.extend(alice.post("/v1/groups", body, headers=with_key()) for _ in range(5))
        return create_group_now(*args, **kwargs)

    monkeypatch.setattr(group_store, "create_group", create_while_others_arrive)
    first = alice.post("/v1/groups", body, headers=with_key(), expect=201)
    assert [answer.status_code for answer in racing] == [409] * 5
    assert {answer.data["error"]["code"] for answer in racing} == {"idempotency_in_progress"}
    assert {answer.headers["Retry-After"] for answer in racing} == {"1"}
    assert alice.post("/v1/groups", body, headers=with_key()).data == first.data
    mine = alice.get("/v1/me", expect=200).data
    assert [group["id"] for group in mine["groups"]] == [first.data["id"]]


def test_a_request_that_dies_midway_holds_its_key_until_it_expires(as_user, monkeypatch):
    """Nothing tells whether a request that crashed wrote: its key answers 409 rather than
    risk a second write, until it expires."""
    from chalicelib.store import groups as group_store

    alice = as_user("alice")
    body = {"name": "Les Amis du Parc"}
    create_group_now = group_store.create_group

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the process died")

    monkeypatch.setattr(group_store, "create_group", crash)
    assert alice.post("/v1/groups", body, headers=with_key()).status_code == 500
    monkeypatch.setattr(group_store, "create_group", create_group_now)
    held = alice.post("/v1/groups", body, headers=with_key())
    assert held.status_code == 409
    assert held.data["error"]["code"] == "idempotency_in_progress"
    travel(monkeypatch, timedelta(hours=24, seconds=1))
    alice.post("/v1/groups", body, headers=with_key(), expect=201)


def test_when_keeping_the_answer_fails_the_caller_still_gets_it(as_user, monkeypatch):
    """The work is done: a failure to keep its answer (an answer over DynamoDB's item size,
    DynamoDB busy) never turns it into a 500; the key stays held, so a retry is 409, never a
    second write."""
    from chalicelib.store import idempotency as key_store

    def too_big(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("Item size has exceeded the maximum allowed size")

    alice = as_user("alice")
    monkeypatch.setattr(key_store, "remember", too_big)
    created = alice.post("/v1/groups", {"name": "Club"}, headers=with_key())
    assert created.status_code == 201
    monkeypatch.undo()
    again = alice.post("/v1/groups", {"name": "Club"}, headers=with_key())
    assert (again.status_code, again.data["error"]["code"]) == (409, "idempotency_in_progress")
    assert len(alice.get("/v1/me", expect=200).data["groups"]) == 1


@pytest.mark.parametrize(
    "body",
    ['"\\ud800"', "[" * 950 + "]" * 950, "not json", b"\xff\xfe"],
    ids=["lone surrogate", "deep nesting", "not json", "not utf-8"],
)
def test_an_odd_body_on_a_route_that_reads_none_is_never_a_500(as_user, body):
    join_ = join(as_user)
    bob = join_.first.caller
    first = bob.post(join_.first.path, body, headers=with_key())
    assert first.status_code == 201, first.data
    again = bob.post(join_.first.path, body, headers=with_key())
    assert (again.status_code, again.data) == (first.status_code, first.data)


def test_no_body_and_an_empty_object_are_the_same_request(as_user):
    join_ = join(as_user)
    bob = join_.first.caller
    first = bob.post(join_.first.path, headers=with_key())
    again = bob.post(join_.first.path, {}, headers=with_key())
    assert (again.status_code, again.data) == (first.status_code, first.data)


# ---------------------------------------------------------------- the declaration


def test_any_new_creating_post_takes_a_key_without_saying_so(monkeypatch):
    """The rule is the declaration: a POST that may answer 201 takes a key, whatever else
    it declares; its operation says so in the document."""
    from chalice import Blueprint

    from chalicelib.api.http import route

    registry: list[contract.Operation] = []
    monkeypatch.setattr(contract, "OPERATIONS", registry)

    def create_thing(caller: Any) -> None: ...

    def poke_thing(caller: Any) -> None: ...

    route(Blueprint(__name__), "/things", ["POST"], answers={201: None})(create_thing)
    route(Blueprint(__name__), "/things/poke", ["POST"], answers={204: None})(poke_thing)
    assert [(op.view, op.idempotent) for op in registry] == [
        (create_thing, True),
        (poke_thing, False),
    ]


def test_a_creating_post_without_a_caller_is_refused_at_registration(monkeypatch):
    """Keys are per caller: a route that creates for nobody in particular has none to file
    them under."""
    from chalice import Blueprint

    from chalicelib.api.contract import Auth
    from chalicelib.api.http import RouteDeclarationError, route

    monkeypatch.setattr(contract, "OPERATIONS", [])

    def create_thing() -> None: ...

    with pytest.raises(RouteDeclarationError, match="create_thing"):
        route(Blueprint(__name__), "/things", ["POST"], answers={201: None}, auth=Auth.NONE)(
            create_thing
        )


def test_of_two_requests_claiming_at_once_the_second_gets_the_first_ones_answer(
    as_user, monkeypatch
):
    """Both read the same key; the rival's conditional put lands first and it creates. The
    other's put then fails its condition: it answers the rival's group, and creates none."""
    from chalicelib.store import idempotency as key_store

    alice = as_user("alice")
    body = {"name": "Les Amis du Parc"}
    claim_now = key_store.claim
    rival: list[Any] = []

    def rival_claims_first(*args: Any, **kwargs: Any) -> Any:
        if not rival:
            rival.append(None)
            rival[0] = alice.post("/v1/groups", body, headers=with_key(), expect=201)
        return claim_now(*args, **kwargs)

    monkeypatch.setattr(key_store, "claim", rival_claims_first)
    second = alice.post("/v1/groups", body, headers=with_key(), expect=201)
    assert second.data == rival[0].data
    mine = alice.get("/v1/me", expect=200).data
    assert [group["id"] for group in mine["groups"]] == [second.data["id"]]
