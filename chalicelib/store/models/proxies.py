"""PynamoDB models: proxies (procurations) and how many each holder holds."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.store.models import Gsi1, OwnedItem, TableItem, TableMeta


class ProxyItem(OwnedItem):
    """`CONSULT#c` / `PROXY#giver`: the one proxy a giver gave for a consultation. Owned by
    the giver (their export and erasure find it); filed in the holder's gsi1 partition
    (`PROXIES#holder`), so that the proxies a person holds are one Query."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="proxy")
    consultation_id = UnicodeAttribute()
    giver_id = UnicodeAttribute()
    giver_name = UnicodeAttribute()
    giver_verified = BooleanAttribute(default=False)  # their token said so when they gave it
    holder_id = UnicodeAttribute()
    holder_name = UnicodeAttribute()
    given_at = UnicodeAttribute()
    used_at = UnicodeAttribute(null=True)  # the first ballot the holder cast with it
    consultation_title = UnicodeAttribute(default="")
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()

    gsi1 = Gsi1()


class ProxyHolderItem(TableItem):
    """`CONSULT#c` / `PROXYHOLDER#holder`: how many proxies the holder holds there; its
    conditional ADD enforces `max_per_holder` (a per-holder item, never a shared one)."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="proxy_holder")
    consultation_id = UnicodeAttribute()
    holder_id = UnicodeAttribute()
    count = NumberAttribute(null=True)
