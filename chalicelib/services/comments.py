"""Deliberation: arguments and replies, reactions, flags, and moderation.

Reads: the comment (or debate) with its consultation in one BatchGetItem, then the caller's
roles, grant, block and reaction in another. Writes are conditioned on the comment's
version, with their reaction or flag item, queue entries and audit event, all at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain import clock
from chalicelib.domain.consultations import standings_of
from chalicelib.domain.errors import (
    Blocked,
    CommentHidden,
    CommentNotFound,
    ConcurrentUpdate,
    ConsultationClosed,
    DebateNotFound,
    Forbidden,
    OwnComment,
    invalid,
)
from chalicelib.domain.ids import new_comment_id, split_comment_id, split_debate_id
from chalicelib.domain.model import (
    AuditEvent,
    Block,
    Caller,
    Comment,
    CommentVersion,
    Consultation,
    ConsultationStatus,
    Debate,
    FlagReason,
    Stance,
)
from chalicelib.domain.permissions import Action, allows, authorize, may_block
from chalicelib.domain.roles import GrantRole, Relation, Role, Standing
from chalicelib.services.access import group_access
from chalicelib.services.groups import audit_event
from chalicelib.settings import get_settings
from chalicelib.store import comments as store
from chalicelib.store import consultations as consultation_store
from chalicelib.store import groups as group_store
from chalicelib.store import keys
from chalicelib.store.models import GrantItem, MembershipItem
from chalicelib.store.table import Page, get_many

_ATTEMPTS = 3


@dataclass(frozen=True)
class Seat:
    """Where the caller sits in a debate's deliberation."""

    consultation: Consultation
    debate: Debate
    comment: Comment | None
    standings: frozenset[Standing]  # towards the debate
    author_standings: frozenset[Standing]  # towards the comment: CREATOR = its author
    roles: dict[str, Role]  # in the host and accepted partners
    blocked: bool
    reacted: bool

    def require(self, action: Action) -> None:
        missing = CommentNotFound if self.comment else DebateNotFound
        authorize(action, self.standings, self.consultation.context, not_found=missing)

    @property
    def closed(self) -> bool:
        return self.consultation.status_at(clock.now()) is ConsultationStatus.CLOSED

    def may_moderate(self, comment: Comment) -> bool:
        return may_moderate(self.consultation, self.standings, self.roles, comment)

    def can_see_everything_of(self, comment: Comment, caller: Caller | None) -> bool:
        return (caller is not None and caller.id == comment.author_id) or self.may_moderate(comment)


def may_moderate(
    consultation: Consultation,
    standings: frozenset[Standing],
    roles: Mapping[str, Role],
    comment: Comment,
) -> bool:
    """Host or granted moderators moderate every comment; a partner's moderators their own
    members' comments. `standings` are the caller's towards the comment's debate, `roles`
    their roles in its host and accepted partners."""
    if not allows(Action.COMMENT_MODERATE, standings, consultation.context):
        return False
    if standings & {*_at_least_moderator(), *_grant_moderators()}:
        return True
    return comment.author_group is not None and roles.get(
        comment.author_group, Role.OBSERVER
    ).at_least(Role.MODERATOR)


def _at_least_moderator() -> set[Standing]:
    return {r for r in Role if r.at_least(Role.MODERATOR)}


def _grant_moderators() -> set[Standing]:
    return {GrantRole.of(r) for r in Role if r.at_least(Role.MODERATOR)}


def seat(
    caller: Caller | None,
    *,
    debate_id: str | None = None,
    comment_id: str | None = None,
    consistent: bool = False,
) -> Seat:
    """Two round trips. For a comment, only its author holds the creator standing."""
    if comment_id is not None:
        ids = split_comment_id(comment_id)
        debate_id = ids[0] if ids else None
    parts = split_debate_id(debate_id) if debate_id else None
    missing = CommentNotFound if comment_id else DebateNotFound
    if parts is None:
        raise missing()
    meta = (keys.consultation_pk(parts[0]), keys.META)
    debate_key = (keys.consultation_pk(parts[0]), keys.debate_sk(parts[1]))
    wanted = [meta, debate_key] + ([store.comment_key(comment_id)] if comment_id else [])
    found = get_many(wanted, consistent=consistent)
    if meta not in found or debate_key not in found:
        raise missing()
    consultation = consultation_store.consultation_from_raw(found[meta])
    debate = consultation_store.debate_from_raw(found[debate_key])
    comment = None
    if comment_id:
        raw = found.get(store.comment_key(comment_id))
        if raw is None:
            raise missing()
        comment = store.from_raw(raw)
    roles, grant, blocked, reacted = _caller_state(caller, consultation, comment)
    # Reading and taking part: as for the debate (its creator and the consultation's count).
    held = standings_of(
        consultation, caller, roles, grant, (consultation.created_by, debate.created_by)
    )
    authorize(Action.DEBATE_READ, held, consultation.context, not_found=missing)
    # Editing or deleting a comment: CREATOR is its author alone, whoever they are (a
    # resident taking part in a public consultation included).
    as_author = standings_of(consultation, caller, roles, grant)
    if comment is not None and caller is not None and caller.id == comment.author_id:
        as_author |= {Relation.CREATOR}
    return Seat(consultation, debate, comment, held, as_author, roles, blocked, reacted)


def _caller_state(
    caller: Caller | None, consultation: Consultation, comment: Comment | None
) -> tuple[dict[str, Role], Role | None, bool, bool]:
    if caller is None:
        return {}, None, False, False
    groups = [consultation.group_id, *consultation.accepted_partners]
    member_keys = {g: (keys.group_pk(g), keys.member_sk(caller.id)) for g in groups}
    grant_key = (keys.consultation_pk(consultation.id), keys.grant_sk(caller.id))
    block_key = store.block_key(consultation.group_id, caller.id)
    reaction_key = store.reaction_key(comment.id, caller.id) if comment else None
    wanted = [*member_keys.values(), grant_key, block_key] + ([reaction_key] if comment else [])
    found = get_many(wanted, consistent=True)
    roles = {
        g: Role(MembershipItem.from_raw_data(found[key]).role)
        for g, key in member_keys.items()
        if key in found
    }
    grant = Role(GrantItem.from_raw_data(found[grant_key]).role) if grant_key in found else None
    block = store.block_from_raw(found[block_key]) if block_key in found else None
    blocked = block is not None and block.active_at(clock.now())
    return roles, grant, blocked, reaction_key in found if reaction_key else False


def _take_part(access: Seat, action: Action) -> None:
    """Open (not closed), not blocked, and allowed to take part."""
    if access.closed:
        raise ConsultationClosed("comments")
    if access.blocked:
        raise Blocked()
    access.require(action)


# ---------------------------------------------------------------- comments


def create(
    caller: Caller, debate_id: str, *, body: str, stance: Stance, parent_id: str | None
) -> tuple[Seat, Comment]:
    access = seat(caller, debate_id=debate_id, consistent=True)
    _take_part(access, Action.COMMENT_CREATE)
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
        author_name=caller.display_name,
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
) -> tuple[Seat, Page[Comment], set[str]]:
    access = seat(caller, debate_id=debate_id)
    page = store.list_top_level(debate_id, limit, cursor, sort=sort, stance=stance)
    mine = store.reacted([c.id for c in page.items], caller.id) if caller else set()
    return access, page, mine


def list_replies(
    caller: Caller | None, comment_id: str, limit: int, cursor: str | None
) -> tuple[Seat, Page[Comment], set[str]]:
    access = seat(caller, comment_id=comment_id)
    page = store.list_replies(comment_id, limit, cursor)
    mine = store.reacted([c.id for c in page.items], caller.id) if caller else set()
    return access, page, mine


def stance_counts(debate_ids: list[str]) -> dict[str, dict[str, int]]:
    """Comments per stance (pro / con / neutral) of each debate."""
    return store.counts_of(debate_ids)


def get(caller: Caller | None, comment_id: str) -> Seat:
    return seat(caller, comment_id=comment_id)


def edit(caller: Caller, comment_id: str, body: str) -> tuple[Seat, Comment]:
    """The author edits; the earlier version is kept, for moderators."""
    access = seat(caller, comment_id=comment_id, consistent=True)  # may read it
    if not allows(Action.COMMENT_EDIT, access.author_standings, access.consultation.context):
        raise Forbidden()
    if access.closed:
        raise ConsultationClosed("comments")
    before = access.comment
    assert before is not None
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
    access = seat(caller, comment_id=comment_id, consistent=True)
    comment = access.comment
    assert comment is not None
    by_author = caller.id == comment.author_id
    moderating = access.may_moderate(comment)
    if not by_author and not moderating:
        access.require(Action.COMMENT_MODERATE)
        raise Forbidden()
    if comment.deleted:
        return
    if comment.hidden and not moderating:
        raise CommentHidden()
    after = replace(comment, deleted=True, body="", history=(), hidden=False)
    as_moderator = moderating and (not by_author or comment.hidden)
    events = [_moderation_event(access, caller, "comment_deleted", comment)] if as_moderator else []
    queue = [(g, False) for g in _queues(access, comment)]
    store.save(comment, after, events=events, stance_delta=-1, queue=queue)


# ---------------------------------------------------------------- reactions and flags


def react(caller: Caller, comment_id: str) -> bool:
    """One reaction per person (not on one's own comment). True if it was added now."""
    for _ in range(_ATTEMPTS):
        access = seat(caller, comment_id=comment_id, consistent=True)
        _take_part(access, Action.COMMENT_REACT)
        comment = access.comment
        assert comment is not None
        _live(comment)
        if comment.hidden:  # under review: a reaction would rank what readers cannot see
            raise CommentHidden()
        if comment.author_id == caller.id:
            raise OwnComment()
        if access.reacted:
            return False
        after = replace(comment, reactions=comment.reactions + 1)
        try:
            store.save(comment, after, extra=lambda t: store.add_reaction(t, comment_id, caller.id))
            return True
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate()


def unreact(caller: Caller, comment_id: str) -> None:
    for _ in range(_ATTEMPTS):
        access = seat(caller, comment_id=comment_id, consistent=True)
        _take_part(access, Action.COMMENT_REACT)
        comment = access.comment
        assert comment is not None
        if not access.reacted:
            return
        after = replace(comment, reactions=max(0, comment.reactions - 1))
        try:
            store.save(
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
        access = seat(caller, comment_id=comment_id, consistent=True)
        _take_part(access, Action.COMMENT_FLAG)
        comment = access.comment
        assert comment is not None
        _live(comment)
        if comment.author_id == caller.id:
            raise OwnComment()
        reasons = dict(comment.flag_reasons)
        reasons[reason.value] = reasons.get(reason.value, 0) + 1
        after = replace(comment, flags=comment.flags + 1, flag_reasons=reasons)
        events = []
        if after.flags >= threshold and not comment.hidden:
            after = replace(after, hidden=True, hidden_reason="flagged")
            events.append(_moderation_event(access, SYSTEM, "comment_auto_hidden", after))
        try:
            return store.save(
                comment,
                after,
                events=events,
                queue=[(g, True) for g in _queues(access, comment)],
                extra=lambda t: store.add_flag(t, comment_id, caller.id, reason.value),
            )
        except ConcurrentUpdate:
            continue
    raise ConcurrentUpdate()


SYSTEM = Caller("hub-moderation", name="Automatic moderation")


def _live(comment: Comment) -> None:
    """A deleted comment is a placeholder: nothing more happens to it."""
    if comment.deleted:
        raise CommentNotFound()


def _queues(access: Seat, comment: Comment) -> list[str]:
    """The host's queue, and the author's partner group's."""
    groups = [access.consultation.group_id]
    if comment.author_group and comment.author_group != access.consultation.group_id:
        groups.append(comment.author_group)
    return groups


def _moderation_event(
    access: Seat, actor: Caller, action: str, comment: Comment, **details: object
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


# ---------------------------------------------------------------- moderation


def _moderated(caller: Caller, comment_id: str) -> tuple[Seat, Comment]:
    access = seat(caller, comment_id=comment_id, consistent=True)
    comment = access.comment
    assert comment is not None
    if not access.may_moderate(comment):
        access.require(Action.COMMENT_MODERATE)
        raise Forbidden()
    _live(comment)
    return access, comment


def hide(caller: Caller, comment_id: str, reason: str) -> Comment:
    access, comment = _moderated(caller, comment_id)
    after = replace(comment, hidden=True, hidden_reason=reason)
    event = _moderation_event(access, caller, "comment_hidden", comment, reason=reason)
    queue = [(g, True) for g in _queues(access, comment)]
    return store.save(comment, after, events=[event], queue=queue)


def restore(caller: Caller, comment_id: str) -> Comment:
    """Reviewed and kept: shown again, its flags cleared, out of the queue."""
    access, comment = _moderated(caller, comment_id)
    after = replace(comment, hidden=False, hidden_reason=None, flags=0, flag_reasons={})
    event = _moderation_event(access, caller, "comment_restored", comment)
    queue = [(g, False) for g in _queues(access, comment)]
    return store.save(comment, after, events=[event], queue=queue)


def moderation_queue(
    caller: Caller, group_id: str, limit: int, cursor: str | None
) -> Page[Comment]:
    """The comments waiting in the group's queue that the caller could open and moderate
    directly: the same answer as `seat` and `may_moderate` give on the comment itself, so a
    board meeting's comments stay with its audience and a partner's moderators lose them
    with the partnership. A page holds at most `limit` and may hold fewer (those left out),
    even none while `next` is given; the queue ends when `next` is null.

    Round trips per page, whatever its size: the queue, its comments with their
    consultations, then the caller's roles and grants in all of them."""
    group_access(group_id, caller, Action.MODERATION_QUEUE)
    page = store.queue(group_id, limit, cursor)
    found, consultations = store.comments_and_consultations(page.items)
    groups = {g for c in consultations.values() for g in (c.group_id, *c.accepted_partners)}
    roles, grants = consultation_store.roles_and_grants(
        caller.id, groups, consultations, consistent=True
    )
    waiting = []
    for comment_id in page.items:
        comment = found.get(comment_id)
        consultation = consultations.get(store.consultation_id_of(comment_id))
        if comment is None or consultation is None:
            continue
        its_groups = (consultation.group_id, *consultation.accepted_partners)
        inside = {g: roles[g] for g in its_groups if g in roles}
        held = standings_of(
            consultation, caller, inside, grants.get(consultation.id), (consultation.created_by,)
        )
        readable = allows(Action.DEBATE_READ, held, consultation.context)
        if readable and may_moderate(consultation, held, inside, comment):
            waiting.append(comment)
    return Page(waiting, page.next)


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
        else group_store.get_membership(group_id, user_id, consistent=True)
    )
    if not may_block(access.standing, target.role if target else None):
        raise Forbidden()
