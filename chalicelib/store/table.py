"""The table itself: creation, the shared connection, transactions and pagination cursors."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import ConcurrentUpdate, DatabaseBusy, HubError
from chalicelib.store.busy import BUSY_CODES, BUSY_REASONS, unavailable
from chalicelib.store.cursors import Listing, decode_cursor, encode_cursor
from chalicelib.store.models import TableMeta, TableSchema, every_model

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


def every_connection() -> list[Any]:
    """The transactions' connection and every model's (PynamoDB's low-level connections,
    whose botocore clients the local runner makes share one session)."""
    return [connection(), *(model._get_connection().connection for model in every_model())]


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
    """Several items as raw DynamoDB maps by (pk, sk): one BatchGetItem per 100 keys (its
    limit). Models turn them into objects with `Model.from_raw_data`."""
    found: dict[tuple[str, str], dict] = {}
    for start in range(0, len(keys), _BATCH_KEYS):
        found |= _get_batch(keys[start : start + _BATCH_KEYS], consistent=consistent)
    return found


def _get_batch(keys: list[tuple[str, str]], *, consistent: bool) -> dict[tuple[str, str], dict]:
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


_BATCH_KEYS = 100  # BatchGetItem's most keys per call
_BATCH_ATTEMPTS = 4
_CONFLICT_RETRIES = 3


def transact(build: Callable[[Transaction], None]) -> None:
    """Run the operations `build` adds as one all-or-nothing write.

    A failed condition raises the `on_fail` error of the first operation whose condition
    failed. A TransactionConflict (another transaction on the same items in flight) is
    retried, then reported as ConcurrentUpdate. A timeout, a dropped connection or
    throttling that outlasts botocore's retries is DatabaseBusy (503, retry later).

    Each attempt carries its own ClientRequestToken, which botocore's retries of that attempt
    (after a timeout, say) send again: when the first send was applied but its answer lost,
    DynamoDB answers the retry with success instead of running it again (and failing its
    own `attribute_not_exists`). An attempt we retry here was cancelled, so it gets a new one.
    """
    for _ in range(_CONFLICT_RETRIES):
        transaction = TransactWrite(connection=connection(), client_request_token=_new_token())
        operations = Transaction(transaction)
        build(operations)
        try:
            with transaction:
                pass  # leaving the block sends the operations
            return
        except TransactWriteError as error:
            if unavailable(error.cause):
                raise DatabaseBusy() from None
            reasons = [reason.code if reason else None for reason in _reasons(error)]
            for reason, on_fail in zip(reasons, operations.on_fail, strict=False):
                if reason == "ConditionalCheckFailed":
                    raise on_fail from None
            if _response_code(error) in BUSY_CODES or BUSY_REASONS.intersection(reasons):
                raise DatabaseBusy() from None
            if "TransactionConflict" in reasons or _response_code(error) in (
                "TransactionConflictException",
                "TransactionInProgressException",
            ):
                continue
            raise
    raise ConcurrentUpdate()


def _new_token() -> str:
    return str(uuid.uuid4())


def _reasons(error: TransactWriteError) -> list[Any]:
    return list(error.cancellation_reasons or [])


def _response_code(error: Exception) -> str | None:
    """The DynamoDB error code of a failed call; None when no answer came (a timeout)."""
    cause = getattr(error, "cause", None)
    response = getattr(cause, "response", None)  # None on botocore's transport errors
    if not isinstance(response, dict):
        return None
    return response.get("Error", {}).get("Code")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: str | None


def query_page(
    listing: str,
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
    one Query, resumed from `cursor`, which only this listing (by its name) of this
    partition, prefix and order can have issued."""
    bound = Listing(listing, ("pk", pk), (sk_prefix, "newest" if newest_first else "oldest"))
    results = model.query(
        pk,
        model.sk.startswith(sk_prefix),
        scan_index_forward=not newest_first,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(bound, cursor),
    )
    items = [convert(item) for item in results]
    return Page(items, encode_cursor(bound, results.last_evaluated_key))
