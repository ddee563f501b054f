"""Use cases of a group (an association): create, read, list, update, join, the join
requests an admin reviews, and the audit log."""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.domain import clock
from chalicelib.domain.errors import (
    AlreadyMember,
    InviteOnly,
    JoinRequestNotFound,
)
from chalicelib.domain.ids import looks_like_user_id, new_id
from chalicelib.domain.model import (
    AuditEvent,
    Caller,
    Group,
    JoinPolicy,
    JoinRequest,
    Membership,
)
from chalicelib.domain.permissions import Action
from chalicelib.domain.roles import Role
from chalicelib.services.access import GroupAccess, group_access
from chalicelib.store import groups as store
from chalicelib.store.table import Page


def audit_event(
    access_group_id: str,
    actor: Caller,
    action: str,
    subject_id: str | None = None,
    **details: object,
) -> AuditEvent:
    return AuditEvent(
        group_id=access_group_id,
        action=action,
        actor_id=actor.id,
        actor_name=actor.display_name,
        at=clock.now(),
        subject_id=subject_id,
        details=details,
    )


def create(
    caller: Caller, *, name: str, description: str, listed: bool, join_policy: JoinPolicy
) -> tuple[Group, Membership]:
    """Found an association; the founder is its first admin."""
    now = clock.now()
    group = Group(
        id=new_id(),
        name=name,
        description=description,
        listed=listed,
        join_policy=join_policy,
        created_at=now,
        created_by=caller.id,
        admin_count=1,
    )
    founder = Membership(group.id, caller.id, caller.display_name, Role.ADMIN, now)
    event = audit_event(group.id, caller, "group_created", name=name, listed=listed)
    store.create_group(group, founder, event)
    return group, founder


def get(caller: Caller | None, group_id: str) -> GroupAccess:
    return group_access(group_id, caller, Action.GROUP_READ)


def directory(limit: int, cursor: str | None) -> Page[Group]:
    """Listed associations, by name."""
    return store.list_listed_groups(limit, cursor)


@dataclass(frozen=True)
class GroupChanges:
    name: str | None = None
    description: str | None = None
    listed: bool | None = None
    join_policy: JoinPolicy | None = None


def update(caller: Caller, group_id: str, changes: GroupChanges) -> GroupAccess:
    access = group_access(group_id, caller, Action.GROUP_UPDATE, consistent=True)
    before = access.group
    wanted = {field: value for field, value in vars(changes).items() if value is not None}
    after = replace(before, **wanted)
    changed = {
        field: {"from": _plain(getattr(before, field)), "to": _plain(getattr(after, field))}
        for field in wanted
        if getattr(before, field) != getattr(after, field)
    }
    if changed:
        store.update_group(before, after, audit_event(group_id, caller, "group_updated", **changed))
    return replace(access, group=after)


def _plain(value: object) -> object:
    return value.value if isinstance(value, JoinPolicy) else value


# ---------------------------------------------------------------- joining


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
    store.add_member(membership, event)
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
    store.add_member(membership, event, join_request_of=user_id)
    return membership


def reject_join_request(caller: Caller, group_id: str, user_id: str) -> None:
    group_access(group_id, caller, Action.JOIN_REQUESTS_REVIEW, consistent=True)
    if not looks_like_user_id(user_id):
        raise JoinRequestNotFound()
    event = audit_event(group_id, caller, "join_request_rejected", user_id)
    store.reject_join_request(group_id, user_id, event)


# ---------------------------------------------------------------- audit log


def audit_log(caller: Caller, group_id: str, limit: int, cursor: str | None) -> Page[AuditEvent]:
    group_access(group_id, caller, Action.AUDIT_READ)
    return store.list_audit_events(group_id, limit, cursor)
