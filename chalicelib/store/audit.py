"""The audit log in the table: who changed what, in each group's partition, newest first.

An event is written in the same transaction as the change it records (`record_in`), so a
change and its record land together or not at all.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from chalicelib.domain import clock
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.model import AuditEvent
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.models.audit import AuditEventItem
from chalicelib.store.table import Page, Transaction, query_page


def _audit_event(item: AuditEventItem) -> AuditEvent:
    return to_domain(item, AuditEvent)


def _audit_item(event: AuditEvent) -> AuditEventItem:
    event_id = event.id or secrets.token_hex(6)
    at = clock.to_iso(event.at)
    item = to_item(
        event,
        AuditEventItem,
        keys.audit_pk(event.group_id),
        keys.audit_sk(at, event_id),
        event_id=event_id,
    )
    item.owned_by(event.actor_id)
    if event.subject_id is not None:  # a person's, or a consultation's, a comment's...
        item.gsi1pk = keys.subject_pk(event.subject_id)
        item.gsi1sk = item.sk
    retention = get_settings().audit_retention_days
    if retention:
        item.ttl = event.at + timedelta(days=retention)
    return item


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
        "audit_log",
        AuditEventItem,
        pk,
        keys.AUDIT_PREFIX,
        _audit_event,
        limit,
        cursor,
        newest_first=True,
    )
