"""Comments, reactions, flags, the moderation queue and blocks in the table.

A comment's changes are writes conditioned on the version read (with the reaction or flag
item, the moderation queue entries and the audit event in the same transaction): one
reaction and one flag per person come from those items' keys, and counts never drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from chalicelib.domain import clock
from chalicelib.domain.errors import (
    AlreadyFlagged,
    BlockNotFound,
    CommentNotFound,
    ConcurrentUpdate,
)
from chalicelib.domain.ids import split_comment_id, split_debate_id
from chalicelib.domain.model import (
    AuditEvent,
    Block,
    Comment,
    CommentVersion,
    Consultation,
    Stance,
)
from chalicelib.store import keys
from chalicelib.store.consultations import consultation_from_raw
from chalicelib.store.groups import record_in
from chalicelib.store.models import (
    BlockItem,
    CommentCountsItem,
    CommentItem,
    FlagItem,
    QueueEntryItem,
    ReactionItem,
)
from chalicelib.store.table import (
    Page,
    Transaction,
    decode_cursor,
    encode_cursor,
    get_many,
    transact,
)


def _key(comment_id: str) -> tuple[str, str]:
    ids = split_comment_id(comment_id)
    assert ids is not None
    debate_id, path = ids
    return keys.comments_pk(debate_id), keys.comment_sk(path)


def _comment(item: CommentItem) -> Comment:
    reasons = item.flag_reasons.as_dict() if hasattr(item.flag_reasons, "as_dict") else {}
    return Comment(
        id=item.comment_id,
        debate_id=item.debate_id,
        parent_id=item.parent_id,
        author_id=item.author_id,
        author_name=item.author_name,
        author_group=item.author_group,
        body=item.body,
        stance=Stance(item.stance),
        created_at=clock.from_iso(item.created_at),
        edited_at=clock.from_iso(item.edited_at) if item.edited_at else None,
        history=tuple(
            CommentVersion(v["body"], clock.from_iso(v["written_at"]))
            for v in json.loads(item.history)
        ),
        reactions=int(item.reactions),
        replies=int(item.replies),
        flags=int(item.flags),
        flag_reasons={k: int(v) for k, v in reasons.items()},
        hidden=bool(item.hidden),
        hidden_reason=item.hidden_reason,
        deleted=bool(item.deleted),
        version=int(item.version),
    )


def _comment_item(c: Comment) -> CommentItem:
    item = CommentItem(
        *_key(c.id),
        comment_id=c.id,
        debate_id=c.debate_id,
        parent_id=c.parent_id,
        author_id=c.author_id,
        author_name=c.author_name,
        author_group=c.author_group,
        body=c.body,
        stance=c.stance.value,
        created_at=clock.to_iso(c.created_at),
        edited_at=clock.to_iso(c.edited_at) if c.edited_at else None,
        history=json.dumps(
            [{"body": v.body, "written_at": clock.to_iso(v.written_at)} for v in c.history]
        ),
        reactions=c.reactions,
        replies=c.replies,
        flags=c.flags,
        flag_reasons=dict(c.flag_reasons),
        hidden=c.hidden,
        hidden_reason=c.hidden_reason,
        deleted=c.deleted,
        version=c.version,
    )
    if c.parent_id is None:
        item.gsi1pk = keys.top_pk(c.debate_id)
        item.gsi1sk = keys.top_sk(c.reactions, c.id[24:])
    return item


def from_raw(raw: dict) -> Comment:
    return _comment(CommentItem.from_raw_data(raw))


def comment_key(comment_id: str) -> tuple[str, str]:
    return _key(comment_id)


def reaction_key(comment_id: str, user_id: str) -> tuple[str, str]:
    return keys.comment_pk(comment_id), keys.reaction_sk(user_id)


def block_key(group_id: str, user_id: str) -> tuple[str, str]:
    return keys.group_pk(group_id), keys.block_sk(user_id)


# ---------------------------------------------------------------- comments


def create(comment: Comment) -> None:
    """The comment, its stance count, and its parent's reply count, together."""

    def build(transaction: Transaction) -> None:
        transaction.save(
            _comment_item(comment),
            condition=CommentItem.pk.does_not_exist(),
            on_fail=ConcurrentUpdate(),
        )
        _count(transaction, comment.debate_id, comment.stance, +1)
        if comment.parent_id is not None:
            transaction.update(
                CommentItem(*_key(comment.parent_id)),
                [CommentItem.replies.add(1)],
                condition=CommentItem.pk.exists(),
                on_fail=CommentNotFound(),
            )

    transact(build)


def _count(transaction: Transaction, debate_id: str, stance: Stance, delta: int) -> None:
    counts = CommentCountsItem(keys.comments_pk(debate_id), keys.COMMENT_COUNTS)
    attribute = getattr(CommentCountsItem, stance.value)
    transaction.update(counts, [attribute.add(delta)], condition=None, on_fail=ConcurrentUpdate())


def get(comment_id: str, *, consistent: bool = False) -> Comment | None:
    try:
        item = CommentItem.get(*_key(comment_id), consistent_read=consistent)
    except CommentItem.DoesNotExist:
        return None
    return _comment(item)


def save(
    before: Comment,
    after: Comment,
    *,
    events: Iterable[AuditEvent] = (),
    stance_delta: int = 0,
    queue: Iterable[tuple[str, bool]] = (),
    extra: object = None,
) -> Comment:
    """Write `after` if the comment still has `before`'s version. `queue`: (group id, keep)
    pairs putting or removing its moderation queue entries; `extra(transaction)` adds the
    reaction or flag item of the same change."""
    stored = replace(after, version=before.version + 1)

    def build(transaction: Transaction) -> None:
        transaction.save(
            _comment_item(stored),
            condition=CommentItem.version == before.version,
            on_fail=ConcurrentUpdate(),
        )
        if stance_delta:
            _count(transaction, stored.debate_id, stored.stance, stance_delta)
        for group_id, keep in queue:
            entry = QueueEntryItem(
                keys.queue_pk(group_id),
                keys.queue_sk(stored.id),
                comment_id=stored.id,
                debate_id=stored.debate_id,
                since=clock.to_iso(clock.now()),
            )
            if keep:
                transaction.save(entry, condition=None, on_fail=ConcurrentUpdate())
            else:
                transaction.delete(entry, condition=None, on_fail=ConcurrentUpdate())
        if extra is not None:
            extra(transaction)  # type: ignore[operator]
        for event in events:
            record_in(transaction, event)

    transact(build)
    return stored


def list_top_level(
    debate_id: str, limit: int, cursor: str | None, *, sort: str, stance: Stance | None
) -> Page[Comment]:
    """One Query per page: by time (`new`, `old`) or by reactions (`top`, an index)."""
    condition = CommentItem.stance == stance.value if stance else None
    if sort == "top":
        pk = keys.top_pk(debate_id)
        results = CommentItem.gsi1.query(
            pk,
            filter_condition=condition,
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
            last_evaluated_key=decode_cursor(cursor, partition=("gsi1pk", pk)),
        )
    else:
        pk = keys.comments_pk(debate_id)
        results = CommentItem.query(
            pk,
            CommentItem.sk.startswith(keys.TOP_LEVEL_PREFIX),
            filter_condition=condition,
            scan_index_forward=sort == "old",
            limit=limit,
            page_size=limit,
            last_evaluated_key=decode_cursor(cursor, partition=("pk", pk)),
        )
    items = [_comment(item) for item in results]
    return Page(items, encode_cursor(results.last_evaluated_key))


def list_replies(parent_id: str, limit: int, cursor: str | None) -> Page[Comment]:
    debate_id, path = split_comment_id(parent_id)  # type: ignore[misc]
    pk = keys.comments_pk(debate_id)
    results = CommentItem.query(
        pk,
        CommentItem.sk.startswith(keys.replies_prefix(path)),
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(cursor, partition=("pk", pk)),
    )
    items = [_comment(item) for item in results]
    return Page(items, encode_cursor(results.last_evaluated_key))


def reacted(comment_ids: list[str], user_id: str) -> set[str]:
    """Which of these comments the user reacted to: one BatchGetItem."""
    if not comment_ids:
        return set()
    wanted = {reaction_key(c, user_id): c for c in comment_ids}
    found = get_many(list(wanted), consistent=False)
    return {wanted[key] for key in found}


# ---------------------------------------------------------------- reactions and flags


def add_reaction(transaction: Transaction, comment_id: str, user_id: str) -> None:
    transaction.save(
        ReactionItem(*reaction_key(comment_id, user_id), reacted_at=clock.to_iso(clock.now())),
        condition=ReactionItem.pk.does_not_exist(),
        on_fail=ConcurrentUpdate(),
    )


def remove_reaction(transaction: Transaction, comment_id: str, user_id: str) -> None:
    transaction.delete(
        ReactionItem(*reaction_key(comment_id, user_id)),
        condition=ReactionItem.pk.exists(),
        on_fail=ConcurrentUpdate(),
    )


def add_flag(transaction: Transaction, comment_id: str, user_id: str, reason: str) -> None:
    transaction.save(
        FlagItem(
            keys.comment_pk(comment_id),
            keys.flag_sk(user_id),
            reason=reason,
            flagged_at=clock.to_iso(clock.now()),
        ),
        condition=FlagItem.pk.does_not_exist(),
        on_fail=AlreadyFlagged(),
    )


def queue(group_id: str, limit: int, cursor: str | None) -> Page[str]:
    """Comment ids waiting for a group's moderators: one Query per page."""
    pk = keys.queue_pk(group_id)
    results = QueueEntryItem.query(
        pk,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(cursor, partition=("pk", pk)),
    )
    items = [item.comment_id for item in results]
    return Page(items, encode_cursor(results.last_evaluated_key))


def consultation_id_of(comment_id: str) -> str:
    """The consultation a comment id we issued belongs to (its debate id's first part)."""
    ids = split_comment_id(comment_id)
    debate = split_debate_id(ids[0]) if ids else None
    assert debate is not None, comment_id
    return debate[0]


def comments_and_consultations(
    comment_ids: list[str],
) -> tuple[dict[str, Comment], dict[str, Consultation]]:
    """These comments and their consultations, by id: one BatchGetItem per 100 keys."""
    consultation_ids = {consultation_id_of(c) for c in comment_ids}
    meta = {(keys.consultation_pk(c), keys.META): c for c in sorted(consultation_ids)}
    found = get_many([*(_key(c) for c in comment_ids), *meta], consistent=False)
    comments = {
        comment.id: comment
        for comment in (from_raw(raw) for key, raw in found.items() if key not in meta)
    }
    consultations = {meta[key]: consultation_from_raw(found[key]) for key in meta if key in found}
    return comments, consultations


# ---------------------------------------------------------------- blocks


def _block(item: BlockItem) -> Block:
    return Block(
        group_id=item.group_id,
        user_id=item.user_id,
        reason=item.reason,
        until=clock.from_iso(item.until) if item.until else None,
        blocked_by=item.blocked_by,
        blocked_at=clock.from_iso(item.blocked_at),
    )


def block_from_raw(raw: dict) -> Block:
    return _block(BlockItem.from_raw_data(raw))


def put_block(block: Block, event: AuditEvent) -> None:
    item = BlockItem(
        *block_key(block.group_id, block.user_id),
        group_id=block.group_id,
        user_id=block.user_id,
        reason=block.reason,
        until=clock.to_iso(block.until) if block.until else None,
        blocked_by=block.blocked_by,
        blocked_at=clock.to_iso(block.blocked_at),
    )

    def build(transaction: Transaction) -> None:
        transaction.save(item, condition=None, on_fail=ConcurrentUpdate())
        record_in(transaction, event)

    transact(build)


def delete_block(group_id: str, user_id: str, event: AuditEvent) -> None:
    def build(transaction: Transaction) -> None:
        transaction.delete(
            BlockItem(*block_key(group_id, user_id)),
            condition=BlockItem.pk.exists(),
            on_fail=BlockNotFound(),
        )
        record_in(transaction, event)

    transact(build)


def counts_of(debate_ids: list[str]) -> dict[str, dict[str, int]]:
    """Comments per stance of several debates: one BatchGetItem."""
    wanted = {(keys.comments_pk(d), keys.COMMENT_COUNTS): d for d in debate_ids}
    found = get_many(list(wanted), consistent=False) if wanted else {}
    counts = {d: {stance.value: 0 for stance in Stance} for d in debate_ids}
    for key, raw in found.items():
        item = CommentCountsItem.from_raw_data(raw)
        counts[wanted[key]] = {stance.value: int(getattr(item, stance.value)) for stance in Stance}
    return counts
