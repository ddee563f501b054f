"""PynamoDB models: a group's audit log."""

from __future__ import annotations

from typing import ClassVar

from pynamodb.attributes import MapAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.store.models import Gsi1, OwnedItem, TableMeta


class AuditEventItem(OwnedItem):
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
    # Kept HUB_AUDIT_RETENTION_DAYS (none: as long as the table), then deleted by DynamoDB.
    ttl = TTLAttribute(null=True)
    # SUBJECT#<subject id>: the entries about a person, which their erasure pseudonymises.
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)

    gsi1 = Gsi1()
