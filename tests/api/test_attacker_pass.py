"""An attacker's pass (issue 12, acceptance 2): every route of the OpenAPI document, as every
kind of caller, against one world holding something of everything.

The world: a host association with every role; an accepted partner association (a member, a
moderator); an association whose partnership was withdrawn (its moderator); a former admin
(demoted); a former member of a board meeting's audience (demoted out of it, after opening a
debate there); a resident holding a grant in the board meeting; a blocked member; an
outsider; nobody (no token). Its consultations: a draft, a board meeting (restricted to
admins), a members one, a public one, and a closed, finalised board meeting: each with a vote
(some secret), ballots, and comments (flagged, hidden, edited).

For each route and each caller the pass asks what a caller may read (and every answer they
get is searched for anything of a consultation they cannot open, of a hidden comment's text
or of an earlier version of an edited one) and what they may write: a write by someone the
rules refuse is refused — 404 when they cannot see what it names, 403 (or the conflict that
stops it first) when they can — and leaves the table exactly as it was. Writes the rules
allow are not attempted here: tests/api/test_consultation_permissions_http.py and
test_permissions_http.py show each route letting through whom the rules allow, route by
route; every cell of the table is walked at the service level, in
tests/services/test_permission_cells.py.

The expectations are written out below from the rules of DESIGN.md ("Identity and access")
and the one permission table (chalicelib/domain/permissions.py): `holds` says, as a table,
what standing each caller has in each consultation, and the table says what that allows.
A route of the OpenAPI document with no expectation here fails: a new route cannot be
forgotten.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from app import app
from chalicelib.api import contract, fallback
from chalicelib.domain import clock
from chalicelib.domain.deliberation import Comment, Stance
from chalicelib.domain.ids import new_comment_id
from chalicelib.domain.model import ConsultationContext
from chalicelib.domain.permissions import Action, allows
from chalicelib.domain.roles import GrantRole, Outsider, PartnerRole, Relation, Role, Standing
from chalicelib.store import comments as comment_store
from tests.api import conformance
from tests.api.helpers import add_member, create_consultation, create_group, invite, moment
from tests.http import Api, in_process

ADMIN, MODERATOR, AUTHOR = Role.ADMIN, Role.MODERATOR, Role.AUTHOR
PARTICIPANT, OBSERVER = Role.PARTICIPANT, Role.OBSERVER

# ---------------------------------------------------------------- who calls


@dataclass(frozen=True)
class Who:
    """A kind of caller, by what they hold at the time of the pass."""

    sub: str | None
    host: Role | None = None  # their role in the host association
    partner: Role | None = None  # in the accepted partner association
    former_partner: Role | None = None  # in the association whose partnership was withdrawn
    grants: tuple[tuple[str, Role], ...] = ()  # (consultation, role)
    created: frozenset[str] = frozenset()  # consultations and debates of the world they opened
    blocked: bool = False  # blocked by the host's moderators


CALLERS: dict[str, Who] = {
    "anonymous": Who(None),
    "outsider": Who("x-outsider"),
    "observer": Who("x-observer", host=OBSERVER),
    "participant": Who("x-participant", host=PARTICIPANT),
    "author": Who("x-author", host=AUTHOR, created=frozenset({"draft", "draft/", "members/"})),
    "moderator": Who("x-moderator", host=MODERATOR),
    "admin": Who(
        "x-admin",
        host=ADMIN,
        created=frozenset({"board", "board/", "members", "public", "public/", "archive/"}),
    ),
    "partner-member": Who("x-partner-member", partner=PARTICIPANT),
    "partner-moderator": Who("x-partner-moderator", partner=MODERATOR),
    # Was an admin: convened the second board meeting (the archive), voted in both, made an
    # admin invitation; now a participant.
    "former-admin": Who("x-former-admin", host=PARTICIPANT, created=frozenset({"archive"})),
    # Was an admin: opened a debate in the board meeting, voted and commented there; now an
    # author, out of the board meeting's audience (admins).
    "former-audience": Who("x-former-audience", host=AUTHOR, created=frozenset({"board-own/"})),
    # A moderator of an association that was a partner of the members consultation until the
    # partnership was withdrawn; one of its members commented there, and was flagged.
    "former-partner": Who("x-former-partner", former_partner=MODERATOR),
    # A resident given a part in the board meeting; also an observer of the partner association.
    "grantee": Who("x-grantee", partner=OBSERVER, grants=(("board", PARTICIPANT),)),
    # A host participant who commented in the members consultation, then was blocked.
    "blocked": Who("x-blocked", host=PARTICIPANT, blocked=True),
}

# ---------------------------------------------------------------- what there is


@dataclass(frozen=True)
class Shape:
    context: ConsultationContext
    fields: dict[str, Any]
    partnered: bool = False  # the partner association is an accepted partner
    closed: bool = False

    @property
    def audience(self) -> tuple[str, ...]:
        return tuple(self.fields.get("audience", ()))


RESTRICTED = ConsultationContext.RESTRICTED
BOARD = {"visibility": "restricted", "audience": ["admin"]}
CONSULTATIONS: dict[str, Shape] = {
    "draft": Shape(
        ConsultationContext.DRAFT, {"visibility": "public", "participation": "signed_in"}
    ),
    # The partner association is invited to the board meeting and accepts: that lets it in no
    # further (a restricted consultation admits no partner).
    "board": Shape(RESTRICTED, BOARD, partnered=True),
    "members": Shape(ConsultationContext.MEMBERS, {"visibility": "members"}, partnered=True),
    "public": Shape(
        ConsultationContext.PUBLIC_SIGNED_IN, {"visibility": "public", "participation": "signed_in"}
    ),
    "archive": Shape(RESTRICTED, BOARD, closed=True),
}
# A debate's key is "<consultation>/<name>"; "<consultation>/" is its first debate.
DEBATES = ("draft/", "board/", "board-own/", "members/", "public/", "archive/")


def consultation_of(key: str) -> str:
    """The consultation a debate or comment key belongs to ("board-own/" is in the board)."""
    name = key.split("/")[0]
    return "board" if name == "board-own" else name


# Comments: key -> (debate, author). What happened to them is said by their name.
COMMENTS: dict[str, tuple[str, str]] = {
    "draft/plain": ("draft/", "author"),
    "board/edited": ("board/", "admin"),
    "board/flagged": ("board/", "grantee"),  # speaks for the partner association
    "board/hidden": ("board/", "former-audience"),
    "members/flagged": ("members/", "partner-member"),
    "members/edited": ("members/", "participant"),
    "members/hidden": ("members/", "author"),
    # Hidden too, for the author's own acts on them (one each: what one does, the other sees).
    "members/hidden-edit": ("members/", "author"),
    "members/hidden-delete": ("members/", "author"),
    "members/former-partner": ("members/", None),  # a member of the former partner, flagged
    "members/blocked": ("members/", "blocked"),
    "public/flagged": ("public/", "outsider"),
    "public/hidden": ("public/", "participant"),
    "public/edited": ("public/", "moderator"),
    "archive/plain": ("archive/", "admin"),
}


def debate_of(comment: str) -> str:
    return COMMENTS[comment][0]


# ---------------------------------------------------------------- the rules, as a table


def holds(caller: str, consultation: str, created: str | None = None) -> set[Standing]:
    """The standings `caller` holds towards a consultation (and, when `created` names one of
    its debates, towards that debate), from DESIGN.md's rules: a restricted consultation
    admits the host's admins and its audience, never a partner; members and public ones admit
    host members and accepted partners; grants count whatever the visibility; creators count
    only while they still see it (issue 12: "Creator rights hold only while the creator can
    see the consultation")."""
    who = CALLERS[caller]
    if who.sub is None:
        return {Outsider.ANONYMOUS}
    shape = CONSULTATIONS[consultation]
    restricted = shape.context is RESTRICTED
    held: set[Standing] = {Outsider.SIGNED_IN}
    if who.host and (not restricted or who.host.value in ("admin", *shape.audience)):
        held.add(who.host)
    if who.partner and shape.partnered and not restricted:
        held.add(PartnerRole.of(who.partner))
    grant = dict(who.grants).get(consultation)
    if grant:
        held.add(GrantRole.of(grant))
    inside = held != {Outsider.SIGNED_IN}
    if inside and who.created & {consultation, created or f"{consultation}/"}:
        held.add(Relation.CREATOR)
    return held


def may(action: Action, caller: str, consultation: str, created: str | None = None) -> bool:
    return allows(action, holds(caller, consultation, created), CONSULTATIONS[consultation].context)


def sees_consultation(caller: str, consultation: str) -> bool:
    """Its own creator counts for a consultation; a creator of one of its debates does not."""
    return may(Action.CONSULTATION_READ, caller, consultation, created=consultation)


def sees_debate(caller: str, debate: str) -> bool:
    return may(Action.DEBATE_READ, caller, consultation_of(debate), debate)


def may_moderate(caller: str, comment: str) -> bool:
    """Host and granted moderators moderate every comment of what they see; a partner's
    moderators their own members' comments (those speaking for the partner): towards such a
    comment they hold the author's group's moderator standing, and the table decides."""
    debate = debate_of(comment)
    consultation = consultation_of(debate)
    held = holds(caller, consultation, debate)
    partner_role = CALLERS[caller].partner
    speaks_for_partner = COMMENTS[comment][1] in ("partner-member", "grantee")
    if (
        speaks_for_partner
        and CONSULTATIONS[consultation].partnered
        and partner_role is not None
        and partner_role.at_least(MODERATOR)
    ):
        held.add(Relation.AUTHOR_GROUP_MODERATOR)
    return allows(Action.COMMENT_MODERATE, held, CONSULTATIONS[consultation].context)


def is_author(caller: str, comment: str) -> bool:
    return COMMENTS[comment][1] == caller


HIDDEN_COMMENTS = {c for c in COMMENTS if "/hidden" in c}
# Groups: the caller's role in each (None: an outsider to it).
GROUPS = ("host", "partner", "former-partner")
LISTED = {"host": True, "partner": False, "former-partner": True}
GROUP_NAMES = {"host": "Les Amis du Parc", "partner": "Quartier Nord", "former-partner": "Ancien"}


def group_role(caller: str, group: str) -> Role | None:
    who = CALLERS[caller]
    return {"host": who.host, "partner": who.partner, "former-partner": who.former_partner}[group]


def group_standing(caller: str, group: str) -> Standing:
    role = group_role(caller, group)
    if role:
        return role
    return Outsider.ANONYMOUS if CALLERS[caller].sub is None else Outsider.SIGNED_IN


def may_in_group(action: Action, caller: str, group: str) -> bool:
    visibility = "listed" if LISTED[group] else "unlisted"
    return allows(action, {group_standing(caller, group)}, visibility)


# The same rules, read as a table: what each caller opens, takes part in (votes, comments,
# reacts, flags: blocks and closing aside) and moderates. Written by hand; the test below
# checks that `holds` and the permission table say the same.
#                       draft  board  members public archive
OPENS = {
    "anonymous": "         .      .      .       X      .",
    "outsider": "          .      .      .       X      .",
    "observer": "          .      .      X       X      .",
    "participant": "       .      .      X       X      .",
    "author": "            X      .      X       X      .",  # its draft
    "moderator": "         .      .      X       X      .",
    "admin": "             X      X      X       X      X",
    "partner-member": "    .      .      X       X      .",
    "partner-moderator": " .      .      X       X      .",
    "former-admin": "      .      .      X       X      .",
    "former-audience": "   .      .      X       X      .",  # nor the debate it opened there
    "former-partner": "    .      .      .       X      .",
    "grantee": "           .      X      X       X      .",  # X members: a partner observer
    "blocked": "           .      .      X       X      .",
}
TAKES_PART = {
    "anonymous": "         .      .      .       .      .",
    "outsider": "          .      .      .       X      .",
    "observer": "          .      .      .       X      .",  # signed in, like anyone
    "participant": "       .      .      X       X      .",
    "author": "            .      .      X       X      .",
    "moderator": "         .      .      X       X      .",
    "admin": "             .      X      X       X      X",
    "partner-member": "    .      .      X       X      .",
    "partner-moderator": " .      .      X       X      .",
    "former-admin": "      .      .      X       X      .",
    "former-audience": "   .      .      X       X      .",
    "former-partner": "    .      .      .       X      .",
    "grantee": "           .      X      .       X      .",
    "blocked": "           .      .      X       X      .",  # but blocked (409)
}
MODERATES = {  # some comment of it (partner moderators: their own members')
    "moderator": "         .      .      X       X      .",
    "admin": "             .      X      X       X      X",
    "partner-moderator": " .      .      X       .      .",
}


def marked(row: str) -> set[str]:
    return {key for key, mark in zip(CONSULTATIONS, row.split(), strict=True) if mark == "X"}


def test_the_rules_read_as_the_table():
    for caller in CALLERS:
        opens = {c for c in CONSULTATIONS if sees_consultation(caller, c)}
        assert opens == marked(OPENS[caller]), caller
        takes_part = {c for c in CONSULTATIONS if may(Action.PARTICIPATE, caller, c)}
        assert takes_part == marked(TAKES_PART[caller]), caller
        moderates = {consultation_of(debate_of(m)) for m in COMMENTS if may_moderate(caller, m)}
        assert moderates == marked(MODERATES.get(caller, ". . . . .")), caller


# ---------------------------------------------------------------- what each route expects


@dataclass(frozen=True)
class Want:
    """What one caller must get from one request. `hidden`: told it does not exist (404 and
    the resource's *_not_found code); else a status of `statuses` (a 404 there is about
    something else: no ballot, no such receipt). Whatever the answer, a request that is not
    allowed to change anything writes nothing to the table (reads included)."""

    statuses: frozenset[int]
    hidden: bool = False


def ok(*statuses: int) -> Want:
    return Want(frozenset(statuses))


HIDDEN_READ = Want(frozenset({404}), hidden=True)
HIDDEN_WRITE = HIDDEN_READ
REFUSED = Want(frozenset({403, 409}))  # 409: a state that stops it first
UNAUTHENTICATED = Want(frozenset({401}))
ALLOWED = None  # a write the rules allow: not attempted here


@dataclass(frozen=True)
class Route:
    """How to call one route of the document, on what, and what each caller must get.

    `targets`: what fills the path (keys of the world: groups, consultations, debates,
    comments); `expect(caller, target)` -> Want, or ALLOWED for a write not attempted."""

    method: str
    path: str  # the concrete path, with {target} and the world's other values to fill
    targets: tuple[str, ...]
    expect: Any
    body: Any = None
    query: str = ""
    not_found: str | None = None  # the code of a hidden answer, if not the path's first resource

    @property
    def write(self) -> bool:
        return self.method != "GET"


def needs_token(method: str, template: str) -> bool:
    security = contract.document()["paths"][template][method.lower()].get("security", [])
    return bool(security) and {} not in security


def group_rule(action: Action, write: bool, *, special: Any = None):
    def expect(caller: str, group: str) -> Want | None:
        if special and (answer := special(caller, group)) is not False:
            return answer
        if may_in_group(action, caller, group):
            return ALLOWED if write else ok(200)
        if not may_in_group(Action.GROUP_READ, caller, group):
            return HIDDEN_WRITE if write else HIDDEN_READ
        return REFUSED if write else ok(403)

    return expect


# What a closed consultation no longer takes, whoever asks (409).
STOPS_WHEN_CLOSED = {
    Action.CONSULTATION_UPDATE,
    Action.CONSULTATION_CLOSE,
    Action.DEBATE_CREATE,
    Action.DEBATE_UPDATE,
    Action.PARTICIPATE,
    Action.COMMENT_CREATE,
    Action.COMMENT_REACT,
    Action.COMMENT_FLAG,
    Action.COMMENT_EDIT,
}


def consultation_rule(action: Action, write: bool, read_ok: tuple[int, ...] = (200,)):
    def expect(caller: str, consultation: str) -> Want | None:
        if not sees_consultation(caller, consultation):
            return HIDDEN_WRITE if write else HIDDEN_READ
        allowed = may(action, caller, consultation, created=consultation)
        if not write:
            return ok(*read_ok) if allowed else ok(403)
        if CONSULTATIONS[consultation].closed and action in STOPS_WHEN_CLOSED:
            allowed = False
        return ALLOWED if allowed else REFUSED

    return expect


TAKING_PART = {
    Action.PARTICIPATE,
    Action.COMMENT_CREATE,
    Action.COMMENT_REACT,
    Action.COMMENT_FLAG,
}


def debate_rule(action: Action, write: bool, read_ok: tuple[int, ...] = (200,)):
    def expect(caller: str, debate: str) -> Want | None:
        consultation = consultation_of(debate)
        if not sees_debate(caller, debate):
            return HIDDEN_WRITE if write else HIDDEN_READ
        if not write:
            return ok(*read_ok)
        allowed = may(action, caller, consultation, debate)
        shape = CONSULTATIONS[consultation]
        if action in TAKING_PART and CALLERS[caller].blocked:
            allowed = False  # blocked members take no part (409 blocked)
        if shape.closed and action in STOPS_WHEN_CLOSED:
            allowed = False
        return ALLOWED if allowed else REFUSED

    return expect


def comment_rule(
    action: Action, write: bool, read_ok: tuple[int, ...] = (200,), *, withdrawing: bool = False
):
    """`withdrawing`: taking one's reaction back (from one's own comment too: there is none,
    nothing happens)."""

    def expect(caller: str, comment: str) -> Want | None:
        debate = debate_of(comment)
        consultation = consultation_of(debate)
        if not sees_debate(caller, debate):
            return HIDDEN_WRITE if write else HIDDEN_READ
        if not write:
            return ok(*read_ok)
        shape = CONSULTATIONS[consultation]
        author = is_author(caller, comment)
        if action is Action.COMMENT_EDIT:
            # its author alone; frozen while hidden, and for a blocked author (issue 12 item 9)
            allowed = author and not CALLERS[caller].blocked and comment not in HIDDEN_COMMENTS
        elif action is Action.COMMENT_DELETE:
            allowed = (author and comment not in HIDDEN_COMMENTS) or may_moderate(caller, comment)
        elif action is Action.COMMENT_MODERATE:
            allowed = may_moderate(caller, comment)
        else:  # react, flag: taking part, never on one's own comment
            allowed = may(action, caller, consultation, debate) and not CALLERS[caller].blocked
            allowed = allowed and (withdrawing or not author)
        if shape.closed and action in STOPS_WHEN_CLOSED:
            allowed = False
        return ALLOWED if allowed else REFUSED

    return expect


def anyone(statuses: tuple[int, ...] = (200,), *, write: bool = False):
    def expect(caller: str, target: str) -> Want | None:
        return ALLOWED if write else ok(*statuses)

    return expect


def proxies_off(write_answer: Want):
    """No consultation of the world allows proxies: who sees one is refused (409
    proxies_not_allowed), or finds no proxy of theirs (404 proxy_not_found); nothing is
    written. tests/api/test_proxies.py lets through whom the rules allow."""

    def expect(caller: str, consultation: str) -> Want | None:
        if not sees_consultation(caller, consultation):
            return HIDDEN_WRITE
        return write_answer

    return expect


def accept_partnership(caller: str, target: str) -> Want | None:
    """Only the invited association's admins accept: others are told the association does not
    exist (it is unlisted) or that they may not. No caller here is its admin."""
    if may_in_group(Action.PARTNERSHIP_ACCEPT, caller, "partner"):
        return ALLOWED
    if not may_in_group(Action.GROUP_READ, caller, "partner"):
        return HIDDEN_WRITE
    return REFUSED


def withdraw_partnership(caller: str, consultation: str) -> Want | None:
    """The host's admins, or the partner's admins (none of the callers), withdraw it."""
    return consultation_rule(Action.PARTNERS_MANAGE, write=True)(caller, consultation)


def joining(caller: str, group: str) -> Want | None:
    """Outsiders may ask to join a listed association; members are already in (409)."""
    if may_in_group(Action.GROUP_JOIN, caller, group):
        return ALLOWED
    if not may_in_group(Action.GROUP_READ, caller, group):
        return HIDDEN_WRITE
    return REFUSED


def final_results(caller: str, consultation: str) -> Want | None:
    """Whoever opens a consultation reads its results once finalised (the archive); before,
    409 `results_not_final`."""
    if not sees_consultation(caller, consultation):
        return HIDDEN_READ
    return ok(200) if CONSULTATIONS[consultation].closed else ok(409)


def open_data(caller: str, consultation: str) -> Want | None:
    """A published public consultation's open data is everyone's; whoever opens another one
    is told it is not public (409); the rest are told it does not exist."""
    if not sees_consultation(caller, consultation):
        return HIDDEN_READ
    context = CONSULTATIONS[consultation].context
    return ok(200) if context.value.startswith("public:") else ok(409)


def leaving_or_removing(caller: str, group: str) -> Want | None:
    return group_rule(Action.MEMBER_REMOVE, True)(caller, group)


G, C, D, M = GROUPS, tuple(CONSULTATIONS), DEBATES, tuple(COMMENTS)
# Comments acted on: one in each consultation (a hidden one where there is one), and those a
# rule singles out: a blocked author's, comments speaking for a partner association.
M1 = ("draft/plain", "board/hidden", "members/hidden", "public/hidden", "archive/plain")
M_EDIT = ("draft/plain", "board/hidden", "members/edited", "public/edited", "archive/plain")
M_EDIT += ("members/blocked",)
M_MODERATE = (*M1, "board/flagged", "members/flagged", "members/former-partner")
A = Action

# (METHOD, document path) -> how the pass calls it. The path's {target} is the world's id for
# each target; {victim} a host participant; {applicant} someone asking to join the host;
# {outsider} a user with no part; {partner} the partner association; {third} another one.
ROUTES: dict[tuple[str, str], Route] = {
    # ---- documentation and the caller
    ("GET", "/v1/openapi.json"): Route("GET", "/v1/openapi.json", ("-",), anyone()),
    ("GET", "/v1/docs"): Route("GET", "/v1/docs", ("-",), anyone()),
    **{
        ("GET", path): Route("GET", path, ("-",), anyone())
        for path in (
            "/v1/docs/reference.js",
            "/v1/docs/swagger-ui-bundle.js",
            "/v1/docs/swagger-ui.css",
        )
    },
    ("GET", "/v1/me"): Route("GET", "/v1/me", ("-",), anyone()),
    ("PATCH", "/v1/me"): Route("PATCH", "/v1/me", ("-",), anyone(write=True), {"locale": "en"}),
    # Only ever the caller's own: their export holds nothing of anyone else's (the pass
    # checks no answer names what its caller cannot open); an erasure is theirs to make.
    ("GET", "/v1/me/export"): Route("GET", "/v1/me/export", ("-",), anyone()),
    ("DELETE", "/v1/me"): Route("DELETE", "/v1/me", ("-",), anyone(write=True)),
    # ---- notifications: one's own only; following a group one may see; a signed link
    ("GET", "/v1/me/notifications"): Route("GET", "/v1/me/notifications", ("-",), anyone()),
    ("POST", "/v1/me/notifications/read"): Route(
        "POST", "/v1/me/notifications/read", ("-",), anyone(write=True), {"all": True}
    ),
    ("GET", "/v1/me/preferences"): Route("GET", "/v1/me/preferences", ("-",), anyone()),
    ("PATCH", "/v1/me/preferences"): Route(
        "PATCH", "/v1/me/preferences", ("-",), anyone(write=True), {"kinds": {"reply": "never"}}
    ),
    ("PUT", "/v1/groups/{group_id}/follow"): Route(
        "PUT", "/v1/groups/{target}/follow", G, group_rule(A.GROUP_READ, True)
    ),
    ("DELETE", "/v1/groups/{group_id}/follow"): Route(
        "DELETE", "/v1/groups/{target}/follow", G, anyone(write=True)
    ),
    **{
        (method, "/v1/unsubscribe"): Route(
            method,
            "/v1/unsubscribe",
            ("-",),
            lambda caller, target: HIDDEN_READ,
            query="?token=eyJ1IjoiYWxpY2UifQ.forged",
            not_found="unsubscribe_link_invalid",
        )
        for method in ("GET", "POST")
    },
    # ---- associations
    ("GET", "/v1/groups"): Route("GET", "/v1/groups", ("-",), anyone()),
    ("POST", "/v1/groups"): Route("POST", "/v1/groups", ("-",), anyone(write=True), {"name": "X"}),
    ("GET", "/v1/groups/{group_id}"): Route(
        "GET", "/v1/groups/{target}", G, group_rule(A.GROUP_READ, False)
    ),
    ("PATCH", "/v1/groups/{group_id}"): Route(
        "PATCH", "/v1/groups/{target}", G, group_rule(A.GROUP_UPDATE, True), {"description": "pwn"}
    ),
    ("GET", "/v1/groups/{group_id}/audit"): Route(
        "GET", "/v1/groups/{target}/audit", G, group_rule(A.AUDIT_READ, False), query="?limit=100"
    ),
    ("GET", "/v1/groups/{group_id}/members"): Route(
        "GET", "/v1/groups/{target}/members", G, group_rule(A.MEMBERS_LIST, False)
    ),
    ("PUT", "/v1/groups/{group_id}/members/{user_id}"): Route(
        "PUT",
        "/v1/groups/{target}/members/{victim}",
        G,
        group_rule(A.MEMBER_SET_ROLE, True),
        {"role": "admin"},
    ),
    ("DELETE", "/v1/groups/{group_id}/members/{user_id}"): Route(
        "DELETE", "/v1/groups/{target}/members/{victim}", G, leaving_or_removing
    ),
    ("POST", "/v1/groups/{group_id}/invitations"): Route(
        "POST",
        "/v1/groups/{target}/invitations",
        G,
        group_rule(A.INVITATION_CREATE, True),
        {"role": "admin"},
    ),
    ("POST", "/v1/groups/{group_id}/join"): Route("POST", "/v1/groups/{target}/join", G, joining),
    ("GET", "/v1/groups/{group_id}/join-requests"): Route(
        "GET", "/v1/groups/{target}/join-requests", G, group_rule(A.JOIN_REQUESTS_REVIEW, False)
    ),
    ("POST", "/v1/groups/{group_id}/join-requests/{user_id}/approve"): Route(
        "POST",
        "/v1/groups/{target}/join-requests/{applicant}/approve",
        G,
        group_rule(A.JOIN_REQUESTS_REVIEW, True),
    ),
    ("POST", "/v1/groups/{group_id}/join-requests/{user_id}/reject"): Route(
        "POST",
        "/v1/groups/{target}/join-requests/{applicant}/reject",
        G,
        group_rule(A.JOIN_REQUESTS_REVIEW, True),
    ),
    ("GET", "/v1/groups/{group_id}/partner-invitations"): Route(
        "GET",
        "/v1/groups/{target}/partner-invitations",
        G,
        group_rule(A.PARTNERSHIP_ACCEPT, False),
    ),
    ("GET", "/v1/groups/{group_id}/moderation"): Route(
        "GET", "/v1/groups/{target}/moderation", G, group_rule(A.MODERATION_QUEUE, False)
    ),
    ("PUT", "/v1/groups/{group_id}/blocks/{user_id}"): Route(
        "PUT",
        "/v1/groups/{target}/blocks/{victim}",
        G,
        group_rule(A.BLOCKS_MANAGE, True),
        {"reason": "pwn"},
    ),
    ("DELETE", "/v1/groups/{group_id}/blocks/{user_id}"): Route(
        "DELETE", "/v1/groups/{target}/blocks/{blocked}", G, group_rule(A.BLOCKS_MANAGE, True)
    ),
    ("GET", "/v1/groups/{group_id}/consultations"): Route(
        "GET",
        "/v1/groups/{target}/consultations",
        G,
        group_rule(A.GROUP_READ, False),
        query="?limit=100",
    ),
    ("POST", "/v1/groups/{group_id}/consultations"): Route(
        "POST",
        "/v1/groups/{target}/consultations",
        G,
        group_rule(A.CONSULTATION_CREATE, True),
        {"title": "pwn", "visibility": "members", "closes_at": "2099-01-01T00:00:00Z"},
    ),
    # ---- invitations: a code is a bearer's key; what it shows is the association's name
    ("GET", "/v1/invitations/{code}"): Route("GET", "/v1/invitations/{code}", ("-",), anyone()),
    ("POST", "/v1/invitations/{code}/accept"): Route(
        "POST", "/v1/invitations/{code}/accept", ("-",), anyone(write=True)
    ),
    # ---- consultations
    ("GET", "/v1/consultations"): Route(
        "GET", "/v1/consultations", ("-",), anyone(), query="?scope=public&limit=100"
    ),
    ("GET", "/v1/consultations/{consultation_id}"): Route(
        "GET", "/v1/consultations/{target}", C, consultation_rule(A.CONSULTATION_READ, False)
    ),
    ("PATCH", "/v1/consultations/{consultation_id}"): Route(
        "PATCH",
        "/v1/consultations/{target}",
        C,
        consultation_rule(A.CONSULTATION_UPDATE, True),
        {"description": "pwn"},
    ),
    ("POST", "/v1/consultations/{consultation_id}/publish"): Route(
        "POST",
        "/v1/consultations/{target}/publish",
        C,
        consultation_rule(A.CONSULTATION_PUBLISH, True),
    ),
    ("POST", "/v1/consultations/{consultation_id}/close"): Route(
        "POST",
        "/v1/consultations/{target}/close",
        C,
        consultation_rule(A.CONSULTATION_CLOSE, True),
        {"reason": "pwn"},
    ),
    ("GET", "/v1/consultations/{consultation_id}/results"): Route(
        "GET", "/v1/consultations/{target}/results", C, final_results, query="?format=csv"
    ),
    ("GET", "/v1/consultations/{consultation_id}/open-data"): Route(
        "GET", "/v1/consultations/{target}/open-data", C, open_data
    ),
    ("GET", "/v1/consultations/{consultation_id}/debates"): Route(
        "GET",
        "/v1/consultations/{target}/debates",
        C,
        consultation_rule(A.DEBATE_READ, False),
        query="?limit=100",
    ),
    ("POST", "/v1/consultations/{consultation_id}/debates"): Route(
        "POST",
        "/v1/consultations/{target}/debates",
        C,
        consultation_rule(A.DEBATE_CREATE, True),
        {"title": "pwn", "function": {"type": "vote"}},
    ),
    ("PUT", "/v1/consultations/{consultation_id}/proxy"): Route(
        "PUT", "/v1/consultations/{target}/proxy", C, proxies_off(REFUSED), {"holder": "x-admin"}
    ),
    ("GET", "/v1/consultations/{consultation_id}/proxy"): Route(
        "GET", "/v1/consultations/{target}/proxy", C, proxies_off(ok(404))
    ),
    ("DELETE", "/v1/consultations/{consultation_id}/proxy"): Route(
        "DELETE", "/v1/consultations/{target}/proxy", C, proxies_off(ok(404))
    ),
    ("GET", "/v1/me/proxies"): Route("GET", "/v1/me/proxies", ("-",), anyone()),
    ("DELETE", "/v1/me/proxies/{consultation_id}/{giver_id}"): Route(
        "DELETE",
        "/v1/me/proxies/{target}/x-admin",
        C,
        proxies_off(ok(404)),
        not_found="consultation_not_found",
    ),
    ("GET", "/v1/consultations/{consultation_id}/grants"): Route(
        "GET", "/v1/consultations/{target}/grants", C, consultation_rule(A.GRANTS_MANAGE, False)
    ),
    ("PUT", "/v1/consultations/{consultation_id}/grants/{user_id}"): Route(
        "PUT",
        "/v1/consultations/{target}/grants/{outsider}",
        C,
        consultation_rule(A.GRANTS_MANAGE, True),
        {"role": "admin"},
    ),
    ("DELETE", "/v1/consultations/{consultation_id}/grants/{user_id}"): Route(
        "DELETE",
        "/v1/consultations/{target}/grants/{grantee}",
        C,
        consultation_rule(A.GRANTS_MANAGE, True),
    ),
    ("POST", "/v1/consultations/{consultation_id}/partners"): Route(
        "POST",
        "/v1/consultations/{target}/partners",
        C,
        consultation_rule(A.PARTNERS_MANAGE, True),
        {"group_id": "{third}"},
    ),
    ("DELETE", "/v1/consultations/{consultation_id}/partners/{group_id}"): Route(
        "DELETE", "/v1/consultations/{target}/partners/{partner}", C, withdraw_partnership
    ),
    ("POST", "/v1/consultations/{consultation_id}/partners/{group_id}/accept"): Route(
        "POST",
        "/v1/consultations/{target}/partners/{partner}/accept",
        C,
        accept_partnership,
        not_found="group_not_found",  # the invited association is asked about first
    ),
    # ---- debates and ballots
    ("GET", "/v1/debates/{debate_id}"): Route(
        "GET", "/v1/debates/{target}", D, debate_rule(A.DEBATE_READ, False)
    ),
    ("PATCH", "/v1/debates/{debate_id}"): Route(
        "PATCH", "/v1/debates/{target}", D, debate_rule(A.DEBATE_UPDATE, True), {"body": "pwn"}
    ),
    ("POST", "/v1/debates/{debate_id}/addenda"): Route(
        "POST",
        "/v1/debates/{target}/addenda",
        D,
        debate_rule(A.DEBATE_UPDATE, True),
        {"body": "pwn"},
    ),
    ("GET", "/v1/debates/{debate_id}/ballot"): Route(
        "GET", "/v1/debates/{target}/ballot", D, debate_rule(A.DEBATE_READ, False, (200, 404))
    ),
    ("PUT", "/v1/debates/{debate_id}/ballot"): Route(
        "PUT", "/v1/debates/{target}/ballot", D, debate_rule(A.PARTICIPATE, True), {"choice": "no"}
    ),
    ("DELETE", "/v1/debates/{debate_id}/ballot"): Route(
        "DELETE", "/v1/debates/{target}/ballot", D, debate_rule(A.PARTICIPATE, True)
    ),
    ("GET", "/v1/debates/{debate_id}/results"): Route(
        "GET", "/v1/debates/{target}/results", D, debate_rule(A.DEBATE_READ, False, (200, 403))
    ),
    ("GET", "/v1/debates/{debate_id}/ballots"): Route(
        "GET",
        "/v1/debates/{target}/ballots",
        D,
        debate_rule(A.DEBATE_READ, False, (200, 403, 409)),
    ),
    ("GET", "/v1/debates/{debate_id}/receipts/{receipt}"): Route(
        "GET",
        "/v1/debates/{target}/receipts/{receipt}",
        D,
        debate_rule(A.DEBATE_READ, False, (200, 403, 404, 409)),
    ),
    ("GET", "/v1/debates/{debate_id}/comments"): Route(
        "GET",
        "/v1/debates/{target}/comments",
        D,
        debate_rule(A.DEBATE_READ, False),
        query="?limit=100",
    ),
    ("POST", "/v1/debates/{debate_id}/comments"): Route(
        "POST",
        "/v1/debates/{target}/comments",
        D,
        debate_rule(A.COMMENT_CREATE, True),
        {"body": "pwn"},
    ),
    # ---- comments
    ("GET", "/v1/comments/{comment_id}"): Route(
        "GET", "/v1/comments/{target}", M, comment_rule(A.DEBATE_READ, False)
    ),
    ("GET", "/v1/comments/{comment_id}/replies"): Route(
        "GET", "/v1/comments/{target}/replies", M1, comment_rule(A.DEBATE_READ, False)
    ),
    ("PATCH", "/v1/comments/{comment_id}"): Route(
        "PATCH",
        "/v1/comments/{target}",
        (*M_EDIT, "members/hidden-edit"),
        comment_rule(A.COMMENT_EDIT, True),
        {"body": "pwn"},
    ),
    ("DELETE", "/v1/comments/{comment_id}"): Route(
        "DELETE",
        "/v1/comments/{target}",
        (*M_EDIT, "members/hidden-delete"),
        comment_rule(A.COMMENT_DELETE, True),
    ),
    ("POST", "/v1/comments/{comment_id}/flags"): Route(
        "POST",
        "/v1/comments/{target}/flags",
        M1,
        comment_rule(A.COMMENT_FLAG, True),
        {"reason": "spam"},
    ),
    ("PUT", "/v1/comments/{comment_id}/reaction"): Route(
        "PUT", "/v1/comments/{target}/reaction", M1, comment_rule(A.COMMENT_REACT, True)
    ),
    ("DELETE", "/v1/comments/{comment_id}/reaction"): Route(
        "DELETE",
        "/v1/comments/{target}/reaction",
        M1,
        comment_rule(A.COMMENT_REACT, True, withdrawing=True),
    ),
    ("POST", "/v1/comments/{comment_id}/hide"): Route(
        "POST",
        "/v1/comments/{target}/hide",
        M_MODERATE,
        comment_rule(A.COMMENT_MODERATE, True),
        {"reason": "pwn"},
    ),
    ("POST", "/v1/comments/{comment_id}/restore"): Route(
        "POST", "/v1/comments/{target}/restore", M_MODERATE, comment_rule(A.COMMENT_MODERATE, True)
    ),
}

# The invitation routes of issue 12 (item 2).
ANNOUNCED: dict[tuple[str, str], Route] = {
    ("GET", "/v1/groups/{group_id}/invitations"): Route(
        "GET", "/v1/groups/{target}/invitations", G, group_rule(A.INVITATION_CREATE, False)
    ),
    ("DELETE", "/v1/groups/{group_id}/invitations/{code}"): Route(
        "DELETE",
        "/v1/groups/{target}/invitations/{code}",
        G,
        group_rule(A.INVITATION_CREATE, True),
    ),
}


def documented_routes() -> list[tuple[str, str]]:
    """Every route the app serves and every one the OpenAPI document lists (the same, as
    tests/api/test_contract.py checks; both, so that neither can hide one)."""
    served = {
        (method.upper(), path)
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if method != "OPTIONS" and not fallback.is_fallback(entry)  # 404/405 only
    }
    documented = {
        (method.upper(), path)
        for path, operations in contract.document()["paths"].items()
        for method in operations
    }
    assert served, "the app serves no route: imported too early?"
    return sorted(served | documented)


# ---------------------------------------------------------------- the world


@dataclass
class World:
    users: dict[str, Api]
    ids: dict[str, str] = field(default_factory=dict)  # world key -> id
    receipts: dict[str, str] = field(default_factory=dict)  # debate key -> a receipt
    values: dict[str, str] = field(default_factory=dict)  # the path's other placeholders

    def id(self, key: str) -> str:
        return self.ids[key]


def token(consultation: str) -> str:
    """A word found in every text of a consultation: titles, bodies, comments."""
    return f"zq{consultation}zq"


def forget_stream() -> None:
    """moto copies the whole table, stream records included, for each transaction: the pass
    reads no stream, so its records are dropped to keep it fast."""
    from tests.api.test_consultation_permissions_http import forget_stream as forget

    forget()


class Quiet(Api):
    """An API client that drops the stream's records before each request (see above)."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        forget_stream()
        return super().request(*args, **kwargs)


def ok_status(response: Any, *statuses: int) -> Any:
    assert response.status_code in (statuses or (200, 201)), response.data
    return response.data


def build(api: Any) -> World:
    users = {name: api(who.sub, name=name.title()) for name, who in CALLERS.items()}
    world = World(users)
    admin = users["admin"]
    host = create_group(admin, GROUP_NAMES["host"], join_policy="request")
    partner_admin = api("x-partner-admin", name="Partner Admin")
    partner = create_group(partner_admin, GROUP_NAMES["partner"], listed=False)
    former_admin_of_w = api("x-former-partner-admin", name="W Admin")
    former = create_group(former_admin_of_w, GROUP_NAMES["former-partner"])
    third = create_group(api("x-third-admin"), "Troisième")
    world.ids.update({"host": host, "partner": partner, "former-partner": former})

    def join(user: str, group: str, admin_api: Any, role: Role) -> None:
        add_member(lambda sub, **claims: users[user], admin_api, group, CALLERS[user].sub, role)

    for name in ("observer", "participant", "author", "moderator", "blocked"):
        join(name, host, admin, CALLERS[name].host)
    join("former-admin", host, admin, ADMIN)
    join("former-audience", host, admin, ADMIN)
    join("partner-member", partner, partner_admin, PARTICIPANT)
    join("partner-moderator", partner, partner_admin, MODERATOR)
    join("grantee", partner, partner_admin, OBSERVER)
    join("former-partner", former, former_admin_of_w, MODERATOR)
    w_speaker = add_member(api, former_admin_of_w, former, "x-w-speaker", "participant")
    victim = add_member(api, admin, host, "x-victim", "participant")
    applicant = api("x-applicant", name="Applicant")
    assert ok_status(applicant.post(f"/v1/groups/{host}/join"), 202)
    # The former admin's invitation, made while admin (issue 12 item 2).
    world.values["former_admin_code"] = invite(users["former-admin"], host, "admin")
    world.values["code"] = invite(admin, host, "observer")

    def consultation(key: str, creator: str, closes_in: timedelta = timedelta(days=7)) -> str:
        shape = CONSULTATIONS[key]
        made = create_consultation(
            users[creator],
            host,
            f"Consultation {token(key)}",
            description=f"Ordre du jour {token(key)}",
            closes_at=moment(closes_in),
            **shape.fields,
        )
        world.ids[key] = made["id"]
        return made["id"]

    def debate(key: str, creator: str, function: dict[str, Any]) -> str:
        consultation_id = world.id(consultation_of(key))
        made = users[creator].post(
            f"/v1/consultations/{consultation_id}/debates",
            {
                "title": f"Motion {token(consultation_of(key))}",
                "body": token(consultation_of(key)),
                "function": function,
            },
        )
        world.ids[key] = ok_status(made, 201)["id"]
        return world.ids[key]

    def comment(key: str, *, via_store: bool = False) -> str:
        debate_key, author = COMMENTS[key]
        text = f"Argument {token(consultation_of(debate_key))} {key}"
        if key in HIDDEN_COMMENTS:
            text += " zqhiddenzq"
        if via_store or author is None:  # a draft takes no comment; the former partner's member
            sub = CALLERS[author].sub if author else "x-w-speaker"
            made = Comment(
                id=new_comment_id(world.id(debate_key)),
                debate_id=world.id(debate_key),
                parent_id=None,
                author_id=sub,
                author_name=sub.title(),
                author_group=None if author else former,
                body=text,
                stance=Stance.PRO,
                created_at=clock.now(),
            )
            comment_store.create(made)
            world.ids[key] = made.id
            return made.id
        made = users[author].post(f"/v1/debates/{world.id(debate_key)}/comments", {"body": text})
        world.ids[key] = ok_status(made, 201)["id"]
        return world.ids[key]

    def publish(key: str) -> None:
        ok_status(users["admin"].post(f"/v1/consultations/{world.id(key)}/publish"))

    def vote(user: Any, debate_key: str, choice: str = "yes") -> None:
        made = user.put(f"/v1/debates/{world.id(debate_key)}/ballot", {"choice": choice})
        data = ok_status(made, 201)
        if data.get("receipt"):
            world.receipts.setdefault(debate_key, data["receipt"])

    def edit(key: str) -> None:
        author = users[COMMENTS[key][1]]
        ok_status(author.patch(f"/v1/comments/{world.id(key)}", {"body": f"Mieux dit {key}"}))

    def flag(user: Any, key: str) -> None:
        ok_status(user.post(f"/v1/comments/{world.id(key)}/flags", {"reason": "spam"}), 201)

    def hide(user: Any, key: str) -> None:
        ok_status(user.post(f"/v1/comments/{world.id(key)}/hide", {"reason": "Hors sujet"}))

    secret = {"type": "vote", "secret": True}
    # The draft: the author's, with a vote; only its author and the host's admins see it.
    consultation("draft", "author")
    debate("draft/", "author", {"type": "vote"})
    comment("draft/plain", via_store=True)
    # The board meeting: admins only; a grant; the partner invited and accepted (in vain)
    # while it was drafted for members (a board meeting takes no new partner).
    board = consultation("board", "admin")
    ok_status(admin.put(f"/v1/consultations/{board}/grants/x-grantee", {"role": "participant"}))
    for_members = {"visibility": "members"}
    ok_status(admin.patch(f"/v1/consultations/{board}", for_members), 200)
    ok_status(admin.post(f"/v1/consultations/{board}/partners", {"group_id": partner}), 201)
    ok_status(partner_admin.post(f"/v1/consultations/{board}/partners/{partner}/accept"), 201)
    back = {
        k: v for k, v in CONSULTATIONS["board"].fields.items() if k in ("visibility", "audience")
    }
    ok_status(admin.patch(f"/v1/consultations/{board}", back), 200)
    debate("board/", "admin", secret)
    debate("board-own/", "former-audience", {"type": "vote", "results_visibility": "live"})
    publish("board")
    for name in ("admin", "former-admin", "former-audience", "grantee"):
        vote(users[name], "board/")
    vote(users["former-audience"], "board-own/")
    comment("board/edited")
    edit("board/edited")
    comment("board/flagged")
    flag(admin, "board/flagged")
    comment("board/hidden")
    hide(admin, "board/hidden")
    # The members consultation: the partner inside; the former partner in, then out.
    members = consultation("members", "admin")
    for group, group_admin in ((partner, partner_admin), (former, former_admin_of_w)):
        ok_status(admin.post(f"/v1/consultations/{members}/partners", {"group_id": group}), 201)
        ok_status(group_admin.post(f"/v1/consultations/{members}/partners/{group}/accept"), 201)
    publish("members")
    debate("members/", "author", {"type": "vote", "results_visibility": "live"})
    for name in ("participant", "partner-member", "blocked"):
        vote(users[name], "members/")
    comment("members/flagged")
    flag(users["participant"], "members/flagged")
    comment("members/edited")
    edit("members/edited")
    for key in ("members/hidden", "members/hidden-edit", "members/hidden-delete"):
        comment(key)
        hide(users["moderator"], key)
    made = w_speaker.post(
        f"/v1/debates/{world.id('members/')}/comments",
        {"body": f"Argument {token('members')} members/former-partner"},
    )
    world.ids["members/former-partner"] = ok_status(made, 201)["id"]
    flag(users["participant"], "members/former-partner")
    comment("members/blocked")
    ok_status(users["moderator"].put(f"/v1/groups/{host}/blocks/x-blocked", {"reason": "insultes"}))
    ok_status(admin.delete(f"/v1/consultations/{members}/partners/{former}"), 204)
    # The public consultation: anyone reads it, anyone signed in takes part.
    consultation("public", "admin")
    debate("public/", "admin", secret)
    publish("public")
    vote(users["outsider"], "public/")
    vote(users["participant"], "public/", "no")
    comment("public/flagged")
    flag(users["participant"], "public/flagged")
    comment("public/hidden")
    hide(users["moderator"], "public/hidden")
    comment("public/edited")
    edit("public/edited")
    # The archive: a board meeting closed early and finalised, with its ballot board.
    archive = consultation("archive", "former-admin")
    debate("archive/", "admin", secret)
    publish("archive")
    vote(admin, "archive/")
    vote(users["former-admin"], "archive/", "no")
    comment("archive/plain")
    ok_status(admin.post(f"/v1/consultations/{archive}/close", {"reason": "Séance levée"}))
    # The demotions, last: what they did before stays.
    for name, role in (("former-admin", "participant"), ("former-audience", "author")):
        changed = admin.put(f"/v1/groups/{host}/members/{CALLERS[name].sub}", {"role": role})
        ok_status(changed)
    world.values.update(
        victim=victim.sub,
        applicant=applicant.sub,
        outsider="x-nobody-yet",
        grantee="x-grantee",
        blocked="x-blocked",
        partner=partner,
        third=third,
    )
    return world


def finalise_archive() -> None:
    """The closer finalises the archive once its grace period is over."""
    from chalicelib.services import closer

    closer.close_due_consultations(clock.now() + timedelta(hours=1))


WRITES: list[str] = []  # every write the table accepted, while counting


def count_writes() -> None:
    """Record each write the embedded table accepts (a cancelled transaction is none), so
    that a refused request can be shown to have written nothing."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from chalicelib.settings import get_settings

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().region]
    inside = []  # a transaction's own puts, updates and deletes are not counted apart

    def counting(name: str) -> Any:
        original = getattr(backend, name)

        def write(*args: Any, **kwargs: Any) -> Any:
            inside.append(name)
            try:
                result = original(*args, **kwargs)
            finally:
                inside.pop()
            if not inside:
                WRITES.append(name)
            return result

        return write

    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        setattr(backend, name, counting(name))


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    from chalicelib.store.table import create_table_if_absent

    with mock_aws():
        create_table_if_absent()
        with Client(app) as client:
            send = in_process(client)
            world = build(lambda sub, **claims: Quiet(send, sub, check=conformance.check, **claims))
            finalise_archive()
            # Everyone signed in once (GET /v1/me records how to reach them, on first sight
            # only): from here on, a GET that writes is a finding.
            for user in world.users.values():
                user.request("GET", "/v1/me", None)
            forget_stream()
            count_writes()
            yield world


# ---------------------------------------------------------------- reading what comes back


def may_read_text_of(caller: str, consultation: str) -> bool:
    """Whether anything of a consultation may reach `caller`: they open it, or one of its
    debates (a debate's creator who still sees it)."""
    return sees_consultation(caller, consultation) or any(
        sees_debate(caller, d) for d in DEBATES if consultation_of(d) == consultation
    )


def leaks(world: World, caller: str, body: str) -> list[str]:
    """What `body` tells `caller` that they may not know."""
    found = []
    for group in GROUPS:  # an unlisted association's name, to whoever may not read it
        if not may_in_group(Action.GROUP_READ, caller, group) and GROUP_NAMES[group] in body:
            found.append(f"the name of the {group} association")
    for key in CONSULTATIONS:
        if may_read_text_of(caller, key):
            continue
        for needle in (world.id(key), token(key)):
            if needle in body:
                found.append(f"{needle} of the {key} consultation")
    for key in COMMENTS:
        debate = debate_of(key)
        if not sees_debate(caller, debate):
            continue
        full = is_author(caller, key) or may_moderate(caller, key)
        if key in HIDDEN_COMMENTS and not full and f"{key} zqhiddenzq" in body:
            found.append(f"the text of the hidden comment {key}")
        if key.endswith("/edited") and not may_moderate(caller, key):
            earlier = f"Argument {token(consultation_of(debate))} {key}"
            if earlier in body:
                found.append(f"the earlier version of the edited comment {key}")
    return found


# A person's export is everything the Hub holds about them, as the GDPR's right of access
# wants it: what they wrote (earlier versions included) and did (their ballots, their audit
# entries) in consultations they may no longer open, so the ids of those show. It must
# never hold anything of anyone else's: no other person's text, no association's name they
# may not read.
OWN_DATA = {("GET", "/v1/me/export")}


def others_data(world: World, caller: str, body: str) -> list[str]:
    """What `body` tells `caller` of anyone else's."""
    found = []
    for group in GROUPS:
        if not may_in_group(Action.GROUP_READ, caller, group) and GROUP_NAMES[group] in body:
            found.append(f"the name of the {group} association")
    for key in COMMENTS:
        if is_author(caller, key):
            continue
        if f"Argument {token(consultation_of(debate_of(key)))} {key}" in body:
            found.append(f"the text of someone else's comment {key}")
    return found


def fill(template: Any, values: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {key: fill(value, values) for key, value in template.items()}
    return template


def cell_values(world: World, route: Route, target: str) -> dict[str, str]:
    values = dict(world.values)
    if target != "-":
        values["target"] = world.id(target)
    values["receipt"] = world.receipts.get(target, "r" * 22)
    return values


def answer(response: Any) -> tuple[int, str | None]:
    error = (response.data or {}).get("error") if response.status_code >= 400 else None
    return response.status_code, error.get("code") if error else None


def resource_of(path: str) -> str:
    """The resource a path names first: its *_not_found code when hidden."""
    segment = path.split("/")[2]
    return {"groups": "group", "consultations": "consultation", "debates": "debate"}.get(
        segment, "comment"
    )


def check_cell(world: World, route: Route, caller: str, target: str) -> str | None:
    """None when the cell answers as it must, else what went wrong."""
    want = route.expect(caller, target)
    method, template = route.method, route_key_of(route)[1]
    if CALLERS[caller].sub is None and needs_token(method, template):
        want = UNAUTHENTICATED
    if want is ALLOWED:
        return None
    values = cell_values(world, route, target)
    path = fill(route.path, values) + route.query
    body = fill(route.body, values)
    WRITES.clear()
    response = world.users[caller].request(method, path, body)
    got = answer(response)
    problems = []
    if got[0] not in want.statuses:
        problems.append(f"answered {got}, not one of {sorted(want.statuses)}")
    hidden_code = route.not_found or f"{resource_of(route.path)}_not_found"
    if want.hidden and got[1] != hidden_code:
        problems.append(f"answered {got}, not ({404}, {hidden_code!r})")
    if not want.hidden and got == (404, hidden_code):
        problems.append(f"answered {got} to a caller who may see it")
    if WRITES:
        problems.append(f"wrote to the table: {WRITES}")
    text = response.body.decode() if isinstance(response.body, bytes) else response.body or ""
    told = others_data if route_key_of(route) in OWN_DATA else leaks
    if text and (found := told(world, caller, text)):
        problems.append(f"told them {found}")
    forget_stream()
    if problems:
        return f"{caller} {method} {path} [{target}]: " + "; ".join(problems)
    return None


_ROUTE_KEYS: dict[int, tuple[str, str]] = {}


def route_key_of(route: Route) -> tuple[str, str]:
    return _ROUTE_KEYS[id(route)]


for _key, _route in {**ROUTES, **ANNOUNCED}.items():
    _ROUTE_KEYS[id(_route)] = _key


# ---------------------------------------------------------------- the pass


def test_every_documented_route_has_an_expectation():
    missing = [r for r in documented_routes() if r not in ROUTES and r not in ANNOUNCED]
    assert not missing, f"routes the attacker's pass does not try: {missing}"


def test_every_expectation_is_a_documented_route():
    """An expectation for a route that went away is dead weight (announced ones excepted)."""
    assert set(ROUTES) <= set(documented_routes())


def pass_cases() -> list[Any]:
    routes = [r for r in documented_routes() if r in ROUTES or r in ANNOUNCED]
    return [
        pytest.param(route, caller, id=f"{route[0]} {route[1]} as {caller}")
        for route in routes
        for caller in CALLERS
    ]


@pytest.mark.parametrize(("route_key", "caller"), pass_cases())
def test_attacker_pass(world: World, route_key: tuple[str, str], caller: str) -> None:
    route = ROUTES.get(route_key) or ANNOUNCED[route_key]
    wrong = [
        problem for target in route.targets if (problem := check_cell(world, route, caller, target))
    ]
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- attacks in several steps
# After the pass: they change the world.


def test_nobody_lifts_their_own_block(world: World) -> None:
    """A block on a moderator (or an admin) is void if they may lift it themselves."""
    host, moderator = world.id("host"), world.users["moderator"]
    blocked = world.users["admin"].put(f"/v1/groups/{host}/blocks/x-moderator", {"reason": "abus"})
    assert blocked.status_code == 200, blocked.data
    lifted = moderator.delete(f"/v1/groups/{host}/blocks/x-moderator")
    assert lifted.status_code == 403, lifted.data
    comment = moderator.post(f"/v1/debates/{world.id('members/')}/comments", {"body": "Me revoilà"})
    assert answer(comment) == (409, "blocked"), comment.data


def test_a_question_cannot_be_rewritten_once_people_voted(world: World) -> None:
    """The members debate is open and holds ballots: its manager cannot reword it."""
    path = f"/v1/debates/{world.id('members/')}"
    before = world.users["author"].get(path).data
    rewritten = world.users["author"].patch(path, {"title": "Autre question", "body": "Autre"})
    assert answer(rewritten) == (409, "debate_locked"), rewritten.data
    assert world.users["participant"].get(path).data["title"] == before["title"]


def test_a_former_admins_admin_invitation_makes_no_admin(world: World) -> None:
    """Made while admin, handed out after the demotion: it carries no more than its creator
    now holds, so whoever accepts it does not become an admin able to remove the founder."""
    accomplice = Quiet(
        world.users["admin"].send, "x-accomplice", check=conformance.check, name="Accomplice"
    )
    code = world.values["former_admin_code"]
    accepted = accomplice.post(f"/v1/invitations/{code}/accept")
    assert accepted.status_code >= 400 or accepted.data["role"] != "admin", accepted.data
    host, founder = world.id("host"), CALLERS["admin"].sub
    removed = accomplice.delete(f"/v1/groups/{host}/members/{founder}")
    assert removed.status_code in (403, 404), removed.data
