"""Reactions and flags: one of each per person and comment, never on one's own.

Each is written with the comment's new counts, conditioned on the version read: a request
that lost a race reads again and decides anew.
"""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.deliberation import Comment, FlagReason
from chalicelib.domain.errors import CommentHidden, ConcurrentUpdate, OwnComment
from chalicelib.domain.model import Caller
from chalicelib.domain.permissions import Action
from chalicelib.services.access import comment_access
from chalicelib.services.moderation import SYSTEM, moderation_event, queues
from chalicelib.settings import get_settings
from chalicelib.store import comments as comment_store
from chalicelib.store import reactions as store

_ATTEMPTS = 3


def react(caller: Caller, comment_id: str) -> bool:
    """One reaction per person (not on one's own comment). True if it was added now."""
    for _ in range(_ATTEMPTS):
        access = comment_access(comment_id, caller, consistent=True)
        access.take_part(Action.COMMENT_REACT)
        comment = access.live_comment()
        if comment.hidden:  # under review: a reaction would rank what readers cannot see
            raise CommentHidden()
        if comment.author_id == caller.id:
            raise OwnComment()
        if access.reacted:
            return False
        after = replace(comment, reactions=comment.reactions + 1)
        try:
            comment_store.save(
                comment, after, extra=lambda t: store.add_reaction(t, comment_id, caller.id)
            )
            return True
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate()


def unreact(caller: Caller, comment_id: str) -> None:
    for _ in range(_ATTEMPTS):
        access = comment_access(comment_id, caller, consistent=True)
        access.take_part(Action.COMMENT_REACT)
        comment = access.comment
        assert comment is not None
        if not access.reacted:
            return
        after = replace(comment, reactions=max(0, comment.reactions - 1))
        try:
            comment_store.save(
                comment, after, extra=lambda t: store.remove_reaction(t, comment_id, caller.id)
            )
            return
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate()


def flag(caller: Caller, comment_id: str, reason: FlagReason) -> Comment:
    """One flag per person per comment. At HUB_FLAGS_TO_HIDE distinct flags the comment is
    hidden pending review; flagged comments wait in the moderators' queue."""
    threshold = get_settings().flags_to_hide
    for _ in range(_ATTEMPTS):
        access = comment_access(comment_id, caller, consistent=True)
        access.take_part(Action.COMMENT_FLAG)
        comment = access.live_comment()
        if comment.author_id == caller.id:
            raise OwnComment()
        reasons = dict(comment.flag_reasons)
        reasons[reason.value] = reasons.get(reason.value, 0) + 1
        after = replace(comment, flags=comment.flags + 1, flag_reasons=reasons)
        events = []
        if after.flags >= threshold and not comment.hidden:
            after = replace(after, hidden=True, hidden_reason="flagged")
            events.append(moderation_event(access, SYSTEM, "comment_auto_hidden", after))
        try:
            return comment_store.save(
                comment,
                after,
                events=events,
                queue=[(g, True) for g in queues(access, comment)],
                extra=lambda t: store.add_flag(t, comment_id, caller.id, reason.value),
            )
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate()
