"""A small demo association for `make run DEMO=1`, made through the service layer.

Import this module only once the environment points at the embedded DynamoDB: importing
`chalicelib.services` binds the PynamoDB models to the configured table.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.model import Caller, Group, JoinPolicy
from chalicelib.domain.roles import Role
from chalicelib.services import groups, invitations, members

DEMO_GROUP_NAME = "Quartier des Tilleuls"
DEMO_GROUP_DESCRIPTION = (
    "Demo association: the residents of the Tilleuls neighbourhood consult each other "
    "on the square, the shared garden and the summer fête."
)

ADMIN = Caller("demo-admin", name="Camille (demo admin)")
# Everyone but the founder, with the role each joins with.
MEMBERS: tuple[tuple[Caller, Role], ...] = (
    (Caller("demo-moderator", name="Malik (demo moderator)"), Role.MODERATOR),
    (Caller("demo-alice", name="Alice (demo participant)"), Role.PARTICIPANT),
    (Caller("demo-bob", name="Bob (demo participant)"), Role.PARTICIPANT),
)


@dataclass(frozen=True)
class Demo:
    group: Group
    roles: dict[str, Role]  # token subject -> role in the demo group


def seed() -> Demo:
    """Create the demo association and its members, or complete what is missing.

    Safe to run again: the group is found by the admin's memberships, a member already in it
    is not invited twice, and a role that drifted is set back.
    """
    group = _demo_group() or _create_group()
    for user, role in MEMBERS:
        current = _role_in(user, group.id)
        if current is None:
            invitation = invitations.create(
                ADMIN, group.id, role=role, max_uses=1, expires_in_hours=1
            )
            current = invitations.accept(user, invitation.code).membership.role
        if current is not role:
            members.set_role(ADMIN, group.id, user.id, role)
    roles = {ADMIN.id: Role.ADMIN} | {user.id: role for user, role in MEMBERS}
    return Demo(group=group, roles=roles)


def _demo_group() -> Group | None:
    for membership, group in members.my_groups(ADMIN):
        if group.name == DEMO_GROUP_NAME and membership.role is Role.ADMIN:
            return group
    return None


def _create_group() -> Group:
    group, _founder = groups.create(
        ADMIN,
        name=DEMO_GROUP_NAME,
        description=DEMO_GROUP_DESCRIPTION,
        listed=True,
        join_policy=JoinPolicy.REQUEST,
    )
    return group


def _role_in(user: Caller, group_id: str) -> Role | None:
    for membership, group in members.my_groups(user):
        if group.id == group_id:
            return membership.role
    return None
