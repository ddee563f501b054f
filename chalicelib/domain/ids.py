"""Opaque identifiers and unguessable codes."""

from __future__ import annotations

import secrets

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case: no i, l, o, u


def new_id(length: int = 12) -> str:
    """A random id (60 bits for 12 characters): safe in URLs and keys, hard to guess."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def new_code() -> str:
    """An invitation code: 128 random bits, URL-safe."""
    return secrets.token_urlsafe(16)


def looks_like_id(text: str, length: int = 12) -> bool:
    """Cheap check before any read: an id we could have issued."""
    return len(text) == length and all(character in _ALPHABET for character in text)


def looks_like_code(text: str) -> bool:
    return 16 <= len(text) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in text)


def looks_like_user_id(text: str) -> bool:
    """Token subjects are opaque strings; bound their size before they reach a key."""
    return 0 < len(text) <= 256 and text.isprintable()
