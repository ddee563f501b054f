"""Use cases of invitations: an admin creates a code; whoever holds it may join, with the
role it carries, until it expires, its uses run out or an admin revokes it, and only while
its creator still holds that role in the membership they had when they made it. Admins
list and revoke a group's invitations."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.audit import audit_event
from chalicelib.domain.errors import (
    AlreadyMember,
    GroupNotFound,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
)
from chalicelib.domain.groups import Group, Invitation, InvitationStatus, Membership
from chalicelib.domain.ids import looks_like_code, new_code
from chalicelib.domain.model import Caller
from chalicelib.domain.permissions import Action
from chalicelib.domain.roles import Role
from chalicelib.services.access import group_access
from chalicelib.settings import get_settings
from chalicelib.store import invitations as store
from chalicelib.store import memberships as membership_store
from chalicelib.store.access import read_group
from chalicelib.store.table import Page

DEFAULT_VALIDITY_HOURS = 7 * 24

# Whoever may create a group's invitations (its admins) may also see and revoke them.
MANAGE_INVITATIONS = Action.INVITATION_CREATE


def create(
    caller: Caller,
    group_id: str,
    *,
    role: Role,
    max_uses: int | None,
    expires_in_hours: int | None,
    email: str | None = None,
) -> Invitation:
    """An admin creates a code (the write checks they still are one; any role up to admin,
    which is theirs). With `email`, the notifier sends the link to that address."""
    access = group_access(group_id, caller, Action.INVITATION_CREATE, consistent=True)
    assert access.membership is not None  # only members may create invitations
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
        created_by_name=caller.display_name,
        creator_joined_at=access.membership.joined_at,
        email=email,
    )
    event = audit_event(
        group_id,
        caller,
        "invitation_created",
        code=invitation.code,
        role=role.value,
        max_uses=max_uses,
        expires_at=clock.to_iso(invitation.expires_at),
    )
    store.create_invitation(
        invitation, event, emails_per_day=get_settings().invitation_emails_per_day
    )
    return invitation


@dataclass(frozen=True)
class InvitationView:
    invitation: Invitation
    group: Group


_REFUSALS: dict[InvitationStatus, type[Exception]] = {
    InvitationStatus.REVOKED: InvitationRevoked,
    InvitationStatus.VOID: InvitationRevoked,
    InvitationStatus.EXPIRED: InvitationExpired,
    InvitationStatus.USED_UP: InvitationExpired,
}


def _usable(code: str) -> InvitationView:
    """The invitation and its group, if it would admit someone now: not revoked, expired or
    used up, and its creator still holds its role (one GetItem, one BatchGetItem)."""
    invitation = store.get_invitation(code, consistent=True) if looks_like_code(code) else None
    if invitation is None:
        raise InvitationNotFound()
    found = read_group(invitation.group_id, invitation.created_by, consistent=True)
    if found.group is None:
        raise InvitationNotFound()
    group = found.group
    status = invitation.status_at(clock.now(), found.membership)
    if status in _REFUSALS:
        raise _REFUSALS[status]()
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
    people accepting at once admit exactly one. The same transaction requires the creator
    to still hold the invitation's role and the invitation not to be revoked. A member
    accepting again changes nothing."""
    view = _usable(code)
    invitation = view.invitation
    existing = membership_store.get_membership(invitation.group_id, caller.id, consistent=True)
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
        membership_store.add_member(membership, event, invitation=invitation)
    except AlreadyMember:
        existing = membership_store.get_membership(invitation.group_id, caller.id, consistent=True)
        if existing is None:
            raise
        return Acceptance(existing, view.group, joined=False)
    except InvitationExpired:
        _usable(code)  # say why, as it now stands: revoked, expired or used up
        raise
    except GroupNotFound:
        raise InvitationNotFound() from None
    return Acceptance(membership, view.group, joined=True)


# ---------------------------------------------------------------- for the group's admins


@dataclass(frozen=True)
class ListedInvitation:
    invitation: Invitation
    status: InvitationStatus


def list_for_group(
    caller: Caller, group_id: str, limit: int, cursor: str | None
) -> Page[ListedInvitation]:
    """A group's invitations, newest first, with what each would do now (admins): one
    Query and one BatchGetItem of their creators' memberships. Revoked ones are not listed;
    expired ones are until DynamoDB's TTL removes them."""
    group_access(group_id, caller, MANAGE_INVITATIONS)
    page = store.list_invitations(group_id, limit, cursor)
    creators = membership_store.memberships_in(group_id, (i.created_by for i in page.items))
    now = clock.now()
    return Page(
        [ListedInvitation(i, i.status_at(now, creators.get(i.created_by))) for i in page.items],
        page.next,
    )


def revoke(caller: Caller, group_id: str, code: str) -> None:
    """An admin withdraws an invitation of their group: it admits nobody from now on.
    Revoking a revoked invitation changes nothing (and records nothing)."""
    group_access(group_id, caller, MANAGE_INVITATIONS, consistent=True)
    invitation = store.get_invitation(code, consistent=True) if looks_like_code(code) else None
    if invitation is None or invitation.group_id != group_id:
        raise InvitationNotFound()
    if invitation.revoked_at is not None:
        return
    event = audit_event(
        group_id,
        caller,
        "invitation_revoked",
        code=invitation.code,
        role=invitation.role.value,
        uses=invitation.uses,
        created_by=invitation.created_by,
    )
    # Revoked meanwhile by another admin (or gone with its TTL): the same outcome.
    with suppress(InvitationRevoked):
        store.revoke_invitation(invitation, event)
