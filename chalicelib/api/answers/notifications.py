"""What the notification routes answer: a person's notifications, their email choices,
following a group, and what an unsubscribe link turns off."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field

from chalicelib.api.answers import Answer, Page, Timestamp
from chalicelib.domain.notifications import Delivery, Kind, Notification
from chalicelib.domain.profiles import Language


class NamedGroupOut(Answer):
    id: str
    name: str | None = Field(description="Its name at the time; null if it is gone.")


class TitledOut(Answer):
    id: str
    title: str = Field(description="Its title at the time of the event.")


class NotificationOut(Answer):
    """Something that happened that concerns the caller."""

    id: str = Field(description="The event's id; newer events have greater ids.")
    kind: Kind
    at: Timestamp = Field(description="When it happened.")
    read: bool
    group: NamedGroupOut | None
    consultation: TitledOut | None
    debate: TitledOut | None
    comment_id: str | None = Field(description="The reply, or the comment hidden or restored.")
    reason: str | None = Field(description="A moderator's reason (comment hidden or restored).")
    actor_name: str | None = Field(description="Who did it, named as they were then.")

    @classmethod
    def of_notification(cls, n: Notification) -> Self:
        data = n.data

        def titled(prefix: str) -> TitledOut | None:
            found = data.get(f"{prefix}_id")
            return TitledOut(id=found, title=data.get(f"{prefix}_title", "")) if found else None

        group = NamedGroupOut(id=n.group_id, name=data.get("group_name")) if n.group_id else None
        return cls(
            id=n.id,
            kind=n.kind,
            at=n.at,
            read=n.read,
            group=group,
            consultation=titled("consultation"),
            debate=titled("debate"),
            comment_id=data.get("comment_id"),
            reason=data.get("reason"),
            actor_name=data.get("actor_name"),
        )


class NotificationPage(Page[NotificationOut]):
    """The caller's notifications, newest first (kept 90 days)."""

    unread: int = Field(description="How many of all the caller's notifications are unread.")


class UnreadOut(Answer):
    unread: int = Field(description="How many of the caller's notifications are unread now.")


class EmailOut(Answer):
    address: str
    verified: bool = Field(description="Only a verified address is ever written to.")


class PreferencesOut(Answer):
    """How the caller hears of each kind of event by email (in the app: always)."""

    locale: Language | None = Field(
        description="The language of their emails: the one they chose, else their browser's "
        "at their last visit; null: the Hub's default."
    )
    email: EmailOut | None = Field(
        description="The address their identity provider gave at their last visit (GET "
        "/v1/me); null: none."
    )
    kinds: dict[Kind, Delivery] = Field(
        description="For every association, by kind (each choosable kind is present)."
    )
    groups: dict[str, dict[Kind, Delivery]] = Field(
        description="What they chose for one association, overriding `kinds`; only the "
        "choices made."
    )


class FollowOut(Answer):
    following: bool


class UnsubscribeOut(Answer):
    """What an unsubscribe link turns off, and how it stands now."""

    group: NamedGroupOut | None = Field(description="The association; null: every association.")
    kind: Kind | Literal["digest"] = Field(
        description="The kind of email it turns off; `digest`: the daily digest, every kind "
        "that came in it."
    )
    delivery: Delivery = Field(description="`never` once unsubscribed.")
