"""Each function's role allows exactly the DynamoDB calls its code makes.

The code runs (every API route, the tally consumer over the stream, the closer opening,
closing and recounting) while every DynamoDB call is recorded as the IAM action and resource
it needs, under the role of the function it comes through; the packaged template's
statements must allow all of them, and grant nothing the
code never asked for. An AccessDenied in production would otherwise be the first sign."""

from __future__ import annotations

import fnmatch
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from bench.meter import dynamodb_calls
from chalicelib.domain import clock
from chalicelib.services.closing import close_due_consultations
from tests.api.helpers import create_consultation, create_group, publish, travel
from tests.infra.packaged import packaged
from tests.infra.scenario import every_route, routes_served

Need = tuple[str, str]  # (IAM action, "table" | "index/<name>" | "stream/*")
TRANSACTION_PARTS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def needs(operation: str, params: dict[str, Any]) -> set[Need]:
    """What IAM must allow for one DynamoDB call. A transaction is authorised part by part;
    a batch, per table."""
    if operation == "TransactWriteItems":
        return {
            (f"dynamodb:{TRANSACTION_PARTS[kind]}", "table")
            for part in params["TransactItems"]
            for kind in part
        }
    if operation == "TransactGetItems":
        return {("dynamodb:GetItem", "table")}
    index = params.get("IndexName")
    return {(f"dynamodb:{operation}", f"index/{index}" if index else "table")}


# Which function a call belongs to, from the code it comes through (outermost first).
ENTRY_POINTS = (
    ("ApiRole", "chalicelib/api/"),
    ("TallyRole", "chalicelib/services/tallies.py"),
    ("CloserRole", "chalicelib/services/closing.py"),
)
# Finding the stream's shards: in the cloud, Lambda's event source mapping does it.
LAMBDAS_OWN_WORK = "local/stream.py"


def caller_role() -> str | None:
    frame, files = sys._getframe(2), []
    while frame is not None:
        files.append(frame.f_code.co_filename)
        frame = frame.f_back
    for role, code in ENTRY_POINTS:
        if any(code in file for file in files):
            return role
    if any(LAMBDAS_OWN_WORK in file for file in files):
        return None
    raise AssertionError(f"a DynamoDB call from no known function: {files[:6]}")


@contextmanager
def recording() -> Iterator[dict[str, set[Need]]]:
    """What each role is asked for while inside: {role: {(action, resource)}}."""
    seen: dict[str, set[Need]] = {role: set() for role, _ in ENTRY_POINTS}

    def recorded(operation: str, params: dict[str, Any], response: Any) -> None:
        role = caller_role()
        if role is not None:
            seen[role].update(needs(operation, params))

    with dynamodb_calls(recorded):
        yield seen


def resource_of(reference: Any) -> str:
    """The template's name for a resource, in the terms `needs` uses."""
    if reference == {"Fn::GetAtt": ["Table", "Arn"]}:
        return "table"
    if reference == {"Fn::GetAtt": ["Table", "StreamArn"]}:
        return "stream/*"
    return reference["Fn::Sub"].removeprefix("${Table.Arn}/")


def granted(role: str) -> set[Need]:
    grants = set()
    for policy in packaged().resources[role]["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            actions, resources = statement["Action"], statement["Resource"]
            for action in [actions] if isinstance(actions, str) else actions:
                if action.startswith("dynamodb:"):
                    for resource in resources if isinstance(resources, list) else [resources]:
                        grants.add((action, resource_of(resource)))
    return grants


def allows(grants: set[Need], need: Need) -> bool:
    return any(
        action == need[0] and fnmatch.fnmatchcase(need[1], resource) for action, resource in grants
    )


def assert_exactly_allowed(role: str, seen: set[Need], ignore: set[Need] = frozenset()) -> None:
    grants = granted(role) - ignore
    assert seen, "the code made no DynamoDB call: the recording is broken"
    refused = {need for need in seen if not allows(grants, need)}
    assert not refused, f"{role} would be refused {sorted(refused)}"
    unused = {grant for grant in grants if not any(allows({grant}, need) for need in seen)}
    assert not unused, f"{role} grants what its code never asks for: {sorted(unused)}"


def a_consultation_opening_and_closing_on_schedule(as_user: Any) -> None:
    admin = as_user("fetes-admin", name="Admin")
    group_id = create_group(admin, "Comité des fêtes")
    scheduled = create_consultation(
        admin,
        group_id,
        opens_at=clock.to_iso(clock.now() + timedelta(hours=1)),
        closes_at=clock.to_iso(clock.now() + timedelta(days=2)),
    )["id"]
    debate = {"title": "La date", "function": {"type": "vote"}}
    assert admin.post(f"/v1/consultations/{scheduled}/debates", debate).status_code == 201
    publish(admin, scheduled)


def retries_under_an_idempotency_key(as_user: Any) -> None:
    """A key claimed, answered and replayed; a key given back after a refusal."""
    key = {"Idempotency-Key": "permissions-cover-calls"}
    zoe = as_user("zoe")
    for _ in range(2):
        assert zoe.post("/v1/groups", {"name": "Zoé"}, headers=key).status_code == 201
    refused = zoe.post("/v1/groups/nowhere/join", headers={"Idempotency-Key": "another"})
    assert refused.status_code == 404


def test_each_role_allows_exactly_the_calls_its_function_makes(as_user, monkeypatch):
    """Every route (each answering 2xx); the stream counted into tallies; the closer
    finalising an early close, then opening, closing and recounting a scheduled one."""
    with recording() as seen:
        assert every_route(as_user) == routes_served()
        a_consultation_opening_and_closing_on_schedule(as_user)
        retries_under_an_idempotency_key(as_user)
        for hours in (2, 24 * 3):
            travel(monkeypatch, timedelta(hours=hours))
            assert close_due_consultations(clock.now()) >= 1
    # Reading the stream is Lambda's own work, with the tally role's stream statement.
    stream_reading = {
        (f"dynamodb:{action}", "stream/*")
        for action in ("DescribeStream", "GetRecords", "GetShardIterator", "ListStreams")
    }
    assert stream_reading <= granted("TallyRole")
    assert_exactly_allowed("ApiRole", seen["ApiRole"])
    assert_exactly_allowed("TallyRole", seen["TallyRole"], ignore=stream_reading)
    assert_exactly_allowed("CloserRole", seen["CloserRole"])
