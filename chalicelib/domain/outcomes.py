"""What a count decides: a vote's outcome, a poll's ranking, a petition's goal, a ranked
choice's instant runoff, a majority judgment's majority grades, a score's means, a dot
vote's totals. Each also says what its figures show (`shown_counts`, `breakdown`), from the
counts alone, so that a running tally shows them as a final result does.

Ties are broken by documented rules, never by lot: a recount gives the same result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from functools import cmp_to_key
from typing import Any

from chalicelib.domain.ballot import BEATS, FIRST, RANKED, Ballot
from chalicelib.domain.ballots import SIGNATURE, Counts
from chalicelib.domain.model import DecisionFunction, FunctionType


def outcome(
    function: DecisionFunction, counts: Counts, ballots: Sequence[Ballot] = ()
) -> dict[str, Any] | None:
    """What the count decides. A ranked choice's runoff needs the `ballots` themselves
    (the final recount has them); every other outcome follows from the counts."""
    if function.type is FunctionType.RANKED:
        return ranked_outcome(function, counts, ballots)
    if function.type is FunctionType.MAJORITY_JUDGMENT:
        return majority_judgment_outcome(function, counts)
    if function.type is FunctionType.SCORE:
        return score_outcome(function, counts)
    if function.type is FunctionType.DOT:
        return {**poll_outcome(function, counts), "points_per_voter": function.points_per_voter}
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


def _places(values: Iterable[tuple[str, Any]], **shown: dict[str, Any]) -> list[dict[str, Any]]:
    """Places of a ranking, best first, from (option, value) pairs given best first:
    options of equal value share a place, and the places after it skip as many ranks.
    `shown` adds, per field, each place's value of it (taken from its first option)."""
    places: list[dict[str, Any]] = []
    rank, previous = 0, object()
    for seen, (option, value) in enumerate(values, 1):
        if places and value == previous:
            places[-1]["options"].append(option)
            continue
        rank, previous = seen, value
        place = {"rank": rank, "options": [option]}
        place.update((name, figures[option]) for name, figures in shown.items())
        places.append(place)
    return places


def poll_outcome(function: DecisionFunction, counts: Counts) -> dict[str, Any]:
    """Options ranked by count (a dot vote's: by points); options with the same count
    share a rank (a tie)."""
    per_option = {option.id: counts.per_option.get(option.id, 0) for option in function.options}
    ordered = sorted(per_option.items(), key=lambda item: -item[1])
    ranking = _places(ordered, count=per_option)
    return {
        "result": "decided" if _quorum_reached(function, counts) else "no_quorum",
        "ranking": ranking,
        "tie_for_first": bool(ranking) and len(ranking[0]["options"]) > 1,
        "quorum": function.quorum,
    }


# ---------------------------------------------------------------- what the figures show


def shown_counts(function: DecisionFunction, counts: Counts) -> dict[str, int]:
    """One figure per option (zero included), as a bar chart draws it: a vote's, a poll's
    or a petition's counts, a ranking's first preferences, the number of grades an option
    received, a score's sum, a dot vote's points."""
    per_option = counts.per_option
    if function.type in (FunctionType.VOTE, FunctionType.POLL, FunctionType.PETITION):
        return dict(per_option)
    ids = [option.id for option in function.options]
    if function.type is FunctionType.RANKED:
        return {o: per_option.get(FIRST + o, 0) for o in ids}
    if function.type is FunctionType.MAJORITY_JUDGMENT:
        return {o: sum(per_option.get(f"{o}={g}", 0) for g in function.grades) for o in ids}
    return {o: per_option.get(o, 0) for o in ids}


def breakdown(function: DecisionFunction, counts: Counts) -> dict[str, Any] | None:
    """What a ranking, a majority judgment or a score shows beside one figure per option:
    the pairwise matrix, the grades per option, the scores' distribution and means."""
    ids = [option.id for option in function.options]
    per_option = counts.per_option
    if function.type is FunctionType.RANKED:
        return {"pairwise": pairwise(ids, per_option)}
    if function.type is FunctionType.MAJORITY_JUDGMENT:
        return {"grades": _grades(function, per_option)}
    if function.type is FunctionType.SCORE:
        scores = range((function.max_score or 0) + 1)
        return {
            "distribution": {
                o: {str(s): per_option.get(f"{o}={s}", 0) for s in scores} for o in ids
            },
            "mean": _means(ids, counts),
        }
    return None


def pairwise(ids: Sequence[str], per_option: dict[str, int]) -> dict[str, dict[str, int]]:
    """How many ballots rank a above b, for every a != b, an option ranked above every option
    left unranked: the ballots ranking a, less those ranking b above a (`Ballot.deltas`)."""
    return {
        a: {
            b: per_option.get(RANKED + a, 0) - per_option.get(f"{b}{BEATS}{a}", 0)
            for b in ids
            if b != a
        }
        for a in ids
    }


def condorcet_winner(ids: Sequence[str], matrix: dict[str, dict[str, int]]) -> str | None:
    """The option preferred to every other by more ballots than prefer the other, if any."""
    for a in ids:
        if all(matrix[a][b] > matrix[b][a] for b in ids if b != a):
            return a
    return None


def _means(ids: Sequence[str], counts: Counts) -> dict[str, float | None]:
    if not counts.ballots:
        return {o: None for o in ids}
    return {o: round(counts.per_option.get(o, 0) / counts.ballots, 4) for o in ids}


# ---------------------------------------------------------------- ranked choice


def ranked_outcome(
    function: DecisionFunction, counts: Counts, ballots: Sequence[Ballot]
) -> dict[str, Any]:
    """Instant runoff: each round counts every ballot for its best option still in the
    running; an option holding more than half of the ballots still counting wins; else the
    option with the fewest is eliminated and the next round counts again. A ballot ranking
    no option left is exhausted. The last option left wins.

    Ties for elimination go to the option with fewer ballots in the latest earlier round
    where the tied options differ (`tie_break: earlier_rounds`), and failing that to the
    option listed last in the debate (`tie_break: option_order`). The Condorcet winner, the
    option that beats every other head to head, is named too when there is one."""
    ids = [option.id for option in function.options]
    rounds = instant_runoff(ids, [ballot.choices for ballot in ballots])
    winner = rounds[-1].get("elected") if rounds else None
    return {
        "result": "decided" if _quorum_reached(function, counts) else "no_quorum",
        "winner": winner,
        "rounds": rounds,
        "condorcet_winner": condorcet_winner(ids, pairwise(ids, counts.per_option)),
        "quorum": function.quorum,
    }


def instant_runoff(ids: Sequence[str], rankings: Sequence[Sequence[str]]) -> list[dict[str, Any]]:
    """The rounds of an instant runoff over `rankings` (best first), options in `ids` order.
    Each round: `counts` of the options still running, `exhausted` ballots, then either the
    option `elected` or the one `eliminated` (with `tie_break` when a tie decided it)."""
    running = list(ids)
    history: list[dict[str, int]] = []
    rounds: list[dict[str, Any]] = []
    while running and rankings:
        tally = Counter({option: 0 for option in running})
        exhausted = 0
        for ranking in rankings:
            best = next((option for option in ranking if option in tally), None)
            if best is None:
                exhausted += 1
            else:
                tally[best] += 1
        history.append(dict(tally))
        current = {"counts": dict(tally), "exhausted": exhausted}
        rounds.append(current)
        active = len(rankings) - exhausted
        leader = max(running, key=lambda option: tally[option])
        if len(running) == 1 or (active and tally[leader] * 2 > active):
            current["elected"] = leader
            break
        loser, rule = _to_eliminate(running, history)
        current["eliminated"] = loser
        if rule:
            current["tie_break"] = rule
        running.remove(loser)
    return rounds


def _to_eliminate(running: list[str], history: list[dict[str, int]]) -> tuple[str, str | None]:
    fewest = min(history[-1][option] for option in running)
    tied = [option for option in running if history[-1][option] == fewest]
    if len(tied) == 1:
        return tied[0], None
    for earlier in reversed(history[:-1]):
        low = min(earlier[option] for option in tied)
        tied = [option for option in tied if earlier[option] == low]
        if len(tied) == 1:
            return tied[0], "earlier_rounds"
    return tied[-1], "option_order"


# ---------------------------------------------------------------- majority judgment


def _grades(function: DecisionFunction, per_option: dict[str, int]) -> dict[str, dict[str, int]]:
    return {
        option.id: {g: per_option.get(f"{option.id}={g}", 0) for g in function.grades}
        for option in function.options
    }


def majority_grade(scale: Sequence[str], grades: dict[str, int]) -> str | None:
    """The lower median grade: the best grade that more than half the grades reach."""
    total = sum(grades.values())
    reached = 0
    for grade in scale:
        reached += grades.get(grade, 0)
        if reached * 2 > total:
            return grade
    return None


def gauge(scale: Sequence[str], grades: dict[str, int]) -> tuple[str, str, Fraction] | None:
    """Balinski & Laraki's majority gauge: the majority grade, then `+` with the share of
    grades above it when more than the share below, else `-` with the share below."""
    grade = majority_grade(scale, grades)
    if grade is None:
        return None
    total = sum(grades.values())
    place = scale.index(grade)
    above = Fraction(sum(grades.get(g, 0) for g in scale[:place]), total)
    below = Fraction(sum(grades.get(g, 0) for g in scale[place + 1 :]), total)
    return (grade, "+", above) if above > below else (grade, "-", below)


def _gauges(scale: Sequence[str], grades: dict[str, int]) -> Iterator[tuple[int, int, Fraction]]:
    """An option's gauges, as sort keys (smaller is better), while its majority grade is
    taken away one at a time: the tie-break of majority judgment beyond the first gauge."""
    left = dict(grades)
    while (found := gauge(scale, left)) is not None:
        grade, sign, share = found
        yield (scale.index(grade), 0, -share) if sign == "+" else (scale.index(grade), 1, share)
        left[grade] -= 1


class _Judgment:
    """An option's gauges (`_gauges`), worked out as far as a comparison needs and once:
    options tied deep down are compared again and again by the sort, each time as far as
    one gauge per ballot."""

    def __init__(self, scale: Sequence[str], grades: dict[str, int]):
        self._left = _gauges(scale, grades)
        self._known: list[tuple[int, int, Fraction]] = []

    def __getitem__(self, n: int) -> tuple[int, int, Fraction] | None:
        while len(self._known) <= n:
            found = next(self._left, None)
            if found is None:
                return None
            self._known.append(found)
        return self._known[n]


def _compare_judgments(a: _Judgment, b: _Judgment) -> int:
    n = 0
    while (key_a := a[n]) is not None and (key_b := b[n]) is not None:
        if key_a != key_b:
            return -1 if key_a < key_b else 1
        n += 1
    return 0


def majority_judgment_outcome(function: DecisionFunction, counts: Counts) -> dict[str, Any]:
    """Each option's majority grade, and the options ranked by it: ties between options of
    the same majority grade broken by the majority gauge (more grades above it than below
    beats fewer; the larger share above, or the smaller share below, wins), then by taking
    the majority grade away one at a time. Options tied all the way share a rank."""
    scale = function.grades
    grades = _grades(function, counts.per_option)
    ids = [option.id for option in function.options]
    judgments = {o: _Judgment(scale, grades[o]) for o in ids}
    compare = cmp_to_key(lambda a, b: _compare_judgments(judgments[a], judgments[b]))
    ordered = sorted(ids, key=compare)
    grade_of = {o: majority_grade(scale, grades[o]) for o in ids}
    gauges = {o: gauge(scale, grades[o]) for o in ids}
    shown_gauge = {
        o: {"sign": g[1], "share": round(float(g[2]), 4)} if g else None for o, g in gauges.items()
    }
    ranking = _places(
        ((o, compare(o)) for o in ordered), majority_grade=grade_of, gauge=shown_gauge
    )
    return {
        "result": "decided" if _quorum_reached(function, counts) else "no_quorum",
        "ranking": ranking,
        "winner": ranking[0]["options"][0]
        if ranking and len(ranking[0]["options"]) == 1 and counts.ballots
        else None,
        "quorum": function.quorum,
    }


# ---------------------------------------------------------------- score


def score_outcome(function: DecisionFunction, counts: Counts) -> dict[str, Any]:
    """Options ranked by mean score (equal sums: the same mean, a shared rank)."""
    ids = [option.id for option in function.options]
    sums = {o: counts.per_option.get(o, 0) for o in ids}
    ordered = sorted(sums.items(), key=lambda item: -item[1])
    ranking = _places(ordered, mean=_means(ids, counts), total=sums)
    return {
        "result": "decided" if _quorum_reached(function, counts) else "no_quorum",
        "ranking": ranking,
        "tie_for_first": bool(ranking) and len(ranking[0]["options"]) > 1,
        "max_score": function.max_score,
        "quorum": function.quorum,
    }
