"""The permission policy: ONE table, (action, standing, context) -> allowed, and one
function that answers it. Every service asks `authorize`; tests walk every cell.

The context is a group's visibility for group actions, and a consultation's context
(draft, restricted, members, public:<participation>) for consultation actions. A caller
may hold several standings (see roles.py); an action is allowed when one of them allows it.

A caller who may not even read a resource is told it does not exist (404), never 403:
the existence of an unlisted group or a private consultation must not leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from chalicelib.domain.errors import Forbidden, NotEligible, NotFound
from chalicelib.domain.groups import GroupVisibility
from chalicelib.domain.model import ConsultationContext
from chalicelib.domain.roles import (
    CONSULTATION_STANDINGS,
    GROUP_STANDINGS,
    GrantRole,
    Outsider,
    PartnerRole,
    Relation,
    Role,
    Standing,
)


class Action(StrEnum):
    # on a group
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
    CONSULTATION_CREATE = "consultation.create"
    PARTNERSHIP_ACCEPT = "partnership.accept"  # or leave it: by the partner group's admins
    # on a consultation
    CONSULTATION_READ = "consultation.read"
    CONSULTATION_UPDATE = "consultation.update"
    CONSULTATION_PUBLISH = "consultation.publish"
    PARTNERS_MANAGE = "partners.manage"
    GRANTS_MANAGE = "grants.manage"
    DEBATE_CREATE = "debate.create"
    DEBATE_READ = "debate.read"
    DEBATE_UPDATE = "debate.update"
    PARTICIPATE = "debate.participate"  # vote, answer a poll, sign a petition
    CONSULTATION_CLOSE = "consultation.close"  # close early, with a reason
    COMMENT_CREATE = "comment.create"
    COMMENT_REACT = "comment.react"
    COMMENT_FLAG = "comment.flag"
    COMMENT_EDIT = "comment.edit"  # CREATOR: the comment's author
    COMMENT_DELETE = "comment.delete"
    COMMENT_MODERATE = "comment.moderate"  # hide, restore, read edit history
    MODERATION_QUEUE = "moderation.queue"  # on a group
    BLOCKS_MANAGE = "blocks.manage"  # on a group


Context = GroupVisibility | ConsultationContext

LISTED, UNLISTED = GroupVisibility.LISTED, GroupVisibility.UNLISTED
DRAFT = ConsultationContext.DRAFT
RESTRICTED = ConsultationContext.RESTRICTED
MEMBERS_ONLY = ConsultationContext.MEMBERS
PUBLIC = (
    ConsultationContext.PUBLIC_MEMBERS,
    ConsultationContext.PUBLIC_SIGNED_IN,
    ConsultationContext.PUBLIC_VERIFIED,
)
PUBLISHED = (RESTRICTED, MEMBERS_ONLY, *PUBLIC)
CONSULTATION_CONTEXTS = (DRAFT, *PUBLISHED)


def at_least(role: Role) -> frozenset[Standing]:
    return frozenset(r for r in Role if r.at_least(role))


def partners_at_least(role: Role) -> frozenset[Standing]:
    return frozenset(PartnerRole.of(r) for r in Role if r.at_least(role))


def grants_at_least(role: Role) -> frozenset[Standing]:
    return frozenset(GrantRole.of(r) for r in Role if r.at_least(role))


EVERYONE: frozenset[Standing] = frozenset(CONSULTATION_STANDINGS)
MEMBERS = at_least(Role.OBSERVER)
ADMINS = at_least(Role.ADMIN)
NOBODY: frozenset[Standing] = frozenset()
CREATOR: frozenset[Standing] = frozenset({Relation.CREATOR})

# Who prepares a consultation: its creator, the host's admins, grants of author and above.
EDITORS = CREATOR | ADMINS | grants_at_least(Role.AUTHOR)
# Who changes its settings and publishes it: its creator, the host's admins, granted admins.
MANAGERS = CREATOR | ADMINS | grants_at_least(Role.ADMIN)
INSIDE_RESTRICTED = MEMBERS | grants_at_least(Role.OBSERVER) | CREATOR
INSIDE_MEMBERS = INSIDE_RESTRICTED | partners_at_least(Role.OBSERVER)
AUTHORS_RESTRICTED = at_least(Role.AUTHOR) | grants_at_least(Role.AUTHOR) | CREATOR
AUTHORS_SHARED = AUTHORS_RESTRICTED | partners_at_least(Role.AUTHOR)
# Who takes part: participants and above, of the host (its audience, when restricted), of
# accepted partners (not when restricted), by grant; in public consultations also whoever
# `participation` lets in.
VOTERS_RESTRICTED = at_least(Role.PARTICIPANT) | grants_at_least(Role.PARTICIPANT)
VOTERS = VOTERS_RESTRICTED | partners_at_least(Role.PARTICIPANT)


def _same(allowed: frozenset[Standing], contexts: Iterable[Context]) -> dict[Context, frozenset]:
    return dict.fromkeys(contexts, allowed)


# Who takes part (votes, comments, reacts, flags), context by context.
_TAKE_PART: dict[Context, frozenset[Standing]] = {
    RESTRICTED: VOTERS_RESTRICTED,
    MEMBERS_ONLY: VOTERS,
    ConsultationContext.PUBLIC_MEMBERS: VOTERS,
    ConsultationContext.PUBLIC_SIGNED_IN: VOTERS | {Outsider.SIGNED_IN, Outsider.VERIFIED},
    ConsultationContext.PUBLIC_VERIFIED: VOTERS | {Outsider.VERIFIED},
}
# Taking part refused to someone who sees the debate is one cause, `not_eligible`, whatever
# the act (a ballot, a comment, a reaction, a flag); any other refusal is `forbidden`.
TAKING_PART = frozenset(
    {Action.PARTICIPATE, Action.COMMENT_CREATE, Action.COMMENT_REACT, Action.COMMENT_FLAG}
)
# Who moderates a comment: the host's moderators and admins, granted moderators and, where
# partners take part (not in a restricted consultation), the moderators of the partner
# association the comment's author speaks for, on that comment.
MODERATORS_RESTRICTED = at_least(Role.MODERATOR) | grants_at_least(Role.MODERATOR)
MODERATORS = MODERATORS_RESTRICTED | {Relation.AUTHOR_GROUP_MODERATOR}
SHARED = (MEMBERS_ONLY, *PUBLIC)

_READ = {DRAFT: EDITORS, RESTRICTED: INSIDE_RESTRICTED, MEMBERS_ONLY: INSIDE_MEMBERS} | _same(
    EVERYONE, PUBLIC
)

# THE table. A missing (action, context) pair allows nobody.
PERMISSIONS: dict[Action, dict[Context, frozenset[Standing]]] = {
    Action.GROUP_READ: {LISTED: frozenset(GROUP_STANDINGS), UNLISTED: MEMBERS},
    Action.GROUP_UPDATE: _same(ADMINS, (LISTED, UNLISTED)),
    # Joining is for signed-in outsiders; an unlisted group is reached by invitation only.
    Action.GROUP_JOIN: {LISTED: frozenset({Outsider.SIGNED_IN}), UNLISTED: NOBODY},
    Action.GROUP_LEAVE: _same(MEMBERS, (LISTED, UNLISTED)),
    Action.MEMBERS_LIST: _same(MEMBERS, (LISTED, UNLISTED)),
    Action.MEMBER_SET_ROLE: _same(ADMINS, (LISTED, UNLISTED)),
    Action.MEMBER_REMOVE: _same(ADMINS, (LISTED, UNLISTED)),
    Action.INVITATION_CREATE: _same(ADMINS, (LISTED, UNLISTED)),
    Action.JOIN_REQUESTS_REVIEW: _same(ADMINS, (LISTED, UNLISTED)),
    Action.AUDIT_READ: _same(ADMINS, (LISTED, UNLISTED)),
    Action.CONSULTATION_CREATE: _same(at_least(Role.AUTHOR), (LISTED, UNLISTED)),
    Action.PARTNERSHIP_ACCEPT: _same(ADMINS, (LISTED, UNLISTED)),
    Action.CONSULTATION_READ: _READ,
    Action.CONSULTATION_UPDATE: _same(MANAGERS, CONSULTATION_CONTEXTS),
    Action.CONSULTATION_PUBLISH: {DRAFT: MANAGERS},
    Action.PARTNERS_MANAGE: _same(ADMINS, CONSULTATION_CONTEXTS),
    Action.GRANTS_MANAGE: _same(ADMINS, CONSULTATION_CONTEXTS),
    Action.DEBATE_CREATE: {DRAFT: EDITORS, RESTRICTED: AUTHORS_RESTRICTED}
    | _same(AUTHORS_SHARED, SHARED),
    Action.DEBATE_READ: _READ,
    # For a debate, CREATOR is whoever created the debate or its consultation.
    Action.DEBATE_UPDATE: _same(MANAGERS, CONSULTATION_CONTEXTS),
    Action.CONSULTATION_CLOSE: _same(ADMINS, PUBLISHED),
    Action.PARTICIPATE: _TAKE_PART,
    Action.COMMENT_CREATE: _TAKE_PART,
    Action.COMMENT_REACT: _TAKE_PART,
    Action.COMMENT_FLAG: _TAKE_PART,
    # For a comment, CREATOR is its author (and nobody else: not the consultation's creator).
    Action.COMMENT_EDIT: _same(CREATOR, PUBLISHED),
    Action.COMMENT_DELETE: {RESTRICTED: CREATOR | MODERATORS_RESTRICTED}
    | _same(CREATOR | MODERATORS, SHARED),
    # Hide, restore, read the edit history; and see a comment's flags and its queue.
    Action.COMMENT_MODERATE: {RESTRICTED: MODERATORS_RESTRICTED} | _same(MODERATORS, SHARED),
    Action.MODERATION_QUEUE: _same(at_least(Role.MODERATOR), (LISTED, UNLISTED)),
    Action.BLOCKS_MANAGE: _same(at_least(Role.MODERATOR), (LISTED, UNLISTED)),
}

GROUP_ACTIONS = frozenset(a for a, rules in PERMISSIONS.items() if LISTED in rules)
CONSULTATION_ACTIONS = frozenset(Action) - GROUP_ACTIONS

# The action that decides whether the resource an action touches is visible at all.
READ_ACTION: dict[Action, Action] = {a: Action.GROUP_READ for a in GROUP_ACTIONS} | {
    a: Action.CONSULTATION_READ for a in CONSULTATION_ACTIONS
}


def is_allowed(action: Action, standing: Standing, context: Context) -> bool:
    return standing in PERMISSIONS[action].get(context, NOBODY)


def allows(action: Action, standings: Iterable[Standing], context: Context) -> bool:
    return any(is_allowed(action, standing, context) for standing in standings)


def authorize(
    action: Action,
    standings: Standing | Iterable[Standing],
    context: Context,
    *,
    not_found: type[NotFound] = NotFound,
) -> None:
    """Return if allowed; raise `not_found` when the caller may not even see the resource,
    when they see it but no standing of theirs allows the action `NotEligible` for taking
    part (TAKING_PART), `Forbidden` for anything else (both 403)."""
    held = (standings,) if isinstance(standings, str) else tuple(standings)
    if allows(action, held, context):
        return
    if not allows(READ_ACTION[action], held, context):
        raise not_found()
    raise NotEligible() if action in TAKING_PART else Forbidden()


def may_block(blocker: Standing, target: Role | None) -> bool:
    """Blocking (and lifting a block) reaches only below the blocker: a moderator blocks
    authors and those under them, an admin moderators too; nobody blocks or unblocks an
    admin, nor themselves, so a blocked moderator cannot lift their own block. Someone who
    is not a member (a resident, a former member) may be blocked by any moderator."""
    if not isinstance(blocker, Role):
        return False
    return target is None or target.rank < blocker.rank
