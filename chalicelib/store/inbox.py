"""A person's side of notifications in the table: their notifications (`NOTIFS#u` /
`N#<event id>`, written by the pipeline), what they have read, their email choices and
how to reach them (`USER#u` / `NOTIFY`), and the groups they follow (`FOLLOWERS#g` /
`USER#u`, in their gsi1 partition beside their memberships).

Reading: a notification is read when it has `read_at`, or its id is at most the person's
watermark `read_before` ("mark all read" is one write of the watermark). The unread count
is one Query (Select COUNT) of the ids after the watermark without `read_at`.

Writing choices: one UpdateItem naming only the map entries that change, so two tabs
changing different kinds never undo each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain import clock
from chalicelib.domain.notifications import (
    ALL_GROUPS,
    Delivery,
    Kind,
    Notification,
    Reachability,
)
from chalicelib.store import keys
from chalicelib.store.cursors import Listing, decode_cursor, encode_cursor
from chalicelib.store.models import TableMeta
from chalicelib.store.table import Page, connection

# After every notification id (ids are ASCII): the high end of a range of `N#` keys.
_AFTER_NOTIFICATIONS = "N$"
# After every id that starts with a given id: the low end of "strictly after it".
_PAST = "\U0010ffff"


def settings_key(user_id: str) -> tuple[str, str]:
    return keys.user_pk(user_id), keys.NOTIFY


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


# ---------------------------------------------------------------- settings (NOTIFY)


@dataclass(frozen=True)
class Settings:
    """What `USER#u` / `NOTIFY` holds (an absent item: all defaults)."""

    reachability: Reachability
    choices: dict[tuple[str, Kind], Delivery] = field(default_factory=dict)
    read_before: str | None = None


def settings_from_raw(user_id: str, raw: Mapping[str, Any] | None) -> Settings:
    raw = raw or {}
    choices: dict[tuple[str, Kind], Delivery] = {}
    for name, value in raw.get("preferences", {}).get("M", {}).items():
        group, _, kind = name.rpartition("|")
        try:
            choices[group, Kind(kind)] = Delivery(value.get("S"))
        except ValueError:
            continue  # a kind or delivery this version does not know
    return Settings(
        Reachability(
            user_id,
            email=raw.get("email", {}).get("S"),
            email_verified=bool(raw.get("email_verified", {}).get("BOOL", False)),
            locale=raw.get("locale", {}).get("S"),
        ),
        choices,
        raw.get("read_before", {}).get("S"),
    )


def read_settings(user_id: str, *, consistent: bool = False) -> Settings:
    """One GetItem."""
    response = connection().client.get_item(
        TableName=TableMeta.table_name,
        Key=_key(*settings_key(user_id)),
        ConsistentRead=consistent,
    )
    return settings_from_raw(user_id, response.get("Item"))


def _update_settings(
    user_id: str,
    sets: Mapping[str, Any],
    removes: Iterable[str] = (),
    *,
    condition: str | None = None,
    values: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
) -> Settings | None:
    """One UpdateItem of the NOTIFY item, creating it if absent. `sets` maps an expression
    path (with its #names) to a value placeholder. The settings as stored now; None when
    `condition` failed."""
    all_names = {"#kind": "kind", "#user": "user_id", "#updated": "updated_at", **(names or {})}
    all_values = {
        ":kind": {"S": "notification_settings"},
        ":user": {"S": user_id},
        ":updated": {"S": clock.to_iso(clock.now())},
        **(values or {}),
    }
    assignments = ["#kind = :kind", "#user = :user", "#updated = :updated"]
    assignments += [f"{path} = {value}" for path, value in sets.items()]
    expression = "SET " + ", ".join(assignments)
    removes = list(removes)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    request: dict[str, Any] = {
        "TableName": TableMeta.table_name,
        "Key": _key(*settings_key(user_id)),
        "UpdateExpression": expression,
        "ExpressionAttributeNames": all_names,
        "ExpressionAttributeValues": all_values,
        "ReturnValues": "ALL_NEW",
    }
    if condition:
        request["ConditionExpression"] = condition
    try:
        response = connection().client.update_item(**request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return None
        raise
    return settings_from_raw(user_id, response.get("Attributes"))


def record_reachability(reachability: Reachability) -> None:
    """Set how to reach a person (one UpdateItem), leaving their choices as they are."""
    sets, removes, values, names = {}, [], {}, {}
    for attribute, value in (
        ("email", reachability.email),
        ("locale", reachability.locale),
    ):
        names[f"#{attribute}"] = attribute
        if value is None:
            removes.append(f"#{attribute}")
        else:
            sets[f"#{attribute}"] = f":{attribute}"
            values[f":{attribute}"] = {"S": value}
    names["#verified"] = "email_verified"
    sets["#verified"] = ":verified"
    values[":verified"] = {"BOOL": reachability.email_verified}
    # The choices' map, so that a choice is later one UpdateItem naming its entry.
    names["#prefs"] = "preferences"
    sets["#prefs"] = "if_not_exists(#prefs, :empty)"
    values[":empty"] = {"M": {}}
    _update_settings(reachability.user_id, sets, removes, values=values, names=names)


def choice_name(group: str, kind: Kind) -> str:
    """The preferences map's key of a choice."""
    return f"{group}|{kind.value}"


KEEP = object()  # `locale=KEEP`: the language is not changed


def set_choices(
    user_id: str,
    changes: Mapping[tuple[str, Kind], Delivery | None],
    *,
    locale: str | object | None = KEEP,
) -> Settings:
    """Set (or, for None, remove) these choices (and the language, unless KEEP) and nothing
    else: one UpdateItem naming each map entry, answering the settings as stored now; two
    more the first time, when the map does not exist yet (GET /v1/me makes it)."""
    sets: dict[str, str] = {}
    removes: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    for number, ((group, kind), delivery) in enumerate(sorted(changes.items())):
        names["#prefs"] = "preferences"
        names[f"#c{number}"] = choice_name(group, kind)
        if delivery is None:
            removes.append(f"#prefs.#c{number}")
        else:
            sets[f"#prefs.#c{number}"] = f":c{number}"
            values[f":c{number}"] = {"S": delivery.value}
    if locale is not KEEP:
        names["#locale"] = "locale"
        if locale is None:
            removes.append("#locale")
        else:
            sets["#locale"] = ":locale"
            values[":locale"] = {"S": str(locale)}
    try:
        stored = _update_settings(user_id, sets, removes, values=values, names=names)
    except ClientError as error:
        # DynamoDB refuses a path into a map that does not exist yet: make the map (without
        # replacing one another request just made), then name the entries again.
        if error.response.get("Error", {}).get("Code") != "ValidationException":
            raise
        _update_settings(
            user_id,
            {"#prefs": "if_not_exists(#prefs, :empty)"},
            names={"#prefs": "preferences"},
            values={":empty": {"M": {}}},
        )
        stored = _update_settings(user_id, sets, removes, values=values, names=names)
    assert stored is not None  # no condition
    return stored


def set_read_before(user_id: str, event_id: str) -> Settings | None:
    """Move the watermark up to `event_id` (never down: a slower request marking less
    leaves it; None then)."""
    return _update_settings(
        user_id,
        {"#rb": ":rb"},
        names={"#rb": "read_before"},
        values={":rb": {"S": event_id}},
        condition="attribute_not_exists(#rb) OR #rb < :rb",
    )


# ---------------------------------------------------------------- notifications


def _notification(raw: Mapping[str, Any], read_before: str | None) -> Notification:
    event = raw["event_id"]["S"]
    return Notification(
        id=event,
        kind=Kind(raw["event_kind"]["S"]),
        at=clock.from_iso(raw["at"]["S"]),
        group_id=raw.get("group_id", {}).get("S"),
        data={name: value.get("S", "") for name, value in raw.get("data", {}).get("M", {}).items()},
        read="read_at" in raw or (read_before is not None and event <= read_before),
    )


def _after(read_before: str | None) -> tuple[str, dict[str, Any]]:
    """The key condition of the notifications after the watermark (all, without one)."""
    if read_before is None:
        return "pk = :pk AND begins_with(sk, :prefix)", {":prefix": {"S": keys.NOTIFICATION_PREFIX}}
    return "pk = :pk AND sk BETWEEN :low AND :high", {
        ":low": {"S": keys.notification_sk(read_before) + _PAST},
        ":high": {"S": _AFTER_NOTIFICATIONS},
    }


def page(
    user_id: str, limit: int, cursor: str | None, *, unread_only: bool, read_before: str | None
) -> Page[Notification]:
    """One page of a person's notifications, newest first: one Query. `unread_only`: those
    after the watermark without `read_at` (a page may then hold fewer than `limit`)."""
    pk = keys.notifications_pk(user_id)
    listing = Listing(
        "notifications",
        ("pk", pk),
        (keys.NOTIFICATION_PREFIX, "newest", "unread" if unread_only else "all"),
    )
    condition, values = _after(read_before if unread_only else None)
    request: dict[str, Any] = {
        "TableName": TableMeta.table_name,
        "KeyConditionExpression": condition,
        "ExpressionAttributeValues": {":pk": {"S": pk}, **values},
        "ScanIndexForward": False,
        "Limit": limit,
    }
    if unread_only:
        request["FilterExpression"] = "attribute_not_exists(read_at)"
    start = decode_cursor(listing, cursor)
    if start is not None:
        request["ExclusiveStartKey"] = start
    response = connection().client.query(**request)
    # A kind this version does not know (written by a newer pipeline) is not shown.
    known = {kind.value for kind in Kind}
    items = [
        _notification(raw, read_before)
        for raw in response.get("Items", [])
        if raw.get("event_kind", {}).get("S") in known
    ]
    return Page(items, encode_cursor(listing, response.get("LastEvaluatedKey")))


def unread_count(user_id: str, read_before: str | None) -> int:
    """How many notifications are unread: one Query (Select COUNT; one more per MB of
    notifications examined, 90 days' worth fit in one for anyone but the busiest)."""
    condition, values = _after(read_before)
    request: dict[str, Any] = {
        "TableName": TableMeta.table_name,
        "KeyConditionExpression": condition,
        "FilterExpression": "attribute_not_exists(read_at)",
        "ExpressionAttributeValues": {":pk": {"S": keys.notifications_pk(user_id)}, **values},
        "Select": "COUNT",
    }
    count = 0
    while True:
        response = connection().client.query(**request)
        count += response.get("Count", 0)
        if "LastEvaluatedKey" not in response:
            return count
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def newest_id(user_id: str) -> str | None:
    """The id of a person's newest notification: one Query of one key."""
    response = connection().client.query(
        TableName=TableMeta.table_name,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={
            ":pk": {"S": keys.notifications_pk(user_id)},
            ":prefix": {"S": keys.NOTIFICATION_PREFIX},
        },
        ScanIndexForward=False,
        Limit=1,
        ProjectionExpression="sk",
    )
    items = response.get("Items", [])
    return items[0]["sk"]["S"].removeprefix(keys.NOTIFICATION_PREFIX) if items else None


def mark_read(user_id: str, event_ids: Iterable[str], at: datetime) -> None:
    """Set `read_at` on each of these notifications of `user_id` that exists and has none:
    one UpdateItem each (only ever in the person's own partition; unknown ids change
    nothing)."""
    client = connection().client
    for event in event_ids:
        try:
            client.update_item(
                TableName=TableMeta.table_name,
                Key=_key(keys.notifications_pk(user_id), keys.notification_sk(event)),
                UpdateExpression="SET read_at = :at",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(read_at)",
                ExpressionAttributeValues={":at": {"S": clock.to_iso(at)}},
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise


# ---------------------------------------------------------------- following a group


def follow(group_id: str, user_id: str, at: datetime) -> None:
    """Put the follow, keeping the first one's date when it exists (one PutItem)."""
    try:
        connection().client.put_item(
            TableName=TableMeta.table_name,
            Item={
                **_key(keys.followers_pk(group_id), keys.follower_sk(user_id)),
                "kind": {"S": "follow"},
                "group_id": {"S": group_id},
                "user_id": {"S": user_id},
                "followed_at": {"S": clock.to_iso(at)},
                "gsi1pk": {"S": keys.user_pk(user_id)},
                "gsi1sk": {"S": keys.user_follow_sk(group_id)},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise


def unfollow(group_id: str, user_id: str) -> None:
    """One DeleteItem (nothing to delete: nothing happens)."""
    connection().client.delete_item(
        TableName=TableMeta.table_name,
        Key=_key(keys.followers_pk(group_id), keys.follower_sk(user_id)),
    )


def groups_of(user_id: str) -> set[str]:
    """The groups a person belongs to or follows: one Query of their gsi1 partition."""
    request: dict[str, Any] = {
        "TableName": TableMeta.table_name,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :user",
        "ExpressionAttributeValues": {":user": {"S": keys.user_pk(user_id)}},
    }
    found: set[str] = set()
    while True:
        response = connection().client.query(**request)
        for item in response.get("Items", []):
            if item.get("kind", {}).get("S") in ("membership", "follow") and "group_id" in item:
                found.add(item["group_id"]["S"])
        if "LastEvaluatedKey" not in response:
            return found
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def group_names(group_ids: Iterable[str]) -> dict[str, str]:
    """The names of these groups that exist: one BatchGetItem per 100."""
    from chalicelib.store.table import get_many

    wanted = {(keys.group_pk(g), keys.META): g for g in group_ids if g != ALL_GROUPS}
    found = get_many(list(wanted), consistent=False)
    return {g: found[key]["name"]["S"] for key, g in wanted.items() if key in found}


def settings_and_group(user_id: str, group_id: str) -> tuple[Settings, str | None]:
    """A person's settings and a group's name (None: every group, or gone): one
    BatchGetItem."""
    from chalicelib.store.table import get_many

    wanted = [settings_key(user_id)]
    group_key = (keys.group_pk(group_id), keys.META)
    if group_id != ALL_GROUPS:
        wanted.append(group_key)
    found = get_many(wanted, consistent=False)
    name = found[group_key]["name"]["S"] if group_key in found else None
    return settings_from_raw(user_id, found.get(settings_key(user_id))), name
