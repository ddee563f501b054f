"""Outcomes: quorum, threshold (exactly met is enough), ties, poll rankings, petition goals."""

from __future__ import annotations

from chalicelib.domain.ballots import Counts
from chalicelib.domain.model import DecisionFunction, FunctionType, PollOption
from chalicelib.domain.outcomes import outcome


def vote(quorum=None, threshold=None):
    return DecisionFunction(type=FunctionType.VOTE, quorum=quorum, threshold=threshold)


def counts(yes=0, no=0, abstain=0):
    return Counts({"yes": yes, "no": no, "abstain": abstain}, yes + no + abstain)


def test_a_simple_majority_adopts():
    assert outcome(vote(), counts(yes=3, no=2))["result"] == "adopted"
    assert outcome(vote(), counts(yes=2, no=3))["result"] == "rejected"


def test_a_tie_is_rejected_even_at_a_half_threshold():
    assert outcome(vote(), counts(yes=2, no=2))["result"] == "rejected"
    assert outcome(vote(threshold=0.5), counts(yes=2, no=2))["result"] == "rejected"


def test_a_threshold_exactly_met_adopts():
    result = outcome(vote(threshold=2 / 3), counts(yes=2, no=1))
    assert result["result"] == "adopted"
    assert result["yes_share"] == 2 / 3
    assert outcome(vote(threshold=0.6), counts(yes=3, no=2))["result"] == "adopted"
    assert outcome(vote(threshold=0.61), counts(yes=3, no=2))["result"] == "rejected"


def test_abstentions_count_for_the_quorum_not_for_the_share():
    assert outcome(vote(quorum=5), counts(yes=2, no=1, abstain=2))["result"] == "adopted"
    assert outcome(vote(quorum=6), counts(yes=2, no=1, abstain=2))["result"] == "no_quorum"
    assert outcome(vote(), counts(abstain=4))["result"] == "rejected"


def test_quorum_not_reached_wins_over_a_majority():
    assert outcome(vote(quorum=10), counts(yes=9))["result"] == "no_quorum"


POLL = DecisionFunction(
    type=FunctionType.POLL,
    options=(PollOption("o1", "A"), PollOption("o2", "B"), PollOption("o3", "C")),
    min_choices=1,
    max_choices=2,
)


def test_a_poll_ranks_options_and_reports_ties_as_ties():
    result = outcome(POLL, Counts({"o1": 4, "o2": 7, "o3": 4}, 9))
    assert result["ranking"] == [
        {"count": 7, "options": ["o2"], "rank": 1},
        {"count": 4, "options": ["o1", "o3"], "rank": 2},
    ]
    assert result["tie_for_first"] is False
    tied = outcome(POLL, Counts({"o1": 5, "o2": 5, "o3": 1}, 6))
    assert tied["tie_for_first"] is True
    assert tied["ranking"][1]["rank"] == 3


def test_a_petition_reaches_its_goal_at_exactly_the_goal():
    petition = DecisionFunction(type=FunctionType.PETITION, goal=3)
    assert outcome(petition, Counts({"signed": 3}, 3))["goal_reached"] is True
    assert outcome(petition, Counts({"signed": 2}, 2))["goal_reached"] is False
    no_goal = DecisionFunction(type=FunctionType.PETITION)
    assert outcome(no_goal, Counts({"signed": 2}, 2)) == {
        "signatures": 2,
        "goal": None,
        "goal_reached": False,
    }
