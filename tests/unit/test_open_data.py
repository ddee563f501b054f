"""What a consultation publishes, decided in plain Python (chalicelib/domain/open_data.py)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from chalicelib.domain.open_data import (
    cell,
    csv_document,
    method_rows,
    outcome_word,
    pseudonym,
    winner_of,
)

KEY = b"k" * 32


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Budget = 3 €", "Budget = 3 €"),
        ("", ""),
    ],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(typed, written):
    assert cell(typed) == written


def test_numbers_booleans_and_nothing_are_cells_as_they_are():
    assert [cell(3), cell(-2), cell(0.6), cell(True), cell(False), cell(None)] == [
        "3",
        "-2",
        "0.6",
        "true",
        "false",
        "",
    ]


def test_a_csv_document_is_rfc_4180_after_a_byte_order_mark():
    text = csv_document(["title", "n"], [['Dit "oui", puis\nnon', 1], ["=1", 2]])
    assert text.startswith("\ufeff")
    assert text.count("\r\n") == 3  # each record ends so; a line break inside quotes stays
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows == [["title", "n"], ['Dit "oui", puis\nnon', "1"], ["'=1", "2"]]


def test_a_pseudonym_is_stable_per_consultation_and_tells_nothing_of_the_id():
    alice = pseudonym(KEY, "c1", "alice")
    assert re.fullmatch(r"p-[0-9a-f]{12}", alice)
    assert alice == pseudonym(KEY, "c1", "alice")
    assert alice != pseudonym(KEY, "c2", "alice")
    assert alice != pseudonym(KEY, "c1", "bob")
    assert alice != pseudonym(b"another key".ljust(32), "c1", "alice")
    # the separator keeps (consultation, author) pairs apart
    assert pseudonym(KEY, "c1", "1alice") != pseudonym(KEY, "c11", "alice")


def test_an_outcome_in_one_word():
    assert outcome_word({"result": "adopted"}) == "adopted"
    assert outcome_word({"signatures": 3, "goal": 2, "goal_reached": True}) == "goal_reached"
    assert outcome_word({"signatures": 1, "goal": 2, "goal_reached": False}) == ("goal_not_reached")
    assert outcome_word({"signatures": 1, "goal": None, "goal_reached": False}) == ""
    assert outcome_word(None) == ""


def _places(*options: list[str]) -> list[dict]:
    return [{"rank": n, "options": o} for n, o in enumerate(options, 1)]


@pytest.mark.parametrize(
    ("kind", "outcome", "winner"),
    [
        ("poll", {"result": "decided", "ranking": _places(["o2"], ["o1"])}, "o2"),
        (
            "dot",
            {"result": "decided", "ranking": _places(["o1", "o2"]), "tie_for_first": True},
            None,
        ),
        ("score", {"result": "no_quorum", "ranking": _places(["o1"], ["o2"])}, None),
        ("ranked", {"result": "decided", "winner": "o3", "rounds": []}, "o3"),
        ("majority_judgment", {"result": "decided", "winner": None, "ranking": []}, None),
        ("vote", {"result": "adopted"}, None),
        ("petition", {"signatures": 3, "goal": 2, "goal_reached": True}, None),
    ],
)
def test_the_winner_is_the_option_decided_for_never_a_tie_or_below_the_quorum(
    kind, outcome, winner
):
    assert winner_of(kind, outcome) == winner


def test_a_runoffs_rows_say_each_round_and_who_went_and_why():
    result = {
        "counts": {"o1": 2, "o2": 1, "o3": 1},
        "outcome": {
            "rounds": [
                {
                    "counts": {"o1": 2, "o2": 1, "o3": 1},
                    "exhausted": 0,
                    "eliminated": "o3",
                    "tie_break": "earlier_rounds",
                },
                {"counts": {"o1": 2, "o2": 1}, "exhausted": 1, "elected": "o1"},
            ]
        },
        "breakdown": {"pairwise": {"o1": {"o2": 2}, "o2": {"o1": 1}}},
    }
    rows = list(method_rows("ranked", ["o1", "o2"], result))
    assert [(r.option, r.figure, r.count) for r in rows] == [
        ("o1", "first_preferences", 2),
        ("o2", "first_preferences", 1),
        ("o1", "round:1", 2),
        ("o2", "round:1", 1),
        ("o3", "round:1", 1),
        ("o1", "round:2", 2),
        ("o2", "round:2", 1),
        ("o1", "above:o2", 2),
        ("o2", "above:o1", 1),
    ]
    assert (rows[4].round_result, rows[4].tie_break) == ("eliminated", "earlier_rounds")
    assert (rows[5].round_result, rows[5].tie_break, rows[5].exhausted) == ("elected", None, 1)
    assert rows[2].round_result is None and rows[2].tie_break is None
