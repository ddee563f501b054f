"""What the API answers, as pydantic models: the OpenAPI document's response schemas.

The routes build their answers as plain dicts (chalicelib/api/representations.py and the
blueprints); these models document them field by field, and the test suite checks every
answer it receives against them (tests/api/conformance.py): a field the model does not list
is refused there (`extra="forbid"`), so nothing leaves the API undocumented.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Item = TypeVar("Item")


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(Answer, Generic[Item]):
    """One page of a list."""

    items: list[Item]
    next: str | None = Field(description="The cursor of the next page; null on the last one.")


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent_unless(why: str) -> Any:
    """A key only some answers carry (`why` says which): not required, never null."""
    return Field(default=None, description=why, json_schema_extra=_no_default)


Timestamp = str  # ISO 8601 UTC, e.g. 2026-11-27T02:19:43.123Z
