"""Finding a group and the caller's standing in it, then asking the permission table."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import GroupNotFound
from chalicelib.domain.ids import looks_like_id
from chalicelib.domain.model import Caller, Group, Membership
from chalicelib.domain.permissions import Action, authorize
from chalicelib.domain.roles import Outsider, Standing
from chalicelib.store import groups as store


@dataclass(frozen=True)
class GroupAccess:
    group: Group
    membership: Membership | None
    standing: Standing

    def require(self, action: Action) -> None:
        authorize(action, self.standing, self.group.visibility, not_found=GroupNotFound)


def standing(caller: Caller | None, membership: Membership | None) -> Standing:
    if membership is not None:
        return membership.role
    return Outsider.SIGNED_IN if caller is not None else Outsider.ANONYMOUS


def group_access(
    group_id: str, caller: Caller | None, action: Action, *, consistent: bool = False
) -> GroupAccess:
    """The group, the caller's membership and standing, once `action` is allowed.

    `consistent` reads are for changes: decisions about roles use the latest state.
    """
    if not looks_like_id(group_id):
        raise GroupNotFound()
    if caller is None:
        group, membership = store.get_group(group_id, consistent=consistent), None
    else:
        group, membership = store.get_group_and_membership(
            group_id, caller.id, consistent=consistent
        )
    if group is None:
        raise GroupNotFound()
    access = GroupAccess(group, membership, standing(caller, membership))
    access.require(action)
    return access
