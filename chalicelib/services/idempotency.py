"""Safe retries: a creating request sent with an `Idempotency-Key` is carried out once per
caller and key; the same request again within 24 hours gets the first answer back.

The API layer (chalicelib/api/idempotency.py) reads the header and says what the request
is (its fingerprint); this module decides, against the key's record (store/idempotency.py).
"""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.errors import IdempotencyInProgress, IdempotencyKeyReused
from chalicelib.domain.idempotency import IdempotentRequest
from chalicelib.domain.model import Caller
from chalicelib.store import idempotency as store

# How long a key is remembered: a retry within it is answered from the first answer.
KEY_LIFETIME = timedelta(hours=24)


def claim(caller: Caller, key: str, fingerprint: str) -> IdempotentRequest | None:
    """None when the key is free: it is now this request's, which goes ahead. The first
    request's record when the same request already answered (to be answered again).
    IdempotencyKeyReused when the key was used for another request, IdempotencyInProgress
    when the first request with it has not answered yet."""
    now = clock.now()
    held = store.claim(caller.id, key, fingerprint, now, now + KEY_LIFETIME)
    if held is None:
        return None
    if held.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if not held.answered:
        raise IdempotencyInProgress()
    return held


def remember(caller: Caller, key: str, fingerprint: str, status: int, answer: str) -> None:
    """Keep the first answer under the caller's key."""
    store.remember(caller.id, key, fingerprint, status, answer)


def release(caller: Caller, key: str, fingerprint: str) -> None:
    """Give the key back after a refusal (nothing was written): a corrected request may
    use it."""
    store.release(caller.id, key, fingerprint)
