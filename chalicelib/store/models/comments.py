"""PynamoDB models: comments, their counts, reactions and flags, the moderation queue and blocks."""

from __future__ import annotations

from typing import ClassVar

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from chalicelib.store.models import Gsi1, OwnedItem, TableItem, TableMeta


class CommentItem(OwnedItem):
    Meta = TableMeta
    renames: ClassVar[dict[str, str]] = {"id": "comment_id"}

    kind = UnicodeAttribute(default="comment")
    comment_id = UnicodeAttribute()
    debate_id = UnicodeAttribute()
    parent_id = UnicodeAttribute(null=True)
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute(default="")
    author_group = UnicodeAttribute(null=True)
    body = UnicodeAttribute(default="")
    stance = UnicodeAttribute()
    created_at = UnicodeAttribute()
    edited_at = UnicodeAttribute(null=True)
    history = UnicodeAttribute(default="[]")  # JSON: earlier versions
    reactions = NumberAttribute(default=0)
    replies = NumberAttribute(default=0)
    flags = NumberAttribute(default=0)
    flag_reasons = MapAttribute(default=dict)
    hidden = BooleanAttribute(default=False)
    hidden_reason = UnicodeAttribute(null=True)
    deleted = BooleanAttribute(default=False)
    version = NumberAttribute(default=0)
    author_erased = BooleanAttribute(default=False)
    # Top-level comments only: "top" order, most reactions first.
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)

    gsi1 = Gsi1()


class CommentCountsItem(TableItem):
    """Comments per stance of a debate (deleted ones leave the count)."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="comment_counts")
    pro = NumberAttribute(default=0)
    con = NumberAttribute(default=0)
    neutral = NumberAttribute(default=0)


class ReactionItem(OwnedItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="reaction")
    reacted_at = UnicodeAttribute()


class FlagItem(OwnedItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="flag")
    reason = UnicodeAttribute()
    flagged_at = UnicodeAttribute()


class QueueEntryItem(TableItem):
    """A comment waiting for a moderator of one group: flagged, or hidden."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="moderation_entry")
    comment_id = UnicodeAttribute()
    debate_id = UnicodeAttribute()
    since = UnicodeAttribute()


class BlockItem(OwnedItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="block")
    group_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    reason = UnicodeAttribute()
    until = UnicodeAttribute(null=True)
    blocked_by = UnicodeAttribute()
    blocked_at = UnicodeAttribute()
