"""What a debate may decide, and the rules a decision function keeps.

Creating or changing a debate's decision goes through `decision_function`: it fills in the
defaults and refuses, with ValidationFailed naming each field (relative to the function:
`options`, `max_choices`...), every rule the function breaks. The API only translates its
JSON into these arguments; whoever else builds a decision gets the same rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.errors import Detail, ValidationFailed, detail
from chalicelib.domain.model import (
    DecisionFunction,
    FunctionType,
    PollOption,
    ResultsVisibility,
)

MIN_OPTIONS, MAX_OPTIONS = 2, 20  # a poll's (ranked, graded...) options: a ballot stays < 1 KB
# Majority judgment's scale, best first (labels in the messages, `grade.<id>`): a debate uses
# it, or at least MIN_GRADES of its grades, in this order.
GRADES = ("excellent", "tres_bien", "bien", "assez_bien", "passable", "insuffisant", "a_rejeter")
MIN_GRADES = 3
DEFAULT_MAX_SCORE, MAX_SCORE = 5, 10
DEFAULT_POINTS, MAX_POINTS = 10, 100
# The kinds whose ballots are about options, as a poll's are.
WITH_OPTIONS = (
    FunctionType.POLL,
    FunctionType.RANKED,
    FunctionType.MAJORITY_JUDGMENT,
    FunctionType.SCORE,
    FunctionType.DOT,
)
MIN_QUORUM, MAX_QUORUM = 1, 100_000_000  # ballots a vote or poll needs; a petition's goal


def decision_function(
    kind: FunctionType,
    *,
    options: Sequence[str] = (),
    min_choices: int = 1,
    max_choices: int | None = None,
    secret: bool = False,
    results_visibility: ResultsVisibility | None = None,
    allow_change: bool | None = None,
    quorum: int | None = None,
    threshold: float | None = None,
    goal: int | None = None,
    max_ranks: int | None = None,
    grades: Sequence[str] | None = None,
    max_score: int | None = None,
    points_per_voter: int | None = None,
) -> DecisionFunction:
    """The decision function of `kind`, defaults filled in, or ValidationFailed naming every
    rule it breaks.

    Defaults: a ballot may change unless it is secret; a poll asks for exactly
    `min_choices` choices unless `max_choices` says more; a ranking may rank every option; a
    majority judgment grades on the seven grades of GRADES; scores go from 0 to 5; a voter
    spreads 10 points. Results show after the close, a petition's signatures live. Options
    get the ids `o1`, `o2`... in the order given.
    """
    if kind is FunctionType.NONE:
        return DecisionFunction(type=kind)
    if kind is FunctionType.PETITION:
        function = DecisionFunction(
            type=kind,
            goal=goal,
            results_visibility=results_visibility or ResultsVisibility.LIVE,
            allow_change=True if allow_change is None else allow_change,
        )
    else:
        function = DecisionFunction(
            type=kind,
            secret=secret,
            results_visibility=results_visibility or ResultsVisibility.AFTER_CLOSE,
            allow_change=(not secret) if allow_change is None else allow_change,
            quorum=quorum,
            threshold=threshold if kind is FunctionType.VOTE else None,
            options=tuple(PollOption(f"o{n}", label) for n, label in enumerate(options, 1)),
            min_choices=min_choices if kind is FunctionType.POLL else None,
            max_choices=(max_choices or min_choices) if kind is FunctionType.POLL else None,
            max_ranks=max_ranks if kind is FunctionType.RANKED else None,
            grades=tuple(grades or GRADES) if kind is FunctionType.MAJORITY_JUDGMENT else (),
            max_score=(max_score or DEFAULT_MAX_SCORE) if kind is FunctionType.SCORE else None,
            points_per_voter=(
                (points_per_voter or DEFAULT_POINTS) if kind is FunctionType.DOT else None
            ),
        )
    check(function)
    return function


def check(function: DecisionFunction) -> None:
    """ValidationFailed naming every rule `function` breaks, in the order of its fields."""
    problems = [*_ballot_problems(function), *_count_problems(function)]
    if function.type in WITH_OPTIONS:
        problems += _options_problems(function)
    if function.type is FunctionType.POLL:
        problems += _choices_problems(function)
    problems += _method_problems(function)
    if problems:
        raise ValidationFailed(details=problems)


def _ballot_problems(function: DecisionFunction) -> list[Detail]:
    # The Hub cannot tell a secret ballot's choice from its voter: it could not change it.
    if function.secret and function.allow_change:
        return [detail("allow_change", "secret_is_final")]
    return []


def _count_problems(function: DecisionFunction) -> list[Detail]:
    problems = []
    for name in ("quorum", "goal"):
        value = getattr(function, name)
        if value is not None and value < MIN_QUORUM:
            problems.append(detail(name, "greater_than_equal", ge=MIN_QUORUM))
        elif value is not None and value > MAX_QUORUM:
            problems.append(detail(name, "less_than_equal", le=MAX_QUORUM))
    threshold = function.threshold
    if threshold is not None and threshold <= 0:
        problems.append(detail("threshold", "greater_than", gt=0))
    elif threshold is not None and threshold > 1:
        problems.append(detail("threshold", "less_than_equal", le=1))
    return problems


def _options_problems(function: DecisionFunction) -> list[Detail]:
    """Distinct options, as many as a poll (a ranking...) takes."""
    labels = [option.label for option in function.options]
    if len(labels) < MIN_OPTIONS:
        return [detail("options", "too_short", min_length=MIN_OPTIONS, actual_length=len(labels))]
    if len(labels) > MAX_OPTIONS:
        return [detail("options", "too_long", max_length=MAX_OPTIONS, actual_length=len(labels))]
    if len({label.casefold() for label in labels}) != len(labels):
        return [detail("options", "duplicate_option")]
    return []


def _method_problems(function: DecisionFunction) -> list[Detail]:
    """A ranking's, majority judgment's, score's or dot vote's own settings."""
    count = len(function.options)
    options_right = not _options_problems(function)
    problems = []
    if function.max_ranks is not None:
        if function.max_ranks < 1:
            problems.append(detail("max_ranks", "greater_than_equal", ge=1))
        elif options_right and function.max_ranks > count:
            problems.append(detail("max_ranks", "above_options.max_ranks"))
    if function.type is FunctionType.MAJORITY_JUDGMENT:
        grades = list(function.grades)
        if any(grade not in GRADES for grade in grades):
            problems.append(detail("grades", "unknown_grades", grades=", ".join(GRADES)))
        elif len(set(grades)) != len(grades) or grades != sorted(grades, key=GRADES.index):
            problems.append(detail("grades", "grade_order"))
        elif len(grades) < MIN_GRADES:
            problems.append(
                detail("grades", "too_short", min_length=MIN_GRADES, actual_length=len(grades))
            )
    for name, top in (("max_score", MAX_SCORE), ("points_per_voter", MAX_POINTS)):
        value = getattr(function, name)
        if value is not None and value < 1:
            problems.append(detail(name, "greater_than_equal", ge=1))
        elif value is not None and value > top:
            problems.append(detail(name, "less_than_equal", le=top))
    return problems


def _choices_problems(function: DecisionFunction) -> list[Detail]:
    """A poll's choices asked for within the options; whether they fit the options is only
    judged once the options are right."""
    problems = []
    labels = function.options
    options_right = not _options_problems(function)
    low = function.min_choices or 0
    high = function.max_choices
    floor = 1  # what max_choices is held to when min_choices is itself wrong
    if low < 1:
        problems.append(detail("min_choices", "greater_than_equal", ge=1))
    elif options_right and low > len(labels):
        problems.append(detail("min_choices", "above_options.min_choices"))
    else:
        floor = low
    # max_choices equal to min_choices (its default) breaks whatever rule min_choices was
    # refused for: said once, on min_choices.
    if high is None or high == low:
        pass
    elif high < floor:
        problems.append(detail("max_choices", "below_min_choices"))
    elif options_right and high > len(labels):
        problems.append(detail("max_choices", "above_options.max_choices"))
    return problems
