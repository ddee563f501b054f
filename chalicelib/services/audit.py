"""The audit log: reading the events that record who changed what in a group (each use
case records its own: chalicelib/domain/audit.py)."""

from __future__ import annotations

from chalicelib.domain.model import AuditEvent, Caller
from chalicelib.domain.permissions import Action
from chalicelib.services.access import group_access
from chalicelib.store import audit as store
from chalicelib.store.table import Page


def audit_log(caller: Caller, group_id: str, limit: int, cursor: str | None) -> Page[AuditEvent]:
    group_access(group_id, caller, Action.AUDIT_READ)
    return store.list_audit_events(group_id, limit, cursor)
