"""Grants: one person given a role in one consultation by the host's admins, and the
consultations a caller holds a grant in."""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.domain import clock
from chalicelib.domain.audit import audit_event
from chalicelib.domain.consultations import standings_of
from chalicelib.domain.errors import GrantNotFound, invalid
from chalicelib.domain.ids import looks_like_user_id
from chalicelib.domain.model import Caller, Consultation, Grant
from chalicelib.domain.permissions import Action, allows
from chalicelib.domain.roles import Role
from chalicelib.services.access import consultation_access
from chalicelib.store import grants as store
from chalicelib.store.table import Page


def set_grant(caller: Caller, consultation_id: str, user_id: str, role: Role) -> tuple[Grant, bool]:
    """Give one person a role in one consultation. Returns (grant, newly granted)."""
    access = consultation_access(consultation_id, caller, Action.GRANTS_MANAGE, consistent=True)
    if not looks_like_user_id(user_id):
        raise invalid("user_id", "invalid.user_id")
    existing = store.get_grant(consultation_id, user_id)
    if existing is not None and existing.role is role:
        return existing, False
    grant = Grant(consultation_id, user_id, role, clock.now(), caller.id)
    event = audit_event(
        access.consultation.group_id,
        caller,
        "grant_set",
        user_id,
        consultation_id=consultation_id,
        role=role.value,
        previous=existing.role.value if existing else None,
    )
    store.put_grant(grant, event)
    return grant, existing is None


def remove_grant(caller: Caller, consultation_id: str, user_id: str) -> None:
    access = consultation_access(consultation_id, caller, Action.GRANTS_MANAGE, consistent=True)
    if not looks_like_user_id(user_id):
        raise GrantNotFound()
    event = audit_event(
        access.consultation.group_id,
        caller,
        "grant_removed",
        user_id,
        consultation_id=consultation_id,
    )
    store.delete_grant(consultation_id, user_id, event)


def list_grants(
    caller: Caller, consultation_id: str, limit: int, cursor: str | None
) -> Page[Grant]:
    consultation_access(consultation_id, caller, Action.GRANTS_MANAGE)
    return store.list_grants(consultation_id, limit, cursor)


def visible_grants(
    caller: Caller,
    roles: Mapping[str, Role],
    grants: Mapping[str, Role],
    found: Mapping[str, Consultation],
) -> list[tuple[Role, Consultation]]:
    """Of the caller's grants (`roles`: theirs in groups; `found`: the granted
    consultations that exist), those they can open with it (or otherwise), by title. A grant
    that opens nothing (an observer's grant on a draft) is not shown: the consultation's
    existence stays hidden. (/v1/me reads all of it at once: services/profiles.py.)"""
    visible = []
    for consultation_id, role in grants.items():
        consultation = found.get(consultation_id)
        if consultation is None:
            continue
        held = standings_of(consultation, caller, roles, role, (consultation.created_by,))
        if allows(Action.CONSULTATION_READ, held, consultation.context):
            visible.append((role, consultation))
    return sorted(visible, key=lambda pair: (pair[1].title.casefold(), pair[1].id))
