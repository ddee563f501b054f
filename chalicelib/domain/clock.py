"""Time, in one place: UTC, millisecond precision, one fixed-width ISO 8601 format.

Fixed width matters: stored timestamps sort as strings in DynamoDB sort keys.
Tests move time by monkeypatching `now`.
"""

from __future__ import annotations

from datetime import UTC, datetime

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def now() -> datetime:
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def to_iso(moment: datetime) -> str:
    """2026-11-27T02:19:43.123Z"""
    return moment.astimezone(UTC).strftime(ISO_FORMAT)[:-4] + "Z"


def from_iso(text: str) -> datetime:
    return datetime.strptime(text[:-1] + "000Z", ISO_FORMAT).replace(tzinfo=UTC)
