"""Count DynamoDB calls and estimate capacity units, through botocore's event hooks.

Moto answers with fixed capacity figures, so the units are computed here from DynamoDB's
published rules, from the items actually sent and received:
- write: 1 WCU per started KB of the item written, in the table (x2 inside a transaction)
  and in each GSI the item is in (1 for a keys-only index's entry). An update counts the
  item's size after the update when the meter can know it (it reads the item back,
  outside the count), else 1 KB.
- read: 1 RCU per started 4 KB (strongly consistent), half for eventually consistent;
  a Query/BatchGet sums item sizes per call before rounding; x2 inside a transaction.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient

INDEX_KEYS = {"gsi1": ("gsi1pk", "gsi1sk"), "due": ("due_pk", "due_at")}
# Indexes that project keys only: an entry is its keys, one write unit whatever the item.
KEYS_ONLY_INDEX_KEYS = {"owner": ("owner_pk", "owner_sk")}


def attribute_size(value: dict[str, Any]) -> int:
    ((kind, raw),) = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return len(raw.lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + attribute_size(v) for k, v in raw.items())
    if kind == "L":
        return 3 + sum(attribute_size(v) + 1 for v in raw)
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v).encode()) for v in raw)
    return 0


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + attribute_size(value) for name, value in item.items())


def write_units(item: dict[str, Any] | None, factor: int = 1) -> float:
    """Units of writing `item`: `factor` times its size in the table (2 in a transaction),
    and once more in each index it is filed in (DynamoDB keeps those up outside the
    transaction, as plain writes)."""
    units = max(1, math.ceil((item_size(item) if item else 1024) / 1024))

    def filed(keys: tuple[str, str]) -> bool:
        return bool(item) and all(k in item for k in keys)

    copies = sum(1 for keys in INDEX_KEYS.values() if filed(keys))
    entries = sum(1 for keys in KEYS_ONLY_INDEX_KEYS.values() if filed(keys))
    return (factor + copies) * units + entries


def read_units(total_size: int, consistent: bool) -> float:
    units = max(1, math.ceil(total_size / 4096))
    return units if consistent else units / 2


@dataclass
class Meter:
    calls: Counter[str] = field(default_factory=Counter)
    read_units: float = 0.0
    write_units: float = 0.0
    largest_item: int = 0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()
        self.read_units = self.write_units = 0.0

    def record(self, operation: str, params: dict[str, Any], response: dict[str, Any]) -> None:
        self.calls[operation] += 1
        if operation == "PutItem":
            self._written(params["Item"])
        elif operation in ("UpdateItem", "DeleteItem"):
            self.write_units += 1
        elif operation == "TransactWriteItems":
            for entry in params["TransactItems"]:
                ((kind, body),) = entry.items()
                if kind == "Put":
                    self._written(body["Item"], factor=2)
                elif kind == "ConditionCheck":
                    self.read_units += 2 * read_units(0, True)
                else:
                    self.write_units += 2
        elif operation == "GetItem":
            item = response.get("Item")
            self.read_units += read_units(
                item_size(item) if item else 0, params.get("ConsistentRead", False)
            )
        elif operation == "Query":
            size = sum(item_size(item) for item in response.get("Items", []))
            self.read_units += read_units(size, params.get("ConsistentRead", False))
        elif operation == "BatchGetItem":
            for table, items in response.get("Responses", {}).items():
                consistent = params["RequestItems"][table].get("ConsistentRead", False)
                for item in items:
                    self.read_units += read_units(item_size(item), consistent)

    def _written(self, item: dict[str, Any], factor: int = 1) -> None:
        self.largest_item = max(self.largest_item, item_size(item))
        self.write_units += write_units(item, factor)


DynamoCall = Callable[[str, dict[str, Any], dict[str, Any] | None], None]


@contextmanager
def dynamodb_calls(on_call: DynamoCall) -> Iterator[None]:
    """Inside this block, `on_call(operation, params, response)` follows every DynamoDB call
    any botocore client makes; `response` is None when the call raised (a failed condition
    still asked for its permission). The one place that watches the calls: the meter, the
    tests' request recorder and the role checks all use it."""
    original = BaseClient._make_api_call

    def observed(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if client.meta.service_model.service_name != "dynamodb":
            return original(client, operation, params)
        response = None
        try:
            response = original(client, operation, params)
            return response
        finally:
            on_call(operation, params, response)

    BaseClient._make_api_call = observed  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


@contextmanager
def metering() -> Iterator[Meter]:
    """Meter every DynamoDB call made by any botocore client inside this block, a write its
    condition refused included: DynamoDB bills it as if it had been made."""
    meter = Meter()

    def metered(operation: str, params: dict[str, Any], response: dict[str, Any] | None) -> None:
        meter.record(operation, params, response or {})

    with dynamodb_calls(metered):
        yield meter
