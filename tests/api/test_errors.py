"""Bad input gets a clear JSON error with the right status, never a 500 or a stack trace."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError

from tests.api.helpers import add_member, audit_log, create_consultation, create_group, publish


@pytest.mark.parametrize("raw", ["{", "nope", "[1,", '{"name": "x",}', "\x00"])
def test_malformed_json_is_400(as_user, raw):
    response = as_user("alice").post("/v1/groups", raw)
    assert response.status_code == 400
    assert response.data["error"]["code"] == "malformed_json"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([], "body"),
        ("null", "body"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "bad\nname"}, "name"),
        ({"name": 42}, "name"),
        ({"name": "ok", "listed": "yes"}, "listed"),
        ({"name": "ok", "description": "x" * 2001}, "description"),
        ({"name": "ok", "join_policy": "closed"}, "join_policy"),
        ({"name": "ok", "admin_count": 9}, "admin_count"),
    ],
)
def test_invalid_group_fields_are_422_with_the_field_named(as_user, body, field):
    response = as_user("alice").post("/v1/groups", body)
    assert response.status_code == 422, response.data
    error = response.data["error"]
    assert error["code"] == "validation_failed"
    assert field in [detail["field"] for detail in error["details"]]


def test_missing_body_reports_the_missing_field(as_user):
    response = as_user("alice").post("/v1/groups")
    assert response.status_code == 422
    assert response.data["error"]["details"][0]["field"] == "name"


def test_wrong_method_is_405_in_the_hub_shape(as_user):
    response = as_user("alice").request("DELETE", "/v1/groups")
    assert response.status_code == 405
    assert response.data["error"]["code"] == "method_not_allowed"


def test_a_non_json_content_type_is_415(as_user):
    response = as_user("alice").post(
        "/v1/groups", "name=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415
    assert response.data["error"]["code"] == "unsupported_media_type"


def test_an_unexpected_failure_is_a_500_without_internals(as_user, monkeypatch):
    from chalicelib.services import groups

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(groups, "directory", explode)
    response = as_user(None).get("/v1/groups", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response.data == {
        "error": {"code": "internal_error", "message": "Something went wrong on our side."}
    }
    assert "secret" not in json.dumps(response.data)


def test_cors_lets_the_web_client_read_errors_and_no_one_else(as_user, monkeypatch):
    """More in tests/api/test_cors.py; the local stage lists the API's own origin."""
    from chalicelib.services import groups

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    alice = as_user("alice")
    group_id = create_group(alice)
    monkeypatch.setattr(groups, "get", explode)
    web = alice.get(f"/v1/groups/{group_id}", headers={"Origin": "http://localhost:8000"})
    assert web.status_code == 500
    assert web.headers.get("Access-Control-Allow-Origin") == "http://localhost:8000"
    other = alice.get(f"/v1/groups/{group_id}", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


# ---------------------------------------------------------------- DynamoDB under faults


class Wire:
    """DynamoDB as a network serves it, between botocore and moto: per operation, what
    happens to each request sent (botocore's retries included). `timeout` and `dropped`:
    the request never arrives; `lost`: it is applied, and its answer lost on the way back.

    Like DynamoDB, a TransactWriteItems repeating the ClientRequestToken of one already
    applied is answered with that success and not run again (the 10-minute window)."""

    def __init__(self) -> None:
        self.plans: dict[str, list[str]] = {}
        self.always: dict[str, str] = {}
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self._applied: dict[str, Any] = {}

    def then(self, operation: str, *faults: str) -> None:
        self.plans[operation] = list(faults)

    def every(self, operation: str, fault: str) -> None:
        self.always[operation] = fault

    def tokens(self, operation: str = "TransactWriteItems") -> list[str | None]:
        return [body.get("ClientRequestToken") for name, body in self.sent if name == operation]

    def serve(self, forward: Callable[[], Any], request: Any) -> Any:
        target = request.headers.get("X-Amz-Target") or ""
        target = target.decode() if isinstance(target, bytes) else target
        if not target.startswith("DynamoDB_"):
            return forward()
        operation = target.rpartition(".")[2]
        body = json.loads(request.body or b"{}")
        self.sent.append((operation, body))
        token = body.get("ClientRequestToken")
        if token in self._applied:
            return self._applied[token]
        plan = self.plans.get(operation)
        fault = plan.pop(0) if plan else self.always.get(operation)
        if fault == "timeout":
            raise ReadTimeoutError(endpoint_url=request.url)
        if fault == "dropped":
            raise ConnectionClosedError(endpoint_url=request.url)
        answer = forward()
        if token and answer and answer[0] == 200:
            self._applied[token] = answer
        if fault == "lost":
            raise ReadTimeoutError(endpoint_url=request.url)
        return answer


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Wire:
    from moto.core.botocore_stubber import BotocoreStubber

    served = Wire()
    original = BotocoreStubber.process_request

    def process_request(stubber: Any, request: Any) -> Any:
        return served.serve(lambda: original(stubber, request), request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)
    return served


def assert_busy(response: Any) -> None:
    assert response.status_code == 503, response.data
    assert response.data["error"]["code"] == "busy"
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("fault", ["timeout", "dropped"])
def test_a_transaction_without_an_answer_is_503_busy_with_retry_after(as_user, wire, fault):
    alice = as_user("alice")
    group_id = create_group(alice)
    wire.every("TransactWriteItems", fault)

    assert_busy(alice.post(f"/v1/groups/{group_id}/invitations", {"role": "observer"}))


@pytest.mark.parametrize(
    "path",
    [
        "/v1/groups/{group}",
        "/v1/groups/{group}/members",
        "/v1/me",
        "/v1/invitations/{code}",
        "/v1/groups",
    ],
)
def test_a_read_without_an_answer_is_503_busy(as_user, wire, path):
    alice = as_user("alice")
    group_id = create_group(alice)
    code = alice.post(f"/v1/groups/{group_id}/invitations", {}).data["code"]
    for operation in ("GetItem", "Query", "BatchGetItem"):
        wire.every(operation, "timeout")

    assert_busy(alice.get(path.format(group=group_id, code=code)))
    assert {name for name, _ in wire.sent} & {"GetItem", "Query", "BatchGetItem"}


def test_a_single_conditional_write_without_an_answer_is_503_busy(as_user, wire):
    alice = as_user("alice")
    group_id = create_group(alice, join_policy="request")
    wire.every("PutItem", "dropped")

    assert_busy(as_user("bob").post(f"/v1/groups/{group_id}/join"))


def test_throttling_that_outlasts_the_retries_is_503_busy(as_user, monkeypatch):
    from botocore.exceptions import ClientError
    from moto.core.botocore_stubber import BotocoreStubber

    alice = as_user("alice")
    group_id = create_group(alice)
    throttled = json.dumps({"__type": "ThrottlingException", "message": "slow down"}).encode()
    original = BotocoreStubber.process_request

    def process_request(stubber: Any, request: Any) -> Any:
        if b"GetItem" in str(request.headers.get("X-Amz-Target")).encode():
            return 400, {"Content-Type": "application/x-amz-json-1.0"}, throttled
        return original(stubber, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)
    assert ClientError  # botocore raises it for the 400, after its own retries
    assert_busy(alice.get(f"/v1/groups/{group_id}"))


def test_a_transaction_retried_after_a_timeout_keeps_its_client_request_token(as_user, wire):
    alice = as_user("alice")
    group_id = create_group(alice)
    wire.then("TransactWriteItems", "timeout")
    earlier = len(wire.tokens())

    response = alice.post(f"/v1/groups/{group_id}/invitations", {"role": "observer"})

    assert response.status_code == 201, response.data
    first, retry = wire.tokens()[earlier:]
    assert first and first == retry


def test_an_applied_transaction_whose_answer_was_lost_is_not_a_conflict(as_user, wire):
    """The invitation was written, the answer lost, botocore retried: DynamoDB recognises
    the ClientRequestToken and answers success, so the admin gets their code, not a 409."""
    alice = as_user("alice")
    group_id = create_group(alice)
    wire.then("TransactWriteItems", "lost")

    response = alice.post(f"/v1/groups/{group_id}/invitations", {"role": "observer"})

    assert response.status_code == 201, response.data
    assert as_user("bob").post(f"/v1/invitations/{response.data['code']}/accept").status_code == 201
    created = [e for e in audit_log(alice, group_id) if e["action"] == "invitation_created"]
    assert len(created) == 1


def test_each_transaction_has_its_own_client_request_token(as_user, wire):
    alice = as_user("alice")
    group_id = create_group(alice)
    earlier = len(wire.tokens())
    for role in ("observer", "participant"):
        alice.post(f"/v1/groups/{group_id}/invitations", {"role": role})

    tokens = wire.tokens()[earlier:]
    assert len(tokens) == 2 and len(set(tokens)) == 2 and None not in tokens


def test_a_request_to_join_whose_answer_was_lost_is_still_the_one_request(as_user, wire):
    alice = as_user("alice")
    group_id = create_group(alice, join_policy="request")
    wire.then("PutItem", "lost")

    asked = as_user("bob").post(f"/v1/groups/{group_id}/join")

    assert asked.status_code == 202, asked.data
    requests = alice.get(f"/v1/groups/{group_id}/join-requests").data["items"]
    assert [request["id"] for request in requests] == ["bob"]


def test_a_first_ballot_whose_answer_was_lost_is_the_voters_ballot_not_a_conflict(as_user, wire):
    """A PutItem has no request token: botocore's retry meets the ballot it wrote. The voter
    is told their ballot stands (200, as for a ballot sent twice), never `already_voted`."""
    admin = as_user("admin")
    group_id = create_group(admin)
    voter = add_member(as_user, admin, group_id, "alice", "participant")
    consultation_id = create_consultation(admin, group_id)["id"]
    debate = admin.post(
        f"/v1/consultations/{consultation_id}/debates",
        {"title": "Motion", "function": {"type": "vote", "allow_change": False}},
    ).data["id"]
    publish(admin, consultation_id)
    wire.then("PutItem", "lost")

    cast = voter.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})

    assert cast.status_code == 200, cast.data
    assert cast.data["choice"] == "yes"
    assert voter.get(f"/v1/debates/{debate}/ballot").data["choice"] == "yes"
