"""PynamoDB models: notifications in the app, their deliveries, settings, follows, digests
and reminders."""

from __future__ import annotations

from typing import ClassVar

from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    TTLAttribute,
    UnicodeAttribute,
)

from chalicelib.store.models import DueIndex, Gsi1, TableItem, TableMeta


class NotificationItem(TableItem):
    """A notification in the app (`NOTIFS#u` / `N#<event id>`): written once per (event,
    recipient), with attribute_not_exists, so it is its own delivery marker."""

    Meta = TableMeta
    renames: ClassVar[dict[str, str]] = {"id": "event_id", "kind": "event_kind"}

    kind = UnicodeAttribute(default="notification")
    event_id = UnicodeAttribute()
    event_kind = UnicodeAttribute()
    at = UnicodeAttribute()
    group_id = UnicodeAttribute(null=True)
    data = MapAttribute(default=dict)  # str -> str: what it shows (domain Event.data)
    read_at = UnicodeAttribute(null=True)
    ttl = TTLAttribute()


class DeliveryItem(TableItem):
    """That an event went out to a person by one channel (`NOTIFS#u` /
    `SENT#<event id>#<channel>`): written with attribute_not_exists before sending."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="delivery")
    sent_at = UnicodeAttribute()
    ttl = TTLAttribute()


class NotificationSettingsItem(TableItem):
    """`USER#u` / `NOTIFY`: how to reach a person (from their token, at sign-in), their
    email choices, and up to when they read everything."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="notification_settings")
    user_id = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    email_verified = BooleanAttribute(default=False)
    locale = UnicodeAttribute(null=True)  # the language of their last sign-in
    # "<group id or *>|<kind>" -> "immediately" | "daily" | "never"
    preferences = MapAttribute(default=dict)
    read_before = UnicodeAttribute(null=True)  # every notification up to this id is read
    updated_at = UnicodeAttribute(null=True)


class FollowItem(TableItem):
    """A person following a group's public consultations (`FOLLOWERS#g` / `USER#u`)."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="follow")
    group_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    followed_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute()  # USER#u: with their memberships and grants
    gsi1sk = UnicodeAttribute()  # FOLLOW#g

    gsi1 = Gsi1()


class DigestEntryItem(TableItem):
    """An event waiting for a person's daily digest (`DIGEST#<day>#<shard>` /
    `<user>#<event id>`)."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="digest_entry")
    user_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_kind = UnicodeAttribute()
    at = UnicodeAttribute()
    group_id = UnicodeAttribute(null=True)
    data = MapAttribute(default=dict)
    ttl = TTLAttribute()


class ReminderItem(TableItem):
    """A notification due at a time (`CONSULT#c` / `REMINDER#<kind>`): "closing soon". In
    the due index's `REMIND` partition until sent."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="reminder")
    consultation_id = UnicodeAttribute()
    reminder = UnicodeAttribute()  # the notification kind
    due_pk = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)

    due = DueIndex()
