"""Ballot rules: what a valid ballot is, where its marker lives, and how counts move.

Plain Python: the store turns items into these values and back.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.ballot import Ballot
from chalicelib.domain.errors import InvalidBallot, detail
from chalicelib.domain.model import (
    ConsultationVisibility,
    DecisionFunction,
    FunctionType,
    ResultsVisibility,
)

VOTE_CHOICES = ("yes", "no", "abstain")
SIGNATURE = "signed"

# Ballot partitions per debate. One partition takes about 1,000 writes/s; a plain vote is
# one write, a secret one two writes of two units in two partitions (see bench/ballots.py).
SHARDS_BY_VISIBILITY = {
    ConsultationVisibility.RESTRICTED: 1,
    ConsultationVisibility.MEMBERS: 4,
    ConsultationVisibility.PUBLIC: 64,
}


def shards_for(visibility: ConsultationVisibility) -> int:
    return SHARDS_BY_VISIBILITY[visibility]


def shard_of(key: str, shards: int) -> int:
    """A stable shard in [0, shards): the same voter (or receipt) always lands in the same one."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def refused(field_name: str, variant: str, **params: Any) -> InvalidBallot:
    """422 invalid_ballot naming `field_name`, said by the message `invalid_ballot.<variant>`."""
    return InvalidBallot(details=[detail(field_name, f"invalid_ballot.{variant}", **params)])


def ballot_for(
    function: DecisionFunction,
    *,
    choice: str | None = None,
    choices: list[str] | None = None,
    sign: bool | None = None,
) -> Ballot:
    """Check a ballot against the debate's function; 422 `invalid_ballot` naming the field."""
    sent = {
        name
        for name, value in (("choice", choice), ("choices", choices), ("sign", sign))
        if value is not None
    }
    expected = {
        FunctionType.VOTE: "choice",
        FunctionType.POLL: "choices",
        FunctionType.PETITION: "sign",
    }.get(function.type)
    if expected is None:
        raise refused("body", "no_ballot")
    if sent != {expected}:
        raise refused(expected, "only", kind=function.type.value, field=expected)
    if function.type is FunctionType.VOTE:
        if choice not in VOTE_CHOICES:
            raise refused("choice", "choice")
        return Ballot((choice,))
    if function.type is FunctionType.PETITION:
        if sign is not True:
            raise refused("sign", "sign")
        return Ballot((SIGNATURE,))
    assert choices is not None
    known = {option.id for option in function.options}
    if len(set(choices)) != len(choices):
        raise refused("choices", "repeated")
    unknown = [c for c in choices if c not in known]
    if unknown:
        raise refused("choices", "unknown_options", options=", ".join(map(str, unknown)))
    low, high = function.min_choices or 1, function.max_choices or 1
    if not low <= len(choices) <= high:
        raise refused("choices", "count", low=low, high=high)
    return Ballot(tuple(sorted(choices)))


# The settings each kind of decision has, in the order they are shown.
FUNCTION_FIELDS: dict[FunctionType, tuple[str, ...]] = {
    FunctionType.NONE: (),
    FunctionType.VOTE: ("secret", "results_visibility", "allow_change", "quorum", "threshold"),
    FunctionType.POLL: (
        "options",
        "min_choices",
        "max_choices",
        "secret",
        "results_visibility",
        "allow_change",
        "quorum",
    ),
    FunctionType.PETITION: ("goal", "results_visibility", "allow_change"),
}


def describe(function: DecisionFunction) -> dict[str, Any]:
    """A decision function as plain data: its type and the settings that kind has (the API's
    answer, and what the audit log records of a change)."""
    body: dict[str, Any] = {"type": function.type.value}
    for name in FUNCTION_FIELDS[function.type]:
        value = getattr(function, name)
        if name == "options":
            value = [{"id": option.id, "label": option.label} for option in value]
        body[name] = value.value if isinstance(value, ResultsVisibility) else value
    return body


@dataclass(frozen=True)
class Marker:
    """The trace of a voter's ballot: that, and when, they voted. `ballot` is None for a
    secret ballot, whose choice is kept apart under its receipt, with no voter."""

    debate_id: str
    voter_id: str
    ballot: Ballot | None
    cast_at: datetime
    changed_at: datetime | None = None


def may_change(function: DecisionFunction) -> bool:
    """Whether a voter may change or withdraw the ballot they cast. Never a secret one: the
    Hub cannot tell a secret ballot's choice from its voter (decisions.py refuses
    `allow_change` with `secret`; this holds for debates saved before that rule too)."""
    return bool(function.allow_change) and not function.secret


def options_of(function: DecisionFunction) -> tuple[str, ...]:
    """Every count key a result shows, zero included."""
    if function.type is FunctionType.VOTE:
        return VOTE_CHOICES
    if function.type is FunctionType.POLL:
        return tuple(option.id for option in function.options)
    if function.type is FunctionType.PETITION:
        return (SIGNATURE,)
    return ()


@dataclass(frozen=True)
class Counts:
    """Counts per option and the number of ballots (a poll ballot may hold several options)."""

    per_option: dict[str, int]
    ballots: int

    @classmethod
    def of(cls, ballots: Iterable[Ballot], options: Iterable[str]) -> Counts:
        per_option = Counter({option: 0 for option in options})
        total = 0
        for ballot in ballots:
            total += 1
            per_option.update(ballot.choices)
        return cls(dict(per_option), total)


# A receipt is the only link between a voter and their anonymous ballot, and it is checked
# by equality alone: it must be unguessable. The Hub makes 128 random bits (22 characters of
# URL-safe base64); a client that brings its own (so that a retried request keeps it) must
# send as many characters of the same alphabet, at most 64.
RECEIPT_BYTES = 16
RECEIPT_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")


def new_receipt() -> str:
    """A receipt made by the Hub: 128 random bits from the system's secure source."""
    return secrets.token_urlsafe(RECEIPT_BYTES)


def looks_like_receipt(text: str) -> bool:
    """A receipt a client may choose: the Hub's alphabet, at least the Hub's length."""
    return RECEIPT_PATTERN.fullmatch(text) is not None
