"""Ranked choice, majority judgment, score and dot votes, checked against their definitions.

Every ballot is made as the API makes it (`ballot_for`), for debates made as the API makes
them (`decision_function`). Each outcome is compared with a REFERENCE written here from the
textbook definition, from the raw ballots (never from the tally deltas the code counts
from): instant runoff round by round, the Condorcet winner by pairwise brute force, the
majority grade as the lower median of the expanded grades, the ranking by the majority
value (Balinski & Laraki), means and totals by plain sums.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from itertools import combinations_with_replacement
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.meter import item_size
from chalicelib.domain.ballot import Ballot
from chalicelib.domain.ballots import Counts, ballot_for, options_of
from chalicelib.domain.decisions import GRADES, MAX_OPTIONS, MAX_POINTS, MAX_SCORE
from chalicelib.domain.decisions import decision_function as make
from chalicelib.domain.ids import MAX_ID_BYTES, new_debate_id, new_id
from chalicelib.domain.model import DecisionFunction, FunctionType, PollOption
from chalicelib.domain.outcomes import breakdown, instant_runoff, outcome
from chalicelib.domain.tally import BALLOTS, BallotChange, tally_update
from chalicelib.store import ballots as ballot_store
from chalicelib.store.models.ballots import BallotMarkerItem

RANKED, MJ, SCORE, DOT = (
    FunctionType.RANKED,
    FunctionType.MAJORITY_JUDGMENT,
    FunctionType.SCORE,
    FunctionType.DOT,
)
FAST = settings(max_examples=150, deadline=None)


def labels(n: int) -> list[str]:
    return [f"Option {k}" for k in range(1, n + 1)]


def ids_of(function: DecisionFunction) -> list[str]:
    return [option.id for option in function.options]


# ---------------------------------------------------------------- strategies


@st.composite
def functions(draw: st.DrawFn, kind: FunctionType, low: int = 2, high: int = 5) -> Any:
    """A debate's function of `kind` as the API makes it, with its own settings drawn."""
    n = draw(st.integers(low, high))
    if kind is RANKED:
        max_ranks = draw(st.none() | st.integers(1, n))
        return make(kind, options=labels(n), max_ranks=max_ranks)
    if kind is MJ:
        size = draw(st.integers(3, len(GRADES)))
        scale = draw(st.sets(st.sampled_from(GRADES), min_size=size, max_size=size))
        return make(kind, options=labels(n), grades=sorted(scale, key=GRADES.index))
    if kind is SCORE:
        return make(kind, options=labels(n), max_score=draw(st.integers(1, MAX_SCORE)))
    return make(kind, options=labels(n), points_per_voter=draw(st.integers(1, MAX_POINTS)))


@st.composite
def sent_ballots(draw: st.DrawFn, function: DecisionFunction) -> dict[str, Any]:
    """A valid ballot for `function`, as a client sends it (its one field)."""
    ids = ids_of(function)
    if function.type is RANKED:
        order = draw(st.permutations(ids))
        return {"ranking": order[: draw(st.integers(1, function.max_ranks or len(ids)))]}
    if function.type is MJ:
        return {"grades": {o: draw(st.sampled_from(function.grades)) for o in ids}}
    if function.type is SCORE:
        return {"scores": {o: draw(st.integers(0, function.max_score)) for o in ids}}
    total = function.points_per_voter
    dots = draw(st.lists(st.sampled_from(ids), min_size=total, max_size=total))
    points = {o: dots.count(o) for o in ids}
    # A client may leave an option out or send it a 0: the same ballot either way.
    shown = draw(st.sets(st.sampled_from(ids)))
    return {"points": {o: n for o, n in points.items() if n or o in shown}}


def ballot(function: DecisionFunction, sent: dict[str, Any]) -> Ballot:
    return ballot_for(function, **sent)


@st.composite
def elections(draw: st.DrawFn, kind: FunctionType, low: int = 2, high: int = 5, most: int = 12):
    """A function and the ballots its voters sent."""
    function = draw(functions(kind, low, high))
    sent = draw(st.lists(sent_ballots(function), max_size=most))
    return function, sent


KINDS = st.sampled_from([RANKED, MJ, SCORE, DOT])


# ---------------------------------------------------------------- a ballot's stored form


@given(data=st.data(), kind=KINDS)
@FAST
def test_every_ballot_reads_back_from_its_key_and_fits_in_a_sort_key(data, kind):
    function = data.draw(functions(kind, MAX_OPTIONS, MAX_OPTIONS))
    made = ballot(function, data.draw(sent_ballots(function)))
    assert Ballot.from_key(made.key) == made
    assert len(made.key.encode()) <= 1024


def largest_ballots() -> dict[FunctionType, Ballot]:
    """The longest ballot of each kind at MAX_OPTIONS options."""
    ids = [f"o{n}" for n in range(1, MAX_OPTIONS + 1)]
    longest_grade = max(GRADES, key=len)
    # Points: as many two-digit amounts as MAX_POINTS allows, on the longest ids.
    points = {o: 0 for o in ids}
    left = MAX_POINTS
    for o in reversed(ids):
        points[o], left = min(10, left), left - min(10, left)
    return {
        RANKED: ballot(make(RANKED, options=labels(MAX_OPTIONS)), {"ranking": ids[::-1]}),
        MJ: ballot(
            make(MJ, options=labels(MAX_OPTIONS)), {"grades": dict.fromkeys(ids, longest_grade)}
        ),
        SCORE: ballot(
            make(SCORE, options=labels(MAX_OPTIONS), max_score=MAX_SCORE),
            {"scores": dict.fromkeys(ids, MAX_SCORE)},
        ),
        DOT: ballot(
            make(DOT, options=labels(MAX_OPTIONS), points_per_voter=MAX_POINTS),
            {"points": points},
        ),
    }


def marker_item_size(made: Ballot, voter_id: str) -> int:
    """The size DynamoDB counts for a voter's marker holding `made`, written by the store's
    own code (`cast_first`, the save intercepted), once changed (`changed_at` set too)."""
    written: list[dict] = []

    def save(item: BallotMarkerItem, **_: Any) -> None:
        written.append(item.serialize())

    debate_id = new_debate_id(new_id())  # 24 characters: its consultation's id, then its own
    debate = SimpleNamespace(id=debate_id, ballot_shards=64)  # the most shards: longest pk
    now = datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(BallotMarkerItem, "save", save)
        ballot_store.cast_first(debate, voter_id, made, now)
    (item,) = written
    assert item["choice"] == {"S": made.key}
    changed = {**item, "changed_at": {"S": item["cast_at"]["S"]}}
    return item_size(changed)


def test_the_largest_ballot_of_every_kind_keeps_its_marker_within_one_kilobyte():
    """With an id as identity providers issue them (a UUID `sub`), the largest ballot's
    marker, changed, stays one write unit. The largest is a majority judgment's."""
    sub = "0b6f2c1e-7d7e-4a53-9c1b-2d5f7b9a8e11"
    sizes = {kind: marker_item_size(made, sub) for kind, made in largest_ballots().items()}
    assert max(sizes.values()) <= 1024, sizes
    assert max(sizes, key=sizes.get) is MJ
    # Room left: ids up to about 110 bytes (docs/development.md, ballot costs).
    assert marker_item_size(largest_ballots()[MJ], "u" * 110) <= 1024
    assert all(len(made.key.encode()) <= 400 for made in largest_ballots().values())


def test_a_voter_id_at_the_longest_the_api_accepts_takes_a_marker_over_one_kilobyte():
    """What the bound above does not cover: token subjects may be up to MAX_ID_BYTES, and
    the voter's id is in the marker four times (sort key, owner index, voter_id). Such a marker
    costs 2 write units whatever its ballot, a plain vote's included (told to the lead)."""
    longest = "u" * MAX_ID_BYTES
    assert marker_item_size(Ballot(("yes",)), longest) > 1024


# ---------------------------------------------------------------- deltas are additive


@st.composite
def histories(draw: st.DrawFn, kind: FunctionType):
    """A function, and what 4 voters did in turn: cast, change (a new ballot) or withdraw."""
    function = draw(functions(kind, 2, 4))
    steps = draw(
        st.lists(
            st.tuples(st.integers(0, 3), st.none() | sent_ballots(function)),
            max_size=15,
        )
    )
    return function, steps


@given(data=st.data(), kind=KINDS)
@FAST
def test_a_tally_of_casts_changes_and_withdrawals_is_the_count_of_the_ballots_left(data, kind):
    function, steps = data.draw(histories(kind))
    current: dict[int, Ballot] = {}
    changes = []
    for sequence, (voter, sent) in enumerate(steps, 1):
        before = current.get(voter)
        after = ballot(function, sent) if sent is not None else None
        if before is None and after is None:
            continue
        if after is None:
            del current[voter]
        else:
            current[voter] = after
        partition = f"BALLOTS#d#{voter % 2}"
        changes.append(BallotChange("d", partition, str(sequence), before, after))
    update = tally_update(changes, {})
    deltas = dict(update.deltas)
    ballots = deltas.pop(BALLOTS, 0)
    counted = Counts.of(current.values(), options_of(function))
    assert Counts.of_tally(deltas, ballots, options_of(function)).same_as(counted)
    # Counts.of is the sum of the ballots' deltas, every key a result shows present.
    summed: Counter[str] = Counter()
    for made in current.values():
        summed.update(made.deltas())
    assert {k: v for k, v in counted.per_option.items() if v} == {
        k: v for k, v in summed.items() if v
    }
    assert set(options_of(function)) <= set(counted.per_option)


@given(data=st.data(), kind=KINDS)
@FAST
def test_adding_then_withdrawing_a_ballot_gives_back_the_same_counts(data, kind):
    function, sent = data.draw(elections(kind, most=6))
    extra = ballot(function, data.draw(sent_ballots(function)))
    made = [ballot(function, s) for s in sent]
    options = options_of(function)
    with_it = Counts.of([*made, extra], options)
    after = Counter(with_it.per_option)
    after.subtract(extra.deltas())
    assert Counts(dict(after), with_it.ballots - 1).same_as(Counts.of(made, options))


# ---------------------------------------------------------------- instant runoff: a reference


def first_continuing(ranking: list[str], continuing: list[str]) -> str | None:
    for option in ranking:
        if option in continuing:
            return option
    return None


def reference_runoff(ids: list[str], rankings: list[list[str]]) -> list[dict[str, Any]]:
    """Instant runoff from its definition. Each round, every ballot counts for its highest
    ranked option still continuing (none left: exhausted). An option with more than half of
    the ballots not exhausted is elected, as is the last one continuing. Else the option
    with the fewest is eliminated; a tie goes against the one with fewer in the latest
    earlier round that separates them, then against the one listed last."""
    if not rankings:
        return []
    continuing = list(ids)
    past: list[dict[str, int]] = []
    rounds = []
    while True:
        tops = [first_continuing(r, continuing) for r in rankings]
        votes = {o: tops.count(o) for o in continuing}
        exhausted = tops.count(None)
        past.append(votes)
        this = {"counts": votes, "exhausted": exhausted}
        rounds.append(this)
        majority = [o for o in continuing if 2 * votes[o] > len(rankings) - exhausted]
        if majority or len(continuing) == 1:
            this["elected"] = majority[0] if majority else continuing[0]
            return rounds

        def record(o: str) -> tuple[int, ...]:
            return tuple(round_[o] for round_ in reversed(past))  # this round, then back

        loser = min(continuing, key=lambda o: (record(o), -ids.index(o)))
        this["eliminated"] = loser
        level = [o for o in continuing if votes[o] == votes[loser]]
        if len(level) > 1:
            same_record = [o for o in level if record(o) == record(loser)]
            this["tie_break"] = "earlier_rounds" if len(same_record) == 1 else "option_order"
        continuing.remove(loser)


def prefers(ranking: list[str], a: str, b: str) -> bool:
    """This ranking puts a above b (an unranked option is below every ranked one)."""
    if a not in ranking:
        return False
    return b not in ranking or ranking.index(a) < ranking.index(b)


def reference_pairwise(ids: list[str], rankings: list[list[str]]) -> dict[str, dict[str, int]]:
    return {a: {b: sum(prefers(r, a, b) for r in rankings) for b in ids if b != a} for a in ids}


def reference_condorcet(ids: list[str], rankings: list[list[str]]) -> str | None:
    winners = [
        a
        for a in ids
        if all(
            sum(prefers(r, a, b) for r in rankings) > sum(prefers(r, b, a) for r in rankings)
            for b in ids
            if b != a
        )
    ]
    assert len(winners) <= 1
    return winners[0] if winners else None


def ranked_result(function: DecisionFunction, rankings: list[list[str]]) -> dict[str, Any]:
    made = [ballot(function, {"ranking": r}) for r in rankings]
    return outcome(function, Counts.of(made, options_of(function)), made)


@given(election=elections(RANKED, 2, 5, most=14))
@settings(max_examples=400, deadline=None)
def test_instant_runoff_matches_the_reference(election):
    function, sent = election
    rankings = [s["ranking"] for s in sent]
    ids = ids_of(function)
    result = ranked_result(function, rankings)
    expected = reference_runoff(ids, rankings)
    assert result["rounds"] == expected
    assert result["winner"] == (expected[-1]["elected"] if expected else None)
    assert result["condorcet_winner"] == reference_condorcet(ids, rankings)
    counts = Counts.of([ballot(function, s) for s in sent], options_of(function))
    assert breakdown(function, counts)["pairwise"] == reference_pairwise(ids, rankings)


@given(rankings=st.lists(st.permutations(["a", "b", "c"]).map(lambda r: r[:2]), max_size=9))
@FAST
def test_instant_runoff_of_truncated_rankings_counts_exhausted_ballots(rankings):
    """Every ballot ranks two of three options: once both are out, it is exhausted."""
    rounds = instant_runoff(["a", "b", "c"], rankings)
    assert rounds == reference_runoff(["a", "b", "c"], rankings)
    for round_ in rounds:
        assert sum(round_["counts"].values()) + round_["exhausted"] == len(rankings)


def test_a_single_option_is_elected_in_the_first_round():
    one = DecisionFunction(type=RANKED, options=(PollOption("o1", "Seul"),))
    result = ranked_result(one, [["o1"], ["o1"]])
    assert result["rounds"] == [{"counts": {"o1": 2}, "exhausted": 0, "elected": "o1"}]
    assert result["winner"] == "o1"
    assert result["condorcet_winner"] == "o1"  # no other to beat


def test_no_ballots_no_rounds_and_no_winner():
    result = ranked_result(make(RANKED, options=labels(3)), [])
    assert (result["rounds"], result["winner"], result["condorcet_winner"]) == ([], None, None)


def test_hand_counted_runoff_with_an_exhausted_ballot_and_a_tie_broken_by_earlier_rounds():
    """Nine ballots, options A B C D (o1..o4):

        3 x A      3 x B      1 x C,B      1 x C      1 x D,C

    Round 1: A 3, B 3, C 2, D 1 (no one above 4.5): D, the fewest, is out.
    Round 2: D's ballot goes to C: A 3, B 3, C 3, a three-way tie. In round 1 C had 2, A
             and B 3: C is out (earlier rounds).
    Round 3: C,B goes to B; C and D,C have no option left: 2 exhausted. A 3, B 4 of the 7
             ballots still counting: B has more than 3.5 and is elected.
    Head to head: B beats A 4-3, but B and C tie 3-3: no Condorcet winner."""
    function = make(RANKED, options=["A", "B", "C", "D"])
    a, b, c, d = ids_of(function)
    rankings = [[a]] * 3 + [[b]] * 3 + [[c, b], [c], [d, c]]
    result = ranked_result(function, rankings)
    assert result["rounds"] == [
        {"counts": {a: 3, b: 3, c: 2, d: 1}, "exhausted": 0, "eliminated": d},
        {
            "counts": {a: 3, b: 3, c: 3},
            "exhausted": 0,
            "eliminated": c,
            "tie_break": "earlier_rounds",
        },
        {"counts": {a: 3, b: 4}, "exhausted": 2, "elected": b},
    ]
    assert result["winner"] == b
    assert result["condorcet_winner"] is None


def test_a_tie_all_the_way_eliminates_the_option_listed_last():
    """Two ballots, A and B: 1-1 with no earlier round: B, listed last, is out; A wins."""
    function = make(RANKED, options=["A", "B"])
    a, b = ids_of(function)
    rounds = ranked_result(function, [[a], [b]])["rounds"]
    assert rounds[0]["eliminated"] == b
    assert rounds[0]["tie_break"] == "option_order"
    assert rounds[-1]["elected"] == a


# ---------------------------------------------------------------- majority judgment: a reference


def lower_median(scale: tuple[str, ...], grades: list[str]) -> str:
    """Of the grades sorted best first, the middle one; of the two middles, the worse."""
    ordered = sorted(grades, key=scale.index)
    return ordered[len(ordered) // 2]


def majority_value(scale: tuple[str, ...], grades: list[str]) -> tuple[int, ...]:
    """Balinski & Laraki's majority value: the majority grade, then that of the grades left
    once it is taken away, and so on (as scale positions: smaller is better)."""
    left = list(grades)
    value = []
    while left:
        median = lower_median(scale, left)
        value.append(scale.index(median))
        left.remove(median)
    return tuple(value)


def places(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o: place for place in result["ranking"] for o in place["options"]}


def mj_result(function: DecisionFunction, sent: list[dict]) -> dict[str, Any]:
    made = [ballot(function, s) for s in sent]
    return outcome(function, Counts.of(made, options_of(function)))


def check_majority_judgment(function: DecisionFunction, sent: list[dict]) -> None:
    scale, ids = function.grades, ids_of(function)
    given_grades = {o: [s["grades"][o] for s in sent] for o in ids}
    result = mj_result(function, sent)
    place = places(result)
    assert sorted(place) == sorted(ids)
    for o in ids:
        expected = lower_median(scale, given_grades[o]) if sent else None
        assert place[o]["majority_grade"] == expected
    value = {o: majority_value(scale, given_grades[o]) for o in ids}
    for a in ids:
        for b in ids:
            if value[a] < value[b]:
                assert place[a]["rank"] < place[b]["rank"], (a, b, given_grades)
            elif value[a] == value[b]:
                assert place[a]["rank"] == place[b]["rank"], (a, b, given_grades)
    best = [o for o in ids if value[o] == min(value.values())]
    assert result["winner"] == (best[0] if sent and len(best) == 1 else None)


@given(election=elections(MJ, 2, 4, most=10))
@settings(max_examples=600, deadline=None)
def test_majority_judgment_ranks_by_the_majority_value(election):
    check_majority_judgment(*election)


@given(data=st.data())
@settings(max_examples=600, deadline=None)
def test_majority_judgment_on_a_short_scale_with_many_ties(data):
    """Three grades, few voters: ties of majority grade and of gauge are frequent."""
    function = make(MJ, options=labels(3), grades=["excellent", "bien", "a_rejeter"])
    sent = data.draw(st.lists(sent_ballots(function), max_size=8))
    check_majority_judgment(function, sent)


def test_hand_counted_majority_judgment_decided_by_the_gauge():
    """Five voters grade A and B (default scale):

        A: excellent, bien, bien, bien, a_rejeter       majority grade bien
        B: tres_bien, bien, bien, passable, passable    majority grade bien

    Same majority grade: the gauge decides. A has 1/5 above bien and 1/5 below (not more
    above than below: sign -, 1/5 below); B 1/5 above and 2/5 below (sign -, 2/5 below).
    Both on the - side, the smaller share below wins: A first, B second. (Majority value:
    A bien, bien, bien...; B bien, passable...: the same order.)"""
    function = make(MJ, options=["A", "B"])
    a, b = ids_of(function)
    grades_a = ["excellent", "bien", "bien", "bien", "a_rejeter"]
    grades_b = ["tres_bien", "bien", "bien", "passable", "passable"]
    sent = [{"grades": {a: ga, b: gb}} for ga, gb in zip(grades_a, grades_b, strict=True)]
    result = mj_result(function, sent)
    assert result["ranking"] == [
        {
            "rank": 1,
            "options": [a],
            "majority_grade": "bien",
            "gauge": {"sign": "-", "share": 0.2},
        },
        {
            "rank": 2,
            "options": [b],
            "majority_grade": "bien",
            "gauge": {"sign": "-", "share": 0.4},
        },
    ]
    assert result["winner"] == a


# ---------------------------------------------------------------- score and dot


def rank_by(values: dict[str, Any]) -> dict[str, int]:
    """Competition ranking, higher first: 1 + how many do strictly better."""
    return {o: 1 + sum(v > values[o] for v in values.values()) for o in values}


@given(election=elections(SCORE, 2, 6, most=12))
@FAST
def test_score_means_distribution_and_ranking_match_plain_sums(election):
    function, sent = election
    ids = ids_of(function)
    made = [ballot(function, s) for s in sent]
    counts = Counts.of(made, options_of(function))
    result = outcome(function, counts)
    given_scores = {o: [s["scores"][o] for s in sent] for o in ids}
    place = places(result)
    means = {o: sum(v) / len(v) if v else None for o, v in given_scores.items()}
    for o in ids:
        assert place[o]["total"] == sum(given_scores[o])
    assert {o: place[o]["rank"] for o in ids} == rank_by({o: sum(given_scores[o]) for o in ids})
    shown = breakdown(function, counts)
    assert shown["mean"] == {o: None if m is None else round(m, 4) for o, m in means.items()}
    assert shown["distribution"] == {
        o: {str(k): given_scores[o].count(k) for k in range(function.max_score + 1)} for o in ids
    }


@given(election=elections(DOT, 2, 6, most=12))
@FAST
def test_dot_totals_and_ranking_match_plain_sums(election):
    function, sent = election
    ids = ids_of(function)
    made = [ballot(function, s) for s in sent]
    result = outcome(function, Counts.of(made, options_of(function)))
    totals = {o: sum(s["points"].get(o, 0) for s in sent) for o in ids}
    assert sum(totals.values()) == len(sent) * function.points_per_voter
    place = places(result)
    assert {o: place[o]["rank"] for o in ids} == rank_by(totals)
    for o in ids:
        assert place[o]["count"] == totals[o]


@pytest.mark.parametrize(
    ("scale", "most"),
    [
        (("excellent", "assez_bien", "a_rejeter"), 10),
        (("excellent", "bien", "passable", "a_rejeter"), 6),
    ],
)
def test_the_gauge_never_ranks_against_the_majority_value_exhaustively(scale, most):
    """Every pair of options graded by the same voters, up to `most` of them: the ranking
    by gauges (then gauges once the majority grade is taken away) is the majority value's.
    Balinski & Laraki prove the majority gauge agrees with the majority value whenever it
    decides; this checks the code keeps that, ties (as many above as below) included."""
    function = make(MJ, options=["A", "B"], grades=list(scale))
    a, b = ids_of(function)
    for voters in range(1, most + 1):
        profiles = list(combinations_with_replacement(scale, voters))
        for grades_a in profiles:
            for grades_b in profiles:
                per_option = Counter(f"{a}={g}" for g in grades_a)
                per_option.update(f"{b}={g}" for g in grades_b)
                place = places(outcome(function, Counts(dict(per_option), voters)))
                va = majority_value(scale, list(grades_a))
                vb = majority_value(scale, list(grades_b))
                assert (va < vb, va == vb) == (
                    place[a]["rank"] < place[b]["rank"],
                    place[a]["rank"] == place[b]["rank"],
                ), (grades_a, grades_b)
