"""Associations and their people: groups, memberships, join requests, invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.roles import Role


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
    member_count: int = 1  # kept by every transaction that admits or removes a member

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


class InvitationStatus(StrEnum):
    USABLE = "usable"
    EXPIRED = "expired"
    USED_UP = "used_up"
    VOID = "void"  # its creator no longer holds the role it gives, or left (even if back)
    REVOKED = "revoked"  # withdrawn by an admin


@dataclass(frozen=True)
class Invitation:
    """A code that admits whoever holds it with `role`. It carries no more than its creator
    holds when it is accepted: a removed admin's invitations admit nobody (even once they
    are back: it rests on the membership they had), a demoted one's only up to their new
    role."""

    code: str
    group_id: str
    role: Role
    max_uses: int | None
    uses: int
    expires_at: datetime
    created_at: datetime
    created_by: str
    created_by_name: str = ""
    revoked_at: datetime | None = None
    # When the creator's membership began: the membership the invitation rests on (None for
    # invitations made before this was recorded).
    creator_joined_at: datetime | None = None
    # The address it was sent to (the notifier emails the link), if an admin named one.
    email: str | None = None

    def usable_at(self, now: datetime) -> bool:
        within_uses = self.max_uses is None or self.uses < self.max_uses
        return within_uses and now < self.expires_at and self.revoked_at is None

    @property
    def backing_roles(self) -> tuple[Role, ...]:
        """The roles its creator must still hold for it to admit anyone."""
        return tuple(role for role in Role if role.at_least(self.role))

    def backed_by(self, creator: Membership | None) -> bool:
        """Whether the creator's membership, as it stands, still backs the invitation."""
        return (
            creator is not None
            and creator.role in self.backing_roles
            and self.creator_joined_at in (None, creator.joined_at)
        )

    def status_at(self, now: datetime, creator: Membership | None) -> InvitationStatus:
        """What it does now, given its creator's membership in the group (None: none)."""
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if now >= self.expires_at:
            return InvitationStatus.EXPIRED
        if self.max_uses is not None and self.uses >= self.max_uses:
            return InvitationStatus.USED_UP
        if not self.backed_by(creator):
            return InvitationStatus.VOID
        return InvitationStatus.USABLE
