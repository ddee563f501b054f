"""A person's own data in the table: what their export reads and their erasure rewrites.

Everything is found by Query, never by Scan: their items in the `owner` index (keys only,
then BatchGetItem per 100 keys), their partition in gsi1 (`USER#u`: memberships, grants,
follows), their partition in the table (`USER#u`: profile, notification settings, daily
counts), their notifications (`NOTIFS#u`), the audit entries about them (gsi1 `SUBJECT#u`).

What is theirs alone by its key (profile, settings, notifications, grants) is deleted by
key; every other erasing write is conditional on the item still being theirs (or still
holding what was read), so that running an erasure twice, or two at once, changes each
item once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.domain import clock
from chalicelib.domain.ballots import Marker, shard_of
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.model import Debate
from chalicelib.store import keys
from chalicelib.store.ballots import marker_key
from chalicelib.store.models import TableMeta
from chalicelib.store.models.ballots import BallotMarkerItem
from chalicelib.store.models.comments import FlagItem
from chalicelib.store.table import Transaction, connection, get_many, transact

Key = tuple[str, str]


@dataclass(frozen=True)
class Owned:
    """One of a person's items in the `owner` index: its kind and key."""

    kind: str
    pk: str
    sk: str

    @property
    def key(self) -> Key:
        return self.pk, self.sk


def _pages(request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item a Query finds, page after page."""
    client = connection().client
    request = {"TableName": TableMeta.table_name, **request}
    while True:
        response = client.query(**request)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def owned(user_id: str, kind: str | None = None) -> list[Owned]:
    """The keys of a person's items (of one `kind`, or all): a Query of their partition in
    the `owner` index, page after page."""
    condition = "owner_pk = :owner"
    values: dict[str, Any] = {":owner": {"S": keys.owner_pk(user_id)}}
    if kind is not None:
        condition += " AND begins_with(owner_sk, :kind)"
        values[":kind"] = {"S": f"{kind}#"}
    return [
        Owned(raw["owner_sk"]["S"].partition("#")[0], raw["pk"]["S"], raw["sk"]["S"])
        for raw in _pages(
            {
                "IndexName": "owner",
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": values,
            }
        )
    ]


def read(wanted: list[Key], *, consistent: bool = False) -> dict[Key, dict]:
    """These items, as raw maps by key: one BatchGetItem per 100 keys."""
    return get_many(wanted, consistent=consistent) if wanted else {}


def user_index(user_id: str) -> list[dict]:
    """Their memberships, grants and follows: a Query of their partition in gsi1."""
    return list(
        _pages(
            {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :user",
                "ExpressionAttributeValues": {":user": {"S": keys.user_pk(user_id)}},
            }
        )
    )


def user_partition(user_id: str) -> list[dict]:
    """Their profile, notification settings and daily counts: a Query of `USER#u`."""
    return list(
        _pages(
            {
                "KeyConditionExpression": "pk = :user",
                "ExpressionAttributeValues": {":user": {"S": keys.user_pk(user_id)}},
                "ConsistentRead": True,
            }
        )
    )


def notifications(user_id: str) -> list[dict]:
    """Their notifications and the markers of what was sent to them (`NOTIFS#u`)."""
    return list(
        _pages(
            {
                "KeyConditionExpression": "pk = :pk",
                "ExpressionAttributeValues": {":pk": {"S": keys.notifications_pk(user_id)}},
            }
        )
    )


def entries_about(user_id: str) -> list[dict]:
    """The audit entries whose subject they are (gsi1 `SUBJECT#u`)."""
    return list(
        _pages(
            {
                "IndexName": "gsi1",
                "KeyConditionExpression": "gsi1pk = :subject",
                "ExpressionAttributeValues": {":subject": {"S": keys.subject_pk(user_id)}},
            }
        )
    )


# ---------------------------------------------------------------- erasing


def _conditional(call: str, **request: Any) -> bool:
    """One conditional write; False when its condition failed (someone else's change came
    first, or an earlier erasure did it)."""
    try:
        getattr(connection().client, call)(TableName=TableMeta.table_name, **request)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def delete(key: Key) -> None:
    """Delete an item that is theirs by its key alone (profile, settings, a notification,
    a grant): one DeleteItem, nothing if it is gone."""
    connection().client.delete_item(TableName=TableMeta.table_name, Key=_key(*key))


def delete_owned(item: Owned, user_id: str) -> bool:
    """Delete one of their items (a join request, an invitation they created, a block of
    them) if it is still theirs: one conditional DeleteItem."""
    return _conditional(
        "delete_item",
        Key=_key(item.pk, item.sk),
        ConditionExpression="owner_pk = :owner",
        ExpressionAttributeValues={":owner": {"S": keys.owner_pk(user_id)}},
    )


def move_marker(debate: Debate, marker: Marker, alias: str) -> None:
    """A counted ballot marker changes voter: one transaction deletes `VOTER#<voter>` (if it
    still holds what was read) and puts the same ballot, cast and changed at the same times,
    at `VOTER#<alias>` in the alias's ballot partition, with no owner. The recount finds it
    there as it found it before. ConcurrentUpdate when the marker changed or went."""
    moved = BallotMarkerItem(
        keys.ballot_pk(debate.id, shard_of(alias, debate.ballot_shards)),
        keys.voter_sk(alias),
        debate_id=debate.id,
        voter_id=alias,
        choice=marker.ballot.key if marker.ballot is not None else None,
        cast_at=clock.to_iso(marker.cast_at),
    )
    if marker.changed_at is not None:
        moved.changed_at = clock.to_iso(marker.changed_at)
    unchanged = (
        BallotMarkerItem.choice == marker.ballot.key
        if marker.ballot is not None
        else BallotMarkerItem.pk.exists() & BallotMarkerItem.choice.does_not_exist()
    )

    def build(transaction: Transaction) -> None:
        transaction.delete(
            BallotMarkerItem(*marker_key(debate, marker.voter_id)),
            condition=unchanged,
            on_fail=ConcurrentUpdate(),
        )
        transaction.save(
            moved, condition=BallotMarkerItem.pk.does_not_exist(), on_fail=ConcurrentUpdate()
        )

    transact(build)


def remove_flag(transaction: Transaction, comment_id: str, user_id: str) -> None:
    """Their flag on a comment, deleted with the comment's counts (`comments.save`)."""
    transaction.delete(
        FlagItem(keys.comment_pk(comment_id), keys.flag_sk(user_id)),
        condition=FlagItem.pk.exists(),
        on_fail=ConcurrentUpdate(),
    )


def _aliased(value: Any, user_id: str, alias: str) -> Any:
    """A raw DynamoDB value with every string `user_id` as `alias`."""
    if isinstance(value, dict):
        if value.get("S") == user_id and len(value) == 1:
            return {"S": alias}
        return {name: _aliased(inner, user_id, alias) for name, inner in value.items()}
    if isinstance(value, list):
        return [_aliased(inner, user_id, alias) for inner in value]
    return value


def pseudonymise_entry(raw: dict, user_id: str, alias: str) -> bool:
    """An audit entry they made or that is about them, with `alias` wherever it named them
    (actor, subject, details), no name, and out of their owner partition and subject
    index: one PutItem, conditioned on the entry still naming them."""
    entry = _aliased(raw, user_id, alias)
    if raw.get("actor_id", {}).get("S") == user_id:
        entry["actor_name"] = {"S": ""}
        entry.pop("owner_pk", None)
        entry.pop("owner_sk", None)
    if raw.get("subject_id", {}).get("S") == user_id:
        entry.pop("gsi1pk", None)
        entry.pop("gsi1sk", None)
    return _conditional(
        "put_item",
        Item=entry,
        ConditionExpression="actor_id = :user OR subject_id = :user",
        ExpressionAttributeValues={":user": {"S": user_id}},
    )
