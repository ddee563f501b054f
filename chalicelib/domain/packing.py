"""Strings packed into bytes, each behind its length, for what the Hub signs or encrypts
(pagination cursors, unsubscribe links): no separator that a value could contain, so no
value can be shifted into the next."""

from __future__ import annotations

LENGTH_BYTES = 2  # each value's length, big-endian, before it


def pack(values: list[str]) -> bytes:
    """`values` as UTF-8, each behind its length (which `unpack` checks when reading)."""
    encoded = [value.encode() for value in values]
    return b"".join(len(raw).to_bytes(LENGTH_BYTES, "big") + raw for raw in encoded)


def unpack(data: bytes, most: int) -> list[str] | None:
    """The values `pack` wrote; None unless each is whole, UTF-8, and 1 to `most` bytes."""
    values, at = [], 0
    while at < len(data):
        header = data[at : at + LENGTH_BYTES]
        size = int.from_bytes(header, "big")
        raw = data[at + LENGTH_BYTES : at + LENGTH_BYTES + size]
        at += LENGTH_BYTES + size
        if len(header) != LENGTH_BYTES or len(raw) != size or not 0 < size <= most:
            return None
        try:
            values.append(raw.decode())
        except UnicodeDecodeError:
            return None
    return values
