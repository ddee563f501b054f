"""Moderation: hiding and restoring comments, the moderation queue, and blocks.

Who moderates a comment is the permission table's answer (`COMMENT_MODERATE`): the host's
moderators and admins, granted moderators, and the moderators of the partner association
the comment's author speaks for (services/access.py says who holds which standing).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.domain import clock
from chalicelib.domain.audit import audit_event
from chalicelib.domain.consultations import standings_of
from chalicelib.domain.deliberation import Block, Comment
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.model import AuditEvent, Caller
from chalicelib.domain.permissions import Action, allows, may_block
from chalicelib.services.access import (
    ConsultationAccess,
    DebateAccess,
    comment_access,
    comment_standings,
    group_access,
)
from chalicelib.store import comments as comment_store
from chalicelib.store import grants as grant_store
from chalicelib.store import memberships as membership_store
from chalicelib.store import moderation as store
from chalicelib.store.table import Page

SYSTEM = Caller("hub-moderation", name="Automatic moderation")


def queues(access: ConsultationAccess, comment: Comment) -> list[str]:
    """The host's queue, and the author's partner group's."""
    groups = [access.consultation.group_id]
    if comment.author_group and comment.author_group != access.consultation.group_id:
        groups.append(comment.author_group)
    return groups


def moderation_event(
    access: ConsultationAccess, actor: Caller, action: str, comment: Comment, **details: object
) -> AuditEvent:
    return audit_event(
        access.consultation.group_id,
        actor,
        action,
        comment.author_id,
        comment_id=comment.id,
        debate_id=comment.debate_id,
        **details,
    )


# ---------------------------------------------------------------- hiding and restoring


def _moderated(caller: Caller, comment_id: str) -> tuple[DebateAccess, Comment]:
    access = comment_access(comment_id, caller, consistent=True)
    assert access.comment is not None
    access.require_on(Action.COMMENT_MODERATE, access.comment)
    return access, access.live_comment()


def hide(caller: Caller, comment_id: str, reason: str) -> Comment:
    access, comment = _moderated(caller, comment_id)
    after = replace(comment, hidden=True, hidden_reason=reason)
    event = moderation_event(access, caller, "comment_hidden", comment, reason=reason)
    queue = [(g, True) for g in queues(access, comment)]
    return comment_store.save(comment, after, events=[event], queue=queue)


def restore(caller: Caller, comment_id: str) -> Comment:
    """Reviewed and kept: shown again, its flags cleared, out of the queue."""
    access, comment = _moderated(caller, comment_id)
    after = replace(comment, hidden=False, hidden_reason=None, flags=0, flag_reasons={})
    event = moderation_event(access, caller, "comment_restored", comment)
    queue = [(g, False) for g in queues(access, comment)]
    return comment_store.save(comment, after, events=[event], queue=queue)


# ---------------------------------------------------------------- the queue


def moderation_queue(
    caller: Caller, group_id: str, limit: int, cursor: str | None
) -> Page[Comment]:
    """The comments waiting in the group's queue that the caller could open and moderate
    directly: the same answer as `comment_access` and the table give on the comment itself,
    so a board meeting's comments stay with its audience and a partner's moderators lose
    them with the partnership. A page holds at most `limit` and may hold fewer (those left
    out), even none while `next` is given; the queue ends when `next` is null.

    Round trips per page, whatever its size: the queue, its comments with their
    consultations, then the caller's roles and grants in all of them."""
    group_access(group_id, caller, Action.MODERATION_QUEUE)
    page = store.queue(group_id, limit, cursor)
    found, consultations = store.comments_and_consultations(page.items)
    groups = {g for c in consultations.values() for g in (c.group_id, *c.accepted_partners)}
    roles, grants = grant_store.roles_and_grants(caller.id, groups, consultations, consistent=True)
    waiting = []
    for comment_id in page.items:
        comment = found.get(comment_id)
        consultation = consultations.get(store.consultation_id_of(comment_id))
        if comment is None or consultation is None:
            continue
        its_groups = (consultation.group_id, *consultation.accepted_partners)
        inside = {g: roles[g] for g in its_groups if g in roles}
        grant = grants.get(consultation.id)
        held = standings_of(consultation, caller, inside, grant, (consultation.created_by,))
        towards = comment_standings(consultation, caller, inside, grant, comment)
        context = consultation.context
        if allows(Action.DEBATE_READ, held, context) and allows(
            Action.COMMENT_MODERATE, towards, context
        ):
            waiting.append(comment)
    return Page(waiting, page.next)


# ---------------------------------------------------------------- blocks


def set_block(
    caller: Caller, group_id: str, user_id: str, reason: str, until: datetime | None
) -> Block:
    _may_block(caller, group_id, user_id)
    block = Block(group_id, user_id, reason, until, caller.id, clock.now())
    event = audit_event(
        group_id,
        caller,
        "member_blocked",
        user_id,
        reason=reason,
        until=clock.to_iso(until) if until else None,
    )
    store.put_block(block, event)
    return block


def remove_block(caller: Caller, group_id: str, user_id: str) -> None:
    _may_block(caller, group_id, user_id)
    store.delete_block(
        group_id, user_id, audit_event(group_id, caller, "member_unblocked", user_id)
    )


def _may_block(caller: Caller, group_id: str, user_id: str) -> None:
    """Moderators and admins manage the blocks of those below them, never their own."""
    access = group_access(group_id, caller, Action.BLOCKS_MANAGE, consistent=True)
    target = (
        access.membership
        if user_id == caller.id
        else membership_store.get_membership(group_id, user_id, consistent=True)
    )
    if not may_block(access.standing, target.role if target else None):
        raise Forbidden()
