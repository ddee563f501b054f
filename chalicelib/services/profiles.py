"""Who the caller is on the Hub: /v1/me (their profile, associations and grants) and the
choices they make there (display name, language)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chalicelib.domain import clock
from chalicelib.domain.groups import Group
from chalicelib.domain.model import Caller, Consultation
from chalicelib.domain.notifications import Reachability
from chalicelib.domain.profiles import Profile
from chalicelib.domain.roles import Role
from chalicelib.services.grants import visible_grants
from chalicelib.store import inbox as inbox_store
from chalicelib.store import profiles as store


@dataclass(frozen=True)
class Me:
    caller: Caller
    profile: Profile | None
    groups: list[tuple[Role, Group]]  # by name
    grants: list[tuple[Role, Consultation]]  # by title, only those the caller can open


def me(caller: Caller, locale: str | None = None) -> Me:
    """The caller's profile, associations and grants: two round trips (store/profiles.py).

    Also records how the notifier reaches them (their token's email, whether it is
    verified, and their language: the one they chose, else `locale`, the request's) when it
    differs from what the same read found: a third round trip only then."""
    mine = store.read_mine(caller.id)
    chosen = mine.profile.locale if mine.profile and mine.profile.locale else None
    reachability = Reachability(
        caller.id,
        caller.email,
        caller.email_verified,
        str(chosen or locale) if (chosen or locale) else None,
    )
    if reachability != mine.reachability:
        inbox_store.record_reachability(reachability)
    groups = [(role, mine.groups[g]) for g, role in mine.roles.items() if g in mine.groups]
    groups.sort(key=lambda pair: (pair[1].name.casefold(), pair[1].id))
    grants = visible_grants(caller, mine.roles, mine.grants, mine.consultations)
    return Me(caller, mine.profile, groups, grants)


def update(caller: Caller, changes: Mapping[str, str | None]) -> Profile:
    """Set the fields in `changes` (None: back to the token's name, or no preferred
    language), leaving the others as they are, even if another request changes them now."""
    return store.update(caller.id, changes, clock.now())
