"""A user's profile in the table (`USER#u` / `PROFILE`), and the one read behind /v1/me.

The profile is written only by UpdateItem naming the attributes a request changes: two
people's (or one person's two tabs') changes to different fields never undo each other,
and no read comes before the write. It is read with reads that happen anyway: /v1/me's
batch read of the caller's groups and consultations, and the second BatchGetItem of
store/access.py when a comment or an addendum is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import clock
from chalicelib.domain.groups import Group
from chalicelib.domain.model import Consultation
from chalicelib.domain.notifications import Reachability
from chalicelib.domain.profiles import Profile
from chalicelib.domain.roles import Role
from chalicelib.store import keys
from chalicelib.store.consultations import consultation_from_raw
from chalicelib.store.convert import to_domain
from chalicelib.store.grants import everything_of_user
from chalicelib.store.groups import group_from_raw
from chalicelib.store.inbox import settings_from_raw, settings_key
from chalicelib.store.models.people import ProfileItem
from chalicelib.store.table import get_many

# The attributes PATCH /v1/me may change.
CHANGEABLE = frozenset({"display_name", "locale"})


def profile_key(user_id: str) -> tuple[str, str]:
    return keys.user_pk(user_id), keys.PROFILE


def profile_from_raw(raw: dict) -> Profile:
    return to_domain(ProfileItem.from_raw_data(raw), Profile)


def update(user_id: str, changes: Mapping[str, str | None], at: datetime) -> Profile:
    """Set (or, for None, remove) each attribute in `changes` and nothing else: one
    UpdateItem, creating the profile if there is none. Returns the profile as stored."""
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValueError(f"not a profile field: {sorted(unknown)}")
    actions = [
        ProfileItem.kind.set("profile"),
        ProfileItem.user_id.set(user_id),
        ProfileItem.updated_at.set(clock.to_iso(at)),
    ]
    for name, value in sorted(changes.items()):
        attribute = getattr(ProfileItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    item = ProfileItem(*profile_key(user_id))
    item.update(actions=actions)  # ReturnValues ALL_NEW: the item as stored now
    return to_domain(item, Profile)


@dataclass(frozen=True)
class Mine:
    """What /v1/me shows of a user: roles by group id, grants by consultation id, those
    groups and consultations (the ones that still exist), and their profile if any."""

    roles: dict[str, Role]
    grants: dict[str, Role]
    groups: dict[str, Group]
    consultations: dict[str, Consultation]
    profile: Profile | None
    # How the notifier reaches them, as last recorded (None: never recorded).
    reachability: Reachability | None = None


def read_mine(user_id: str) -> Mine:
    """Two round trips: one Query of the user's partition in gsi1 (memberships and grants),
    then one BatchGetItem of their groups, their granted consultations, their profile and
    their notification settings (how they were last reached)."""
    roles, grants = everything_of_user(user_id)
    group_keys = {(keys.group_pk(g), keys.META): g for g in roles}
    consultation_keys = {(keys.consultation_pk(c), keys.META): c for c in grants}
    profile = profile_key(user_id)
    notify = settings_key(user_id)
    found = get_many([*group_keys, *consultation_keys, profile, notify], consistent=False)
    return Mine(
        roles=roles,
        grants=grants,
        groups={g: group_from_raw(found[key]) for key, g in group_keys.items() if key in found},
        consultations={
            c: consultation_from_raw(found[key])
            for key, c in consultation_keys.items()
            if key in found
        },
        profile=profile_from_raw(found[profile]) if profile in found else None,
        reachability=(
            settings_from_raw(user_id, found[notify]).reachability if notify in found else None
        ),
    )
