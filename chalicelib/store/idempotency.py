"""Idempotency keys in the table: one item per caller and key (`keys.idempotency_pk`), with a
TTL. The first request claims the key with a conditional put before doing its work; its
answer is stored on the item once sent; a refused request gives the key back.

An item whose `ttl` has passed counts as absent (DynamoDB deletes expired items only some
time later): a claim may take its place.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from chalicelib.domain import clock
from chalicelib.domain.errors import IdempotencyInProgress
from chalicelib.domain.model import IdempotentRequest
from chalicelib.store import keys
from chalicelib.store.models import IdempotencyItem


def _failed_condition(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


def _request(item: IdempotencyItem) -> IdempotentRequest:
    status = None if item.status is None else int(item.status)
    return IdempotentRequest(item.fingerprint, status, item.answer)


def claim(
    user_id: str, key: str, fingerprint: str, now: datetime, expires_at: datetime
) -> IdempotentRequest | None:
    """Claim the caller's key for this request: None when claimed now (one PutItem,
    conditioned on no live claim), otherwise the request that holds it (a consistent GetItem
    more)."""
    pk = keys.idempotency_pk(user_id, key)
    item = IdempotencyItem(
        pk, keys.META, fingerprint=fingerprint, claimed_at=clock.to_iso(now), ttl=expires_at
    )
    free = IdempotencyItem.pk.does_not_exist() | (IdempotencyItem.ttl <= now)
    for _ in range(2):  # the holder may give the key back between the put and the read
        try:
            item.save(condition=free)
            return None
        except PutError as error:
            if not _failed_condition(error):
                raise
        try:
            return _request(IdempotencyItem.get(pk, keys.META, consistent_read=True))
        except IdempotencyItem.DoesNotExist:
            continue
    raise IdempotencyInProgress()  # held and given back twice while we looked: still busy


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
