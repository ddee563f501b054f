"""How resources look in responses. Only fields listed here ever leave the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.ballots import describe
from chalicelib.domain.clock import to_iso
from chalicelib.domain.model import (
    Addendum,
    AuditEvent,
    Block,
    Comment,
    Consultation,
    Debate,
    DecisionFunction,
    Grant,
    Group,
    Invitation,
    JoinRequest,
    Membership,
)
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


def listed_invitation(value: Invitation, status: str) -> dict[str, Any]:
    """An invitation in its group's list (admins): with who made it and what it does now."""
    return invitation(value) | {
        "created_by": {"id": value.created_by, "name": value.created_by_name},
        "status": status,
    }


def audit_event(value: AuditEvent) -> dict[str, Any]:
    return {
        "id": value.id,
        "at": to_iso(value.at),
        "action": value.action,
        "actor": {"id": value.actor_id, "name": value.actor_name},
        "subject_id": value.subject_id,
        "details": value.details,
    }


def consultation(value: Consultation, now: datetime) -> dict[str, Any]:
    return {
        "id": value.id,
        "group_id": value.group_id,
        "title": value.title,
        "description": value.description,
        "visibility": value.visibility.value,
        "audience": [role.value for role in value.audience],
        "participation": value.participation.value,
        "status": value.status_at(now).value,
        "opens_at": _iso(value.opens_at),
        "closes_at": to_iso(value.closes_at),
        "published_at": _iso(value.published_at),
        "closed_at": _iso(value.closed_at),
        "finalised_at": _iso(value.finalised_at),
        "created_at": to_iso(value.created_at),
        "created_by": value.created_by,
        "partners": [
            {"group_id": group_id, "status": status.value}
            for group_id, status in sorted(value.partners.items())
        ],
    }


def grant(value: Grant) -> dict[str, Any]:
    return {
        "id": value.user_id,
        "consultation_id": value.consultation_id,
        "role": value.role.value,
        "granted_at": to_iso(value.granted_at),
        "granted_by": value.granted_by,
    }


def decision_function(value: DecisionFunction) -> dict[str, Any]:
    return describe(value)


def debate(value: Debate, parent: Consultation, now: datetime) -> dict[str, Any]:
    """A debate inherits its consultation's status and dates."""
    return {
        "id": value.id,
        "consultation_id": value.consultation_id,
        "title": value.title,
        "body": value.body,
        "function": decision_function(value.function),
        "status": parent.status_at(now).value,
        "opens_at": _iso(parent.opens_at or parent.published_at),
        "closes_at": to_iso(parent.closes_at),
        "created_at": to_iso(value.created_at),
        "created_by": value.created_by,
        "updated_at": _iso(value.updated_at),
        "addenda": [addendum(a) for a in value.addenda],
    }


def addendum(value: Addendum) -> dict[str, Any]:
    return {
        "body": value.body,
        "author": {"id": value.author_id, "name": value.author_name},
        "added_at": to_iso(value.added_at),
    }


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment else None


def comment(value: Comment, *, reacted: bool, full: bool) -> dict[str, Any]:
    """A comment as one caller sees it. `full`: its author or a moderator — who see hidden
    text; moderators also see flags and earlier versions (added by `moderated_comment`).
    Deleted comments stay as placeholders; hidden ones show others only the reason."""
    body: dict[str, Any] = {
        "id": value.id,
        "debate_id": value.debate_id,
        "parent_id": value.parent_id,
        "author": {"id": value.author_id, "name": value.author_name},
        "stance": value.stance.value,
        "body": value.body,
        "created_at": to_iso(value.created_at),
        "edited_at": _iso(value.edited_at),
        "reactions": value.reactions,
        "replies": value.replies,
        "reacted": reacted,
        "hidden": value.hidden,
        "hidden_reason": value.hidden_reason,
        "deleted": value.deleted,
    }
    if value.deleted:
        body |= {"body": None, "author": None, "edited_at": None}
    elif value.hidden and not full:
        body["body"] = None
    return body


def moderated_comment(value: Comment) -> dict[str, Any]:
    return comment(value, reacted=False, full=True) | {
        "flags": value.flags,
        "flag_reasons": dict(value.flag_reasons),
        "history": [
            {"body": version.body, "written_at": to_iso(version.written_at)}
            for version in value.history
        ],
    }


def block(value: Block) -> dict[str, Any]:
    return {
        "group_id": value.group_id,
        "user_id": value.user_id,
        "reason": value.reason,
        "until": _iso(value.until),
        "blocked_by": value.blocked_by,
        "blocked_at": to_iso(value.blocked_at),
    }
