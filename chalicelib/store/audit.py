"""The audit log in the table: who changed what, in each group's partition, newest first.

An event is written in the same transaction as the change it records (`record_in`), so a
change and its record land together or not at all.
"""

from __future__ import annotations

import secrets

from chalicelib.domain import clock
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.model import AuditEvent
from chalicelib.store import keys
from chalicelib.store.models import AuditEventItem
from chalicelib.store.table import Page, Transaction, query_page


def _audit_event(item: AuditEventItem) -> AuditEvent:
    return AuditEvent(
        id=item.event_id,
        group_id=item.group_id,
        action=item.action,
        actor_id=item.actor_id,
        actor_name=item.actor_name,
        at=clock.from_iso(item.at),
        subject_id=item.subject_id,
        details=dict(item.details.as_dict() if hasattr(item.details, "as_dict") else item.details),
    )


def _audit_item(event: AuditEvent) -> AuditEventItem:
    event_id = event.id or secrets.token_hex(6)
    at = clock.to_iso(event.at)
    return AuditEventItem(
        keys.audit_pk(event.group_id),
        keys.audit_sk(at, event_id),
        event_id=event_id,
        group_id=event.group_id,
        action=event.action,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        at=at,
        subject_id=event.subject_id,
        details=event.details,
    )


def record_in(transaction: Transaction, event: AuditEvent) -> None:
    """Add the audit event to a transaction: the change and its record land together."""
    transaction.save(
        _audit_item(event),
        condition=AuditEventItem.pk.does_not_exist(),
        on_fail=ConcurrentUpdate(),
    )


def list_audit_events(group_id: str, limit: int, cursor: str | None) -> Page[AuditEvent]:
    pk = keys.audit_pk(group_id)
    return query_page(
        AuditEventItem, pk, keys.AUDIT_PREFIX, _audit_event, limit, cursor, newest_first=True
    )
