"""The notification pipeline's reads and writes (chalicelib/services/notifications.py).

- recipients, page by page: a partition of people (a group's members, by role; a group's
  followers; a consultation's grants; a debate's ballot markers), one Query per page;
- what the pipeline needs to know about recipients, together: their roles in some groups,
  their grant in a consultation, their ballot markers, their `NOTIFY` and `PROFILE` items,
  one BatchGetItem per 100 keys;
- what it writes, each once: an in-app notification (its own marker), a delivery marker
  (`SENT#<event>#<channel>`, before sending), a digest entry, a reminder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.domain import clock
from chalicelib.domain.notifications import (
    ALL_GROUPS,
    KEPT_FOR,
    Delivery,
    Event,
    Kind,
    Preferences,
    Reachability,
)
from chalicelib.domain.profiles import Profile
from chalicelib.domain.roles import Role
from chalicelib.store import keys
from chalicelib.store.models.notifications import (
    DeliveryItem,
    DigestEntryItem,
    NotificationItem,
    NotificationSettingsItem,
    ReminderItem,
)
from chalicelib.store.profiles import profile_from_raw
from chalicelib.store.table import TableMeta, connection, get_many

# ---------------------------------------------------------------- recipients, page by page


@dataclass(frozen=True)
class Partition:
    """Where some recipients are listed: the items of `pk` whose sort key starts with
    `prefix`, the user id being the rest of the sort key; `roles`, when given, keeps the
    memberships holding one of them."""

    pk: str
    prefix: str
    roles: tuple[str, ...] = ()


def members(group_id: str, roles: Iterable[Role] = ()) -> Partition:
    return Partition(keys.group_pk(group_id), keys.MEMBER_PREFIX, tuple(r.value for r in roles))


def followers(group_id: str) -> Partition:
    return Partition(keys.followers_pk(group_id), keys.FOLLOWER_PREFIX)


def grantees(consultation_id: str) -> Partition:
    return Partition(keys.consultation_pk(consultation_id), keys.GRANT_PREFIX)


def voters(debate_id: str, shard: int) -> Partition:
    return Partition(keys.ballot_pk(debate_id, shard), keys.VOTER_PREFIX)


def recipients_page(
    partition: Partition, limit: int, after: dict[str, Any] | None
) -> tuple[list[str], dict[str, Any] | None]:
    """Up to `limit` user ids of the partition (fewer when `roles` filters some out), and
    where the next page starts (None at the end): one Query, keys only when unfiltered."""
    request: dict[str, Any] = {
        "TableName": TableMeta.table_name,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {
            ":pk": {"S": partition.pk},
            ":prefix": {"S": partition.prefix},
        },
        "Limit": limit,
    }
    if partition.roles:
        names = [f":r{i}" for i in range(len(partition.roles))]
        request["FilterExpression"] = f"#role IN ({', '.join(names)})"
        request["ExpressionAttributeNames"] = {"#role": "role", "#sk": "sk"}
        request["ProjectionExpression"] = "#sk"
        request["ExpressionAttributeValues"] |= {
            name: {"S": role} for name, role in zip(names, partition.roles, strict=True)
        }
    else:
        request["ProjectionExpression"] = "sk"
    if after:
        request["ExclusiveStartKey"] = after
    answer = connection().client.query(**request)
    users = [item["sk"]["S"][len(partition.prefix) :] for item in answer.get("Items", [])]
    return users, answer.get("LastEvaluatedKey")


# ---------------------------------------------------------------- recipients, together


@dataclass(frozen=True)
class Recipient:
    """What the pipeline knows of one person: how to reach them, their choices, and what
    they hold where it asked (roles by group, a grant, whether they took part)."""

    user_id: str
    reachability: Reachability
    preferences: Preferences
    name: str = ""
    roles: dict[str, Role] | None = None
    grant: Role | None = None
    voted: bool = False

    @property
    def locale(self) -> str | None:
        return self.reachability.locale


def read_recipients(
    user_ids: list[str],
    *,
    groups: Iterable[str] = (),
    consultation_id: str | None = None,
    marker_keys: dict[str, list[tuple[str, str]]] | None = None,
) -> dict[str, Recipient]:
    """Each user's `NOTIFY` and `PROFILE` items, their memberships in `groups`, their grant
    in `consultation_id`, and whether any of their `marker_keys` (ballot markers) exists:
    one BatchGetItem per 100 keys, whoever they are."""
    groups = list(groups)
    wanted: list[tuple[str, str]] = []
    for user in user_ids:
        wanted += [(keys.user_pk(user), keys.NOTIFY), (keys.user_pk(user), keys.PROFILE)]
        wanted += [(keys.group_pk(g), keys.member_sk(user)) for g in groups]
        if consultation_id is not None:
            wanted.append((keys.consultation_pk(consultation_id), keys.grant_sk(user)))
        wanted += (marker_keys or {}).get(user, [])
    found = get_many(list(dict.fromkeys(wanted)), consistent=False) if wanted else {}
    recipients = {}
    for user in user_ids:
        settings = found.get((keys.user_pk(user), keys.NOTIFY))
        reachability, preferences = _settings(user, settings)
        profile_raw = found.get((keys.user_pk(user), keys.PROFILE))
        profile: Profile | None = profile_from_raw(profile_raw) if profile_raw else None
        if profile is not None and profile.locale:
            reachability = Reachability(
                user, reachability.email, reachability.email_verified, profile.locale
            )
        roles = {}
        for group in groups:
            raw = found.get((keys.group_pk(group), keys.member_sk(user)))
            if raw is not None:
                roles[group] = Role(raw["role"]["S"])
        grant_raw = (
            found.get((keys.consultation_pk(consultation_id), keys.grant_sk(user)))
            if consultation_id is not None
            else None
        )
        recipients[user] = Recipient(
            user_id=user,
            reachability=reachability,
            preferences=preferences,
            name=(profile.display_name if profile and profile.display_name else ""),
            roles=roles,
            grant=Role(grant_raw["role"]["S"]) if grant_raw else None,
            voted=any(key in found for key in (marker_keys or {}).get(user, [])),
        )
    return recipients


def _settings(user_id: str, raw: dict | None) -> tuple[Reachability, Preferences]:
    if raw is None:
        return Reachability(user_id), Preferences()
    item = NotificationSettingsItem.from_raw_data(raw)
    choices = {}
    for key, value in (item.preferences.as_dict() if item.preferences else {}).items():
        scope, _, kind = key.rpartition("|")
        try:
            choices[(scope or ALL_GROUPS, Kind(kind))] = Delivery(value)
        except ValueError:
            continue  # a kind or a delivery this version does not know
    reachability = Reachability(user_id, item.email, bool(item.email_verified), item.locale)
    return reachability, Preferences(choices)


def put_settings(reachability: Reachability, preferences: Preferences | None = None) -> None:
    """`USER#u` / `NOTIFY` as a sign-in records it (the API's store writes it; this one is
    for the local demo and the tests)."""
    choices = {
        f"{scope}|{kind.value}": delivery.value
        for (scope, kind), delivery in (preferences.choices if preferences else {}).items()
    }
    NotificationSettingsItem(
        keys.user_pk(reachability.user_id),
        keys.NOTIFY,
        user_id=reachability.user_id,
        email=reachability.email,
        email_verified=reachability.email_verified,
        locale=reachability.locale,
        preferences=choices,
        updated_at=clock.to_iso(clock.now()),
    ).save()


# ---------------------------------------------------------------- writes, each once


def _ttl(at: datetime) -> datetime:
    return at + KEPT_FOR


def put_notification(user_id: str, event: Event) -> bool:
    """The in-app notification: True if written now, False if it was already there."""
    item = NotificationItem(
        keys.notifications_pk(user_id),
        keys.notification_sk(event.id),
        event_id=event.id,
        event_kind=event.kind.value,
        at=clock.to_iso(event.at),
        group_id=event.group_id,
        data=dict(event.data),
        ttl=_ttl(event.at),
    )
    return _put_once(item)


def claim_delivery(user_id: str, event_id: str, channel: str, at: datetime) -> bool:
    """The delivery marker, written before sending: True if this caller may send now."""
    item = DeliveryItem(
        keys.notifications_pk(user_id),
        keys.delivery_sk(event_id, channel),
        sent_at=clock.to_iso(clock.now()),
        ttl=_ttl(at),
    )
    return _put_once(item)


def release_delivery(user_id: str, event_id: str, channel: str) -> None:
    """The send failed: the marker goes, so that a retry may send."""
    DeliveryItem(keys.notifications_pk(user_id), keys.delivery_sk(event_id, channel)).delete()


def put_digest_entry(user_id: str, event: Event, day: str) -> None:
    """An entry of `day`'s digest for the user: keyed by (user, event), so writing it again
    changes nothing."""
    DigestEntryItem(
        keys.digest_pk(day, keys.digest_shard(user_id)),
        keys.digest_sk(user_id, event.id),
        user_id=user_id,
        event_id=event.id,
        event_kind=event.kind.value,
        at=clock.to_iso(event.at),
        group_id=event.group_id,
        data=dict(event.data),
        ttl=_ttl(event.at),
    ).save()


def digest_page(
    day: str, shard: int, limit: int, after: dict[str, Any] | None
) -> tuple[list[tuple[str, Event]], dict[str, Any] | None]:
    """A page of `day`'s digest entries of one shard, by user: (user id, event) pairs."""
    request: dict[str, Any] = {
        "TableName": TableMeta.table_name,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": keys.digest_pk(day, shard)}},
        "Limit": limit,
    }
    if after:
        request["ExclusiveStartKey"] = after
    answer = connection().client.query(**request)
    entries = []
    for raw in answer.get("Items", []):
        item = DigestEntryItem.from_raw_data(raw)
        data = item.data.as_dict() if hasattr(item.data, "as_dict") else dict(item.data or {})
        event = Event(
            item.event_id, Kind(item.event_kind), clock.from_iso(item.at), item.group_id, data
        )
        entries.append((item.user_id, event))
    return entries, answer.get("LastEvaluatedKey")


def digest_entry_key(day: str, user_id: str, event_id: str) -> dict[str, Any]:
    return {
        "pk": {"S": keys.digest_pk(day, keys.digest_shard(user_id))},
        "sk": {"S": keys.digest_sk(user_id, event_id)},
    }


def delete_digest_entries(day: str, entries: list[tuple[str, str]]) -> None:
    """(user id, event id) entries of `day`, sent: BatchWriteItem, 25 at a time."""
    for start in range(0, len(entries), 25):
        requests = [
            {"DeleteRequest": {"Key": digest_entry_key(day, user, event)}}
            for user, event in entries[start : start + 25]
        ]
        pending = {TableMeta.table_name: requests}
        for _ in range(5):
            answer = connection().client.batch_write_item(RequestItems=pending)
            pending = answer.get("UnprocessedItems") or {}
            if not pending:
                break


def claim_digest_day(day: str) -> bool:
    """That `day`'s digests were queued: True the first time only."""
    return _put_once(
        DeliveryItem(
            f"DIGEST#{day}",
            "QUEUED",
            sent_at=clock.to_iso(clock.now()),
            ttl=clock.now() + KEPT_FOR,
        )
    )


def release_digest_day(day: str) -> None:
    """Queuing `day`'s digests failed: the next run queues them."""
    DeliveryItem(f"DIGEST#{day}", "QUEUED").delete()


# ---------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Reminder:
    consultation_id: str
    kind: Kind
    due_at: datetime


def put_reminder(reminder: Reminder) -> None:
    """Due at `due_at` in the due index's `REMIND` partition (written again when the
    consultation opens again with other dates: one per consultation and kind)."""
    ReminderItem(
        keys.consultation_pk(reminder.consultation_id),
        keys.reminder_sk(reminder.kind.value),
        consultation_id=reminder.consultation_id,
        reminder=reminder.kind.value,
        due_pk=keys.REMINDERS,
        due_at=clock.to_iso(reminder.due_at),
    ).save()


def due_reminders(now: datetime, limit: int = 100) -> list[Reminder]:
    """Reminders due by `now`, oldest first: one Query of the due index."""
    found = ReminderItem.due.query(
        keys.REMINDERS, ReminderItem.due_at <= clock.to_iso(now), limit=limit
    )
    return [
        Reminder(item.consultation_id, Kind(item.reminder), clock.from_iso(item.due_at))
        for item in found
        if item.due_at
    ]


def done_reminder(reminder: Reminder) -> bool:
    """Out of the due index, unless it was moved meanwhile: True if this caller took it."""
    item = ReminderItem(
        keys.consultation_pk(reminder.consultation_id), keys.reminder_sk(reminder.kind.value)
    )
    try:
        item.delete(condition=ReminderItem.due_at == clock.to_iso(reminder.due_at))
    except DeleteError:
        return False
    return True


# ---------------------------------------------------------------- what events show


def get_raw(wanted: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Items the notifier reads to describe events (names, titles, a comment's author):
    one BatchGetItem for a whole stream batch."""
    return get_many(list(dict.fromkeys(wanted)), consistent=False) if wanted else {}


def _put_once(item: Any) -> bool:
    try:
        item.save(condition=type(item).pk.does_not_exist())
    except PutError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def _condition_failed(error: PutError) -> bool:
    cause = getattr(error, "cause", None)
    response = getattr(cause, "response", None) or {}
    return response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
