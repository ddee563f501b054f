"""The embedded DynamoDB: moto's server, answering one request at a time, corrected where
moto does what DynamoDB never does.

moto's backends are not safe under concurrent requests: serving requests one at a time
keeps the embedded DynamoDB linearizable, so concurrency tests against the local runner
test the Hub's conditions, not moto's thread safety.

moto 5.2's own flaws, corrected by `install()` (the runner's process only):

- A transaction deep-copies every table it touches before it starts, applies the rest of
  a cancelled transaction, and then swaps the copy in: its cancelled writes reach the
  stream, the stream readers keep following the abandoned table's stream (the tallies
  freeze), and each transaction costs a copy of the whole table (seconds on a used table:
  parallel requests time out). Here a transaction remembers only the items it writes and
  puts them back, with the stream, if it is cancelled: nothing of it is ever seen.
- An UpdateItem that creates its item records two stream records, the first of an item
  holding only its key that never existed: here only the write DynamoDB makes is recorded.
- Every object moto makes (each item, each copy of an item an update makes, each stream
  record) is also appended to a list of its class, for moto's dashboard: nothing is ever
  freed. Here those lists stay empty (the dashboard shows nothing).
- Stream records and shard iterators are kept for ever. DynamoDB keeps records 24 hours
  and lets an iterator expire after 15 minutes; here, in addition, records every live
  iterator has read past are dropped (`StreamRetention`), so a long `make run` keeps a
  bounded stream. A reader that starts later begins at the oldest record still kept, as a
  reader of DynamoDB begins 24 hours back.
"""

from __future__ import annotations

import contextlib
import copy
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice, takewhile
from typing import Any

import moto
from moto.core.common_models import BaseModel
from moto.core.exceptions import JsonRESTError
from moto.core.utils import utcnow
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamShard, Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

PATCHED_MOTO = "5.2."  # the moto whose transact_write_items the replacement below follows
ITERATOR_LIFETIME_S = 15 * 60  # DynamoDB Streams: a shard iterator expires after 15 minutes
RECORD_RETENTION_S = 24 * 3600  # DynamoDB Streams: records are kept 24 hours
clock = time.monotonic  # when shard iterators were issued (tests move it on)


def one_at_a_time(app: WsgiApp) -> WsgiApp:
    lock = threading.Lock()

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with lock:
            return list(app(environ, start_response))  # the body is built under the lock

    return serve


class EmbeddedDynamoDB(ThreadedMotoServer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        install()
        super().__init__(*args, **kwargs)

    def _server_entry(self) -> None:
        app = one_at_a_time(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


# ------------------------------------------------------------------ transactions


@dataclass
class _Journal:
    """What a transaction has written so far, to put back if it is cancelled."""

    backend: DynamoDBBackend
    previous: list[tuple[Table, DynamoType, DynamoType | None, Item | None]]
    stream_lengths: dict[int, tuple[StreamShard, int]]

    def before_writing(self, table_name: str, key: dict[str, Any]) -> None:
        table = self.backend.get_table(table_name)
        hash_value, range_value = self.backend.get_keys_value(table, key)
        current = table.get_item(hash_value, range_value)
        # UpdateItem changes the stored Item in place: keep a copy of this one item only.
        self.previous.append((table, hash_value, range_value, copy.deepcopy(current)))
        shard = table.stream_shard
        if shard is not None and id(shard) not in self.stream_lengths:
            self.stream_lengths[id(shard)] = (shard, len(shard.items))

    def undo(self) -> None:
        for table, hash_value, range_value, item in reversed(self.previous):
            if range_value is not None:
                if item is None:
                    table.items[hash_value].pop(range_value, None)
                    if not table.items[hash_value]:
                        del table.items[hash_value]
                else:
                    table.items[hash_value][range_value] = item
            elif item is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = item
        # Under the server's lock nobody has read these records: as if never written.
        for shard, length in self.stream_lengths.values():
            del shard.items[length:]


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto 5.2's TransactWriteItems, all or nothing without copying the tables: each item
    is remembered just before it is written, and everything is put back on cancellation."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    journal = _Journal(self, [], {})
    target_items: set[tuple[str, str]] = set()

    def check_unicity(table_name: str, key: dict[str, Any]) -> None:
        item = (str(table_name), str(dict(sorted(key.items()))))
        if item in target_items:
            raise MultipleTransactionsException()
        target_items.add(item)

    errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
    for item in transact_items:
        original_item: dict[str, Any] | None = None
        if len(list(item.keys())) > 1:
            journal.undo()
            raise TransactWriteSingleOpException
        try:
            op_type, op = next(iter(item.items()))
            if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                raise ValueError("Unsupported transaction operation")
            table_name = op["TableName"]
            condition_expression = op.get("ConditionExpression")
            names = op.get("ExpressionAttributeNames")
            values = op.get("ExpressionAttributeValues")
            if op_type == "Put":
                attrs = op["Item"]
                table = self.get_table(table_name)
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            check_unicity(table_name, key)

            current = self.get_item(table_name, key)
            if condition_expression is not None:
                condition = get_filter_expression(condition_expression, names, values)
                if not condition.expr(current):
                    if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                        original_item = current.to_json()["Attributes"]
                    raise ConditionalCheckFailed(item=original_item)
            if op_type == "ConditionCheck":
                errors.append((None, None, None))
                continue
            if any(code is not None for code, _, _ in errors):
                # Already cancelled: only the conditions remain to be reported.
                errors.append((None, None, None))
                continue
            journal.before_writing(table_name, key)
            expression = {
                "condition_expression": condition_expression,
                "expression_attribute_names": names,
                "expression_attribute_values": values,
            }
            if op_type == "Put":
                self.put_item(table_name, op["Item"], **expression)
            elif op_type == "Delete":
                self.delete_item(table_name, key, **expression)
            else:
                self.update_item(
                    table_name, key, update_expression=op["UpdateExpression"], **expression
                )
            errors.append((None, None, None))
        except (MultipleTransactionsException, MockValidationException):
            journal.undo()
            raise
        except ConditionalCheckFailed as error:
            errors.append(("ConditionalCheckFailed", str(error.message), original_item))
        except Exception as error:  # reported as a cancellation reason, as moto does
            errors.append((type(error).__name__, str(error), original_item))

    if any(code is not None for code, _, _ in errors):
        journal.undo()
        raise TransactionCanceledException(errors)


_moto_update_item = DynamoDBBackend.update_item


def update_item(
    self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any, **kwargs: Any
) -> Item:
    """moto's UpdateItem records a keys-only INSERT before the real one when the update
    creates its item: keep only the record of the write DynamoDB makes."""
    table = self.get_table(table_name)
    shard = table.stream_shard
    length = len(shard.items) if shard is not None else 0
    item = _moto_update_item(self, table_name, key, *args, **kwargs)
    if shard is not None and len(shard.items) == length + 2:
        placeholder, record = shard.items[length], shard.items[length + 1]
        if placeholder.record["eventName"] == "INSERT" and record.record["eventName"] == "INSERT":
            record.record["dynamodb"]["SequenceNumber"] = placeholder.record["dynamodb"][
                "SequenceNumber"
            ]
            del shard.items[length]
    return item


# ------------------------------------------------------------------ streams


class ExpiredIteratorException(JsonRESTError):
    def __init__(self) -> None:
        super().__init__(
            "ExpiredIteratorException",
            "The shard iterator has expired: iterators are valid 15 minutes after issue.",
        )


class TrimmedDataAccessException(JsonRESTError):
    def __init__(self) -> None:
        super().__init__(
            "TrimmedDataAccessException",
            "The iterator points before the oldest record still kept in the shard.",
        )


_moto_iterator_init = ShardIterator.__init__


def _iterator_init(self: ShardIterator, *args: Any, **kwargs: Any) -> None:
    _moto_iterator_init(self, *args, **kwargs)
    self.issued_at = clock()
    self.predecessor: str | None = None


def get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
    """moto's GetRecords, with DynamoDB's expiry of iterators and a bounded stream."""
    _expire_iterators(self)
    iterator = self.shard_iterators.get(iterator_arn)
    if iterator is None:
        raise ExpiredIteratorException()
    shard = iterator.stream_shard
    if iterator.sequence_number < shard.starting_sequence_number:
        raise TrimmedDataAccessException()
    page = iterator.get(limit)
    # Whoever reads with an iterator has moved past the one that gave it to them.
    self.shard_iterators[page["NextShardIterator"]].predecessor = iterator_arn
    if iterator.predecessor is not None:
        self.shard_iterators.pop(iterator.predecessor, None)
    _trim(self, shard)
    return page


def _expire_iterators(backend: DynamoDBStreamsBackend) -> None:
    deadline = clock() - ITERATOR_LIFETIME_S
    issued = backend.shard_iterators  # in the order they were issued
    expired = list(takewhile(lambda arn: issued[arn].issued_at < deadline, issued))
    for arn in expired:
        del issued[arn]


def _trim(backend: DynamoDBStreamsBackend, shard: StreamShard) -> None:
    """Drop the records no live iterator of `shard` can still read (none when nobody
    reads: a reader may come) and those older than DynamoDB's retention. Sequence numbers
    stay those already given: the shard's start moves up instead."""
    positions = [
        it.sequence_number for it in backend.shard_iterators.values() if it.stream_shard is shard
    ]
    drop = max(0, min(positions) - shard.starting_sequence_number) if positions else 0
    too_old = utcnow() - timedelta(seconds=RECORD_RETENTION_S)
    for record in islice(shard.items, drop, None):
        if record.record["dynamodb"]["ApproximateCreationDateTime"] >= too_old:
            break
        drop += 1
    if drop:
        del shard.items[:drop]
        shard.starting_sequence_number += drop


_installed: contextlib.AbstractContextManager[None] | None = None


def install() -> None:
    """Put the corrections above in moto, for good, in this process (the runner's)."""
    global _installed
    if _installed is None:
        # Kept: a collected generator would run its `finally` and undo the corrections.
        _installed = corrected()
        _installed.__enter__()


@contextlib.contextmanager
def corrected() -> Iterator[None]:
    """The corrections above while inside (tests of them in a process shared with
    tests that use moto as it is)."""
    if not moto.__version__.startswith(PATCHED_MOTO):
        raise RuntimeError(
            f"local/embedded_dynamodb.py corrects moto {PATCHED_MOTO}x, not {moto.__version__}: "
            "check its transact_write_items and streams before changing the version"
        )
    replacements = [
        (DynamoDBBackend, "transact_write_items", transact_write_items),
        (DynamoDBBackend, "update_item", update_item),
        (ShardIterator, "__init__", _iterator_init),
        (DynamoDBStreamsBackend, "get_records", get_records),
        (BaseModel, "__new__", staticmethod(_untracked)),
    ]
    originals = [(owner, name, owner.__dict__[name]) for owner, name, _ in replacements]
    for owner, name, replacement in replacements:
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)


def _untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
    """moto's BaseModel.__new__ without appending each new object to its class's
    `instances_tracked` (read by moto's dashboard only), which kept every object for ever."""
    return object.__new__(cls)
