"""Deliberation: arguments and replies, read, written, edited and deleted.

Reads: the comment (or debate) with its consultation in one BatchGetItem, then the caller's
roles, grant, block and reaction in another (services/access.py). Writes are conditioned on
the comment's version, with their queue entries and audit event, all at once. Reactions and
flags: services/reactions.py; hiding, the queue and blocks: services/moderation.py.
"""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain import clock
from chalicelib.domain.deliberation import Comment, CommentVersion, Stance
from chalicelib.domain.errors import (
    Blocked,
    CommentHidden,
    CommentNotFound,
    ConsultationClosed,
    invalid,
)
from chalicelib.domain.ids import new_comment_id, split_comment_id
from chalicelib.domain.model import Caller
from chalicelib.domain.permissions import Action
from chalicelib.services.access import DebateAccess, comment_access, debate_access
from chalicelib.services.moderation import moderation_event, queues
from chalicelib.store import comments as store
from chalicelib.store import reactions as reaction_store
from chalicelib.store.table import Page


def create(
    caller: Caller, debate_id: str, *, body: str, stance: Stance, parent_id: str | None
) -> tuple[DebateAccess, Comment]:
    access = debate_access(debate_id, caller, consistent=True, profile=True)
    access.take_part(Action.COMMENT_CREATE)
    if parent_id is not None:
        parent = store.get(parent_id, consistent=True) if _in_debate(parent_id, debate_id) else None
        if parent is None:
            raise invalid("parent_id", "not_found.parent")
        if parent.parent_id is not None:
            raise invalid("parent_id", "too_deep")
        if parent.hidden:  # under review: no thread grows on what readers cannot see
            raise CommentHidden()
    partner_groups = [g for g in access.consultation.accepted_partners if g in access.roles]
    speaks_for_partner = access.consultation.group_id not in access.roles and partner_groups
    comment = Comment(
        id=new_comment_id(debate_id, parent_id),
        debate_id=debate_id,
        parent_id=parent_id,
        author_id=caller.id,
        author_name=access.caller_name,  # the name they chose, read with their standings
        author_group=partner_groups[0] if speaks_for_partner else None,
        body=body,
        stance=stance,
        created_at=clock.now(),
    )
    store.create(comment)
    return access, comment


def _in_debate(comment_id: str, debate_id: str) -> bool:
    ids = split_comment_id(comment_id)
    return ids is not None and ids[0] == debate_id


def list_comments(
    caller: Caller | None,
    debate_id: str,
    *,
    sort: str,
    stance: Stance | None,
    limit: int,
    cursor: str | None,
) -> tuple[DebateAccess, Page[Comment], set[str]]:
    access = debate_access(debate_id, caller)
    page = store.list_top_level(debate_id, limit, cursor, sort=sort, stance=stance)
    mine = reaction_store.reacted([c.id for c in page.items], caller.id) if caller else set()
    return access, page, mine


def list_replies(
    caller: Caller | None, comment_id: str, limit: int, cursor: str | None
) -> tuple[DebateAccess, Page[Comment], set[str]]:
    access = comment_access(comment_id, caller)
    page = store.list_replies(comment_id, limit, cursor)
    mine = reaction_store.reacted([c.id for c in page.items], caller.id) if caller else set()
    return access, page, mine


def stance_counts(debate_ids: list[str]) -> dict[str, dict[str, int]]:
    """Comments per stance (pro / con / neutral) of each debate."""
    return store.counts_of(debate_ids)


def get(caller: Caller | None, comment_id: str) -> DebateAccess:
    return comment_access(comment_id, caller)


def edit(caller: Caller, comment_id: str, body: str) -> tuple[DebateAccess, Comment]:
    """The author edits; the earlier version is kept, for moderators."""
    access = comment_access(comment_id, caller, consistent=True)  # may read it
    before = access.comment
    assert before is not None
    access.require_on(Action.COMMENT_EDIT, before)
    if access.closed:
        raise ConsultationClosed("comments")
    if before.deleted:
        raise CommentNotFound()
    if access.blocked:
        raise Blocked()
    if before.hidden:  # under review: the evidence stays as the moderator found it
        raise CommentHidden()
    if before.body == body:
        return access, before
    written = before.edited_at or before.created_at
    after = replace(
        before,
        body=body,
        edited_at=clock.now(),
        history=(*before.history, CommentVersion(before.body, written)),
    )
    return access, store.save(before, after)


def delete(caller: Caller, comment_id: str) -> None:
    """The author, or a moderator, deletes: the thread keeps a placeholder; the text goes.
    A hidden comment is its moderators' to delete: its author waits for the review."""
    access = comment_access(comment_id, caller, consistent=True)
    comment = access.comment
    assert comment is not None
    access.require_on(Action.COMMENT_DELETE, comment)
    by_author = caller.id == comment.author_id
    moderating = access.may_moderate(comment)
    if comment.deleted:
        return
    if comment.hidden and not moderating:
        raise CommentHidden()
    after = replace(comment, deleted=True, body="", history=(), hidden=False)
    as_moderator = moderating and (not by_author or comment.hidden)
    events = [moderation_event(access, caller, "comment_deleted", comment)] if as_moderator else []
    queue = [(g, False) for g in queues(access, comment)]
    store.save(comment, after, events=events, stance_delta=-1, queue=queue)
