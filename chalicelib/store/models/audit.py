"""PynamoDB models: a group's audit log."""

from __future__ import annotations

from typing import ClassVar

from pynamodb.attributes import MapAttribute, UnicodeAttribute

from chalicelib.store.models import TableItem, TableMeta


class AuditEventItem(TableItem):
    Meta = TableMeta
    renames: ClassVar[dict[str, str]] = {"id": "event_id"}

    kind = UnicodeAttribute(default="audit_event")
    event_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_name = UnicodeAttribute(default="")
    at = UnicodeAttribute()
    subject_id = UnicodeAttribute(null=True)
    details = MapAttribute(default=dict)
