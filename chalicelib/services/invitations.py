"""Use cases of invitations: an admin creates a code; whoever holds it may join, with the
role it carries, until it expires or its uses run out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.errors import (
    AlreadyMember,
    GroupNotFound,
    InvitationExpired,
    InvitationNotFound,
)
from chalicelib.domain.ids import looks_like_code, new_code
from chalicelib.domain.model import Caller, Group, Invitation, Membership
from chalicelib.domain.permissions import Action
from chalicelib.domain.roles import Role
from chalicelib.services.access import group_access
from chalicelib.services.groups import audit_event
from chalicelib.store import groups as group_store
from chalicelib.store import invitations as store

DEFAULT_VALIDITY_HOURS = 7 * 24


def create(
    caller: Caller,
    group_id: str,
    *,
    role: Role,
    max_uses: int | None,
    expires_in_hours: int | None,
) -> Invitation:
    group_access(group_id, caller, Action.INVITATION_CREATE, consistent=True)
    now = clock.now()
    invitation = Invitation(
        code=new_code(),
        group_id=group_id,
        role=role,
        max_uses=max_uses,
        uses=0,
        expires_at=now + timedelta(hours=expires_in_hours or DEFAULT_VALIDITY_HOURS),
        created_at=now,
        created_by=caller.id,
    )
    event = audit_event(
        group_id,
        caller,
        "invitation_created",
        role=role.value,
        max_uses=max_uses,
        expires_at=clock.to_iso(invitation.expires_at),
    )
    store.create_invitation(invitation, event)
    return invitation


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    group: Group


def _usable(code: str) -> InvitationView:
    invitation = store.get_invitation(code, consistent=True) if looks_like_code(code) else None
    if invitation is None:
        raise InvitationNotFound()
    group = group_store.get_group(invitation.group_id)
    if group is None:
        raise InvitationNotFound()
    if not invitation.usable_at(clock.now()):
        raise InvitationExpired()
    return InvitationView(invitation, group)


def preview(code: str) -> InvitationView:
    """What an invitation leads to (the group's name and the role), before accepting it."""
    return _usable(code)


@dataclass(frozen=True)
class Acceptance:
    membership: Membership
    group: Group
    joined: bool  # False when the caller was already a member: nothing changed


def accept(caller: Caller, code: str) -> Acceptance:
    """Join with a code. Uses are counted by a conditional write: with one use left, two
    people accepting at once admit exactly one. A member accepting again changes nothing."""
    view = _usable(code)
    invitation = view.invitation
    existing = group_store.get_membership(invitation.group_id, caller.id, consistent=True)
    if existing is not None:
        return Acceptance(existing, view.group, joined=False)
    membership = Membership(
        invitation.group_id, caller.id, caller.display_name, invitation.role, clock.now()
    )
    event = audit_event(
        invitation.group_id,
        caller,
        "member_joined",
        caller.id,
        via="invitation",
        role=invitation.role.value,
        invited_by=invitation.created_by,
    )
    try:
        group_store.add_member(membership, event, invitation_code=invitation.code)
    except AlreadyMember:
        existing = group_store.get_membership(invitation.group_id, caller.id, consistent=True)
        if existing is None:
            raise
        return Acceptance(existing, view.group, joined=False)
    except GroupNotFound:
        raise InvitationNotFound() from None
    return Acceptance(membership, view.group, joined=True)
