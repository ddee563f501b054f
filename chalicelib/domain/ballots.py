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

from chalicelib.domain.ballot import FIRST, GRADES, POINTS, RANKED, RANKING, SCORES, Ballot
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


# The field each kind of decision takes its ballot in.
BALLOT_FIELDS: dict[FunctionType, str] = {
    FunctionType.VOTE: "choice",
    FunctionType.POLL: "choices",
    FunctionType.PETITION: "sign",
    FunctionType.RANKED: "ranking",
    FunctionType.MAJORITY_JUDGMENT: "grades",
    FunctionType.SCORE: "scores",
    FunctionType.DOT: "points",
}


def ballot_for(function: DecisionFunction, **sent: Any) -> Ballot:
    """Check a ballot against the debate's function; 422 `invalid_ballot` naming the field.
    `sent` holds the ballot's fields (`choice`, `choices`, `sign`, `ranking`, `grades`,
    `scores`, `points`), None when not sent."""
    given = {name for name, value in sent.items() if value is not None}
    expected = BALLOT_FIELDS.get(function.type)
    if expected is None:
        raise refused("body", "no_ballot")
    if given != {expected}:
        raise refused(expected, "only", kind=function.type.value, field=expected)
    value = sent[expected]
    if function.type is FunctionType.VOTE:
        if value not in VOTE_CHOICES:
            raise refused("choice", "choice")
        return Ballot((value,))
    if function.type is FunctionType.PETITION:
        if value is not True:
            raise refused("sign", "sign")
        return Ballot((SIGNATURE,))
    known = [option.id for option in function.options]
    if function.type is FunctionType.POLL:
        _known_once("choices", value, known)
        low, high = function.min_choices or 1, function.max_choices or 1
        if not low <= len(value) <= high:
            raise refused("choices", "count", low=low, high=high)
        return Ballot(tuple(sorted(value)))
    if function.type is FunctionType.RANKED:
        _known_once("ranking", value, known)
        high = function.max_ranks or len(known)
        if not 1 <= len(value) <= high:
            raise refused("ranking", "count_ranks", low=1, high=high)
        return Ballot(tuple(value), RANKING)
    return _marked(function, expected, value, known)


def _known_once(field_name: str, chosen: list[str], known: list[str]) -> None:
    if len(set(chosen)) != len(chosen):
        raise refused(field_name, "repeated")
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise refused(field_name, "unknown_options", options=", ".join(map(str, unknown)))


def _marked(function: DecisionFunction, field_name: str, marks: dict, known: list[str]) -> Ballot:
    """A majority-judgment, score or dot ballot: a mark per option. Grades and scores mark
    every option; points go to some, adding up to the points each voter has."""
    unknown = [option for option in marks if option not in known]
    if unknown:
        raise refused(field_name, "unknown_options", options=", ".join(map(str, unknown)))
    if function.type is FunctionType.DOT:
        if any(type(n) is not int or n < 0 for n in marks.values()):
            raise refused(field_name, "points")
        spent = sum(marks.values())
        if spent != function.points_per_voter:
            raise refused(field_name, "points_total", total=function.points_per_voter, spent=spent)
        given = {option: str(n) for option, n in marks.items() if n}
        return Ballot(tuple(sorted(given)), POINTS, tuple(given[o] for o in sorted(given)))
    missing = [option for option in known if option not in marks]
    if missing:
        raise refused(field_name, "unmarked", options=", ".join(missing))
    if function.type is FunctionType.MAJORITY_JUDGMENT:
        if any(grade not in function.grades for grade in marks.values()):
            raise refused(field_name, "grade", grades=", ".join(function.grades))
        form = GRADES
        shown = dict(marks)
    else:
        top = function.max_score or 0
        if any(type(n) is not int or not 0 <= n <= top for n in marks.values()):
            raise refused(field_name, "score", high=top)
        form = SCORES
        shown = {option: str(n) for option, n in marks.items()}
    return Ballot(tuple(sorted(shown)), form, tuple(shown[o] for o in sorted(shown)))


def ballot_fields(ballot: Ballot) -> dict[str, Any]:
    """A ballot as its voter sent it: the one field of its kind (`choice` for a vote is
    told by the caller, who knows the debate's function: see `shown_ballot`)."""
    if ballot.form == RANKING:
        return {"ranking": list(ballot.choices)}
    if ballot.form == GRADES:
        return {"grades": ballot.marked}
    if ballot.form == SCORES:
        return {"scores": {option: int(n) for option, n in ballot.marked.items()}}
    if ballot.form == POINTS:
        return {"points": {option: int(n) for option, n in ballot.marked.items()}}
    return {"choices": list(ballot.choices)}


def shown_ballot(function: DecisionFunction, ballot: Ballot) -> dict[str, Any]:
    """A ballot in the very field its voter sent it in."""
    if function.type is FunctionType.VOTE:
        return {"choice": ballot.choices[0]}
    if function.type is FunctionType.PETITION:
        return {"sign": True}
    return ballot_fields(ballot)


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
    **{
        kind: ("options", setting, "secret", "results_visibility", "allow_change", "quorum")
        for kind, setting in (
            (FunctionType.RANKED, "max_ranks"),
            (FunctionType.MAJORITY_JUDGMENT, "grades"),
            (FunctionType.SCORE, "max_score"),
            (FunctionType.DOT, "points_per_voter"),
        )
    },
}


def describe(function: DecisionFunction) -> dict[str, Any]:
    """A decision function as plain data: its type and the settings that kind has (the API's
    answer, and what the audit log records of a change)."""
    body: dict[str, Any] = {"type": function.type.value}
    for name in FUNCTION_FIELDS[function.type]:
        value = getattr(function, name)
        if name == "options":
            value = [{"id": option.id, "label": option.label} for option in value]
        elif name == "grades":
            value = list(value)
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
    by: str | None = None  # a proxy ballot: the holder who cast it for the voter


def may_change(function: DecisionFunction) -> bool:
    """Whether a voter may change or withdraw the ballot they cast. Never a secret one: the
    Hub cannot tell a secret ballot's choice from its voter (decisions.py refuses
    `allow_change` with `secret`; this holds for debates saved before that rule too)."""
    return bool(function.allow_change) and not function.secret


def options_of(function: DecisionFunction) -> tuple[str, ...]:
    """Every count key a result shows, zero included (a ranking's pairs show when counted:
    see `Ballot.deltas`)."""
    if function.type is FunctionType.VOTE:
        return VOTE_CHOICES
    if function.type is FunctionType.PETITION:
        return (SIGNATURE,)
    ids = tuple(option.id for option in function.options)
    if function.type is FunctionType.RANKED:
        return tuple(FIRST + o for o in ids) + tuple(RANKED + o for o in ids)
    if function.type is FunctionType.MAJORITY_JUDGMENT:
        return tuple(f"{o}={grade}" for o in ids for grade in function.grades)
    if function.type is FunctionType.SCORE:
        scores = range((function.max_score or 0) + 1)
        return ids + tuple(f"{o}={score}" for o in ids for score in scores)
    return ids


@dataclass(frozen=True)
class Counts:
    """A count: what the ballots add up to per tally key (`Ballot.deltas`: per option for a
    vote, a poll, a petition, a score's sum or a dot vote's points; first preferences and
    pairs for a ranking, grades per option...), and the number of ballots."""

    per_option: dict[str, int]
    ballots: int

    @classmethod
    def of(cls, ballots: Iterable[Ballot], options: Iterable[str]) -> Counts:
        per_option = Counter({option: 0 for option in options})
        total = 0
        for ballot in ballots:
            total += 1
            per_option.update(ballot.deltas())
        return cls(dict(per_option), total)

    @classmethod
    def of_tally(cls, counts: dict[str, int], ballots: int, options: Iterable[str]) -> Counts:
        """A running tally's counts, the keys a result shows zero included."""
        per_option = {option: 0 for option in options}
        per_option.update((key, int(n)) for key, n in counts.items() if n)
        return cls(per_option, ballots)

    def same_as(self, other: Counts) -> bool:
        """The same figures, keys counting zero aside."""
        return self.ballots == other.ballots and _nonzero(self) == _nonzero(other)


def _nonzero(counts: Counts) -> dict[str, int]:
    return {key: n for key, n in counts.per_option.items() if n}


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
