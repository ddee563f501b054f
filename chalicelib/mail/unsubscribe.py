"""Unsubscribe links: a signed token that turns one kind of email off without signing in.

An email names in its unsubscribe link who it was sent to, for which group (or `*`, every
group) and which kind. The token carries those three, signed, so that a click (or a mail
client's one-click POST, RFC 8058) needs no session, and nobody can make a token for
someone else:

    token = base64url, unpadded ( tag (16 bytes) | fields )
    fields = user id, group id or "*", kind: each as 2-byte length + UTF-8
    tag = HMAC-SHA256(key, fields), its first 16 bytes
    key = HMAC-SHA256(cursor secret, b"hub unsubscribe link")

The first secret of `HUB_CURSOR_SECRET` signs; every one verifies (rotation: `new,old`).
A token does not expire (an email may be read months later) and stops working once the
secret that signed it is dropped. Reading a token never raises: anything changed, cut,
made up or signed with another secret is None.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from functools import cache

from chalicelib.domain.notifications import DIGEST, Kind
from chalicelib.domain.packing import LENGTH_BYTES, pack, unpack
from chalicelib.settings import get_settings

_LABEL = b"hub unsubscribe link"
_TAG_BYTES = 16  # HMAC-SHA256 cut to 128 bits: forging one still takes 2^128 tries
_MAX_FIELD_BYTES = 1024
# The longest token the Hub can issue (ids are at most 256 bytes): anything longer is refused
# before decoding.
MAX_TOKEN_CHARS = -(-(_TAG_BYTES + 3 * (LENGTH_BYTES + _MAX_FIELD_BYTES)) * 4 // 3)


def unsubscribe_token(user_id: str, group_id: str, kind: Kind | str) -> str:
    """The token that turns `kind` off for `user_id` in `group_id` (or "*": every group);
    `kind` DIGEST: every kind that comes in the daily digest."""
    fields = _pack([user_id, group_id, kind if kind == DIGEST else Kind(kind).value])
    tag = _tag(_keys(get_settings().cursor_secrets)[0], fields)
    return base64.urlsafe_b64encode(tag + fields).decode().rstrip("=")


def read_unsubscribe_token(token: str) -> tuple[str, str, Kind | str] | None:
    """(user id, group id or "*", kind) a token was made for; None for anything the Hub did
    not sign with one of its current secrets."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        return None
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (ValueError, binascii.Error):
        return None
    tag, fields = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
    if len(tag) < _TAG_BYTES or not any(
        hmac.compare_digest(tag, _tag(key, fields)) for key in _keys(get_settings().cursor_secrets)
    ):
        return None
    values = _unpack(fields)
    if values is None or len(values) != 3:
        return None
    user_id, group_id, kind = values
    if kind == DIGEST:
        return user_id, group_id, DIGEST
    try:
        return user_id, group_id, Kind(kind)
    except ValueError:
        return None


def _tag(key: bytes, fields: bytes) -> bytes:
    return hmac.new(key, fields, hashlib.sha256).digest()[:_TAG_BYTES]


@cache
def _keys(secrets: tuple[str, ...]) -> tuple[bytes, ...]:
    """One signing key per cursor secret, under a label of its own: a token is never a
    cursor, nor the other way round."""
    return tuple(hmac.new(secret.encode(), _LABEL, hashlib.sha256).digest() for secret in secrets)


def _pack(values: list[str]) -> bytes:
    if any(not 0 < len(value.encode()) <= _MAX_FIELD_BYTES for value in values):
        raise ValueError("an unsubscribe token's fields are 1 to 1024 bytes of UTF-8")
    return pack(values)


def _unpack(fields: bytes) -> list[str] | None:
    return unpack(fields, _MAX_FIELD_BYTES)
