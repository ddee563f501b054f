"""Every route of a consultation action of the permission table, through the HTTP layer:
each calls its service and answers as the rules say, with its success status, its refusal's
status and code. Then the issue's acceptance, spec by spec. (Group actions:
tests/api/test_permissions_http.py.)

Every cell of the table, for every standing a caller can hold in every context, is walked at
the service level, without HTTP (tests/services/test_permission_cells.py); every route is
asked without a token (401) and by every kind of caller the rules refuse in
tests/api/test_attacker_pass.py, which attempts no write the rules allow. What is left for
HTTP is that: each route, in a draft and in a published consultation, asked by the first
caller the rules let through there (and by whoever must then undo what an earlier route of
the action changed), answers its success status. The shapes, the callers and their standings
are tests/services/cells.py's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib.domain.permissions import CONSULTATION_ACTIONS, Action
from chalicelib.domain.roles import Outsider, Relation
from tests.api import conformance
from tests.api.helpers import (
    ROLES,
    add_member,
    create_consultation,
    create_group,
    group_with_every_role,
    invite,
    publish,
)
from tests.http import Api, in_process
from tests.services.cells import (
    CALLERS,
    CONSULTATION_CREATORS,
    DEBATE_CREATOR,
    DRAFT,
    SHAPE,
    Shape,
    acting_standings,
    reading_creators,
    refusal,
    standings,
    takes_part,
)
from tests.services.world import forget_stream, write_comment

# A draft (where publishing succeeds) and a published shared consultation (where everything
# else can), so that each route is seen to succeed as well as refuse.
SHAPES = (SHAPE["draft"], SHAPE["members"])


# ---------------------------------------------------------------- the routes of each action


@dataclass(frozen=True)
class Route:
    method: str
    # {c} the consultation, {d} its debate, {me} the caller, {third} a third group; comments of
    # the debate: {comment} the speaker's, {spare} another of the speaker's, for acts that
    # cannot be undone (flags, deletion), {mine} one of the caller's own.
    path: str
    body: dict[str, Any] | None
    success: int
    needs_token: bool = True

    @property
    def resource(self) -> str:
        """What the path names: "consultation", "debate" or "comment"."""
        return self.path.split("/")[2].removesuffix("s")

    @property
    def not_found(self) -> str:
        return f"{self.resource}_not_found"

    @property
    def on_own_comment(self) -> bool:
        return "{mine}" in self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


# Each action's routes, run in this order. State-changing routes leave the
# world as they found it for the next caller: invitations are withdrawn, grants target the
# caller's own user id, a consultation published or closed is replaced (see the test),
# reactions are withdrawn, a hidden comment is restored; flags (one per caller) fall on a
# spare comment, and a comment deleted is replaced.
ROUTES: dict[Action, tuple[Route, ...]] = {
    Action.CONSULTATION_READ: (
        Route("GET", "/v1/consultations/{c}", None, 200, needs_token=False),
    ),
    Action.CONSULTATION_UPDATE: (
        Route("PATCH", "/v1/consultations/{c}", {"description": "Ordre du jour"}, 200),
    ),
    Action.CONSULTATION_PUBLISH: (Route("POST", "/v1/consultations/{c}/publish", None, 200),),
    Action.CONSULTATION_CLOSE: (
        Route("POST", "/v1/consultations/{c}/close", {"reason": "Quorum atteint"}, 200),
    ),
    Action.PARTNERS_MANAGE: (
        Route("POST", "/v1/consultations/{c}/partners", {"group_id": "{third}"}, 201),
        Route("DELETE", "/v1/consultations/{c}/partners/{third}", None, 204),
    ),
    Action.GRANTS_MANAGE: (
        Route("PUT", "/v1/consultations/{c}/grants/target-{me}", {"role": "observer"}, 201),
        Route("GET", "/v1/consultations/{c}/grants", None, 200),
        Route("DELETE", "/v1/consultations/{c}/grants/target-{me}", None, 204),
    ),
    Action.DEBATE_CREATE: (
        Route(
            "POST",
            "/v1/consultations/{c}/debates",
            {"title": "Nouvelle motion", "function": {"type": "vote"}},
            201,
        ),
    ),
    Action.DEBATE_READ: (
        Route("GET", "/v1/debates/{d}", None, 200, needs_token=False),
        Route("GET", "/v1/consultations/{c}/debates?limit=1", None, 200, needs_token=False),
        Route("GET", "/v1/debates/{d}/comments?sort=new&limit=1", None, 200, needs_token=False),
        Route("GET", "/v1/comments/{comment}", None, 200, needs_token=False),
        Route("GET", "/v1/comments/{comment}/replies", None, 200, needs_token=False),
    ),
    # Once published, a debate's question is frozen (PATCH: 409 debate_locked, see
    # test_debates.py); those who may change it add addenda, in every context.
    Action.DEBATE_UPDATE: (Route("POST", "/v1/debates/{d}/addenda", {"body": "Précision"}, 201),),
    Action.PARTICIPATE: (Route("PUT", "/v1/debates/{d}/ballot", {"choice": "yes"}, 201),),
    Action.COMMENT_CREATE: (
        Route(
            "POST",
            "/v1/debates/{d}/comments",
            {"body": "J'y suis favorable.", "stance": "pro"},
            201,
        ),
    ),
    Action.COMMENT_REACT: (
        Route("PUT", "/v1/comments/{comment}/reaction", None, 201),
        Route("DELETE", "/v1/comments/{comment}/reaction", None, 204),
    ),
    Action.COMMENT_FLAG: (
        Route("POST", "/v1/comments/{spare}/flags", {"reason": "off_topic"}, 201),
    ),
    Action.COMMENT_EDIT: (
        Route("PATCH", "/v1/comments/{mine}", {"body": "Je précise ma pensée."}, 200),
        Route("PATCH", "/v1/comments/{comment}", {"body": "Réécrit par un autre."}, 200),
    ),
    Action.COMMENT_DELETE: (
        Route("DELETE", "/v1/comments/{mine}", None, 204),
        Route("DELETE", "/v1/comments/{spare}", None, 204),
    ),
    Action.COMMENT_MODERATE: (
        Route("POST", "/v1/comments/{comment}/hide", {"reason": "Hors sujet"}, 200),
        Route("POST", "/v1/comments/{comment}/restore", None, 200),
    ),
}

# Actions whose success moves the consultation out of its shape.
CHANGES_CONTEXT = frozenset({Action.CONSULTATION_PUBLISH, Action.CONSULTATION_CLOSE})


def expected(action: Action, route: Route, caller: str, shape: Shape) -> tuple[int, str | None]:
    """(status, error code) the rules call for: 401 without a token where one is needed,
    else the route's success or the refusal (tests/services/cells.py)."""
    held = acting_standings(action, route.resource, route.on_own_comment, caller, shape)
    if route.needs_token and Outsider.ANONYMOUS in held:
        return 401, "unauthenticated"
    reading = standings(caller, shape, creators=reading_creators(route.resource))
    refused = refusal(action, route.resource, held, reading, shape.context)
    return refused if refused is not None else (route.success, None)


# ---------------------------------------------------------------- the world


@dataclass
class World:
    host: str
    partner: str
    third: str  # an association with no part in anything, to be invited
    callers: dict[str, Any]  # caller (see CALLERS) -> their API client
    speaker: str  # a member of the partner association, whose comments the callers act on
    shape: Shape | None = None
    consultation: str = ""  # of `shape`, with its grants, partner and debate
    debate: str = ""
    comment: str = ""  # the speaker's, in the debate
    spare: str = ""  # another of the speaker's
    own: dict[str, str] = field(default_factory=dict)  # caller -> a comment of their own


def build_world(as_user: Any) -> World:
    host, host_users = group_with_every_role(as_user, prefix="host-", name="Les Amis du Parc")
    partner, partner_users = group_with_every_role(as_user, prefix="partner-", name="Quartier")
    callers = {
        "anonymous": as_user(None),
        "signed_in": as_user("outsider"),
        "verified": as_user("verified-outsider", email="x@example.org", verified=True),
        "creator": add_member(as_user, host_users["admin"], host, "host-creator", "author"),
    }
    for role in ROLES:
        callers[f"host:{role}"] = host_users[role]
        callers[f"partner:{role}"] = partner_users[role]
        callers[f"grant:{role}"] = as_user(f"grant-{role}")
    # The speaker belongs to the partner: its moderators, whom the table lets moderate, act on
    # their own members' comments only (test_comments.py walks that rule).
    speaker = add_member(as_user, partner_users["admin"], partner, "partner-speaker", "participant")
    third = create_group(as_user("third-admin"), "Troisième association")
    return World(host, partner, third, callers, speaker.sub)


def prepare(world: World, shape: Shape) -> None:
    """A consultation of `shape`, created by the creator, with a grant of each role, the
    partner association accepted, one vote debate opened by the grant holder of author, and
    a comment of the speaker's in it."""
    forget_stream()
    admin, creator = world.callers["host:admin"], world.callers["creator"]
    fields = dict(shape.fields)
    if shape.audience and "author" not in shape.audience:
        # Nobody creates a board meeting that leaves them out: the creator (an author) makes
        # it with authors inside, and the admin narrows it while it is a draft.
        fields["audience"] = [*shape.audience, "author"]
    consultation = create_consultation(creator, world.host, "Assemblée", **fields)["id"]
    if fields != shape.fields:
        narrowed = admin.patch(f"/v1/consultations/{consultation}", {"audience": shape.audience})
        assert narrowed.status_code == 200, narrowed.data
    for role in ROLES:
        granted = admin.put(f"/v1/consultations/{consultation}/grants/grant-{role}", {"role": role})
        assert granted.status_code == 201, granted.data
    invited = admin.post(f"/v1/consultations/{consultation}/partners", {"group_id": world.partner})
    assert invited.status_code == 201, invited.data
    accepted = world.callers["partner:admin"].post(
        f"/v1/consultations/{consultation}/partners/{world.partner}/accept"
    )
    assert accepted.status_code == 201, accepted.data
    debate = world.callers[DEBATE_CREATOR].post(
        f"/v1/consultations/{consultation}/debates",
        {"title": "Motion", "function": {"type": "vote"}},
    )
    assert debate.status_code == 201, debate.data
    if shape.context is not DRAFT:
        # Its creator publishes it, unless they are outside it once published.
        inside = Relation.CREATOR in standings("creator", shape, creators=CONSULTATION_CREATORS)
        publish(creator if inside else admin, consultation)
    world.shape, world.consultation, world.debate = shape, consultation, debate.data["id"]
    world.comment = write_comment(world.debate, world.speaker, world.partner)
    world.spare = write_comment(world.debate, world.speaker, world.partner)
    world.own = {}


def own_comment(world: World, caller: str) -> str:
    if caller not in world.own:
        partner = world.partner if caller.startswith("partner:") else None
        world.own[caller] = write_comment(world.debate, world.callers[caller].sub, partner)
    return world.own[caller]


def replace_deleted(world: World, caller: str, route: Route) -> None:
    """After a deletion, the next caller finds a comment to act on again."""
    if route.on_own_comment:
        world.own.pop(caller, None)
    elif "{spare}" in route.path:
        world.spare = write_comment(world.debate, world.speaker, world.partner)


def answer(response: Any) -> tuple[int, str | None]:
    error = (response.data or {}).get("error") if response.status_code >= 400 else None
    return response.status_code, error["code"] if error else None


def fill(template: Any, **values: str) -> Any:
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {key: fill(value, **values) for key, value in template.items()}
    return template


# ---------------------------------------------------------------- every cell


def test_every_consultation_action_has_a_route_here():
    assert set(ROUTES) == CONSULTATION_ACTIONS


@pytest.fixture(scope="class", params=SHAPES, ids=str)
def world(request: pytest.FixtureRequest) -> Iterator[World]:
    """A world around a consultation of one shape, on its own moto table, built once for the
    walks of every action over it (building it is most of the cost)."""
    from app import app
    from chalicelib.store.table import create_table_if_absent

    with mock_aws():
        create_table_if_absent()
        with Client(app) as client:
            send = in_process(client)
            world = build_world(
                lambda sub, **claims: Api(send, sub, check=conformance.check, **claims)
            )
            prepare(world, request.param)
            yield world


class TestEveryRoute:
    """The walks of every action share one world per shape: each leaves it as it found it
    (see ROUTES), so their order does not matter."""

    @pytest.mark.parametrize("action", sorted(CONSULTATION_ACTIONS), ids=str)
    def test_route_lets_through_whom_the_rules_allow(self, world: World, action: Action) -> None:
        shape = world.shape
        assert shape is not None
        wrong = []
        sampled: set[int] = set()  # the routes a caller was let through
        for caller in CALLERS:
            forget_stream()
            user = world.callers[caller]
            changed = False  # by an earlier route of this action, for this caller
            for index, route in enumerate(ROUTES[action]):
                if route.on_own_comment and not takes_part(caller, shape):
                    continue  # who may not take part has written nothing to act on
                want = expected(action, route, caller, shape)
                if not changed:  # one caller let through, unless they must undo
                    if want[1] is not None or index in sampled:
                        continue  # refusals: tests/services and the attacker pass
                    sampled.add(index)
                values = {
                    "c": world.consultation,
                    "d": world.debate,
                    "me": user.sub or "nobody",
                    "third": world.third,
                    "comment": world.comment,
                    "spare": world.spare,
                }
                if route.on_own_comment:
                    values["mine"] = own_comment(world, caller)
                response = user.request(
                    route.method, fill(route.path, **values), fill(route.body, **values)
                )
                if route.method == "DELETE" and response.status_code == 204:
                    replace_deleted(world, caller, route)
                changed |= route.method != "GET" and 200 <= response.status_code < 300
                got = answer(response)
                if got != want:
                    wrong.append((caller, str(route), f"want {want}", f"got {got}", response.data))
                if action in CHANGES_CONTEXT and response.status_code == 200:
                    prepare(world, shape)  # the next caller (and test) finds it as it was
        assert not wrong, "\n".join(map(str, wrong))


# ---------------------------------------------------------------- the acceptance


def listed(user: Any, group_id: str) -> list[str]:
    """The ids of the group's consultations that `user` sees in its list."""
    response = user.get(f"/v1/groups/{group_id}/consultations?limit=100")
    assert response.status_code == 200, response.data
    return [consultation["id"] for consultation in response.data["items"]]


def publicly_listed(user: Any) -> list[str]:
    response = user.get("/v1/consultations?scope=public&limit=100")
    assert response.status_code == 200, response.data
    return [consultation["id"] for consultation in response.data["items"]]


def open_debate(author: Any, consultation_id: str, title: str = "Motion") -> str:
    response = author.post(
        f"/v1/consultations/{consultation_id}/debates",
        {"title": title, "function": {"type": "vote"}},
    )
    assert response.status_code == 201, response.data
    return response.data["id"]


def assert_hidden(user: Any, consultation_id: str, debate_id: str) -> None:
    """`user` is told neither the consultation nor its debate exists."""
    for path, code in (
        (f"/v1/consultations/{consultation_id}", "consultation_not_found"),
        (f"/v1/consultations/{consultation_id}/debates", "consultation_not_found"),
        (f"/v1/debates/{debate_id}", "debate_not_found"),
    ):
        assert answer(user.get(path)) == (404, code), (user.sub, path)


def test_a_board_meeting_is_seen_by_the_host_admins_alone(as_user):
    host, users = group_with_every_role(as_user, prefix="host-")
    partner, partner_users = group_with_every_role(as_user, prefix="partner-")
    admin = users["admin"]
    board = create_consultation(admin, host, "Conseil d'administration")["id"]
    motion = open_debate(admin, board, "Comptes annuels")
    # A partner accepted while it was a members' consultation is kept out once the draft
    # becomes a board meeting; and a board meeting takes no new partner.
    assert (
        admin.post(f"/v1/consultations/{board}/partners", {"group_id": partner}).status_code == 201
    )
    accept = partner_users["admin"].post(f"/v1/consultations/{board}/partners/{partner}/accept")
    assert accept.status_code == 201, accept.data
    restricted = {"visibility": "restricted", "audience": ["admin"]}
    assert answer(admin.patch(f"/v1/consultations/{board}", restricted)) == (200, None)
    other, other_users = group_with_every_role(as_user, prefix="other-")
    refused = admin.post(f"/v1/consultations/{board}/partners", {"group_id": other})
    assert answer(refused) == (422, "validation_failed")
    assert refused.data["error"]["details"][0]["field"] == "group_id"
    waiting = other_users["admin"].get(f"/v1/groups/{other}/partner-invitations")
    assert waiting.data["items"] == []
    publish(admin, board)

    outside = [users["participant"], users["anonymous"], users["signed_in"]]
    outside += [partner_users[role] for role in ROLES]
    for user in outside:
        assert_hidden(user, board, motion)
    assert answer(admin.get(f"/v1/consultations/{board}")) == (200, None)
    assert answer(admin.get(f"/v1/debates/{motion}")) == (200, None)
    assert board in listed(admin, host)
    assert board not in listed(users["participant"], host)
    assert board not in listed(partner_users["admin"], partner)


@pytest.mark.parametrize("withdrawn_by", ["host admin", "partner admin"])
def test_a_partner_association_reads_a_shared_consultation_only_while_it_is_a_partner(
    as_user, withdrawn_by
):
    host, users = group_with_every_role(as_user, prefix="host-")
    partner, partner_users = group_with_every_role(as_user, prefix="partner-")
    admin, partner_admin = users["admin"], partner_users["admin"]
    shared = create_consultation(admin, host, "Fête du quartier", visibility="members")["id"]
    debate = open_debate(admin, shared)
    publish(admin, shared)
    members = [partner_users[role] for role in ROLES]

    invited = admin.post(f"/v1/consultations/{shared}/partners", {"group_id": partner})
    assert invited.status_code == 201, invited.data
    for user in members:  # invited is not yet inside
        assert_hidden(user, shared, debate)
        assert shared not in listed(user, partner)

    accepted = partner_admin.post(f"/v1/consultations/{shared}/partners/{partner}/accept")
    assert accepted.status_code == 201, accepted.data
    for user in members:
        assert answer(user.get(f"/v1/consultations/{shared}")) == (200, None)
        debates = user.get(f"/v1/consultations/{shared}/debates")
        assert [d["id"] for d in debates.data["items"]] == [debate], user.sub
        assert answer(user.get(f"/v1/debates/{debate}")) == (200, None)
        assert shared in listed(user, partner)

    leaver = admin if withdrawn_by == "host admin" else partner_admin
    withdrawn = leaver.delete(f"/v1/consultations/{shared}/partners/{partner}")
    assert withdrawn.status_code == 204, withdrawn.data
    for user in members:
        assert_hidden(user, shared, debate)
        assert shared not in listed(user, partner)
    assert answer(users["observer"].get(f"/v1/consultations/{shared}")) == (200, None)


def test_a_public_consultation_reads_without_a_token_once_published(as_user):
    admin = as_user("admin")
    host = create_group(admin, "Ville en transition")
    fields = {"visibility": "public", "participation": "signed_in"}
    consultation = create_consultation(admin, host, "Plan vélo", **fields)["id"]
    debate = open_debate(admin, consultation, "Pistes cyclables")
    anonymous = as_user(None)

    assert_hidden(anonymous, consultation, debate)  # a draft, public or not, stays hidden
    assert consultation not in publicly_listed(anonymous)

    publish(admin, consultation)
    assert answer(anonymous.get(f"/v1/consultations/{consultation}")) == (200, None)
    debates = anonymous.get(f"/v1/consultations/{consultation}/debates")
    assert [d["id"] for d in debates.data["items"]] == [debate]
    assert answer(anonymous.get(f"/v1/debates/{debate}")) == (200, None)
    assert consultation in publicly_listed(anonymous)


def test_a_resident_granted_author_drafts_debates_in_a_draft_and_reads_them(as_user):
    admin = as_user("admin")
    host = create_group(admin, "Ville en transition")
    fields = {"visibility": "public", "participation": "signed_in"}
    draft = create_consultation(admin, host, "Plan vélo", **fields)["id"]
    resident, neighbour = as_user("resident"), as_user("neighbour")
    granted = admin.put(f"/v1/consultations/{draft}/grants/resident", {"role": "author"})
    assert granted.status_code == 201, granted.data

    mine = open_debate(resident, draft, "Une piste rue Carnot")
    assert answer(resident.get(f"/v1/consultations/{draft}")) == (200, None)
    assert answer(resident.get(f"/v1/debates/{mine}")) == (200, None)
    debates = resident.get(f"/v1/consultations/{draft}/debates")
    assert [d["id"] for d in debates.data["items"]] == [mine]
    assert_hidden(neighbour, draft, mine)  # no grant, no draft


def set_role(admin: Any, group_id: str, user: Any, role: str) -> None:
    changed = admin.put(f"/v1/groups/{group_id}/members/{user.sub}", {"role": role})
    assert changed.status_code == 200, changed.data


def assert_debate_gone(user: Any, debate_id: str, comment_id: str) -> None:
    """`user` is told neither the debate nor anything in it exists, and cannot change it."""
    for method, path, body in (
        ("GET", f"/v1/debates/{debate_id}", None),
        ("GET", f"/v1/debates/{debate_id}/comments", None),
        ("GET", f"/v1/debates/{debate_id}/results", None),
        ("PATCH", f"/v1/debates/{debate_id}", {"body": "Toujours à moi ?"}),
        ("POST", f"/v1/debates/{debate_id}/addenda", {"body": "Toujours à moi ?"}),
    ):
        assert answer(user.request(method, path, body)) == (404, "debate_not_found"), path
    assert answer(user.get(f"/v1/comments/{comment_id}")) == (404, "comment_not_found")


def test_a_debate_creator_demoted_out_of_the_audience_loses_the_debate(as_user):
    host, users = group_with_every_role(as_user, prefix="host-")
    admin, author = users["admin"], users["author"]
    board = create_consultation(
        admin, host, "Bureau", visibility="restricted", audience=["author", "admin"]
    )["id"]
    publish(admin, board)
    motion = open_debate(author, board, "Local associatif")
    argument = admin.post(f"/v1/debates/{motion}/comments", {"body": "Pour", "stance": "pro"})
    assert argument.status_code == 201, argument.data
    corrected = author.post(f"/v1/debates/{motion}/addenda", {"body": "Précisée"})
    assert answer(corrected) == (201, None)

    set_role(admin, host, author, "participant")  # out of the audience, still a member
    assert_debate_gone(author, motion, argument.data["id"])
    assert_hidden(author, board, motion)


def test_a_consultation_creator_demoted_out_of_the_audience_loses_it(as_user):
    host, users = group_with_every_role(as_user, prefix="host-")
    admin, author = users["admin"], users["author"]
    board = create_consultation(
        author, host, "Bureau", visibility="restricted", audience=["author", "admin"]
    )["id"]
    motion = open_debate(author, board)
    assert answer(author.get(f"/v1/consultations/{board}")) == (200, None)

    set_role(admin, host, author, "observer")
    assert_hidden(author, board, motion)
    for method, path, body in (
        ("PATCH", f"/v1/consultations/{board}", {"description": "Toujours à moi ?"}),
        ("POST", f"/v1/consultations/{board}/publish", None),
        (
            "POST",
            f"/v1/consultations/{board}/debates",
            {"title": "Encore une", "function": {"type": "vote"}},
        ),
    ):
        response = author.request(method, path, body)
        assert answer(response) == (404, "consultation_not_found"), path
    assert board not in listed(author, host)
    publish(admin, board)  # published, it stays out of the former creator's reach
    assert_hidden(author, board, motion)
    assert board not in listed(author, host)


def test_a_creator_who_moved_to_a_partner_association_loses_a_board_meeting(as_user):
    """A partner association never sees a restricted consultation: nor does its creator once
    they belong to the partner alone."""
    host, users = group_with_every_role(as_user, prefix="host-")
    partner, partner_users = group_with_every_role(as_user, prefix="partner-")
    admin = users["admin"]
    bob = add_member(as_user, admin, host, "bob", "author")
    board = create_consultation(bob, host, "Bureau")["id"]
    motion = open_debate(bob, board)
    assert admin.post(f"/v1/consultations/{board}/partners", {"group_id": partner}).status_code == (
        201
    )
    accepted = partner_users["admin"].post(f"/v1/consultations/{board}/partners/{partner}/accept")
    assert accepted.status_code == 201, accepted.data
    restricted = {"visibility": "restricted", "audience": ["author", "admin"]}
    assert answer(bob.patch(f"/v1/consultations/{board}", restricted)) == (200, None)
    publish(admin, board)
    joined = bob.post(f"/v1/invitations/{invite(partner_users['admin'], partner, 'admin')}/accept")
    assert joined.status_code == 201, joined.data
    assert admin.delete(f"/v1/groups/{host}/members/bob").status_code == 204

    assert_hidden(bob, board, motion)
    assert answer(bob.patch(f"/v1/debates/{motion}", {"body": "Toujours à moi ?"})) == (
        404,
        "debate_not_found",
    )
    assert board not in listed(bob, partner)
