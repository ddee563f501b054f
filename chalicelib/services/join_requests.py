"""Joining a group: at once when it is open, by a request its admins review when it asks
for one (an invitation-only group is joined by invitation: services/invitations.py)."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import clock
from chalicelib.domain.audit import audit_event
from chalicelib.domain.errors import AlreadyMember, InviteOnly, JoinRequestNotFound
from chalicelib.domain.groups import JoinPolicy, JoinRequest, Membership
from chalicelib.domain.ids import looks_like_user_id
from chalicelib.domain.model import Caller
from chalicelib.domain.permissions import Action
from chalicelib.domain.roles import Role
from chalicelib.services.access import group_access
from chalicelib.store import join_requests as store
from chalicelib.store import memberships as membership_store
from chalicelib.store.table import Page


@dataclass(frozen=True)
class JoinOutcome:
    membership: Membership | None = None  # joined at once (open group)
    request: JoinRequest | None = None  # waiting for an admin (request policy)


def join(caller: Caller, group_id: str) -> JoinOutcome:
    """Join an open group at once, or ask to join one that reviews requests."""
    access = group_access(group_id, caller, Action.GROUP_READ)
    if access.membership is not None:
        raise AlreadyMember()
    access.require(Action.GROUP_JOIN)
    group = access.group
    if group.join_policy is JoinPolicy.INVITE:
        raise InviteOnly()
    now = clock.now()
    if group.join_policy is JoinPolicy.REQUEST:
        request = JoinRequest(group.id, caller.id, caller.display_name, now)
        if not store.put_join_request(request):
            request = store.get_join_request(group.id, caller.id) or request
        return JoinOutcome(request=request)
    membership = Membership(group.id, caller.id, caller.display_name, Role.PARTICIPANT, now)
    event = audit_event(
        group.id, caller, "member_joined", caller.id, via="open", role="participant"
    )
    membership_store.add_member(membership, event)
    return JoinOutcome(membership=membership)


def join_requests(
    caller: Caller, group_id: str, limit: int, cursor: str | None
) -> Page[JoinRequest]:
    group_access(group_id, caller, Action.JOIN_REQUESTS_REVIEW)
    return store.list_join_requests(group_id, limit, cursor)


def approve_join_request(caller: Caller, group_id: str, user_id: str) -> Membership:
    group_access(group_id, caller, Action.JOIN_REQUESTS_REVIEW, consistent=True)
    request = store.get_join_request(group_id, user_id) if looks_like_user_id(user_id) else None
    if request is None:
        raise JoinRequestNotFound()
    membership = Membership(group_id, user_id, request.name, Role.PARTICIPANT, clock.now())
    event = audit_event(
        group_id, caller, "member_joined", user_id, via="request", role="participant"
    )
    membership_store.add_member(membership, event, join_request_of=user_id)
    return membership


def reject_join_request(caller: Caller, group_id: str, user_id: str) -> None:
    group_access(group_id, caller, Action.JOIN_REQUESTS_REVIEW, consistent=True)
    if not looks_like_user_id(user_id):
        raise JoinRequestNotFound()
    event = audit_event(group_id, caller, "join_request_rejected", user_id)
    store.reject_join_request(group_id, user_id, event)
