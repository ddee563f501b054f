"""Notifications, as a person sees them: /v1/me/notifications (in the app, read or not),
/v1/me/preferences (how each kind reaches them by email), following an association
(/v1/groups/{id}/follow), and the one-click unsubscribe link of an email (/v1/unsubscribe,
no sign-in: the signed token is the authority). Notifications are made off the request
path (chalicelib/services/notifications.py)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from chalice import Blueprint
from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator

from chalicelib.api.answers.notifications import (
    EmailOut,
    FollowOut,
    NamedGroupOut,
    NotificationOut,
    NotificationPage,
    PreferencesOut,
    UnreadOut,
    UnsubscribeOut,
)
from chalicelib.api.contract import Auth
from chalicelib.api.http import Paging, route
from chalicelib.api.locale import refused_detail
from chalicelib.api.schemas import Patch, Strict
from chalicelib.domain.errors import DatabaseBusy, GroupNotFound, UnsubscribeLinkInvalid
from chalicelib.domain.model import Caller
from chalicelib.domain.notifications import Delivery, Kind
from chalicelib.domain.profiles import Language
from chalicelib.services import inbox
from chalicelib.services.inbox import MAX_READ_IDS, MyPreferences, Subscription

blueprint = Blueprint(__name__)

# Every kind but `invitation` (it goes to an address without an account).
ChoosableKind = Literal[tuple(kind.value for kind in inbox.CHOOSABLE)]  # type: ignore[valid-type]
GroupKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]
EventId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
MAX_GROUPS_PER_PATCH = 50


class NotificationListing(BaseModel):
    """The query of the caller's notifications."""

    unread: bool = Field(default=False, description="`true`: only the unread ones.")


class NotificationsRead(Strict):
    """Which notifications to mark read: `ids` (at most 100; unknown ids are ignored) or
    `all: true`."""

    ids: list[EventId] | None = Field(default=None, min_length=1, max_length=MAX_READ_IDS)
    all: Literal[True] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> NotificationsRead:
        if (self.ids is None) == (self.all is None):
            raise refused_detail("value_error.nothing_to_change", fields="ids, all")
        return self


class PreferencesUpdate(Patch):
    """The choices to change; the others stay. null removes a choice (back to the default,
    or for a group back to what `kinds` says); a group set to null loses all its choices."""

    locale: Language | None = None
    kinds: dict[ChoosableKind, Delivery | None] | None = None
    groups: dict[GroupKey, dict[ChoosableKind, Delivery | None] | None] | None = Field(
        default=None, max_length=MAX_GROUPS_PER_PATCH
    )
    nullable: ClassVar[frozenset[str]] = frozenset({"locale"})

    @field_validator("kinds", "groups")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise refused_detail("null")
        return value

    @model_validator(mode="after")
    def _something_to_change(self) -> PreferencesUpdate:
        if not self.model_fields_set:
            raise refused_detail("value_error.nothing_to_change", fields="locale, kinds, groups")
        return self


class UnsubscribeLink(BaseModel):
    """The query of an unsubscribe link."""

    token: str = Field(min_length=1, max_length=2048, description="The link's signed token.")


def _preferences(mine: MyPreferences) -> PreferencesOut:
    reach = mine.reachability
    return PreferencesOut(
        locale=reach.locale if reach.locale in {lang.value for lang in Language} else None,
        email=EmailOut(address=reach.email, verified=reach.email_verified) if reach.email else None,
        kinds=mine.kinds,
        groups=mine.groups,
    )


def _subscription(found: Subscription) -> UnsubscribeOut:
    group = NamedGroupOut(id=found.group_id, name=found.group_name) if found.group_id else None
    return UnsubscribeOut(group=group, kind=found.kind, delivery=found.delivery)


@route(
    blueprint,
    "/me/notifications",
    methods=["GET"],
    query=NotificationListing,
    paged=True,
    answers={200: NotificationPage},
)
def list_notifications(
    caller: Caller, query: NotificationListing, paging: Paging
) -> NotificationPage:
    """Your notifications, newest first, and how many are unread (`unread`).

    `?unread=true` lists only the unread ones (a page may then hold fewer than `limit`
    while `next` is not null). Notifications are kept 90 days."""
    found = inbox.notifications(caller, paging.limit, paging.cursor, unread_only=query.unread)
    return NotificationPage(
        items=[NotificationOut.of_notification(n) for n in found.page.items],
        next=found.page.next,
        unread=found.unread,
    )


@route(
    blueprint,
    "/me/notifications/read",
    methods=["POST"],
    body=NotificationsRead,
    answers={200: UnreadOut},
)
def read_notifications(caller: Caller, body: NotificationsRead) -> UnreadOut:
    """Mark notifications read: `{"ids": [...]}` (at most 100; ids that are not yours or
    not known change nothing) or `{"all": true}`. Answers how many stay unread."""
    return UnreadOut(unread=inbox.mark_read(caller, body.ids, everything=body.all is True))


@route(blueprint, "/me/preferences", methods=["GET"], answers={200: PreferencesOut})
def get_preferences(caller: Caller) -> PreferencesOut:
    """How each kind of event reaches you by email: `immediately`, in a `daily` digest, or
    `never` (in the app: always), for every association (`kinds`) and for some (`groups`)."""
    return _preferences(inbox.preferences(caller))


@route(
    blueprint,
    "/me/preferences",
    methods=["PATCH"],
    body=PreferencesUpdate,
    answers={200: PreferencesOut},
)
def update_preferences(caller: Caller, body: PreferencesUpdate) -> PreferencesOut:
    """Change some choices; the others stay, even if another tab changes them now.

    `kinds`: `{kind: delivery}` for every association; `groups`: `{group id: {kind:
    delivery}}`, only for an association you belong to or follow (422 `not_your_group`
    naming `groups.<id>` otherwise). null removes a choice; a group set to null loses all
    of its. `locale`: the language of your emails (also your profile's, as PATCH /v1/me)."""
    changes: dict[str, Any] = {}
    if "locale" in body.model_fields_set:
        changes["locale"] = (body.locale.value if body.locale else None,)
    mine = inbox.update_preferences(
        caller,
        kinds={Kind(k): v for k, v in (body.kinds or {}).items()},
        groups={
            g: None if chosen is None else {Kind(k): v for k, v in chosen.items()}
            for g, chosen in (body.groups or {}).items()
        },
        **changes,
    )
    return _preferences(mine)


@route(
    blueprint,
    "/groups/{group_id}/follow",
    methods=["PUT"],
    answers={200: FollowOut},
    errors=(GroupNotFound,),
)
def follow_group(caller: Caller, group_id: str) -> FollowOut:
    """Follow an association (anyone signed in who may see it): hear of its public
    consultations opening and of their results. Following again changes nothing."""
    inbox.follow(caller, group_id)
    return FollowOut(following=True)


@route(blueprint, "/groups/{group_id}/follow", methods=["DELETE"], answers={204: None})
def unfollow_group(caller: Caller, group_id: str) -> None:
    """Stop following an association (whether or not you followed it, or still may see it)."""
    inbox.unfollow(caller, group_id)


@route(
    blueprint,
    "/unsubscribe",
    methods=["GET"],
    auth=Auth.NONE,
    query=UnsubscribeLink,
    answers={200: UnsubscribeOut},
    errors=(UnsubscribeLinkInvalid, DatabaseBusy),
)
def describe_unsubscribe(query: UnsubscribeLink) -> UnsubscribeOut:
    """What an email's unsubscribe link turns off (no sign-in: the link is signed), and how
    it stands now. A link changed in any way is `unsubscribe_link_invalid`."""
    return _subscription(inbox.subscription(query.token))


@route(
    blueprint,
    "/unsubscribe",
    methods=["POST"],
    auth=Auth.NONE,
    query=UnsubscribeLink,
    answers={200: UnsubscribeOut},
    errors=(UnsubscribeLinkInvalid, DatabaseBusy),
    content_types=(
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "text/plain",
    ),
)
def unsubscribe(query: UnsubscribeLink) -> UnsubscribeOut:
    """Turn off the emails of one kind from one association (or all), as an email's link
    says (RFC 8058 one-click: a form body `List-Unsubscribe=One-Click`, JSON, or no body;
    the body is not read). No sign-in; doing it again changes nothing."""
    return _subscription(inbox.unsubscribe(query.token))
