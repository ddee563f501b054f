"""Opaque identifiers and unguessable codes."""

from __future__ import annotations

import secrets
import time

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


# DynamoDB refuses a partition key over 2048 bytes and a sort key over 1024 (UTF-8), and
# keys put a prefix before an id ("MEMBER#", "BALLOTS#<debate>#<shard>"…) or two ids side by
# side ("GRANT#<consultation>" under "USER#<user>"). Every id that reaches a key (path
# parameters, token subjects) is refused above this size, which leaves room for both.
MAX_ID_BYTES = 256


def fits_in_key(text: str) -> bool:
    """Not empty, valid Unicode, and at most MAX_ID_BYTES bytes of UTF-8."""
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return 0 < size <= MAX_ID_BYTES


def looks_like_user_id(text: str) -> bool:
    """Token subjects are opaque strings: printable, small enough for a key, and never "."
    or ".." (a URL folds those segments away: no route could name that person)."""
    return fits_in_key(text) and text.isprintable() and text not in {".", ".."}


def new_sortable_id() -> str:
    """12 characters that sort by creation time (9 of milliseconds, 3 random)."""
    millis = time.time_ns() // 1_000_000
    stamp = ""
    for _ in range(9):
        millis, digit = divmod(millis, 32)
        stamp = _ALPHABET[digit] + stamp
    return stamp + new_id(3)


def new_debate_id(consultation_id: str) -> str:
    """A debate's id names its consultation, so a debate is read with one GetItem."""
    return consultation_id + new_sortable_id()


def split_debate_id(debate_id: str) -> tuple[str, str] | None:
    """(consultation id, local id), or None if this is no debate id we issued."""
    if len(debate_id) != 24 or not looks_like_id(debate_id[:12]):
        return None
    if not looks_like_id(debate_id[12:]):
        return None
    return debate_id[:12], debate_id[12:]


def new_comment_id(debate_id: str, parent_id: str | None = None) -> str:
    """A comment's id names its debate (and, for a reply, its parent): one GetItem finds it."""
    return (parent_id or debate_id) + new_sortable_id()


def split_comment_id(comment_id: str) -> tuple[str, str] | None:
    """(debate id, path) where path is `local` or `parent local#local`; None if not ours."""
    if len(comment_id) not in (36, 48) or split_debate_id(comment_id[:24]) is None:
        return None
    locals_ = [comment_id[i : i + 12] for i in range(24, len(comment_id), 12)]
    if not all(looks_like_id(part) for part in locals_):
        return None
    return comment_id[:24], "#".join(locals_)
