"""A small demo association for `make run DEMO=1`, made through the service layer.

Import this module only once the environment points at the embedded DynamoDB: importing
`chalicelib.services` binds the PynamoDB models to the configured table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.groups import Group, JoinPolicy
from chalicelib.domain.model import (
    Caller,
    ConsultationVisibility,
    DecisionFunction,
    FunctionType,
    Participation,
    PollOption,
    ResultsVisibility,
)
from chalicelib.domain.roles import Role
from chalicelib.services import consultations, debates, groups, invitations, memberships
from chalicelib.services.consultations import NewConsultation

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
            memberships.set_role(ADMIN, group.id, user.id, role)
    listed, _hosts = consultations.list_for_group(ADMIN, group.id, 1, None)
    if not listed.items:
        _seed_consultations(group)
    roles = {ADMIN.id: Role.ADMIN} | {user.id: role for user, role in MEMBERS}
    return Demo(group=group, roles=roles)


def _seed_consultations(group: Group) -> None:
    """A public consultation of residents, open for two weeks, with a vote and a poll; and
    a board meeting that only the admins see."""
    closes = clock.now() + timedelta(days=14)
    square = consultations.create(
        ADMIN,
        group.id,
        NewConsultation(
            title="Réaménagement du square",
            description="Que faire du square des Tilleuls ? Tous les habitants sont invités.",
            visibility=ConsultationVisibility.PUBLIC,
            audience=(),
            participation=Participation.SIGNED_IN,
            opens_at=None,
            closes_at=closes,
        ),
    )
    debates.create(
        ADMIN,
        square.consultation.id,
        title="Installer une aire de jeux",
        body="Le budget participatif couvrirait une aire de jeux pour les 3-10 ans.",
        function=DecisionFunction(
            type=FunctionType.VOTE,
            results_visibility=ResultsVisibility.AFTER_CLOSE,
            allow_change=True,
            quorum=10,
            threshold=0.5,
        ),
    )
    debates.create(
        ADMIN,
        square.consultation.id,
        title="Quel jour pour la fête d'été ?",
        body="Choisissez un ou deux jours.",
        function=DecisionFunction(
            type=FunctionType.POLL,
            options=(PollOption("o1", "Samedi 20 juin"), PollOption("o2", "Dimanche 21 juin")),
            min_choices=1,
            max_choices=2,
            results_visibility=ResultsVisibility.LIVE,
            allow_change=True,
        ),
    )
    consultations.publish(ADMIN, square.consultation.id)
    board = consultations.create(
        ADMIN,
        group.id,
        NewConsultation(
            title="Conseil d'administration",
            description="Réunion du bureau.",
            visibility=ConsultationVisibility.RESTRICTED,
            audience=(Role.ADMIN,),
            participation=Participation.MEMBERS,
            opens_at=None,
            closes_at=closes,
        ),
    )
    consultations.publish(ADMIN, board.consultation.id)


def _demo_group() -> Group | None:
    for membership, group in memberships.my_groups(ADMIN):
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
    for membership, group in memberships.my_groups(user):
        if group.id == group_id:
            return membership.role
    return None
