"""Building associations with members of every role, through the API as users would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

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
