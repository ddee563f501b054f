"""Idempotency keys in the table: one item per caller and key (`keys.idempotency_pk`), with a
TTL. The first request claims the key with a conditional put before doing its work; its
answer is stored on the item once sent; a refused request gives the key back.

An item whose `ttl` has passed counts as absent (DynamoDB deletes expired items only some
time later): a claim may take its place.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.exceptions import DeleteError, UpdateError

from chalicelib.domain import clock
from chalicelib.domain.errors import IdempotencyInProgress
from chalicelib.domain.idempotency import IdempotentRequest
from chalicelib.store import keys
from chalicelib.store.models.people import IdempotencyItem


def _failed_condition(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def _request(item: IdempotencyItem) -> IdempotentRequest:
    status = None if item.status is None else int(item.status)
    return IdempotentRequest(item.fingerprint, status, item.answer)


def claim(
    user_id: str, key: str, fingerprint: str, now: datetime, expires_at: datetime
) -> IdempotentRequest | None:
    """Claim the caller's key for this request: None when claimed now, otherwise the request
    that holds it. One PutItem either way, conditioned on no live claim: when the condition
    fails, DynamoDB returns the item that failed it (ReturnValuesOnConditionCheckFailure),
    so a retry costs no read. PynamoDB's put drops that item from its error: the put is
    sent with the model's own botocore client."""
    item = IdempotencyItem(
        keys.idempotency_pk(user_id, key),
        keys.META,
        fingerprint=fingerprint,
        claimed_at=clock.to_iso(now),
        ttl=expires_at,
    )
    free = IdempotencyItem.pk.does_not_exist() | (IdempotencyItem.ttl <= now)
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    condition = free.serialize(names, values)
    try:
        IdempotencyItem._get_connection().connection.client.put_item(
            TableName=IdempotencyItem.Meta.table_name,
            Item=item.serialize(),
            ConditionExpression=condition,
            ExpressionAttributeNames={placeholder: name for name, placeholder in names.items()},
            ExpressionAttributeValues=values,
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
        return None
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        held = error.response.get("Item")
    if not held:  # the condition failed on an item no longer there: taken and given back
        raise IdempotencyInProgress()
    return _request(IdempotencyItem.from_raw_data(held))


def remember(user_id: str, key: str, fingerprint: str, status: int, answer: str) -> None:
    """Store the first answer on the caller's claim (one UpdateItem)."""
    item = IdempotencyItem(keys.idempotency_pk(user_id, key), keys.META)
    try:
        item.update(
            actions=[IdempotencyItem.status.set(status), IdempotencyItem.answer.set(answer)],
            condition=(IdempotencyItem.fingerprint == fingerprint)
            & IdempotencyItem.status.does_not_exist(),
        )
    except UpdateError as error:
        if not _failed_condition(error):
            raise


def release(user_id: str, key: str, fingerprint: str) -> None:
    """Give back the caller's claim that has no answer yet (one DeleteItem)."""
    item = IdempotencyItem(keys.idempotency_pk(user_id, key), keys.META)
    try:
        item.delete(
            condition=(IdempotencyItem.fingerprint == fingerprint)
            & IdempotencyItem.status.does_not_exist()
        )
    except DeleteError as error:
        if not _failed_condition(error):
            raise
