"""The moderation queue and blocks in the table.

A comment enters or leaves its groups' queues in its own transaction (`comments.save`);
here the queue is read, and a block written or lifted with its audit event.
"""

from __future__ import annotations

from chalicelib.domain.deliberation import Block, Comment
from chalicelib.domain.errors import BlockNotFound, ConcurrentUpdate
from chalicelib.domain.ids import split_comment_id, split_debate_id
from chalicelib.domain.model import AuditEvent, Consultation
from chalicelib.store import keys
from chalicelib.store.audit import record_in
from chalicelib.store.comments import comment_key, from_raw
from chalicelib.store.consultations import consultation_from_raw
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.cursors import Listing, decode_cursor, encode_cursor
from chalicelib.store.models.comments import BlockItem, QueueEntryItem
from chalicelib.store.table import (
    Page,
    Transaction,
    get_many,
    transact,
)

# ---------------------------------------------------------------- the queue


def queue(group_id: str, limit: int, cursor: str | None) -> Page[str]:
    """Comment ids waiting for a group's moderators: one Query per page."""
    pk = keys.queue_pk(group_id)
    listing = Listing("moderation_queue", ("pk", pk))
    results = QueueEntryItem.query(
        pk,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(listing, cursor),
    )
    items = [item.comment_id for item in results]
    return Page(items, encode_cursor(listing, results.last_evaluated_key))


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
    found = get_many([*(comment_key(c) for c in comment_ids), *meta], consistent=False)
    comments = {
        comment.id: comment
        for comment in (from_raw(raw) for key, raw in found.items() if key not in meta)
    }
    consultations = {meta[key]: consultation_from_raw(found[key]) for key in meta if key in found}
    return comments, consultations


# ---------------------------------------------------------------- blocks


def block_key(group_id: str, user_id: str) -> tuple[str, str]:
    return keys.group_pk(group_id), keys.block_sk(user_id)


def _block(item: BlockItem) -> Block:
    return to_domain(item, Block)


def block_from_raw(raw: dict) -> Block:
    return _block(BlockItem.from_raw_data(raw))


def put_block(block: Block, event: AuditEvent) -> None:
    item = to_item(block, BlockItem, *block_key(block.group_id, block.user_id))
    item.owned_by(block.user_id)  # about them: theirs to export

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
