"""The table itself: creation, the shared connection, transactions and pagination cursors."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import ConcurrentUpdate, DatabaseBusy, HubError, InvalidCursor
from chalicelib.store.models import TableMeta, TableSchema

T = TypeVar("T")
M = TypeVar("M", bound=Model)


def create_table_if_absent() -> bool:
    """Create the table with its indexes, stream and TTL. Returns True if it was created."""
    if TableSchema.exists():
        return False
    TableSchema.create_table(wait=True)
    return True


_connection: Connection | None = None
_connection_target: tuple[str | None, str | None] | None = None


def connection() -> Connection:
    """One low-level connection for transactions, following the models' table binding."""
    global _connection, _connection_target
    target = (TableMeta.region, TableMeta.host)
    if _connection is None or _connection_target != target:
        _connection = Connection(
            region=TableMeta.region,
            host=TableMeta.host,
            max_retry_attempts=TableMeta.max_retry_attempts,
            connect_timeout_seconds=TableMeta.connect_timeout_seconds,
            read_timeout_seconds=TableMeta.read_timeout_seconds,
        )
        _connection_target = target
    return _connection


class Transaction:
    """The operations of one all-or-nothing write, each with the error its failed condition
    means to the user (the first failed one is raised)."""

    # PynamoDB sends condition checks, then deletes, puts and updates, whatever the order
    # they were added in; DynamoDB's cancellation reasons follow the order sent.
    _SENT_ORDER = ("check", "delete", "save", "update")

    def __init__(self, transaction: TransactWrite):
        self._transaction = transaction
        self._on_fail: dict[str, list[HubError]] = {kind: [] for kind in self._SENT_ORDER}

    @property
    def on_fail(self) -> list[HubError]:
        """The errors in the order the operations are sent."""
        return [error for kind in self._SENT_ORDER for error in self._on_fail[kind]]

    def save(self, item: Model, *, condition: Condition | None, on_fail: HubError) -> None:
        self._transaction.save(item, condition=condition)
        self._on_fail["save"].append(on_fail)

    def update(
        self, item: Model, actions: list[Any], *, condition: Condition | None, on_fail: HubError
    ) -> None:
        self._transaction.update(item, actions=actions, condition=condition)
        self._on_fail["update"].append(on_fail)

    def delete(self, item: Model, *, condition: Condition | None, on_fail: HubError) -> None:
        self._transaction.delete(item, condition=condition)
        self._on_fail["delete"].append(on_fail)

    def check(
        self, model: type[Model], pk: str, sk: str, *, condition: Condition, on_fail: HubError
    ) -> None:
        self._transaction.condition_check(model, pk, sk, condition=condition)
        self._on_fail["check"].append(on_fail)


def get_many(keys: list[tuple[str, str]], *, consistent: bool) -> dict[tuple[str, str], dict]:
    """Several items in one round trip (BatchGetItem), as raw DynamoDB maps by (pk, sk).
    Models turn them into objects with `Model.from_raw_data`."""
    pending = [{"pk": {"S": pk}, "sk": {"S": sk}} for pk, sk in keys]
    found: dict[tuple[str, str], dict] = {}
    for attempt in range(_BATCH_ATTEMPTS):
        if not pending:
            break
        if attempt:
            time.sleep(0.02 * 2**attempt)  # DynamoDB asks to back off on unprocessed keys
        response = connection().client.batch_get_item(
            RequestItems={TableMeta.table_name: {"Keys": pending, "ConsistentRead": consistent}}
        )
        for item in response.get("Responses", {}).get(TableMeta.table_name, []):
            found[(item["pk"]["S"], item["sk"]["S"])] = item
        pending = response.get("UnprocessedKeys", {}).get(TableMeta.table_name, {}).get("Keys", [])
    if pending:
        raise DatabaseBusy()
    return found


_BATCH_ATTEMPTS = 4
_CONFLICT_RETRIES = 3


def transact(build: Callable[[Transaction], None]) -> None:
    """Run the operations `build` adds as one all-or-nothing write.

    A failed condition raises the `on_fail` error of the first operation whose condition
    failed. A TransactionConflict (another transaction on the same items in flight) is
    retried, then reported as ConcurrentUpdate.
    """
    for _ in range(_CONFLICT_RETRIES):
        try:
            with TransactWrite(connection=connection()) as transaction:
                operations = Transaction(transaction)
                build(operations)
            return
        except TransactWriteError as error:
            reasons = [reason.code if reason else None for reason in error.cancellation_reasons]
            for reason, on_fail in zip(reasons, operations.on_fail, strict=False):
                if reason == "ConditionalCheckFailed":
                    raise on_fail from None
            if "TransactionConflict" in reasons or error.cause_response_code in (
                "TransactionConflictException",
                "TransactionInProgressException",
            ):
                continue
            raise
    raise ConcurrentUpdate()


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: str | None


def query_page(
    model: type[M],
    pk: str,
    sk_prefix: str,
    convert: Callable[[M], T],
    limit: int,
    cursor: str | None,
    *,
    newest_first: bool = False,
) -> Page[T]:
    """One page of the items of partition `pk` whose sort key starts with `sk_prefix`:
    one Query, resumed from `cursor`."""
    results = model.query(
        pk,
        model.sk.startswith(sk_prefix),
        scan_index_forward=not newest_first,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(cursor, partition=("pk", pk)),
    )
    items = [convert(item) for item in results]
    return Page(items, encode_cursor(results.last_evaluated_key))


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    plain = {name: value["S"] for name, value in last_evaluated_key.items()}
    raw = json.dumps(plain, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# A page's last key, by the partition attribute of the listing: the table's keys, plus the
# index's own for an index listing. Anything else would reach DynamoDB as a bad start key.
_CURSOR_KEYS = {
    "pk": {"pk", "sk"},
    "gsi1pk": {"gsi1pk", "gsi1sk", "pk", "sk"},
}


def decode_cursor(cursor: str | None, *, partition: tuple[str, str]) -> dict[str, Any] | None:
    """Turn a cursor back into an ExclusiveStartKey, refusing one from another listing.

    `partition` is (attribute, value) of the query's partition key: a cursor made for a
    different partition is refused rather than handed to DynamoDB.
    """
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        plain = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor() from None
    if (
        not isinstance(plain, dict)
        or set(plain) != _CURSOR_KEYS[partition[0]]
        or not all(isinstance(v, str) for v in plain.values())
        or plain.get(partition[0]) != partition[1]
    ):
        raise InvalidCursor()
    return {name: {"S": value} for name, value in plain.items()}
