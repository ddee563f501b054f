"""PynamoDB models: groups, their members, join requests and invitations, and daily counts
(of emailed invitations)."""

from __future__ import annotations

from typing import ClassVar

from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)

from chalicelib.store.models import Gsi1, OwnedItem, TableItem, TableMeta


class GroupItem(TableItem):
    Meta = TableMeta
    # Domain field -> attribute, where they differ (store/convert.py copies the rest by name).
    renames: ClassVar[dict[str, str]] = {"id": "group_id"}

    kind = UnicodeAttribute(default="group")
    group_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    listed = BooleanAttribute()
    join_policy = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    # Maintained in the same transaction as every role change: the last-admin guard.
    admin_count = NumberAttribute(default=0)
    # Maintained in the same transaction as every admission and removal (ADD, never a
    # read-modify-write): the member count lists show.
    member_count = NumberAttribute(default=0)
    # Present only while listed: the directory is a sparse index.
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)

    gsi1 = Gsi1()


class MembershipItem(TableItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="membership")
    group_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    role = UnicodeAttribute()
    joined_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute()  # USER#u: "my groups"
    gsi1sk = UnicodeAttribute()  # GROUP#g

    gsi1 = Gsi1()


class JoinRequestItem(OwnedItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="join_request")
    group_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    requested_at = UnicodeAttribute()


class InvitationItem(OwnedItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="invitation")
    code = UnicodeAttribute()
    group_id = UnicodeAttribute()
    role = UnicodeAttribute()
    max_uses = NumberAttribute(null=True)
    uses = NumberAttribute(default=0)
    expires_at = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_by_name = UnicodeAttribute(null=True)
    creator_joined_at = UnicodeAttribute(null=True)  # the creator's membership it rests on
    revoked_at = UnicodeAttribute(null=True)
    # The address an admin sent it to: the notifier (stream, INSERT) emails the link there.
    email = UnicodeAttribute(null=True)
    # DynamoDB deletes the item some time after this epoch second; reads check expires_at.
    ttl = TTLAttribute(null=True)
    # INVITES#g / <created_at>#code: the group's list; removed when revoked.
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)

    gsi1 = Gsi1()


class DailyCountItem(TableItem):
    """A person's count of something per day, bounded by a conditional ADD (emailed
    invitations: `USER#u` / `INVITEMAILS#<day>`); gone by TTL after the day."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="daily_count")
    count = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True)
