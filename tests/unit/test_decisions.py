"""The rules a debate's decision function keeps, without HTTP: chalicelib/domain/decisions.py."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from chalicelib.domain.decisions import MAX_OPTIONS, check, decision_function
from chalicelib.domain.errors import ValidationFailed
from chalicelib.domain.model import FunctionType, PollOption, ResultsVisibility

POLL, VOTE, PETITION, NONE = (
    FunctionType.POLL,
    FunctionType.VOTE,
    FunctionType.PETITION,
    FunctionType.NONE,
)
OPTIONS = ("Lundi", "Mardi", "Mercredi")


def refusal(kind: FunctionType, **settings: Any) -> list[tuple[str, str]]:
    """The (field, code) of each rule the function breaks."""
    with pytest.raises(ValidationFailed) as raised:
        decision_function(kind, **settings)
    assert raised.value.code == "validation_failed"
    return [(found.field, found.code) for found in raised.value.details or ()]


def test_a_poll_gets_its_option_ids_and_asks_for_exactly_min_choices_by_default():
    poll = decision_function(POLL, options=OPTIONS, min_choices=2)
    assert poll.options == (
        PollOption("o1", "Lundi"),
        PollOption("o2", "Mardi"),
        PollOption("o3", "Mercredi"),
    )
    assert (poll.min_choices, poll.max_choices) == (2, 2)
    assert poll.results_visibility is ResultsVisibility.AFTER_CLOSE
    assert poll.allow_change is True


def test_a_secret_ballot_cannot_change_by_default_and_a_petition_shows_its_count_live():
    assert decision_function(VOTE, secret=True).allow_change is False
    petition = decision_function(PETITION, goal=500)
    assert (petition.goal, petition.allow_change) == (500, True)
    assert petition.results_visibility is ResultsVisibility.LIVE
    assert decision_function(NONE).type is NONE


@pytest.mark.parametrize("kind", [VOTE, POLL])
def test_a_secret_ballot_cannot_be_allowed_to_change(kind):
    options = OPTIONS if kind is POLL else ()
    refused = refusal(kind, options=options, secret=True, allow_change=True)
    assert refused == [("allow_change", "secret_is_final")]


@pytest.mark.parametrize(
    "options", [("Oui", "oui"), ("Été", "ÉTÉ"), ("Straße", "STRASSE"), ("a", "b", "a")]
)
def test_poll_options_are_distinct_whatever_their_case(options):
    assert refusal(POLL, options=options) == [("options", "duplicate_option")]


def test_a_poll_has_between_two_and_twenty_options():
    assert refusal(POLL, options=("Seule",)) == [("options", "too_short")]
    too_many = tuple(f"Option {n}" for n in range(MAX_OPTIONS + 1))
    assert refusal(POLL, options=too_many) == [("options", "too_long")]
    assert decision_function(POLL, options=too_many[:MAX_OPTIONS]).max_choices == 1


def test_the_choices_a_poll_asks_for_stay_within_its_options():
    assert refusal(POLL, options=OPTIONS, min_choices=4) == [
        ("min_choices", "above_options")  # said once, though max_choices follows it
    ]
    assert refusal(POLL, options=OPTIONS, max_choices=4) == [("max_choices", "above_options")]
    assert refusal(POLL, options=OPTIONS, min_choices=2, max_choices=1) == [
        ("max_choices", "below_min_choices")
    ]
    assert refusal(POLL, options=OPTIONS, min_choices=0) == [("min_choices", "greater_than_equal")]
    assert decision_function(POLL, options=OPTIONS, min_choices=1, max_choices=3).max_choices == 3


def test_every_broken_rule_is_named_at_once():
    refused = refusal(
        POLL, options=("a", "A"), min_choices=5, max_choices=1, secret=True, allow_change=True
    )
    assert refused == [
        ("allow_change", "secret_is_final"),
        ("options", "duplicate_option"),
        ("max_choices", "below_min_choices"),  # choices are not held to wrong options
    ]


@pytest.mark.parametrize(
    ("kind", "settings", "field", "code"),
    [
        (VOTE, {"threshold": 0}, "threshold", "greater_than"),
        (VOTE, {"threshold": 1.5}, "threshold", "less_than_equal"),
        (VOTE, {"quorum": 0}, "quorum", "greater_than_equal"),
        (POLL, {"options": OPTIONS, "quorum": 100_000_001}, "quorum", "less_than_equal"),
        (PETITION, {"goal": 0}, "goal", "greater_than_equal"),
    ],
)
def test_counts_and_thresholds_stay_within_their_bounds(kind, settings, field, code):
    assert refusal(kind, **settings) == [(field, code)]


def test_a_threshold_of_one_means_unanimity_and_is_allowed():
    assert decision_function(VOTE, threshold=1).threshold == 1


def test_changing_a_decision_keeps_the_same_rules():
    poll = decision_function(POLL, options=OPTIONS)
    with pytest.raises(ValidationFailed) as raised:
        check(replace(poll, secret=True, allow_change=True))
    assert [(d.field, d.code) for d in raised.value.details or ()] == [
        ("allow_change", "secret_is_final")
    ]
    check(replace(poll, secret=True, allow_change=False))  # nothing to refuse


def test_a_refusal_is_written_in_each_language():
    with pytest.raises(ValidationFailed) as raised:
        decision_function(POLL, options=("Oui", "oui"))
    assert raised.value.body("en")["error"]["details"] == [
        {"field": "options", "code": "duplicate_option", "message": "each option must be different"}
    ]
    assert raised.value.body("fr")["error"]["details"][0]["message"] == (
        "Chaque option doit être différente."
    )
