"""Deliberation: arguments (comments), their versions, and the blocks moderators set."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Stance(StrEnum):
    PRO = "pro"
    CON = "con"
    NEUTRAL = "neutral"


class FlagReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"


@dataclass(frozen=True)
class CommentVersion:
    body: str
    written_at: datetime


@dataclass(frozen=True)
class Comment:
    """An argument in a debate (or a reply to one: one level deep)."""

    id: str
    debate_id: str
    parent_id: str | None
    author_id: str
    author_name: str
    author_group: str | None  # the partner group the author spoke from, for its moderators
    body: str
    stance: Stance
    created_at: datetime
    edited_at: datetime | None = None
    history: tuple[CommentVersion, ...] = ()  # earlier versions, for moderators
    reactions: int = 0
    replies: int = 0
    flags: int = 0
    flag_reasons: dict[str, int] = field(default_factory=dict)
    hidden: bool = False
    hidden_reason: str | None = None
    deleted: bool = False
    version: int = 0
    # Its author erased their account: no text, no name, a pseudonym for `author_id`.
    author_erased: bool = False


@dataclass(frozen=True)
class Block:
    group_id: str
    user_id: str
    reason: str
    until: datetime | None
    blocked_by: str
    blocked_at: datetime

    def active_at(self, now: datetime) -> bool:
        return self.until is None or now < self.until
