"""Use cases of a group (an association): create, read, list, update."""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.domain import clock
from chalicelib.domain.audit import audit_event
from chalicelib.domain.groups import Group, JoinPolicy, Membership
from chalicelib.domain.ids import new_id
from chalicelib.domain.model import Caller
from chalicelib.domain.permissions import Action
from chalicelib.domain.roles import Role
from chalicelib.services.access import GroupAccess, group_access
from chalicelib.store import groups as store
from chalicelib.store.table import Page


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
        member_count=1,
    )
    founder = Membership(group.id, caller.id, caller.display_name, Role.ADMIN, now)
    event = audit_event(group.id, caller, "group_created", name=name, listed=listed)
    store.create_group(group, founder, event)
    return group, founder


def get(caller: Caller | None, group_id: str) -> GroupAccess:
    """The association, the caller's role in it and whether they follow it: one read."""
    return group_access(group_id, caller, Action.GROUP_READ, follow=True)


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
