"""PynamoDB models of the single Hub table. Only `store/` imports this package.

Every item type is a model over the same table (`pk`, `sk`), sharing one `TableMeta`
whose name, endpoint and region come from the settings (see `bind`). This module holds the
table itself (`TableItem`, `TableSchema`, the indexes); each family of items has a module
of its own (`models/ballots.py`, `models/comments.py`, ...), so that a Lambda function
imports the models it uses and no others: building a model class costs a cold start
about a quarter of a millisecond.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from pynamodb.attributes import TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.settings import Settings, get_settings
from chalicelib.store import busy, keys


class TableMeta:
    table_name = "hub"
    host: str | None = None
    region = "eu-west-3"
    billing_mode = "PAY_PER_REQUEST"
    stream_view_type = "NEW_AND_OLD_IMAGES"
    # Lambda keeps containers warm: fail fast instead of piling up retries on throttling.
    max_retry_attempts = 3
    connect_timeout_seconds = 5
    read_timeout_seconds = 10


class Gsi1(GlobalSecondaryIndex):
    """Inverted and list patterns: the group directory, a user's groups."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex):
    """Sparse: only items with a pending scheduled transition carry `due_pk`/`due_at`."""

    class Meta:
        index_name = "due"
        projection = AllProjection()

    due_pk = UnicodeAttribute(hash_key=True)
    due_at = UnicodeAttribute(range_key=True)


class OwnerIndex(GlobalSecondaryIndex):
    """Sparse, keys only: a person's items (`keys.owner_pk`). Keys only, so that the many
    updates of an owned item (a comment's counters, a ballot's change) never write to it."""

    class Meta:
        index_name = "owner"
        projection = KeysOnlyProjection()

    owner_pk = UnicodeAttribute(hash_key=True)
    owner_sk = UnicodeAttribute(range_key=True)


class TableItem(Model):
    Meta = TableMeta

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = UnicodeAttribute()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # Each model makes its own client, for its own schema, rather than use the one a
        # model it derives from has made already.
        cls._connection = None


class TableSchema(TableItem):
    """The whole table as DynamoDB sees it: keys, every index and the TTL attribute.
    Used to create the table; infra checks its template against these indexes."""

    Meta = TableMeta

    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    due_pk = UnicodeAttribute(null=True)
    due_at = UnicodeAttribute(null=True)
    ttl = TTLAttribute(null=True)

    owner_pk = UnicodeAttribute(null=True)
    owner_sk = UnicodeAttribute(null=True)

    gsi1 = Gsi1()
    due = DueIndex()
    owner = OwnerIndex()


class OwnedItem(TableItem):
    """An item that belongs to one person (its writer, or whom it is about), found again
    through the `owner` index by their export and their erasure."""

    Meta = TableMeta

    owner_pk = UnicodeAttribute(null=True)
    owner_sk = UnicodeAttribute(null=True)

    owner = OwnerIndex()

    def owned_by(self, user_id: str) -> None:
        """Files the item, once its key and kind are set, under its owner's partition."""
        self.owner_pk = keys.owner_pk(user_id)
        self.owner_sk = keys.owner_sk(self.kind, self.pk, self.sk)


def every_model() -> list[type[TableItem]]:
    """Every model of the table, each family's module imported first (a function imports
    only the families it uses: this is for what must see them all, such as the local
    server making every client before its first request)."""
    for family in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{family.name}")
    found: list[type[TableItem]] = []
    pending: list[type[TableItem]] = [TableItem]
    while pending:
        model = pending.pop()
        found.append(model)
        pending.extend(model.__subclasses__())
    return found


def bind(settings: Settings) -> None:
    """Point every model at the configured table and endpoint, and drop the clients the
    models loaded so far have made (one loaded later has none yet)."""
    TableMeta.table_name = settings.table
    TableMeta.host = settings.dynamodb_endpoint
    TableMeta.region = settings.region
    loaded: list[type[Model]] = [TableItem]
    while loaded:
        model = loaded.pop()
        model._connection = None
        loaded.extend(model.__subclasses__())


busy.register()  # before any model makes its client
bind(get_settings())
