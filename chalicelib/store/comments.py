"""Comments in the table: arguments and replies, their stance counts, their listings.

A comment's changes are writes conditioned on the version read, with what comes with them
in the same transaction: its moderation queue entries, its audit events, and the reaction
or flag item of the change (store/reactions.py). Counts never drift.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from chalicelib.domain import clock
from chalicelib.domain.deliberation import Comment, CommentVersion, Stance
from chalicelib.domain.errors import (
    CommentNotFound,
    ConcurrentUpdate,
)
from chalicelib.domain.ids import split_comment_id
from chalicelib.domain.model import AuditEvent
from chalicelib.store import keys
from chalicelib.store.audit import record_in
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.cursors import Listing, decode_cursor, encode_cursor
from chalicelib.store.models.comments import CommentCountsItem, CommentItem, QueueEntryItem
from chalicelib.store.table import (
    Page,
    Transaction,
    get_many,
    transact,
)


def _key(comment_id: str) -> tuple[str, str]:
    ids = split_comment_id(comment_id)
    assert ids is not None
    debate_id, path = ids
    return keys.comments_pk(debate_id), keys.comment_sk(path)


def _comment(item: CommentItem) -> Comment:
    history = tuple(
        CommentVersion(v["body"], clock.from_iso(v["written_at"])) for v in json.loads(item.history)
    )
    return to_domain(item, Comment, history=history)


def _comment_item(c: Comment) -> CommentItem:
    history = [{"body": v.body, "written_at": clock.to_iso(v.written_at)} for v in c.history]
    item = to_item(c, CommentItem, *_key(c.id), history=json.dumps(history))
    if not c.author_erased:  # an erased author's comment belongs to nobody
        item.owned_by(c.author_id)
    if c.parent_id is None:
        item.gsi1pk = keys.top_pk(c.debate_id)
        item.gsi1sk = keys.top_sk(c.reactions, c.id[24:])
    return item


def from_raw(raw: dict) -> Comment:
    return _comment(CommentItem.from_raw_data(raw))


def comment_key(comment_id: str) -> tuple[str, str]:
    return _key(comment_id)


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
    options = (sort, stance.value if stance else "")
    if sort == "top":
        pk = keys.top_pk(debate_id)
        listing = Listing("comments", ("gsi1pk", pk), options)
        results = CommentItem.gsi1.query(
            pk,
            filter_condition=condition,
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
            last_evaluated_key=decode_cursor(listing, cursor),
        )
    else:
        pk = keys.comments_pk(debate_id)
        listing = Listing("comments", ("pk", pk), options)
        results = CommentItem.query(
            pk,
            CommentItem.sk.startswith(keys.TOP_LEVEL_PREFIX),
            filter_condition=condition,
            scan_index_forward=sort == "old",
            limit=limit,
            page_size=limit,
            last_evaluated_key=decode_cursor(listing, cursor),
        )
    items = [_comment(item) for item in results]
    return Page(items, encode_cursor(listing, results.last_evaluated_key))


def list_replies(parent_id: str, limit: int, cursor: str | None) -> Page[Comment]:
    debate_id, path = split_comment_id(parent_id)  # type: ignore[misc]
    pk, prefix = keys.comments_pk(debate_id), keys.replies_prefix(path)
    listing = Listing("replies", ("pk", pk), (prefix,))
    results = CommentItem.query(
        pk,
        CommentItem.sk.startswith(prefix),
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(listing, cursor),
    )
    items = [_comment(item) for item in results]
    return Page(items, encode_cursor(listing, results.last_evaluated_key))


def counts_of(debate_ids: list[str]) -> dict[str, dict[str, int]]:
    """Comments per stance of several debates: one BatchGetItem."""
    wanted = {counts_key(d): d for d in debate_ids}
    found = get_many(list(wanted), consistent=False) if wanted else {}
    return {d: counts_from_raw(found.get(key)) for key, d in wanted.items()}


def counts_key(debate_id: str) -> tuple[str, str]:
    return keys.comments_pk(debate_id), keys.COMMENT_COUNTS


def counts_from_raw(raw: dict | None) -> dict[str, int]:
    """A debate's comments per stance, from its counts item (None: no comment yet)."""
    if raw is None:
        return {stance.value: 0 for stance in Stance}
    item = CommentCountsItem.from_raw_data(raw)
    return {stance.value: int(getattr(item, stance.value)) for stance in Stance}


def arguments_of(debate_id: str, at_most: int) -> tuple[list[Comment], bool]:
    """A debate's comments, arguments and replies alike, at most `at_most` of them: one
    Query, paged by DynamoDB (1 MB a page). Returns them with whether more were left
    unread. The partition's sort keys are `COUNTS`, then replies `R#…`, then arguments
    `T#…`: everything from `R#` on is a comment."""
    if at_most <= 0:
        return [], _any_comment(debate_id)
    found = CommentItem.query(
        keys.comments_pk(debate_id),
        CommentItem.sk >= keys.REPLY_PREFIX,
        limit=at_most + 1,
    )
    comments = [_comment(item) for item in found]
    return comments[:at_most], len(comments) > at_most


def _any_comment(debate_id: str) -> bool:
    found = CommentItem.query(
        keys.comments_pk(debate_id), CommentItem.sk >= keys.REPLY_PREFIX, limit=1
    )
    return next(iter(found), None) is not None
