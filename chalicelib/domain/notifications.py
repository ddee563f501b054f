"""Notifications: what people hear about, through which channel, and how they chose to.

An `Event` is something that happened (a consultation opened, a reply to a comment); it
is made off the request path, from the table's stream or by the closer, and the same
source always gives the same event id: a batch read twice makes the same events, and the
delivery markers (store/notifications.py) keep each (event, recipient, channel) to once.

A recipient hears an event in the app always (their notifications, kept 90 days), and by
email as their preferences say for that group and kind: immediately, in a daily digest,
or never. Pure Python: the pipeline is chalicelib/services/notifications.py.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Kind(StrEnum):
    """What an event is about; preferences are per group and kind."""

    INVITATION = "invitation"  # an invitation sent to an email address
    JOIN_REQUESTED = "join_requested"  # to the group's admins
    JOIN_APPROVED = "join_approved"  # to the requester
    JOIN_DECLINED = "join_declined"  # to the requester
    CONSULTATION_OPENED = "consultation_opened"  # to everyone eligible (and followers)
    CLOSING_SOON = "closing_soon"  # to the eligible who have not taken part yet
    RESULTS = "results"  # to those who took part, and followers
    REPLY = "reply"  # to a comment's author
    COMMENT_HIDDEN = "comment_hidden"  # to its author, with the reason
    COMMENT_RESTORED = "comment_restored"  # to its author, with the reason
    PARTNER_INVITATION = "partner_invitation"  # to the invited group's admins
    FLAGS_WAITING = "flags_waiting"  # to the group's moderators


class Delivery(StrEnum):
    """When a person hears of a kind of event by email (in the app: always)."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    NEVER = "never"


class Channel(StrEnum):
    IN_APP = "in_app"
    EMAIL = "email"
    DIGEST = "digest"  # an entry of tomorrow's daily email


DEFAULT_DELIVERY: dict[Kind, Delivery] = {
    Kind.INVITATION: Delivery.IMMEDIATELY,
    Kind.JOIN_REQUESTED: Delivery.IMMEDIATELY,
    Kind.JOIN_APPROVED: Delivery.IMMEDIATELY,
    Kind.JOIN_DECLINED: Delivery.IMMEDIATELY,
    Kind.CONSULTATION_OPENED: Delivery.IMMEDIATELY,
    Kind.CLOSING_SOON: Delivery.IMMEDIATELY,
    Kind.RESULTS: Delivery.IMMEDIATELY,
    Kind.REPLY: Delivery.DAILY,
    Kind.COMMENT_HIDDEN: Delivery.IMMEDIATELY,
    Kind.COMMENT_RESTORED: Delivery.IMMEDIATELY,
    Kind.PARTNER_INVITATION: Delivery.IMMEDIATELY,
    Kind.FLAGS_WAITING: Delivery.DAILY,
}

# Preferences name a group, or every group at once.
ALL_GROUPS = "*"

# What a daily digest's unsubscribe link names instead of a kind: the digest itself (it
# lists several kinds), so that following it ends every daily email.
DIGEST = "digest"

# In-app notifications, delivery markers and digest entries expire by TTL after this.
KEPT_FOR = timedelta(days=90)


@dataclass(frozen=True)
class Event:
    """Something that happened that people hear about.

    `data` holds what a notification shows, as plain strings, never a ballot: the ids
    (`consultation_id`, `debate_id`, `comment_id`, `user_id`), the titles and names at the
    time (`group_name`, `consultation_title`, `debate_title`, `actor_name`), a moderator's
    `reason`, and for an invitation its `code` and the invitee's `email`."""

    id: str
    kind: Kind
    at: datetime
    group_id: str | None
    data: dict[str, str] = field(default_factory=dict)


def event_id(at: datetime, source: str) -> str:
    """An event's id: sorts by time (newest first is a backwards Query), and is the same
    every time the same source (an item's key and version) is read."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    return f"{at:%Y%m%d%H%M%S%f}"[:17] + "-" + digest


@dataclass(frozen=True)
class Notification:
    """An event as one recipient has it in the app."""

    id: str  # the event's id
    kind: Kind
    at: datetime
    group_id: str | None
    data: dict[str, str]
    read: bool


@dataclass(frozen=True)
class Preferences:
    """A person's email choices: (group id or ALL_GROUPS, kind) -> delivery. What they did
    not choose is DEFAULT_DELIVERY's."""

    choices: dict[tuple[str, Kind], Delivery] = field(default_factory=dict)

    def delivery(self, group_id: str | None, kind: Kind) -> Delivery:
        for scope in (group_id, ALL_GROUPS):
            chosen = self.choices.get((scope, kind)) if scope else None
            if chosen is not None:
                return chosen
        return DEFAULT_DELIVERY[kind]


@dataclass(frozen=True)
class Reachability:
    """How to reach a person by email, as their identity token said at their last sign-in
    (GET /v1/me), and in which language."""

    user_id: str
    email: str | None = None
    email_verified: bool = False
    locale: str | None = None

    @property
    def email_address(self) -> str | None:
        """Only a verified address is ever written to."""
        return self.email if self.email and self.email_verified else None
