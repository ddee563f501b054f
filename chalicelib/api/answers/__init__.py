"""What the API answers, as pydantic models: the OpenAPI document's response schemas and
the answers themselves.

Each model is built from its domain object (`Answer.of`): a field takes the attribute of
the same name (or its `validation_alias`), so a new field on a domain dataclass only needs
the same field here. What an answer computes (a status at `now`, the caller's role, a
secret ballot's fields) is given to `of` by the model's own classmethod. Routes return these
models; pydantic serialises them (chalicelib/api/http.py). The test suite checks every
answer against the document (tests/api/conformance.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from chalicelib.domain.clock import to_iso

Item = TypeVar("Item")

# A moment, held as a datetime and sent as the Hub writes every time: ISO 8601 UTC, to the
# millisecond, e.g. 2026-11-27T02:19:43.123Z (chalicelib/domain/clock.py).
Timestamp = Annotated[
    datetime,
    PlainSerializer(to_iso, return_type=str, when_used="unless-none"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


def absent_unless(why: str) -> Any:
    """A key only some answers carry (`why` says which): not required, never null. `of`
    never fills it from the domain object: only the builder that means it sets it."""
    return Field(default=None, description=why, json_schema_extra=_no_default)


class _Attributes:
    """A domain object seen through `computed` values, without the keys that stay absent."""

    def __init__(self, value: object, computed: dict[str, Any], hidden: set[str]):
        self._value = value
        self._computed = computed
        self._hidden = hidden

    def __getattr__(self, name: str) -> Any:
        if name in self._computed:
            return self._computed[name]
        if name in self._hidden:
            raise AttributeError(name)
        return getattr(self._value, name)


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True, defer_build=True)

    @classmethod
    def of(cls, value: object, **computed: Any) -> Self:
        """The answer for `value`: each field from its attribute of the same name, or from
        `computed`. A key left unset (`absent_unless`) is not sent."""
        hidden = {
            name
            for name, field in cls.model_fields.items()
            if field.json_schema_extra is _no_default
        }
        return cls.model_validate(_Attributes(value, computed, hidden - set(computed)))


class PersonOut(Answer):
    """Someone named beside what they did (a consultation, a debate, a comment, an addendum,
    an invitation): no route reads another person's profile, so the answer carries the name."""

    id: str = Field(description="Their user id.")
    name: str = Field(
        description="Their display name when they did it: the one they chose (PATCH /v1/me), "
        "else their token's. Their id for what was done before names were recorded."
    )


class Page(Answer, Generic[Item]):
    """One page of a list."""

    items: list[Item]
    next: str | None = Field(description="The cursor of the next page; null on the last one.")
