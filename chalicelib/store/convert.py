"""Domain dataclasses to PynamoDB items and back, by field name and declared type.

A stored field is declared twice, and only twice: in the domain dataclass (its name and
type) and as an attribute of the item model (how it is stored). This module copies every
dataclass field to the item attribute of the same name (or the one named in the item's
`renames`) and converts by the field's declared type:

| domain type             | stored as                              |
|-------------------------|----------------------------------------|
| `datetime`              | ISO 8601 string (`clock.to_iso`)       |
| an `Enum`               | its value                              |
| `int`, `float`, `bool`  | a number (read back from Decimal/float)|
| `str`                   | itself                                 |
| `tuple[X, ...]`         | a list of X as stored                  |
| `dict[str, X]`          | a map of X as stored                   |
| `X | None`              | X, or absent                           |

Other types (a nested dataclass stored as JSON) have no default conversion: the caller
passes the value as an override, and forgetting to fails loudly rather than storing a
wrong shape. A dataclass field without an item attribute is refused the same way (when the
conversion is first used), so a field cannot be silently left out of the store.

The plan for each (dataclass, item class) pair is built once and cached: a conversion is a
loop over prepared (field, attribute, converter) triples.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from chalicelib.domain import clock

if TYPE_CHECKING:
    from pynamodb.models import Model

T = TypeVar("T")
ItemT = TypeVar("ItemT", bound="Model")
Convert = Callable[[Any], Any]


class NoConversion(TypeError):
    """A field whose type has no default conversion was neither overridden nor stored."""


def _identity(value: Any) -> Any:
    return value


def _plain_map(value: Any) -> dict[str, Any]:
    """A MapAttribute read back from DynamoDB, or a plain dict: as a plain dict."""
    if value is None:
        return {}
    if hasattr(value, "as_dict"):
        return dict(value.as_dict())
    return dict(value)


def _refuse(hint: Any) -> tuple[Convert, Convert]:
    def refuse(_: Any) -> Any:
        raise NoConversion(f"no conversion for {hint!r}: pass the value as an override")

    return refuse, refuse


def _converters(hint: Any) -> tuple[Convert, Convert]:
    """(read, write) for a declared type: stored value -> domain value, and back."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(args) != 1:
            return _refuse(hint)
        read, write = _converters(args[0])
        # An empty string never was a value of an optional field: old items may hold one.
        return (
            lambda v: None if v is None or v == "" else read(v),
            lambda v: None if v is None else write(v),
        )
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) != 2 or args[1] is not Ellipsis:
            return _refuse(hint)
        read, write = _converters(args[0])
        return (
            lambda v: tuple(read(x) for x in v or ()),
            lambda v: [write(x) for x in v],
        )
    if origin is dict:
        read, write = _converters(typing.get_args(hint)[1])
        return (
            lambda v: {k: read(x) for k, x in _plain_map(v).items()},
            lambda v: {k: write(x) for k, x in v.items()},
        )
    if hint is Any:
        return _identity, _identity
    if hint is datetime:
        return clock.from_iso, clock.to_iso
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint, lambda v: v.value
    if hint is bool:
        return bool, _identity
    if hint is int:
        return int, _identity
    if hint is float:
        return float, _identity
    if hint is str:
        return _identity, _identity
    return _refuse(hint)


# (dataclass field, item attribute, read, write): plain tuples, cheap to build at import.
_Field = tuple[str, str, Convert, Convert]


@cache
def _plan(domain: type, item_class: type[Model]) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(domain)
    renames: dict[str, str] = getattr(item_class, "renames", {})
    stored = item_class.get_attributes()
    plan = []
    for field in dataclasses.fields(domain):
        attribute = renames.get(field.name, field.name)
        if attribute not in stored:
            raise NoConversion(
                f"{domain.__name__}.{field.name} has no attribute {attribute!r} in "
                f"{item_class.__name__}: declare it there"
            )
        read, write = _converters(hints[field.name])
        plan.append((field.name, attribute, read, write))
    return tuple(plan)


def to_domain(item: Model, domain: type[T], **overrides: Any) -> T:
    """The dataclass `domain` from a stored item. `overrides` (by dataclass field name)
    give values the default conversion cannot (e.g. a JSON document)."""
    values = dict(overrides)
    for name, attribute, read, _ in _plan(domain, type(item)):
        if name not in values:
            values[name] = read(getattr(item, attribute))
    return domain(**values)


def to_item(
    value: Any, item_class: type[ItemT], hash_key: str, range_key: str, **overrides: Any
) -> ItemT:
    """The item storing the dataclass `value` under these keys. `overrides` (by item
    attribute name) give stored values the default conversion cannot, and the attributes
    that are not fields (index keys, TTL)."""
    attributes = dict(overrides)
    for name, attribute, _, write in _plan(type(value), item_class):
        if attribute not in attributes:
            attributes[attribute] = write(getattr(value, name))
    return item_class(hash_key, range_key, **attributes)
