"""The permission policy: ONE table, (action, standing, visibility) -> allowed, and one
function that answers it. Every route asks `authorize`; tests walk every cell.

A caller who may not even read a resource is told it does not exist (404), never 403:
the existence of an unlisted group or a private consultation must not leak.
"""

from __future__ import annotations

from enum import StrEnum

from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.model import GroupVisibility
from chalicelib.domain.roles import STANDINGS, Outsider, Role, Standing


class Action(StrEnum):
    GROUP_READ = "group.read"
    GROUP_UPDATE = "group.update"
    GROUP_JOIN = "group.join"
    GROUP_LEAVE = "group.leave"
    MEMBERS_LIST = "members.list"
    MEMBER_SET_ROLE = "member.set_role"
    MEMBER_REMOVE = "member.remove"
    INVITATION_CREATE = "invitation.create"
    JOIN_REQUESTS_REVIEW = "join_requests.review"
    AUDIT_READ = "audit.read"


Visibility = GroupVisibility

LISTED, UNLISTED = GroupVisibility.LISTED, GroupVisibility.UNLISTED


def at_least(role: Role) -> frozenset[Standing]:
    return frozenset(r for r in Role if r.at_least(role))


EVERYONE: frozenset[Standing] = frozenset(STANDINGS)
MEMBERS = at_least(Role.OBSERVER)
ADMINS = at_least(Role.ADMIN)
NOBODY: frozenset[Standing] = frozenset()

# The table. A missing (action, visibility) pair allows nobody.
PERMISSIONS: dict[Action, dict[Visibility, frozenset[Standing]]] = {
    Action.GROUP_READ: {LISTED: EVERYONE, UNLISTED: MEMBERS},
    Action.GROUP_UPDATE: {LISTED: ADMINS, UNLISTED: ADMINS},
    # Joining is for signed-in outsiders; an unlisted group is reached by invitation only.
    Action.GROUP_JOIN: {LISTED: frozenset({Outsider.SIGNED_IN}), UNLISTED: NOBODY},
    Action.GROUP_LEAVE: {LISTED: MEMBERS, UNLISTED: MEMBERS},
    Action.MEMBERS_LIST: {LISTED: MEMBERS, UNLISTED: MEMBERS},
    Action.MEMBER_SET_ROLE: {LISTED: ADMINS, UNLISTED: ADMINS},
    Action.MEMBER_REMOVE: {LISTED: ADMINS, UNLISTED: ADMINS},
    Action.INVITATION_CREATE: {LISTED: ADMINS, UNLISTED: ADMINS},
    Action.JOIN_REQUESTS_REVIEW: {LISTED: ADMINS, UNLISTED: ADMINS},
    Action.AUDIT_READ: {LISTED: ADMINS, UNLISTED: ADMINS},
}

# The action that decides whether the resource an action touches is visible at all.
READ_ACTION: dict[Action, Action] = {action: Action.GROUP_READ for action in Action}


def is_allowed(action: Action, standing: Standing, visibility: Visibility) -> bool:
    return standing in PERMISSIONS[action].get(visibility, NOBODY)


def authorize(
    action: Action,
    standing: Standing,
    visibility: Visibility,
    *,
    not_found: type[NotFound] = NotFound,
) -> None:
    """Return if allowed; raise `not_found` when the caller may not even see the resource,
    `Forbidden` when they see it but their standing does not allow the action."""
    if is_allowed(action, standing, visibility):
        return
    if not is_allowed(READ_ACTION[action], standing, visibility):
        raise not_found()
    raise Forbidden()
