"""PynamoDB models: a person's profile, and the records that replay their requests
(Idempotency-Key)."""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
)

from chalicelib.store.models import TableItem, TableMeta


class ProfileItem(TableItem):
    """A user's choices (`USER#u` / `PROFILE`): written only by UpdateItem, field by field."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="profile")
    user_id = UnicodeAttribute()
    display_name = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class IdempotencyItem(TableItem):
    """A caller's Idempotency-Key (pk `IDEMPOTENCY#<user>#<sha256 of the key>`, sk `META`):
    claimed before the request's work, holding its answer once done (store/idempotency.py)."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="idempotency")
    fingerprint = UnicodeAttribute()  # sha256 of the method, route, path parameters and body
    claimed_at = UnicodeAttribute()
    # The first answer, once sent: absent while the first request is being processed.
    status = NumberAttribute(null=True)
    answer = UnicodeAttribute(null=True)  # its JSON body
    # DynamoDB deletes the item some time after this epoch second; reads check it too.
    ttl = TTLAttribute()
