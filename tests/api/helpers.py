"""Building associations with members of every role, through the API as users would."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench.meter import dynamodb_calls
from chalicelib.domain import clock

ROLES = ("observer", "participant", "author", "moderator", "admin")


def create_group(admin: Any, name: str = "Les Amis du Parc", **fields: Any) -> str:
    response = admin.post("/v1/groups", {"name": name, **fields})
    assert response.status_code == 201, response.data
    return response.data["id"]


def invite(admin: Any, group_id: str, role: str = "participant", **fields: Any) -> str:
    response = admin.post(f"/v1/groups/{group_id}/invitations", {"role": role, **fields})
    assert response.status_code == 201, response.data
    return response.data["code"]


def add_member(as_user: Callable[..., Any], admin: Any, group_id: str, sub: str, role: str) -> Any:
    user = as_user(sub, name=sub.title())
    accepted = user.post(f"/v1/invitations/{invite(admin, group_id, role)}/accept")
    assert accepted.status_code == 201, accepted.data
    assert accepted.data["role"] == role
    return user


def group_with_every_role(
    as_user: Callable[..., Any], *, prefix: str = "", **fields: Any
) -> tuple[str, dict[str, Any]]:
    """A group whose members hold each role (sub = prefix + role), plus an outsider and an
    anonymous caller. The founder is `<prefix>admin`."""
    admin = as_user(f"{prefix}admin", name="Admin")
    group_id = create_group(admin, **fields)
    users = {"admin": admin}
    for role in ROLES[:-1]:
        users[role] = add_member(as_user, admin, group_id, f"{prefix}{role}", role)
    users["signed_in"] = as_user(f"{prefix}outsider", name="Outsider")
    users["anonymous"] = as_user(None)
    return group_id, users


# ---------------------------------------------------------------- consultations and time


def moment(delta: timedelta = timedelta()) -> str:
    """The Hub's now (real or moved), plus `delta`, as the API writes it."""
    return clock.to_iso(clock.now() + delta)


def travel(monkeypatch: Any, delta: timedelta) -> datetime:
    """Move the Hub's clock `delta` on from where it stands (it then stays put)."""
    later = clock.now() + delta
    monkeypatch.setattr(clock, "now", lambda: later)
    return later


def create_consultation(
    author: Any, group_id: str, title: str = "Budget participatif", **fields: Any
) -> dict[str, Any]:
    """A draft members consultation closing in a week, unless `fields` say otherwise."""
    body = {"title": title, "visibility": "members", "closes_at": moment(timedelta(days=7))}
    response = author.post(f"/v1/groups/{group_id}/consultations", {**body, **fields})
    assert response.status_code == 201, response.data
    return response.data


def publish(manager: Any, consultation_id: str) -> dict[str, Any]:
    response = manager.post(f"/v1/consultations/{consultation_id}/publish")
    assert response.status_code == 200, response.data
    return response.data


def audit_log(admin: Any, group_id: str) -> list[dict[str, Any]]:
    """The group's audit events, oldest first."""
    response = admin.get(f"/v1/groups/{group_id}/audit?limit=100")
    assert response.status_code == 200, response.data
    return list(reversed(response.data["items"]))


def audit_actions(admin: Any, group_id: str) -> list[str]:
    return [event["action"] for event in audit_log(admin, group_id)]


# ---------------------------------------------------------------- what reaches DynamoDB


@dataclass(frozen=True)
class DynamoRequest:
    """One DynamoDB call as botocore sent it, and the answer it got."""

    operation: str
    params: dict[str, Any]
    response: dict[str, Any]

    def key_condition(self) -> set[tuple[str, str, str]]:
        """A Query's key condition as {(attribute, operator, value)}: `a = :v AND b <= :w`
        gives {("a", "=", v), ("b", "<=", w)} (`begins_with` is an operator too)."""
        names = self.params.get("ExpressionAttributeNames", {})
        values = self.params.get("ExpressionAttributeValues", {})
        found = set()
        for clause in re.split(r"\s+AND\s+", self.params["KeyConditionExpression"]):
            clause = clause.strip()
            while clause.startswith("(") and clause.count("(") > clause.count(")"):
                clause = clause[1:].strip()  # the opening of a parenthesised condition
            while clause.endswith(")") and clause.count(")") > clause.count("("):
                clause = clause[:-1].strip()  # and its closing
            comparison = re.fullmatch(r"(\S+)\s*(=|<=|<|>=|>)\s*(\S+)", clause)
            prefix = re.fullmatch(r"begins_with\s*\(\s*(\S+)\s*,\s*(\S+)\s*\)", clause)
            if comparison:
                name, operator, value = comparison.groups()
            elif prefix:
                (name, value), operator = prefix.groups(), "begins_with"
            else:
                raise AssertionError(f"unexpected key condition clause: {clause!r}")
            ((_, raw),) = values[value].items()
            found.add((names.get(name, name), operator, raw))
        return found

    def partition(self) -> str:
        """The table partition (pk) a Query reads."""
        [pk] = [value for name, operator, value in self.key_condition() if name == "pk"]
        return pk


@contextmanager
def dynamodb_requests() -> Iterator[list[DynamoRequest]]:
    """Record every DynamoDB call any botocore client makes inside this block."""
    requests: list[DynamoRequest] = []

    def recorded(operation: str, params: dict[str, Any], response: dict[str, Any] | None) -> None:
        if response is not None:
            requests.append(DynamoRequest(operation, params, response))

    with dynamodb_calls(recorded):
        yield requests


# ---------------------------------------------------------------- cursors


def sealed_cursor(first_page: Callable[[], Any], values: list[str]) -> str:
    """A cursor holding whatever key `values`, sealed with the Hub's own key: what only a bug
    (or the key's holder) could make, to reach the checks a key passes once decrypted. It is
    bound to the listing whose first page (an answer with a `next`) `first_page` asks for."""
    from chalicelib.store.cursors import Listing, seal

    bound: list[Listing] = []
    plain = Listing.associated_data

    def spied(listing: Listing) -> bytes:
        bound.append(listing)
        return plain.fget(listing)  # type: ignore[misc]

    Listing.associated_data = property(spied)  # type: ignore[method-assign,assignment]
    try:
        assert first_page().data["next"], "the listing has one page only"
    finally:
        Listing.associated_data = plain  # type: ignore[method-assign]
    [listing] = set(bound)
    return seal(listing, values)
