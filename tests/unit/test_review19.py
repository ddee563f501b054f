"""Issue 19 under a hostile review: the closer's outcomes on degenerate and large inputs
(a crash or a stall there blocks finalising a whole consultation)."""

from __future__ import annotations

import pytest

from chalicelib.domain import outcomes
from chalicelib.domain.ballot import GRADES, POINTS, RANKING, SCORES, Ballot
from chalicelib.domain.ballots import Counts, options_of
from chalicelib.domain.decisions import decision_function
from chalicelib.domain.model import FunctionType

OPTIONS = [f"Option {n}" for n in range(20)]


def function(kind: FunctionType, **settings):
    return decision_function(kind, options=OPTIONS, **settings)


def decide(f, ballots):
    return outcomes.outcome(f, Counts.of(ballots, options_of(f)), ballots)


def graded(f, grade_of):
    ids = sorted(o.id for o in f.options)
    return Ballot(tuple(ids), GRADES, tuple(grade_of(o) for o in ids))


def test_majority_judgment_of_many_equal_ballots_costs_a_gauge_per_ballot_per_option(
    monkeypatch,
):
    """Options graded alike are tied all the way down: each option's gauges are worked out
    once, not again for every comparison of the sort (2,000 ballots, 20 options tied took
    ~350,000 gauges; 100,000 ballots stalled the closer for minutes)."""
    f = function(FunctionType.MAJORITY_JUDGMENT)
    half = [graded(f, lambda o: "bien")] * 1000
    other = [graded(f, lambda o: "passable" if o in ("o1", "o2") else "bien")] * 999
    ballots = half + other + [graded(f, lambda o: "bien")]
    calls = 0
    real = outcomes.gauge

    def counted(*args):
        nonlocal calls
        calls += 1
        return real(*args)

    monkeypatch.setattr(outcomes, "gauge", counted)
    decided = decide(f, ballots)
    assert calls <= 20 * (len(ballots) + 2) + 20
    assert [len(place["options"]) for place in decided["ranking"]] == [18, 2]
    assert decided["ranking"][0]["majority_grade"] == "bien"
    assert decided["winner"] is None  # 18 options tied all the way


@pytest.mark.parametrize(
    ("kind", "ballots"),
    [
        (FunctionType.RANKED, []),
        (FunctionType.RANKED, [Ballot(("o3",), RANKING)] * 3),
        (FunctionType.RANKED, [Ballot((f"o{n}",), RANKING) for n in range(1, 21)]),
        (FunctionType.MAJORITY_JUDGMENT, []),
        (FunctionType.SCORE, []),
        (FunctionType.DOT, []),
        (FunctionType.DOT, [Ballot(("o1",), POINTS, ("10",))]),
        (
            FunctionType.SCORE,
            [Ballot(tuple(sorted(f"o{n}" for n in range(1, 21))), SCORES, ("0",) * 20)],
        ),
    ],
)
@pytest.mark.parametrize("quorum", [None, 1, 5])
def test_degenerate_counts_decide_without_crashing(kind, ballots, quorum):
    f = function(kind, quorum=quorum)
    decided = decide(f, ballots)
    assert decided["result"] == (
        "no_quorum" if quorum is not None and len(ballots) < quorum else "decided"
    )
    if kind is FunctionType.RANKED and len(ballots) == 20:
        # every option tied at one first preference: eliminations by the documented rule
        assert decided["winner"] == "o1"
        assert decided["rounds"][0]["tie_break"] == "option_order"
