"""Use cases of membership: who is in a group, with which role, and leaving it."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.audit import audit_event
from chalicelib.domain.errors import MemberNotFound
from chalicelib.domain.groups import Group, Membership
from chalicelib.domain.ids import looks_like_user_id
from chalicelib.domain.model import Caller
from chalicelib.domain.permissions import Action
from chalicelib.domain.roles import Role
from chalicelib.services.access import group_access
from chalicelib.store import groups as group_store
from chalicelib.store import memberships as store
from chalicelib.store.table import Page


def list_members(caller: Caller, group_id: str, limit: int, cursor: str | None) -> Page[Membership]:
    group_access(group_id, caller, Action.MEMBERS_LIST)
    return store.list_members(group_id, limit, cursor)


def _member(group_id: str, user_id: str) -> Membership:
    membership = (
        store.get_membership(group_id, user_id, consistent=True)
        if looks_like_user_id(user_id)
        else None
    )
    if membership is None:
        raise MemberNotFound()
    return membership


def set_role(caller: Caller, group_id: str, user_id: str, role: Role) -> Membership:
    """An admin gives a member another role. The last admin cannot be demoted (409)."""
    group_access(group_id, caller, Action.MEMBER_SET_ROLE, consistent=True)
    current = _member(group_id, user_id)
    if current.role is role:
        return current
    event = audit_event(
        group_id,
        caller,
        "member_role_changed",
        user_id,
        **{"from": current.role.value, "to": role.value},
    )
    store.change_role(current, role, event)
    return replace(current, role=role)


def remove(caller: Caller, group_id: str, user_id: str) -> None:
    """An admin removes a member, or a member leaves. The last admin cannot go (409)."""
    leaving = user_id == caller.id
    access = group_access(group_id, caller, Action.GROUP_READ, consistent=True)
    if leaving:
        if access.membership is None:
            raise MemberNotFound()
        access.require(Action.GROUP_LEAVE)
        current = access.membership
        event = audit_event(group_id, caller, "member_left", user_id, role=current.role.value)
    else:
        access.require(Action.MEMBER_REMOVE)
        current = _member(group_id, user_id)
        event = audit_event(group_id, caller, "member_removed", user_id, role=current.role.value)
    store.remove_member(current, event)


def my_groups(caller: Caller) -> list[tuple[Membership, Group]]:
    """The caller's groups with their role, by group name: one Query and one batch read."""
    memberships = store.memberships_of_user(caller.id)
    groups = group_store.get_groups(m.group_id for m in memberships)
    pairs = [(m, groups[m.group_id]) for m in memberships if m.group_id in groups]
    return sorted(pairs, key=lambda pair: (pair[1].name.casefold(), pair[1].id))
