"""What a count decides: a vote's outcome, a poll's ranking, a petition's goal."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from chalicelib.domain.ballots import SIGNATURE, Counts
from chalicelib.domain.model import DecisionFunction, FunctionType


def outcome(function: DecisionFunction, counts: Counts) -> dict[str, Any] | None:
    if function.type is FunctionType.VOTE:
        return vote_outcome(function, counts)
    if function.type is FunctionType.POLL:
        return poll_outcome(function, counts)
    if function.type is FunctionType.PETITION:
        signatures = counts.per_option.get(SIGNATURE, 0)
        return {
            "signatures": signatures,
            "goal": function.goal,
            "goal_reached": function.goal is not None and signatures >= function.goal,
        }
    return None


def _quorum_reached(function: DecisionFunction, counts: Counts) -> bool:
    """The quorum counts ballots cast, abstentions included."""
    return function.quorum is None or counts.ballots >= function.quorum


def vote_outcome(function: DecisionFunction, counts: Counts) -> dict[str, Any]:
    """`adopted` when yes outnumbers no and the share of yes among yes+no reaches the
    threshold (exactly meeting it is enough); a tie is rejected; `no_quorum` first."""
    yes, no = counts.per_option.get("yes", 0), counts.per_option.get("no", 0)
    share = Fraction(yes, yes + no) if yes + no else None
    threshold = Fraction(str(function.threshold)) if function.threshold is not None else None
    majority = share is not None and yes > no  # a tie is rejected
    if not _quorum_reached(function, counts):
        result = "no_quorum"
    elif majority and (threshold is None or share >= threshold):
        result = "adopted"
    else:
        result = "rejected"
    return {
        "result": result,
        "yes_share": float(share) if share is not None else None,
        "quorum": function.quorum,
        "threshold": function.threshold,
    }


def poll_outcome(function: DecisionFunction, counts: Counts) -> dict[str, Any]:
    """Options ranked by count; options with the same count share a rank (a tie)."""
    ranking: list[dict[str, Any]] = []
    for option in function.options:
        count = counts.per_option.get(option.id, 0)
        same = next((place for place in ranking if place["count"] == count), None)
        if same:
            same["options"].append(option.id)
        else:
            ranking.append({"count": count, "options": [option.id]})
    ranking.sort(key=lambda place: -place["count"])
    rank = 1
    for place in ranking:
        place["rank"] = rank
        rank += len(place["options"])
    return {
        "result": "decided" if _quorum_reached(function, counts) else "no_quorum",
        "ranking": ranking,
        "tie_for_first": bool(ranking) and len(ranking[0]["options"]) > 1,
        "quorum": function.quorum,
    }
