"""How resources look in responses. Only fields listed here ever leave the API."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.clock import to_iso
from chalicelib.domain.model import AuditEvent, Group, Invitation, JoinRequest, Membership
from chalicelib.domain.roles import Role


def group(value: Group, my_role: Role | None = None) -> dict[str, Any]:
    return {
        "id": value.id,
        "name": value.name,
        "description": value.description,
        "listed": value.listed,
        "join_policy": value.join_policy.value,
        "created_at": to_iso(value.created_at),
        "my_role": my_role.value if my_role else None,
    }


def membership(value: Membership) -> dict[str, Any]:
    return {
        "id": value.user_id,
        "group_id": value.group_id,
        "name": value.name,
        "role": value.role.value,
        "joined_at": to_iso(value.joined_at),
    }


def join_request(value: JoinRequest) -> dict[str, Any]:
    return {
        "id": value.user_id,
        "group_id": value.group_id,
        "name": value.name,
        "status": "pending",
        "requested_at": to_iso(value.requested_at),
    }


def invitation(value: Invitation, group_name: str | None = None) -> dict[str, Any]:
    body = {
        "code": value.code,
        "group_id": value.group_id,
        "role": value.role.value,
        "max_uses": value.max_uses,
        "uses": value.uses,
        "expires_at": to_iso(value.expires_at),
        "created_at": to_iso(value.created_at),
    }
    if group_name is not None:
        body["group_name"] = group_name
    return body


def audit_event(value: AuditEvent) -> dict[str, Any]:
    return {
        "id": value.id,
        "at": to_iso(value.at),
        "action": value.action,
        "actor": {"id": value.actor_id, "name": value.actor_name},
        "subject_id": value.subject_id,
        "details": value.details,
    }
