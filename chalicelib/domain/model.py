"""The Hub's vocabulary as plain data: no AWS, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.roles import Role


@dataclass(frozen=True)
class Caller:
    """Who is calling, from a verified token."""

    id: str
    name: str = ""
    email: str | None = None
    email_verified: bool = False
    identity_verified: bool = False

    @property
    def display_name(self) -> str:
        return self.name or self.id


class JoinPolicy(StrEnum):
    INVITE = "invite"  # only with an invitation code
    REQUEST = "request"  # anyone may ask; an admin approves
    OPEN = "open"  # anyone signed in joins at once, as participant


class GroupVisibility(StrEnum):
    LISTED = "listed"  # in the directory; anyone may read the group's page
    UNLISTED = "unlisted"  # invisible (404) to everyone but its members


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    description: str
    listed: bool
    join_policy: JoinPolicy
    created_at: datetime
    created_by: str
    admin_count: int = 1

    @property
    def visibility(self) -> GroupVisibility:
        return GroupVisibility.LISTED if self.listed else GroupVisibility.UNLISTED


@dataclass(frozen=True)
class Membership:
    group_id: str
    user_id: str
    name: str
    role: Role
    joined_at: datetime


@dataclass(frozen=True)
class JoinRequest:
    group_id: str
    user_id: str
    name: str
    requested_at: datetime


@dataclass(frozen=True)
class Invitation:
    code: str
    group_id: str
    role: Role
    max_uses: int | None
    uses: int
    expires_at: datetime
    created_at: datetime
    created_by: str

    def usable_at(self, now: datetime) -> bool:
        within_uses = self.max_uses is None or self.uses < self.max_uses
        return within_uses and now < self.expires_at


@dataclass(frozen=True)
class AuditEvent:
    """One entry of a group's audit log: who did what to whom."""

    group_id: str
    action: str
    actor_id: str
    actor_name: str
    at: datetime
    subject_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: str = ""
