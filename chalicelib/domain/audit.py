"""An audit event, as each use case records it beside the change it describes (the
services write both in one transaction; chalicelib/services/audit.py reads the log)."""

from __future__ import annotations

from chalicelib.domain import clock
from chalicelib.domain.model import AuditEvent, Caller


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
