"""PynamoDB models of the single Hub table. Only `store/` imports this module.

Every item type is a model over the same table (`pk`, `sk`), sharing one `TableMeta`
whose name, endpoint and region come from the settings (see `bind`).
"""

from __future__ import annotations

from typing import ClassVar

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.settings import Settings, get_settings


class TableMeta:
    table_name = "hub"
    host: str | None = None
    region = "eu-west-3"
    billing_mode = "PAY_PER_REQUEST"
    stream_view_type = "NEW_AND_OLD_IMAGES"
    # Lambda keeps containers warm: fail fast instead of piling up retries on throttling.
    max_retry_attempts = 3
    connect_timeout_seconds = 5
    read_timeout_seconds = 10


class Gsi1(GlobalSecondaryIndex):
    """Inverted and list patterns: the group directory, a user's groups."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex):
    """Sparse: only items with a pending scheduled transition carry `due_pk`/`due_at`."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_pk = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class TableItem(Model):
    Meta = TableMeta

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()


class TableSchema(TableItem):
    """The whole table as DynamoDB sees it: keys, every index and the TTL attribute.
    Used to create the table; infra checks its template against these indexes."""

    Meta = TableMeta

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    due_pk = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    ttl = TTLAttribute(null=True)

    gsi1 = Gsi1()
    due = DueIndex()


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


class JoinRequestItem(TableItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="join_request")
    group_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    requested_at = UnicodeAttribute()


class InvitationItem(TableItem):
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


class AuditEventItem(TableItem):
    Meta = TableMeta
    renames: ClassVar[dict[str, str]] = {"id": "event_id"}

    kind = UnicodeAttribute(default="audit_event")
    event_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_name = UnicodeAttribute(default="")
    at = UnicodeAttribute()
    subject_id = UnicodeAttribute(null=True)
    details = MapAttribute(default=dict)


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


class BallotMarkerItem(TableItem):
    """One per (debate, voter): its key is what makes one person one ballot. For a secret
    ballot it holds no choice."""

    Meta = TableMeta
    renames: ClassVar[dict[str, str]] = {"ballot": "choice"}

    kind = UnicodeAttribute(default="ballot_marker")
    debate_id = UnicodeAttribute()
    voter_id = UnicodeAttribute()
    choice = UnicodeAttribute(null=True)  # option keys, comma-separated; absent when secret
    cast_at = UnicodeAttribute()
    changed_at = UnicodeAttribute(null=True)


class SecretBallotItem(TableItem):
    """A secret ballot: the choice under a random receipt, with no voter and no time."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="secret_ballot")
    debate_id = UnicodeAttribute()
    choice = UnicodeAttribute()


class TallyItem(TableItem):
    """A debate's running counts, maintained from the stream, off the vote path."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="tally")
    debate_id = UnicodeAttribute()
    counts = MapAttribute(default=dict)  # option key -> count
    ballots = NumberAttribute(default=0)
    checkpoints = MapAttribute(default=dict)  # ballot partition -> last sequence counted
    updated_at = UnicodeAttribute(null=True)
    version = NumberAttribute(default=0)


class ResultItem(TableItem):
    """A debate's final result, written once by the closer from a recount."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="result")
    debate_id = UnicodeAttribute()
    counts = MapAttribute(default=dict)
    ballots = NumberAttribute()
    outcome = UnicodeAttribute()  # JSON
    closed_at = UnicodeAttribute()
    finalised_at = UnicodeAttribute()
    tally_mismatch = UnicodeAttribute(null=True)  # JSON: the running tally, when it differed


class CommentItem(TableItem):
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


class ReactionItem(TableItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="reaction")
    reacted_at = UnicodeAttribute()


class FlagItem(TableItem):
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


class BlockItem(TableItem):
    Meta = TableMeta

    kind = UnicodeAttribute(default="block")
    group_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    reason = UnicodeAttribute()
    until = UnicodeAttribute(null=True)
    blocked_by = UnicodeAttribute()
    blocked_at = UnicodeAttribute()


class ProfileItem(TableItem):
    """A user's choices (`USER#u` / `PROFILE`): written only by UpdateItem, field by field."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="profile")
    user_id = UnicodeAttribute()
    display_name = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class IdempotencyItem(TableItem):
    """A caller's Idempotency-Key (pk `IDEMPOTENCY#<user>#<sha256 of the key>`, sk `META`):
    claimed before the request's work, holding its answer once done (store/idempotency.py)."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="idempotency")
    fingerprint = UnicodeAttribute()  # sha256 of the method, route, path parameters and body
    claimed_at = UnicodeAttribute()
    # The first answer, once sent: absent while the first request is being processed.
    status = NumberAttribute(null=True)
    answer = UnicodeAttribute(null=True)  # its JSON body
    # DynamoDB deletes the item some time after this epoch second; reads check it too.
    ttl = TTLAttribute()


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


class DailyCountItem(TableItem):
    """A person's count of something per day, bounded by a conditional ADD (emailed
    invitations: `USER#u` / `INVITEMAILS#<day>`); gone by TTL after the day."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="daily_count")
    count = NumberAttribute(default=0)
    ttl = TTLAttribute(null=True)


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


ALL_MODELS: tuple[type[TableItem], ...] = (
    TableItem,
    TableSchema,
    GroupItem,
    MembershipItem,
    JoinRequestItem,
    InvitationItem,
    AuditEventItem,
    ConsultationItem,
    ConsultationLinkItem,
    GrantItem,
    DebateItem,
    BallotMarkerItem,
    SecretBallotItem,
    TallyItem,
    ResultItem,
    CommentItem,
    CommentCountsItem,
    ReactionItem,
    FlagItem,
    QueueEntryItem,
    BlockItem,
    ProfileItem,
    IdempotencyItem,
    NotificationItem,
    DeliveryItem,
    NotificationSettingsItem,
    DailyCountItem,
    FollowItem,
    DigestEntryItem,
    ReminderItem,
)


def bind(settings: Settings) -> None:
    """Point every model at the configured table and endpoint (and drop cached clients)."""
    TableMeta.table_name = settings.table
    TableMeta.host = settings.dynamodb_endpoint
    TableMeta.region = settings.region
    for model in ALL_MODELS:
        model._connection = None


bind(get_settings())
