"""What a consultation publishes: its results as spreadsheet rows, and its arguments under
pseudonyms. Plain Python: the service (services/publication.py) reads, this decides.

A pseudonym stands for one author in one consultation: the same person is the same
pseudonym throughout that consultation's open data and another in every other one, so
documents cannot be joined to follow someone, and nobody without the Hub's secret can go
from a pseudonym back to a person (HMAC-SHA256 under a key derived from it).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.deliberation import Comment
from chalicelib.domain.model import Consultation

PSEUDONYM_PREFIX = "p-"
_PSEUDONYM_HEX = 12  # 48 bits: two authors of one consultation collide once in 10^14 pairs


def pseudonym(key: bytes, consultation_id: str, author_id: str) -> str:
    """The author's name in this consultation's open data: `p-` and 12 hex digits."""
    message = f"{consultation_id}\0{author_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:_PSEUDONYM_HEX]


def publishable(comment: Comment) -> bool:
    """Whether an argument goes into open data: not hidden by a moderator, not deleted, and
    still with its text (an erased author's comment keeps its place in the thread, never
    its text: there is nothing of it to publish)."""
    erased = getattr(comment, "author_erased", False)  # set by an erasure (issue 18)
    return not (comment.hidden or comment.deleted or erased or not comment.body)


def close_reason(consultation: Consultation) -> str:
    """Why ballots stopped: `closed_early` by an admin, else `schedule` (its closing date)."""
    return "closed_early" if consultation.closed_at is not None else "schedule"


def outcome_word(outcome: dict[str, Any] | None) -> str:
    """A decision's outcome in one word, for a spreadsheet cell: a vote's `adopted`,
    `rejected` or `no_quorum`; `decided` or `no_quorum` for a poll, a ranked choice, a
    majority judgment, a score or a dot vote; a petition's `goal_reached` or
    `goal_not_reached` (empty without a goal)."""
    if not outcome:
        return ""
    if "result" in outcome:
        return str(outcome["result"])
    if outcome.get("goal") is None:
        return ""
    return "goal_reached" if outcome.get("goal_reached") else "goal_not_reached"


# ---------------------------------------------------------------- results as rows

# What a debate's one figure per option (`counts`) is, by decision type: a row's `figure`.
FIGURES = {
    "vote": "ballots",
    "poll": "ballots",
    "petition": "signatures",
    "ranked": "first_preferences",
    "majority_judgment": "grades",
    "score": "score_total",
    "dot": "points",
}


@dataclass(frozen=True)
class ResultRow:
    """One row of a debate's results in a spreadsheet: an option's `count` of `figure`.

    `figure` is FIGURES' word for the option's own row, which also carries its `rank`, its
    `majority_grade` or its `mean`; a ranked choice's rounds are `round:<n>` (the ballots the
    option holds in that round, its `round_result`, the round's `exhausted` ballots); the
    breakdown's figures are `above:<other option>` (ballots ranking it above the other),
    `grade:<grade>` (ballots giving it that grade) and `score:<score>` (ballots giving it
    that score)."""

    option: str
    count: int
    figure: str
    round_result: str | None = None  # `elected` or `eliminated`
    tie_break: str | None = None  # how a tie for elimination was broken
    exhausted: int | None = None
    rank: int | None = None
    majority_grade: str | None = None
    mean: float | None = None


def method_rows(kind: str, options: Sequence[str], result: dict[str, Any]) -> Iterator[ResultRow]:
    """A debate's rows, from its final result as the API shows it (`counts`, `outcome`,
    `breakdown`): each option's own row in `options` order, then a ranked choice's rounds,
    then the breakdown's figures, option by option."""
    counts, outcome = result["counts"], result["outcome"]
    places = {
        option: place for place in outcome.get("ranking") or () for option in place["options"]
    }
    for option in options:
        place = places.get(option, {})
        yield ResultRow(
            option,
            counts.get(option, 0),
            FIGURES[kind],
            rank=place.get("rank"),
            majority_grade=place.get("majority_grade"),
            mean=place.get("mean"),
        )
    for number, runoff in enumerate(outcome.get("rounds") or (), 1):
        for option, count in runoff["counts"].items():
            won, lost = runoff.get("elected") == option, runoff.get("eliminated") == option
            yield ResultRow(
                option,
                count,
                f"round:{number}",
                round_result="elected" if won else "eliminated" if lost else None,
                tie_break=runoff.get("tie_break") if lost else None,
                exhausted=runoff["exhausted"],
            )
    breakdown = result.get("breakdown") or {}
    for name, prefix in (("pairwise", "above:"), ("grades", "grade:"), ("distribution", "score:")):
        for option in options if breakdown.get(name) else ():
            for other, count in breakdown[name][option].items():
                yield ResultRow(option, count, prefix + other)


def winner_of(kind: str, outcome: dict[str, Any] | None) -> str | None:
    """The option a count decided for: a ranked choice's runoff winner, a majority
    judgment's first (with its majority grade on its row), the first of a poll, a score
    (the best mean) or a dot vote. None when nothing was (below the quorum, a vote, a
    petition), when options tie for first, and without ballots."""
    if not outcome or outcome.get("result") != "decided":
        return None
    if kind in ("ranked", "majority_judgment"):
        return outcome.get("winner")
    ranking = outcome.get("ranking") or []
    if not ranking or outcome.get("tie_for_first"):
        return None
    return ranking[0]["options"][0]


# Characters a spreadsheet reads as the start of a formula (or that hide one behind them).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A value as a CSV cell a spreadsheet shows as text: None is empty, booleans are
    `true`/`false`, and text starting like a formula (`=`, `+`, `-`, `@`, a tab or a carriage
    return) gets a leading apostrophe, so that opening the file never runs what someone
    typed as a title or an option (OWASP's "CSV injection")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)  # a count, or a negative number that is not text
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_document(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 text (CRLF line ends, fields quoted when needed) after a UTF-8 byte order
    mark, which tells spreadsheets the encoding: accents open as written."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return "\ufeff" + out.getvalue()
