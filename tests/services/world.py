"""Building the walks' worlds through the services, as the routes would (no HTTP: a world
is built in a fraction of the time), on whatever moto table is current."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.domain import clock
from chalicelib.domain.consultations import ConsultationChanges
from chalicelib.domain.decisions import decision_function
from chalicelib.domain.deliberation import Comment, Stance
from chalicelib.domain.groups import JoinPolicy
from chalicelib.domain.ids import new_comment_id
from chalicelib.domain.model import Caller, ConsultationVisibility, FunctionType, Participation
from chalicelib.domain.roles import Relation, Role
from chalicelib.services import consultations, debates, grants, groups, invitations
from chalicelib.services.consultations import NewConsultation
from chalicelib.store import comments as comment_store
from tests.services.cells import (
    CONSULTATION_CREATORS,
    DEBATE_CREATOR,
    DRAFT,
    ROLES,
    Shape,
    standings,
)


def person(sub: str, **claims: object) -> Caller:
    return Caller(id=sub, name=sub.title(), **claims)  # type: ignore[arg-type]


def create_group(
    admin: Caller,
    name: str = "Les Amis du Parc",
    *,
    listed: bool = True,
    join_policy: JoinPolicy = JoinPolicy.INVITE,
) -> str:
    group, _ = groups.create(
        admin, name=name, description="", listed=listed, join_policy=join_policy
    )
    return group.id


def add_member(admin: Caller, group_id: str, sub: str, role: str) -> Caller:
    """`sub` joins with an invitation of `role` made by `admin`, as through the API."""
    user = person(sub)
    invitation = invitations.create(
        admin, group_id, role=Role(role), max_uses=1, expires_in_hours=None
    )
    assert invitations.accept(user, invitation.code).membership.role is Role(role)
    return user


def group_with_every_role(
    *, prefix: str = "", name: str = "Les Amis du Parc", **fields: object
) -> tuple[str, dict[str, Caller | None]]:
    """A group whose members hold each role (sub = prefix + role), plus an outsider and an
    anonymous caller (None). The founder is `<prefix>admin`."""
    admin = person(f"{prefix}admin")
    group_id = create_group(admin, name, **fields)  # type: ignore[arg-type]
    users: dict[str, Caller | None] = {"admin": admin}
    for role in ROLES[:-1]:
        users[role] = add_member(admin, group_id, f"{prefix}{role}", role)
    users["signed_in"] = person(f"{prefix}outsider")
    users["anonymous"] = None
    return group_id, users


def in_a_week() -> datetime:
    return clock.now() + timedelta(days=7)


def new_consultation(title: str, **fields: object) -> NewConsultation:
    """A members consultation closing in a week, unless `fields` say otherwise."""
    return NewConsultation(
        title=title,
        description="",
        visibility=ConsultationVisibility(fields.get("visibility", "members")),
        audience=tuple(Role(r) for r in fields.get("audience", ())),  # type: ignore[attr-defined]
        participation=Participation(fields.get("participation", "members")),
        opens_at=None,
        closes_at=in_a_week(),
    )


VOTE = decision_function(FunctionType.VOTE)


# ---------------------------------------------------------------- the consultation walks' world


@dataclass
class World:
    host: str
    partner: str
    third: str  # an association with no part in anything, to be invited
    callers: dict[str, Caller | None]  # caller (see cells.CALLERS) -> who they are
    speaker: str  # a member of the partner association, whose comments the callers act on
    shape: Shape | None = None
    consultation: str = ""  # of `shape`, with its grants, partner and debate
    debate: str = ""
    comment: str = ""  # the speaker's, in the debate
    spare: str = ""  # another of the speaker's
    own: dict[str, str] = field(default_factory=dict)  # caller -> a comment of their own

    def caller(self, name: str) -> Caller:
        found = self.callers[name]
        assert found is not None, name
        return found


def build_world() -> World:
    host, host_users = group_with_every_role(prefix="host-", name="Les Amis du Parc")
    partner, partner_users = group_with_every_role(prefix="partner-", name="Quartier")
    host_admin = host_users["admin"]
    assert host_admin is not None
    callers: dict[str, Caller | None] = {
        "anonymous": None,
        "signed_in": person("outsider"),
        "verified": person("verified-outsider", email="x@example.org", email_verified=True),
        "creator": add_member(host_admin, host, "host-creator", "author"),
    }
    for role in ROLES:
        callers[f"host:{role}"] = host_users[role]
        callers[f"partner:{role}"] = partner_users[role]
        callers[f"grant:{role}"] = person(f"grant-{role}")
    # The speaker belongs to the partner: its moderators, whom the table lets moderate, act on
    # their own members' comments only (tests/api/test_comments.py walks that rule).
    partner_admin = partner_users["admin"]
    assert partner_admin is not None
    speaker = add_member(partner_admin, partner, "partner-speaker", "participant")
    third = create_group(person("third-admin"), "Troisième association")
    return World(host, partner, third, callers, speaker.id)


def prepare(world: World, shape: Shape) -> None:
    """A consultation of `shape`, created by the creator, with a grant of each role, the
    partner association accepted, one vote debate opened by the grant holder of author, and
    two comments of the speaker's in it."""
    admin, creator = world.caller("host:admin"), world.caller("creator")
    fields = dict(shape.fields)
    if shape.audience and "author" not in shape.audience:
        # Nobody creates a board meeting that leaves them out: the creator (an author) makes
        # it with authors inside, and the admin narrows it while it is a draft.
        fields["audience"] = [*shape.audience, "author"]
    # A board meeting takes no new partner: the partner is accepted while it is drafted for
    # members, then it becomes what it is.
    restricted = fields.get("visibility") == "restricted"
    drafted = {k: v for k, v in fields.items() if k != "audience"} if restricted else fields
    if restricted:
        drafted["visibility"] = "members"
    created = consultations.create(creator, world.host, new_consultation("Assemblée", **drafted))
    consultation = created.consultation.id
    consultations.invite_partner(admin, consultation, world.partner)
    consultations.accept_partnership(world.caller("partner:admin"), consultation, world.partner)
    if restricted:
        reshaped = ConsultationChanges(
            visibility=ConsultationVisibility.RESTRICTED,
            audience=tuple(Role(r) for r in fields["audience"]),
        )
        consultations.update(creator, consultation, reshaped)
    if fields != shape.fields:
        narrowed = ConsultationChanges(audience=tuple(Role(r) for r in shape.audience))
        consultations.update(admin, consultation, narrowed)
    for role in ROLES:
        grants.set_grant(admin, consultation, f"grant-{role}", Role(role))
    debate = debates.create(
        world.caller(DEBATE_CREATOR), consultation, title="Motion", body="", function=VOTE
    ).debate
    if shape.context is not DRAFT:
        # Its creator publishes it, unless they are outside it once published.
        inside = Relation.CREATOR in standings("creator", shape, creators=CONSULTATION_CREATORS)
        consultations.publish(creator if inside else admin, consultation)
    world.shape, world.consultation, world.debate = shape, consultation, debate.id
    world.comment = write_comment(world.debate, world.speaker, world.partner)
    world.spare = write_comment(world.debate, world.speaker, world.partner)
    world.own = {}


def write_comment(debate: str, author: str, partner: str | None) -> str:
    """A new comment in `debate` by `author` (speaking for `partner`, if named),
    written straight to the table: a draft takes no comment (nobody takes part in it), yet
    the acts on its comments are walked."""
    comment = Comment(
        id=new_comment_id(debate),
        debate_id=debate,
        parent_id=None,
        author_id=author,
        author_name=author.title(),
        author_group=partner,
        body="Un argument",
        stance=Stance.PRO,
        created_at=clock.now(),
    )
    comment_store.create(comment)
    return comment.id


def own_comment(world: World, caller: str) -> str:
    if caller not in world.own:
        partner = world.partner if caller.startswith("partner:") else None
        world.own[caller] = write_comment(world.debate, world.caller(caller).id, partner)
    return world.own[caller]


def _moto_table():  # type: ignore[no-untyped-def]
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.settings import get_settings

    settings = get_settings()
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][settings.region].tables[settings.table]


def forget_stream() -> None:
    """Drop the records of the table's stream. moto copies the whole table, stream included,
    to roll back a failed transaction: the walks read no stream, and with its records left to
    pile up, every transaction would cost more than the last."""
    table = _moto_table()
    if table.stream_shard is not None:
        table.stream_shard.items.clear()


def without_stream() -> None:
    """Stop the table's stream for good, for walks that read none: no record is kept, so
    none is copied with the table at each transaction (see `forget_stream`)."""
    _moto_table().stream_shard = None
