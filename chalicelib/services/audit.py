"""The audit log: the events that record who changed what in a group, and reading them."""

from __future__ import annotations

from chalicelib.domain import clock
from chalicelib.domain.model import AuditEvent, Caller
from chalicelib.domain.permissions import Action
from chalicelib.services.access import group_access
from chalicelib.store import audit as store
from chalicelib.store.table import Page


def audit_event(
    access_group_id: str,
    actor: Caller,
    action: str,
    subject_id: str | None = None,
    **details: object,
) -> AuditEvent:
    return AuditEvent(
        group_id=access_group_id,
        action=action,
        actor_id=actor.id,
        actor_name=actor.display_name,
        at=clock.now(),
        subject_id=subject_id,
        details=details,
    )


def audit_log(caller: Caller, group_id: str, limit: int, cursor: str | None) -> Page[AuditEvent]:
    group_access(group_id, caller, Action.AUDIT_READ)
    return store.list_audit_events(group_id, limit, cursor)
