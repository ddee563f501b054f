"""A person's notifications in the app, their email choices, the groups they follow, and
the signed unsubscribe link of an email. The pipeline that writes notifications is
chalicelib/services/notifications.py; this module is only what a person asks for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.domain import clock
from chalicelib.domain.errors import UnsubscribeLinkInvalid, ValidationFailed, detail
from chalicelib.domain.model import Caller
from chalicelib.domain.notifications import (
    ALL_GROUPS,
    DIGEST,
    Delivery,
    Kind,
    Notification,
    Preferences,
    Reachability,
)
from chalicelib.domain.permissions import Action
from chalicelib.services.access import group_access
from chalicelib.store import inbox as store
from chalicelib.store import profiles as profile_store
from chalicelib.store.table import Page

# What a person may choose: every kind but the invitation, which goes to an address
# without an account (nobody's preferences).
CHOOSABLE: tuple[Kind, ...] = tuple(kind for kind in Kind if kind is not Kind.INVITATION)

MAX_READ_IDS = 100


# ---------------------------------------------------------------- notifications


@dataclass(frozen=True)
class Inbox:
    page: Page[Notification]
    unread: int


def notifications(caller: Caller, limit: int, cursor: str | None, *, unread_only: bool) -> Inbox:
    """A page of the caller's notifications, newest first, and how many are unread: three
    round trips (the watermark's GetItem, the page's Query, the count's Query)."""
    read_before = store.read_settings(caller.id).read_before
    page = store.page(caller.id, limit, cursor, unread_only=unread_only, read_before=read_before)
    return Inbox(page, store.unread_count(caller.id, read_before))


def mark_read(caller: Caller, ids: list[str] | None, everything: bool) -> int:
    """Mark these notifications (or all of them) read; how many are unread afterwards.
    Ids are the caller's own by construction (their partition): another person's id, or an
    unknown one, changes nothing."""
    if everything:
        # The watermark moves up to the newest notification (never down: it stays where a
        # request that saw a newer one put it); what arrives later is unread.
        newest = store.newest_id(caller.id)
        if newest is None:
            return 0
        stored = store.set_read_before(caller.id, newest)
        return store.unread_count(caller.id, stored.read_before if stored else newest)
    read_before = store.read_settings(caller.id, consistent=True).read_before
    wanted = sorted({i for i in ids or [] if read_before is None or i > read_before})
    store.mark_read(caller.id, wanted, clock.now())
    return store.unread_count(caller.id, read_before)


# ---------------------------------------------------------------- preferences


@dataclass(frozen=True)
class MyPreferences:
    reachability: Reachability
    kinds: dict[Kind, Delivery]  # every group's, for each choosable kind
    groups: dict[str, dict[Kind, Delivery]]  # only what was chosen for a group


def _shown(settings: store.Settings) -> MyPreferences:
    preferences = Preferences(settings.choices)
    groups: dict[str, dict[Kind, Delivery]] = {}
    for (group, kind), delivery in sorted(settings.choices.items()):
        if group != ALL_GROUPS and kind in CHOOSABLE:
            groups.setdefault(group, {})[kind] = delivery
    return MyPreferences(
        settings.reachability,
        {kind: preferences.delivery(None, kind) for kind in CHOOSABLE},
        groups,
    )


def preferences(caller: Caller) -> MyPreferences:
    """One GetItem."""
    return _shown(store.read_settings(caller.id))


def update_preferences(
    caller: Caller,
    *,
    locale: tuple[str | None] | None = None,
    kinds: Mapping[Kind, Delivery | None] | None = None,
    groups: Mapping[str, Mapping[Kind, Delivery | None] | None] | None = None,
) -> MyPreferences:
    """Change the choices named, and only those (one UpdateItem). A group's choices may be
    set only for a group the caller belongs to or follows (422 naming it otherwise);
    removing them (null) is always allowed. `locale` (a 1-tuple, when it changes) is also
    the profile's language."""
    changes: dict[tuple[str, Kind], Delivery | None] = {}
    for kind, delivery in (kinds or {}).items():
        changes[ALL_GROUPS, kind] = delivery
    setting = {
        group: chosen
        for group, chosen in (groups or {}).items()
        if chosen is None or any(d is not None for d in chosen.values())
    }
    if setting:
        mine = store.groups_of(caller.id)
        unknown = sorted(group for group in setting if group not in mine)
        if unknown:
            raise ValidationFailed(
                details=[detail(f"groups.{g}", "not_your_group") for g in unknown]
            )
    current = (
        store.read_settings(caller.id, consistent=True)
        if any(chosen is None for chosen in (groups or {}).values())
        else None
    )
    for group, chosen in (groups or {}).items():
        if chosen is None:  # every choice of that group
            assert current is not None
            for scope, kind in current.choices:
                if scope == group:
                    changes[group, kind] = None
        else:
            for kind, delivery in chosen.items():
                changes[group, kind] = delivery
    if locale is None:
        return _shown(store.set_choices(caller.id, changes))
    stored = store.set_choices(caller.id, changes, locale=locale[0])
    profile_store.update(caller.id, {"locale": locale[0]}, clock.now())
    return _shown(stored)


# ---------------------------------------------------------------- following a group


def follow(caller: Caller, group_id: str) -> None:
    """Follow a group the caller may see (listed, or theirs): 404 otherwise."""
    group_access(group_id, caller, Action.GROUP_READ)
    store.follow(group_id, caller.id, clock.now())


def unfollow(caller: Caller, group_id: str) -> None:
    """Stop following: the caller's own follow, whatever the group is now."""
    store.unfollow(group_id, caller.id)


# ---------------------------------------------------------------- the unsubscribe link


@dataclass(frozen=True)
class Subscription:
    group_id: str | None  # None: every group
    group_name: str | None
    kind: Kind | str  # or DIGEST
    delivery: Delivery


def _link(token: str) -> tuple[str, str, Kind | str]:
    from chalicelib.mail.unsubscribe import read_unsubscribe_token

    found = read_unsubscribe_token(token) if token else None
    if found is None or (found[2] not in CHOOSABLE and found[2] != DIGEST):
        raise UnsubscribeLinkInvalid()
    if found[2] == DIGEST and found[1] != ALL_GROUPS:
        raise UnsubscribeLinkInvalid()
    return found


def _daily(choices: dict[tuple[str, Kind], Delivery]) -> list[tuple[str, Kind]]:
    """Where a digest's entries come from: each (group or *, kind) that is daily, by choice
    or, for every group, by default."""
    preferences = Preferences(choices)
    everywhere = [
        (ALL_GROUPS, k) for k in CHOOSABLE if preferences.delivery(None, k) is Delivery.DAILY
    ]
    chosen = [(g, k) for (g, k), d in choices.items() if g != ALL_GROUPS and d is Delivery.DAILY]
    return everywhere + chosen


def subscription(token: str) -> Subscription:
    """What an unsubscribe link turns off, as it stands now: one BatchGetItem."""
    user_id, group, kind = _link(token)
    settings, name = store.settings_and_group(user_id, group)
    scope = None if group == ALL_GROUPS else group
    if kind == DIGEST:
        delivery = Delivery.DAILY if _daily(settings.choices) else Delivery.NEVER
        return Subscription(None, None, DIGEST, delivery)
    return Subscription(scope, name, kind, Preferences(settings.choices).delivery(scope, kind))


def unsubscribe(token: str) -> Subscription:
    """Turn that kind off for that group, or for every group (then a choice made for one
    group no longer keeps it coming): one UpdateItem of those choices alone, after the
    BatchGetItem that finds them, then the answer's. A digest's link turns off every kind
    that came daily. Following the link again changes nothing."""
    user_id, group, kind = _link(token)
    changes: dict[tuple[str, Kind], Delivery | None] = {}
    if kind == DIGEST:
        settings, _ = store.settings_and_group(user_id, group)
        changes = {daily: Delivery.NEVER for daily in _daily(settings.choices)}
    elif group == ALL_GROUPS:
        settings, _ = store.settings_and_group(user_id, group)
        for chosen_group, chosen_kind in settings.choices:
            if chosen_group != ALL_GROUPS and chosen_kind == kind:
                changes[(chosen_group, chosen_kind)] = None
        changes[(ALL_GROUPS, kind)] = Delivery.NEVER
    else:
        changes[(group, kind)] = Delivery.NEVER
    if changes:
        store.set_choices(user_id, changes)
    return subscription(token)
