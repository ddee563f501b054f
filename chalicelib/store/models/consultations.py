"""PynamoDB models: consultations: their links to groups, grants and debates."""

from __future__ import annotations

from typing import ClassVar

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from chalicelib.store.models import DueIndex, Gsi1, TableItem, TableMeta


class ConsultationItem(TableItem):
    Meta = TableMeta
    renames: ClassVar[dict[str, str]] = {"id": "consultation_id"}

    kind = UnicodeAttribute(default="consultation")
    consultation_id = UnicodeAttribute()
    group_id = UnicodeAttribute()  # the host
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    visibility = UnicodeAttribute()
    audience = ListAttribute(of=UnicodeAttribute, default=list)
    participation = UnicodeAttribute()
    opens_at = UnicodeAttribute(null=True)
    closes_at = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_by_name = UnicodeAttribute(null=True)  # absent on items written before it was
    published_at = UnicodeAttribute(null=True)
    closed_at = UnicodeAttribute(null=True)
    partners = MapAttribute(default=dict)  # group id -> "pending" | "accepted"
    version = NumberAttribute(default=0)
    phase = UnicodeAttribute(default="draft")
    closed_by = UnicodeAttribute(null=True)
    finalised_at = UnicodeAttribute(null=True)
    # Added to (ADD 1) by the transaction that creates a debate; saves of the consultation
    # never write it (store/consultations.save_consultation).
    debate_count = NumberAttribute(default=0)
    proxies = UnicodeAttribute(null=True)  # {"allowed", "max_per_holder"} as JSON; absent: none
    # Present only while public and published: the city-wide list is a sparse index.
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    # Present only while a transition is pending: the closer's sparse index.
    due_pk = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)

    gsi1 = Gsi1()
    due = DueIndex()


class ConsultationLinkItem(TableItem):
    """In the host's and each accepted partner's partition: a group's list is one Query."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="consultation_link")
    group_id = UnicodeAttribute()
    consultation_id = UnicodeAttribute()
    relation = UnicodeAttribute()  # "host" | "partner"


class GrantItem(TableItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="grant")
    consultation_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    granted_at = UnicodeAttribute()
    granted_by = UnicodeAttribute()
    gsi1pk = UnicodeAttribute()  # USER#u: with the user's memberships
    gsi1sk = UnicodeAttribute()  # GRANT#c

    gsi1 = Gsi1()


class DebateItem(TableItem):
    Meta = TableMeta
    renames: ClassVar[dict[str, str]] = {"id": "debate_id"}

    kind = UnicodeAttribute(default="debate")
    debate_id = UnicodeAttribute()
    consultation_id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute(default="")
    function = UnicodeAttribute()  # the decision function, as JSON
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_by_name = UnicodeAttribute(null=True)  # absent on items written before it was
    updated_at = UnicodeAttribute(null=True)
    version = NumberAttribute(default=0)
    ballot_shards = NumberAttribute(default=1)
    addenda = UnicodeAttribute(null=True)  # [{body, author_id, author_name, added_at}], JSON
    show_turnout = BooleanAttribute(default=False)
