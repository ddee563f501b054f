"""The world of the permission walks, written out from the product's rules: the kinds of
consultation (one per context of the table, and a second restricted one), the callers, what
standing each caller holds towards what, and what refusal the table calls for.

Shared by the service-level walk (tests/services/test_permission_cells.py), which walks
every cell, and the HTTP walk (tests/api/test_consultation_permissions_http.py), which
proves each route is wired to its service with its success status. The expected answers come
from the product's rules as tests/unit/test_permissions.py writes them out by hand (which
also pins chalicelib/domain/permissions.py to them, cell by cell) and from the standings
written out below; never from the table the services read, nor from what they answer. So a
cell changed in the table alone fails the unit test there and the walks here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.groups import GroupVisibility
from chalicelib.domain.model import ConsultationContext
from chalicelib.domain.permissions import Action
from chalicelib.domain.roles import GrantRole, Outsider, PartnerRole, Relation, Role, Standing
from tests.unit.test_permissions import CONSULTATION_RULES, GROUP_RULES, parse

ROLES = ("observer", "participant", "author", "moderator", "admin")
DRAFT = ConsultationContext.DRAFT
RESTRICTED = ConsultationContext.RESTRICTED


@dataclass(frozen=True)
class Shape:
    """A consultation as its creator makes it, falling under one context of the table."""

    name: str
    context: ConsultationContext
    fields: dict[str, Any]

    @property
    def audience(self) -> tuple[str, ...]:
        return tuple(self.fields.get("audience", ()))

    def __str__(self) -> str:
        return self.name


# Every context, published except the draft. The draft is a public one: the shape most likely
# to leak before its time. The board meeting admits host admins only, so host observers to
# moderators hold no role in it; the second restricted shape admits every role, so that the
# table's restricted cells for those roles are walked too.
SHAPES = (
    Shape("draft", DRAFT, {"visibility": "public", "participation": "signed_in"}),
    Shape("restricted", RESTRICTED, {"visibility": "restricted", "audience": ["admin"]}),
    Shape("restricted-all", RESTRICTED, {"visibility": "restricted", "audience": list(ROLES)}),
    Shape("members", ConsultationContext.MEMBERS, {"visibility": "members"}),
    Shape(
        "public:members",
        ConsultationContext.PUBLIC_MEMBERS,
        {"visibility": "public", "participation": "members"},
    ),
    Shape(
        "public:signed_in",
        ConsultationContext.PUBLIC_SIGNED_IN,
        {"visibility": "public", "participation": "signed_in"},
    ),
    Shape(
        "public:verified",
        ConsultationContext.PUBLIC_VERIFIED,
        {"visibility": "public", "participation": "verified"},
    ),
)
SHAPE = {shape.name: shape for shape in SHAPES}

# The callers of the world, by what they are: `host:<role>` members of the host association,
# `partner:<role>` members of an accepted partner association, `grant:<role>` outsiders given a
# role in this one consultation, and the host author who created the consultation.
CALLERS = (
    "anonymous",
    "signed_in",
    "verified",
    *(f"host:{role}" for role in ROLES),
    "creator",
    *(f"partner:{role}" for role in ROLES),
    *(f"grant:{role}" for role in ROLES),
)
# Who created the world's debate: its creator standing then adds to their grant's.
DEBATE_CREATOR = "grant:author"
# Who hold the creator standing towards the consultation, and towards its debate. Towards a
# comment, to act on it (edit, delete), its author alone does; to read it, those of its debate.
CONSULTATION_CREATORS = frozenset({"creator"})
DEBATE_CREATORS = frozenset({"creator", DEBATE_CREATOR})

# (action, context) -> the standings the rules allow there, as written out by hand.
RULES = parse(GROUP_RULES, "group") | parse(CONSULTATION_RULES, "consultation")


def allows(
    action: Action, held: Iterable[Standing], context: ConsultationContext | GroupVisibility
) -> bool:
    """Whether the product's rules allow `action` to a caller holding `held` in `context`."""
    allowed = RULES[(action.value, context.value)]
    return any(standing.value in allowed for standing in held)


# What an act names: "consultation", "debate" or "comment".
Resource = str


def standings(caller: str, shape: Shape, *, creators: frozenset[str]) -> set[Standing]:
    """What `caller` holds towards a resource whose `creators` hold the creator standing,
    written out from the product's rules: a restricted consultation admits host admins and
    its audience, and no partner; grants count whatever the visibility; a creator holds the
    creator standing only while inside on one of those grounds (the world's creator, a host
    author, is outside the board meeting it created for the admins)."""
    if caller == "anonymous":
        return {Outsider.ANONYMOUS}
    held: set[Standing] = {Outsider.SIGNED_IN}
    if caller == "verified":
        held.add(Outsider.VERIFIED)
    kind, _, role_name = caller.partition(":")
    if caller == "creator":
        kind, role_name = "host", "author"
    restricted = shape.context is RESTRICTED
    if kind == "host" and (not restricted or role_name in ("admin", *shape.audience)):
        held.add(Role(role_name))
    if kind == "partner" and not restricted:
        held.add(PartnerRole.of(Role(role_name)))
    if kind == "grant":
        held.add(GrantRole.of(Role(role_name)))
    inside = bool(held - set(Outsider))
    if caller in creators and inside:
        held.add(Relation.CREATOR)
    return held


def kind_of(caller: str) -> str:
    return caller.partition(":")[0]


def reading_creators(resource: Resource) -> frozenset[str]:
    """Who count as creators when deciding whether the caller may read what an act names:
    a comment is read as its debate is."""
    return CONSULTATION_CREATORS if resource == "consultation" else DEBATE_CREATORS


def acting_standings(
    action: Action, resource: Resource, own: bool, caller: str, shape: Shape
) -> set[Standing]:
    """What `caller` holds for the action itself. On a comment, the creator standing is its
    author's alone, whoever they are (a resident in a public consultation included): the
    speaker is no caller; `own` acts are on the caller's own comment. The partner's moderators
    and admins hold the author's group's moderator standing on the comments of the partner's
    members. Whether they may still read it at all is decided as for its debate
    (`reading_creators`)."""
    if resource != "comment" or action is Action.DEBATE_READ:
        return standings(caller, shape, creators=reading_creators(resource))
    held = standings(caller, shape, creators=frozenset())
    if own:
        held.add(Relation.CREATOR)
    kind, _, role_name = caller.partition(":")
    if kind == "partner" and Role(role_name).at_least(Role.MODERATOR):
        # Every comment acted on speaks for the partner: the speaker's, and a partner's own.
        held.add(Relation.AUTHOR_GROUP_MODERATOR)
    return held


def takes_part(caller: str, shape: Shape) -> bool:
    """Whether `caller` may comment here: only they have comments of their own to act on."""
    held = standings(caller, shape, creators=DEBATE_CREATORS)
    return allows(Action.COMMENT_CREATE, held, shape.context)


# Taking part, whatever the act: refused as `not_eligible` to whoever sees the debate.
TAKING_PART = {
    Action.PARTICIPATE,
    Action.COMMENT_CREATE,
    Action.COMMENT_REACT,
    Action.COMMENT_FLAG,
}


def refusal(
    action: Action,
    resource: Resource,
    held: set[Standing],
    reading: set[Standing],
    context: ConsultationContext,
) -> tuple[int, str] | None:
    """The (status, error code) the table calls for, or None when a standing `held` allows
    the action: 404 when none of `reading` lets the caller even read what the act names, else
    403 (or the conflict the consultation's state raises first)."""
    if allows(action, held, context):
        return None
    read = Action.CONSULTATION_READ if resource == "consultation" else Action.DEBATE_READ
    if not allows(read, reading, context):
        return 404, f"{resource}_not_found"
    if action is Action.CONSULTATION_PUBLISH and context is not DRAFT:
        return 409, "already_published"
    if action in TAKING_PART:
        return (409, "not_open") if context is DRAFT else (403, "not_eligible")
    return 403, "forbidden"
