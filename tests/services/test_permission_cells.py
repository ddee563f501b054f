"""Every cell of the permission table, at the service level: each service a route calls is
called directly, as every standing a caller can hold, in every context, and answers what the
table says. Allowed: no refusal. Refused: the refusal the table implies (404 when the caller
may not even read what the act names, else 403, or the conflict the state raises first),
compared by the HubError's status and code, and not one write sent to DynamoDB.

The routes themselves (auth, body, success status) are HTTP's: every route answers 401
without a token and refuses every kind of caller the rules refuse in
tests/api/test_attacker_pass.py; tests/api/test_consultation_permissions_http.py and
test_permissions_http.py show each route calls its service, through a sample of callers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from moto import mock_aws

from chalicelib.domain.consultations import ConsultationChanges
from chalicelib.domain.deliberation import FlagReason, Stance
from chalicelib.domain.errors import HubError, PartnershipNotFound, ValidationFailed
from chalicelib.domain.groups import GroupVisibility, JoinPolicy
from chalicelib.domain.model import Caller, ConsultationContext
from chalicelib.domain.permissions import (
    CONSULTATION_ACTIONS,
    GROUP_ACTIONS,
    PERMISSIONS,
    Action,
)
from chalicelib.domain.roles import (
    GROUP_STANDINGS,
    GrantRole,
    Outsider,
    PartnerRole,
    Relation,
    Role,
)
from chalicelib.services import (
    audit,
    ballots,
    comments,
    consultations,
    debates,
    grants,
    groups,
    invitations,
    join_requests,
    memberships,
    moderation,
    reactions,
)
from tests.api.helpers import dynamodb_requests
from tests.services.cells import (
    CALLERS,
    DEBATE_CREATORS,
    DRAFT,
    SHAPES,
    Resource,
    acting_standings,
    allows,
    kind_of,
    reading_creators,
    refusal,
    standings,
    takes_part,
)
from tests.services.world import (
    VOTE,
    World,
    add_member,
    build_world,
    group_with_every_role,
    new_consultation,
    own_comment,
    prepare,
    without_stream,
    write_comment,
)

WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


def outcome(act: Callable[..., object], *args: object) -> tuple[tuple[int, str] | None, list[str]]:
    """What the service answered (None, or the refusal's status and code) and the writes it
    sent to DynamoDB."""
    with dynamodb_requests() as sent:
        try:
            act(*args)
            refused = None
        except HubError as error:
            refused = (error.status, error.code)
    return refused, [request.operation for request in sent if request.operation in WRITES]


# ---------------------------------------------------------------- consultation actions


def past_the_table(world: World, run: Callable[[], object]) -> None:
    """A board meeting takes no partner: once the role table let the caller manage partners,
    inviting one is refused for the consultation's shape (422 `restricted_partner`), and so
    there is none to withdraw (404). Those refusals say the table let the caller through."""
    board = world.shape is not None and world.shape.fields.get("visibility") == "restricted"
    try:
        run()
    except ValidationFailed as error:
        if not (board and [d.key for d in error.details or []] == ["restricted_partner"]):
            raise
    except PartnershipNotFound:
        if not board:
            raise


@dataclass(frozen=True)
class Act:
    """One service call a route makes: `run(world, caller, me)` with `me` the caller's name."""

    name: str
    resource: Resource
    run: Callable[[World, Caller | None, str], object]
    own: bool = False  # on the caller's own comment
    needs_token: bool = True  # its route declares bearer auth: anonymous never reaches it

    def __str__(self) -> str:
        return self.name


def _me(caller: Caller | None) -> Caller:
    assert caller is not None  # acts needing a token are not walked by anonymous callers
    return caller


# Each action's service calls, run in this order for each caller. State-changing acts leave
# the world as they found it for the next caller: partners invited are withdrawn, grants
# target the caller's own user id and are removed, a consultation published or closed is
# replaced (see the test), reactions are withdrawn, a hidden comment is restored; flags (one
# per caller) fall on a spare comment, and a comment deleted is replaced.
ACTS: dict[Action, tuple[Act, ...]] = {
    Action.CONSULTATION_READ: (
        Act(
            "consultations.get",
            "consultation",
            lambda w, c, _: consultations.get(c, w.consultation),
            needs_token=False,
        ),
    ),
    Action.CONSULTATION_UPDATE: (
        Act(
            "consultations.update",
            "consultation",
            lambda w, c, _: consultations.update(
                _me(c), w.consultation, ConsultationChanges(description="Ordre du jour")
            ),
        ),
    ),
    Action.CONSULTATION_PUBLISH: (
        Act(
            "consultations.publish",
            "consultation",
            lambda w, c, _: consultations.publish(_me(c), w.consultation),
        ),
    ),
    Action.CONSULTATION_CLOSE: (
        Act(
            "consultations.close",
            "consultation",
            lambda w, c, _: consultations.close(_me(c), w.consultation, "Quorum atteint"),
        ),
    ),
    Action.PARTNERS_MANAGE: (
        Act(
            "consultations.invite_partner",
            "consultation",
            lambda w, c, _: past_the_table(
                w, lambda: consultations.invite_partner(_me(c), w.consultation, w.third)
            ),
        ),
        Act(
            "consultations.withdraw_partner",
            "consultation",
            lambda w, c, _: past_the_table(
                w, lambda: consultations.withdraw_partner(_me(c), w.consultation, w.third)
            ),
        ),
    ),
    Action.GRANTS_MANAGE: (
        Act(
            "grants.set_grant",
            "consultation",
            lambda w, c, _: grants.set_grant(
                _me(c), w.consultation, f"target-{_me(c).id}", Role.OBSERVER
            ),
        ),
        Act(
            "grants.list_grants",
            "consultation",
            lambda w, c, _: grants.list_grants(_me(c), w.consultation, 10, None),
        ),
        Act(
            "grants.remove_grant",
            "consultation",
            lambda w, c, _: grants.remove_grant(_me(c), w.consultation, f"target-{_me(c).id}"),
        ),
    ),
    Action.DEBATE_CREATE: (
        Act(
            "debates.create",
            "consultation",
            lambda w, c, _: debates.create(
                _me(c), w.consultation, title="Nouvelle motion", body="", function=VOTE
            ),
        ),
    ),
    Action.DEBATE_READ: (
        Act("debates.get", "debate", lambda w, c, _: debates.get(c, w.debate), needs_token=False),
        Act(
            "debates.list_debates",
            "consultation",
            lambda w, c, _: debates.list_debates(c, w.consultation, 1, None),
            needs_token=False,
        ),
        Act(
            "comments.list_comments",
            "debate",
            lambda w, c, _: comments.list_comments(
                c, w.debate, sort="new", stance=None, limit=1, cursor=None
            ),
            needs_token=False,
        ),
        Act(
            "comments.get", "comment", lambda w, c, _: comments.get(c, w.comment), needs_token=False
        ),
        Act(
            "comments.list_replies",
            "comment",
            lambda w, c, _: comments.list_replies(c, w.comment, 10, None),
            needs_token=False,
        ),
    ),
    # Once published, a debate's question is frozen (debate_locked, see
    # tests/api/test_debates.py); those who may change it add addenda, in every context.
    Action.DEBATE_UPDATE: (
        Act(
            "debates.add_addendum",
            "debate",
            lambda w, c, _: debates.add_addendum(_me(c), w.debate, "Précision"),
        ),
    ),
    Action.PARTICIPATE: (
        Act("ballots.cast", "debate", lambda w, c, _: ballots.cast(_me(c), w.debate, choice="yes")),
    ),
    Action.COMMENT_CREATE: (
        Act(
            "comments.create",
            "debate",
            lambda w, c, _: comments.create(
                _me(c), w.debate, body="J'y suis favorable.", stance=Stance.PRO, parent_id=None
            ),
        ),
    ),
    Action.COMMENT_REACT: (
        Act("reactions.react", "comment", lambda w, c, _: reactions.react(_me(c), w.comment)),
        Act("reactions.unreact", "comment", lambda w, c, _: reactions.unreact(_me(c), w.comment)),
    ),
    Action.COMMENT_FLAG: (
        Act(
            "reactions.flag",
            "comment",
            lambda w, c, _: reactions.flag(_me(c), w.spare, FlagReason.OFF_TOPIC),
        ),
    ),
    # Acts on another's comment first: walked by everyone, they exercise every cell but the
    # creator's; on one's own, the creator's cell is the one that lets everyone through.
    Action.COMMENT_EDIT: (
        Act(
            "comments.edit",
            "comment",
            lambda w, c, _: comments.edit(_me(c), w.comment, "Réécrit par un autre."),
        ),
        Act(
            "comments.edit (own)",
            "comment",
            lambda w, c, me: comments.edit(_me(c), own_comment(w, me), "Je précise ma pensée."),
            own=True,
        ),
    ),
    Action.COMMENT_DELETE: (
        Act("comments.delete", "comment", lambda w, c, _: comments.delete(_me(c), w.spare)),
        Act(
            "comments.delete (own)",
            "comment",
            lambda w, c, me: comments.delete(_me(c), own_comment(w, me)),
            own=True,
        ),
    ),
    Action.COMMENT_MODERATE: (
        Act(
            "moderation.hide",
            "comment",
            lambda w, c, _: moderation.hide(_me(c), w.comment, "Hors sujet"),
        ),
        Act("moderation.restore", "comment", lambda w, c, _: moderation.restore(_me(c), w.comment)),
    ),
}

# Actions whose success moves the consultation out of its shape.
CHANGES_CONTEXT = frozenset({Action.CONSULTATION_PUBLISH, Action.CONSULTATION_CLOSE})


def test_every_consultation_action_has_a_service_call_here():
    assert set(ACTS) == CONSULTATION_ACTIONS


def test_the_shapes_cover_every_context_and_the_callers_every_standing():
    assert {shape.context for shape in SHAPES} == set(ConsultationContext)
    held = set().union(
        *(standings(c, s, creators=DEBATE_CREATORS) for c in CALLERS for s in SHAPES),
        *(
            acting_standings(action, act.resource, act.own, c, s)
            for action, acts in ACTS.items()
            for act in acts
            for c in CALLERS
            for s in SHAPES
        ),
    )
    assert held == set(Outsider) | set(Role) | set(PartnerRole) | set(GrantRole) | set(Relation)


def test_every_published_shape_has_callers_who_take_part_and_own_comments():
    """The walks of acts on one's own comment reach the creator cells of every context."""
    for shape in SHAPES:
        takers = [caller for caller in CALLERS if takes_part(caller, shape)]
        assert bool(takers) == (shape.context is not DRAFT), shape


def test_anonymous_callers_are_allowed_only_what_needs_no_token():
    """The anonymous cells of actions whose routes all declare bearer auth are never reached
    (401 first, tests/api/test_attacker_pass.py): the table must allow them nothing, or it
    would promise what no route can give."""
    open_actions = {a for a, acts in ACTS.items() if any(not act.needs_token for act in acts)}
    open_actions |= {Action.GROUP_READ}
    for action, contexts in PERMISSIONS.items():
        if action not in open_actions:
            for context, allowed in contexts.items():
                assert Outsider.ANONYMOUS not in allowed, (action, context)


# The walked shapes: every context. The board meeting open to host admins alone adds no cell
# to those of the one open to every role (the restricted column), only which host members
# are outside it: tests/api/test_attacker_pass.py asks every route of such a board meeting as
# every kind of caller, and tests/api/test_consultation_permissions_http.py's acceptance
# tests follow its creator and its demoted members out of it.
WALKED = tuple(shape for shape in SHAPES if shape.name != "restricted")


def test_the_walked_shapes_cover_every_context():
    assert {shape.context for shape in WALKED} == set(ConsultationContext)


@pytest.fixture(scope="class", params=WALKED, ids=str)
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """A world around a consultation of one shape, on its own moto table, built once for the
    walks of every action over it."""
    from chalicelib.store.table import create_table_if_absent

    with mock_aws():
        create_table_if_absent()
        without_stream()
        world = build_world()
        prepare(world, request.param)
        yield world


def walks_every_caller(action: Action, index: int) -> bool:
    """Whether the act at `index` of the action is walked by every caller.

    The first act of each action is: it exercises every cell of the action's row, each
    caller's standings against the rules. The others ask the same question of the same
    standings (read the debate, manage grants or partners, react, moderate), so what they add
    is that the service asks that question: one caller of each kind (anonymous, signed_in,
    verified, host, creator, partner, grant) per answer the rules call for shows it, plus
    whoever must undo what an earlier act of the action changed. An act on one's own comment
    asks a different question from one on another's, but only the creator's cell decides it
    (it lets every caller through, whatever else they hold), so one caller of each kind per
    answer shows that too."""
    return index == 0


class TestEveryConsultationCell:
    """The walks of every action share one world per shape: each leaves it as it found it
    (see ACTS), so their order does not matter."""

    @pytest.mark.parametrize("action", sorted(CONSULTATION_ACTIONS), ids=str)
    def test_service_answers_as_the_rules_say(self, world: World, action: Action) -> None:
        shape = world.shape
        assert shape is not None
        wrong = []
        sampled: set[tuple[int, str, tuple[int, str] | None]] = set()  # (act, kind, want)
        for name in CALLERS:
            caller = world.callers[name]
            changed = False  # by an earlier act of this action, for this caller
            for index, act in enumerate(ACTS[action]):
                if act.own and not takes_part(name, shape):
                    continue  # who may not take part has written nothing to act on
                if caller is None and act.needs_token:
                    continue  # 401 before any service: see the test above
                held = acting_standings(action, act.resource, act.own, name, shape)
                reading = standings(name, shape, creators=reading_creators(act.resource))
                want = refusal(action, act.resource, held, reading, shape.context)
                if not walks_every_caller(action, index) and not changed:
                    if (index, kind_of(name), want) in sampled:
                        continue
                    sampled.add((index, kind_of(name), want))
                got, writes = outcome(act.run, world, caller, name)
                if got != want:
                    wrong.append((name, str(act), f"want {want}", f"got {got}"))
                elif got is not None and writes:
                    wrong.append((name, str(act), f"refused {got} yet wrote", writes))
                changed |= got is None and bool(writes)
                if got is None and act.name.startswith("comments.delete"):
                    if act.own:
                        world.own.pop(name, None)
                    else:
                        world.spare = write_comment(world.debate, world.speaker, world.partner)
                if action in CHANGES_CONTEXT and got is None:
                    prepare(world, shape)  # the next caller (and test) finds it as it was
        assert not wrong, "\n".join(map(str, wrong))


# ---------------------------------------------------------------- group actions


@dataclass(frozen=True)
class GroupWorld:
    group: str
    users: dict[str, Caller | None]  # standing value -> caller
    consultation: str  # of another association, inviting this group as partner


def _target(standing: str) -> str:
    return f"target-{standing}"


# action -> the service call its route makes, as `run(world, caller, standing)`.
GROUP_ACTS: dict[Action, Callable[[GroupWorld, Caller | None, str], object]] = {
    Action.GROUP_READ: lambda w, c, _: groups.get(c, w.group),
    Action.GROUP_UPDATE: lambda w, c, _: groups.update(
        _me(c), w.group, groups.GroupChanges(description="new words")
    ),
    Action.GROUP_JOIN: lambda w, c, _: join_requests.join(_me(c), w.group),
    Action.GROUP_LEAVE: lambda w, c, _: memberships.remove(_me(c), w.group, _me(c).id),
    Action.MEMBERS_LIST: lambda w, c, _: memberships.list_members(_me(c), w.group, 10, None),
    Action.MEMBER_SET_ROLE: lambda w, c, s: memberships.set_role(
        _me(c), w.group, _target(s), Role.AUTHOR
    ),
    Action.MEMBER_REMOVE: lambda w, c, s: memberships.remove(_me(c), w.group, _target(s)),
    Action.INVITATION_CREATE: lambda w, c, _: invitations.create(
        _me(c), w.group, role=Role.OBSERVER, max_uses=None, expires_in_hours=None
    ),
    Action.JOIN_REQUESTS_REVIEW: lambda w, c, _: join_requests.join_requests(
        _me(c), w.group, 10, None
    ),
    Action.AUDIT_READ: lambda w, c, _: audit.audit_log(_me(c), w.group, 10, None),
    Action.CONSULTATION_CREATE: lambda w, c, _: consultations.create(
        _me(c), w.group, new_consultation("Budget")
    ),
    Action.MODERATION_QUEUE: lambda w, c, _: moderation.moderation_queue(_me(c), w.group, 10, None),
    Action.BLOCKS_MANAGE: lambda w, c, s: moderation.set_block(
        _me(c), w.group, _target(s), "insults", None
    ),
    Action.PARTNERSHIP_ACCEPT: lambda w, c, _: consultations.accept_partnership(
        _me(c), w.consultation, w.group
    ),
}


def group_refusal(
    action: Action, standing: Outsider | Role, visibility: GroupVisibility
) -> tuple[int, str]:
    """What a refused caller is told: 404 when the group is invisible to them, else 403
    (with two more precise answers)."""
    if not allows(Action.GROUP_READ, [standing], visibility):
        return 404, "group_not_found"
    if action is Action.GROUP_JOIN and standing not in Outsider:
        return 409, "already_member"
    if action is Action.GROUP_LEAVE and standing is Outsider.SIGNED_IN:
        return 404, "member_not_found"
    return 403, "forbidden"


def test_every_group_action_has_a_service_call_here():
    assert set(GROUP_ACTS) == GROUP_ACTIONS


def build_group_world(action: Action, visibility: GroupVisibility) -> GroupWorld:
    listed = visibility is GroupVisibility.LISTED
    group, users = group_with_every_role(listed=listed, join_policy=JoinPolicy.OPEN)
    admin = users["admin"]
    assert admin is not None
    if action is Action.GROUP_LEAVE:  # a second admin, so that an admin may leave
        add_member(admin, group, "admin2", "admin")
    if action in (Action.MEMBER_SET_ROLE, Action.MEMBER_REMOVE):  # someone to act on
        for standing in GROUP_STANDINGS:
            add_member(admin, group, _target(standing.value), "observer")
    consultation = ""
    if action is Action.PARTNERSHIP_ACCEPT:
        host_admin = Caller("host-admin", name="Host")
        host, _ = groups.create(
            host_admin, name="Host", description="", listed=True, join_policy=JoinPolicy.INVITE
        )
        shared = consultations.create(host_admin, host.id, new_consultation("Shared"))
        consultation = shared.consultation.id
        consultations.invite_partner(host_admin, consultation, group)
    return GroupWorld(group, users, consultation)


@pytest.mark.parametrize("visibility", list(GroupVisibility), ids=str)
@pytest.mark.parametrize("action", sorted(GROUP_ACTIONS), ids=str)
def test_group_service_answers_as_the_rules_say(
    table: None, action: Action, visibility: GroupVisibility
) -> None:
    without_stream()
    world = build_group_world(action, visibility)
    wrong = []
    for standing in GROUP_STANDINGS:
        caller = world.users[standing.value]
        if caller is None and action is not Action.GROUP_READ:
            continue  # 401 before any service (test_attacker_pass.py)
        want = (
            None
            if allows(action, [standing], visibility)
            else group_refusal(action, standing, visibility)
        )
        got, writes = outcome(GROUP_ACTS[action], world, caller, standing.value)
        if got != want:
            wrong.append((standing.value, f"want {want}", f"got {got}"))
        elif got is not None and writes:
            wrong.append((standing.value, f"refused {got} yet wrote", writes))
    assert not wrong, "\n".join(map(str, wrong))
