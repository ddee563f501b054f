"""Pagination cursors: opaque, tamper-evident, and bound to the listing that issued them.

A cursor is the last key of a page (what DynamoDB calls LastEvaluatedKey), encrypted and
authenticated with AES-GCM under a key derived from `HUB_CURSOR_SECRET`, with the listing's
identity (`Listing`) as associated data: a cursor reveals no key, no name and no id, and one
changed, cut, made up, or issued by another listing (another group's members, the same
debate's comments in another order) does not decrypt, and answers 400 `invalid_cursor`.

    cursor = base64url, unpadded ( nonce (12 bytes) | ciphertext | tag (16 bytes) )
    plaintext = the key's values but the partition's, each as 2-byte length + UTF-8

The first secret of `HUB_CURSOR_SECRET` encrypts; every one decrypts (rotation: `new,old`).
A cursor does not expire, but stops working once the secret that made it is dropped.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from chalicelib.domain.errors import InvalidCursor
from chalicelib.domain.packing import LENGTH_BYTES, pack, unpack
from chalicelib.settings import get_settings


@dataclass(frozen=True)
class Listing:
    """What a cursor is bound to: which listing (`name`), of which partition (the query's
    partition attribute and value), with the `options` that change which items it holds or
    their order (a sort key prefix, a sort, a filter, the direction)."""

    name: str
    partition: tuple[str, str]  # ("pk", value) for the table, ("gsi1pk", value) for gsi1
    options: tuple[str, ...] = ()

    @property
    def associated_data(self) -> bytes:
        attribute, value = self.partition
        return json.dumps([_FORMAT, self.name, attribute, value, *self.options]).encode()

    @property
    def carried(self) -> tuple[str, ...]:
        """The key attributes a cursor carries, in order: the listing knows its partition."""
        return tuple(sorted(_KEYS[self.partition[0]] - {self.partition[0]}))


# A page's last key, by the partition attribute of the listing: the table's keys, plus the
# index's own for an index listing. Anything else would reach DynamoDB as a bad start key.
_KEYS = {
    "pk": {"pk", "sk"},
    "gsi1pk": {"gsi1pk", "gsi1sk", "pk", "sk"},
}

_FORMAT = "hub cursor 1"  # a new format changes it: older cursors then fail to decrypt
_NONCE_BYTES = 12  # AES-GCM's 96-bit nonce, random for each cursor
_TAG_BYTES = 16
_MAX_KEY_BYTES = 1024  # DynamoDB's sort key limit (partition keys: 2048)
# The longest cursor a listing can issue; anything longer is refused before decoding.
_MOST_CARRIED = max(len(names) - 1 for names in _KEYS.values())
_MAX_SEALED_BYTES = _NONCE_BYTES + _TAG_BYTES + _MOST_CARRIED * (LENGTH_BYTES + _MAX_KEY_BYTES)
MAX_CURSOR_CHARS = -(-_MAX_SEALED_BYTES * 4 // 3)  # base64 without padding


def encode_cursor(listing: Listing, last_evaluated_key: dict[str, Any] | None) -> str | None:
    """The cursor of the page after the one that ended at `last_evaluated_key` (None: the
    listing has no more pages)."""
    if not last_evaluated_key:
        return None
    return seal(listing, [last_evaluated_key[name]["S"] for name in listing.carried])


def seal(listing: Listing, values: list[str]) -> str:
    """A cursor of `listing` holding `values` (the key's, in `listing.carried`'s order)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = _ciphers(get_settings().cursor_secrets)[0].encrypt(
        nonce, _pack(values), listing.associated_data
    )
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def decode_cursor(listing: Listing, cursor: str | None) -> dict[str, Any] | None:
    """The ExclusiveStartKey a cursor of `listing` stands for; InvalidCursor for anything
    `listing` did not issue (tampered, cut, made up, of another listing or a dropped key)."""
    if cursor is None:
        return None
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor()
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
    except (ValueError, binascii.Error):
        raise InvalidCursor() from None
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    if len(nonce) < _NONCE_BYTES or len(sealed) < _TAG_BYTES:
        raise InvalidCursor()
    for cipher in _ciphers(get_settings().cursor_secrets):
        try:
            plain = cipher.decrypt(nonce, sealed, listing.associated_data)
        except InvalidTag:
            continue
        return _start_key(listing, _unpack(plain))
    raise InvalidCursor()


def _start_key(listing: Listing, values: list[str] | None) -> dict[str, Any]:
    """The key again, checked to fit the listing even though only the Hub could make it."""
    if values is None or len(values) != len(listing.carried):
        raise InvalidCursor()
    attribute, partition = listing.partition
    key = {attribute: partition, **dict(zip(listing.carried, values, strict=True))}
    return {name: {"S": value} for name, value in key.items()}


def _pack(values: list[str]) -> bytes:
    return pack(values)


def _unpack(plain: bytes) -> list[str] | None:
    """The values `_pack` wrote; None unless each is whole, UTF-8 and of a key's size (DynamoDB
    refuses an empty key value, and one over its limit)."""
    return unpack(plain, _MAX_KEY_BYTES)


@cache
def _ciphers(secrets: tuple[str, ...]) -> list[AESGCM]:
    """One AES-256-GCM key per secret, derived under a label of its own (HKDF-SHA256)."""
    return [
        AESGCM(
            HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=b"hub pagination cursors"
            ).derive(secret.encode())
        )
        for secret in secrets
    ]
