"""The signed link of an email's one-click unsubscribe (RFC 8058): it names a person, a
group (or every group, `*`) and a kind of notification, and needs no sign-in.

    token = base64url(json [user, group, kind]) "." base64url(HMAC-SHA256(payload))

The key is derived from the first of HUB_CURSOR_SECRET's secrets under a label of its own
(so a cursor key is never an unsubscribe key); every secret verifies, so links in emails
sent before a rotation keep working until the old secret is dropped. A token changed in
any way does not verify."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

from chalicelib.domain.notifications import Kind
from chalicelib.settings import get_settings

_LABEL = b"hub unsubscribe link"
_MAX_TOKEN_CHARS = 2048


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _LABEL, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)


def unsubscribe_token(user_id: str, group_or_star: str, kind: Kind | str) -> str:
    """The token of the link that turns `kind` off for `user_id` in `group_or_star`."""
    payload = json.dumps([user_id, group_or_star, str(kind)], separators=(",", ":")).encode()
    mac = hmac.new(_key(get_settings().cursor_secrets[0]), payload, hashlib.sha256).digest()
    return f"{_b64(payload)}.{_b64(mac)}"


def read_unsubscribe_token(token: str) -> tuple[str, str, Kind] | None:
    """(user id, group id or `*`, kind) of a token the Hub issued; None for anything else."""
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS or token.count(".") != 1:
        return None
    encoded, signature = token.split(".")
    try:
        payload, mac = _unb64(encoded), _unb64(signature)
    except (ValueError, binascii.Error):
        return None
    if not any(
        hmac.compare_digest(hmac.new(_key(secret), payload, hashlib.sha256).digest(), mac)
        for secret in get_settings().cursor_secrets
    ):
        return None
    try:
        user_id, group, kind = json.loads(payload)
        return str(user_id), str(group), Kind(kind)
    except (ValueError, TypeError):
        return None
