"""A consultation's results and open data for ranked choice, majority judgment, score and dot
votes (issue 19 on top of issue 18): one figure per option in `counts`, the breakdown in the
JSON, and spreadsheet rows a secretary reads without the documentation open: each option's
figure, rank, majority grade or mean, the winner, and every round of an instant runoff."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain import clock
from chalicelib.services import closer
from tests.api.helpers import add_member, create_consultation, create_group, publish, travel
from tests.api.test_results_export import debate

GRACE = timedelta(seconds=60)
WEEK = timedelta(days=7)
VOTERS = [f"u-voter-{n}" for n in range(7)]
NAMES = [f"Votant{n} Nom{n}" for n in range(7)]


@pytest.fixture
def decided(as_user, monkeypatch, drain):
    """A public consultation of seven voters with one debate of each new method, counted
    by the stream, closed and recounted.

    Ranked (Anne, Bruno, `=Chloé`): Anne first on 3 ballots, Bruno on 2, Chloé on 2. Round 1:
    Bruno and Chloé tie for elimination, with no earlier round: the one listed last (Chloé)
    goes; round 2: Bruno 4 of 7, elected. Chloé beats each head to head (Condorcet winner).
    Majority judgment: Marché bien x7 (bien, nothing below), Parc bien x4 passable x3 (bien,
    3/7 below), Piscine tres_bien x3 passable x4 (passable): Marché, Parc, Piscine.
    Score: Film 5 4 4 3 3 2 0 (sum 21, mean 3), Concert 1 x7 (sum 7, mean 1).
    Dot (10 points, quorum 10, not reached): Bancs 40, Arbres 20, Fontaine 10."""
    admin = as_user("u-admin-7f3a", name="Agathe Dupuis", email="agathe@example.org")
    group_id = create_group(admin, "Quartier Nord")
    voters = []
    for sub, name in zip(VOTERS, NAMES, strict=True):
        voter = add_member(as_user, admin, group_id, sub, "participant")
        voter.patch("/v1/me", {"display_name": name}, expect=200)
        voters.append(voter)
    cid = create_consultation(admin, group_id, "Assemblée 2027", visibility="public")["id"]
    ids = {
        "ranked": debate(
            admin, cid, "Présidence", {"type": "ranked", "options": ["Anne", "Bruno", "=Chloé"]}
        ),
        "judgment": debate(
            admin,
            cid,
            "Projet",
            {"type": "majority_judgment", "options": ["Parc", "Piscine", "Marché"]},
        ),
        "score": debate(admin, cid, "Soirée", {"type": "score", "options": ["Film", "Concert"]}),
        "dot": debate(
            admin,
            cid,
            "Budget",
            {"type": "dot", "options": ["Bancs", "Arbres", "Fontaine"], "quorum": 10},
        ),
    }
    publish(admin, cid)
    rankings = [["o1", "o3"]] * 3 + [["o2", "o3"]] * 2 + [["o3", "o2"]] * 2
    parc = ["bien"] * 4 + ["passable"] * 3
    piscine = ["tres_bien"] * 3 + ["passable"] * 4
    film = [5, 4, 4, 3, 3, 2, 0]
    points = [{"o1": 10}] * 4 + [{"o2": 10}] * 2 + [{"o3": 10}]
    for n, voter in enumerate(voters):
        for debate_id, ballot in (
            (ids["ranked"], {"ranking": rankings[n]}),
            (ids["judgment"], {"grades": {"o1": parc[n], "o2": piscine[n], "o3": "bien"}}),
            (ids["score"], {"scores": {"o1": film[n], "o2": 1}}),
            (ids["dot"], {"points": points[n]}),
        ):
            cast = voter.put(f"/v1/debates/{debate_id}/ballot", ballot)
            assert cast.status_code == 201, cast.data
    drain()
    travel(monkeypatch, WEEK + GRACE)
    closer.close_due_consultations(clock.now())
    return cid, ids, {"admin": admin, "voter": voters[0], "anonymous": as_user(None)}


def results(user: Any, consultation_id: str, query: str = "") -> Any:
    answer = user.get(f"/v1/consultations/{consultation_id}/results{query}")
    assert answer.status_code == 200, answer.data
    return answer


def rows_of(answer: Any) -> list[dict[str, str]]:
    text = answer.body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


# ---------------------------------------------------------------- JSON


def test_the_json_results_give_one_figure_per_option_and_each_methods_breakdown(decided):
    cid, ids, users = decided
    by_id = {d["id"]: d for d in results(users["voter"], cid).data["debates"]}
    ranked = by_id[ids["ranked"]]
    assert ranked["type"] == "ranked"
    assert ranked["options"] == [
        {"key": "o1", "label": "Anne"},
        {"key": "o2", "label": "Bruno"},
        {"key": "o3", "label": "=Chloé"},
    ]
    assert ranked["counts"] == {"o1": 3, "o2": 2, "o3": 2}  # first preferences, no tally keys
    assert ranked["ballots"] == 7
    assert ranked["breakdown"]["pairwise"]["o3"] == {"o1": 4, "o2": 5}
    assert ranked["outcome"]["winner"] == "o2"
    assert ranked["outcome"]["condorcet_winner"] == "o3"
    assert ranked["outcome"]["rounds"] == [
        {
            "counts": {"o1": 3, "o2": 2, "o3": 2},
            "exhausted": 0,
            "eliminated": "o3",
            "tie_break": "option_order",
        },
        {"counts": {"o1": 3, "o2": 4}, "exhausted": 0, "elected": "o2"},
    ]
    judgment = by_id[ids["judgment"]]
    assert judgment["counts"] == {"o1": 7, "o2": 7, "o3": 7}
    assert judgment["breakdown"]["grades"]["o1"]["bien"] == 4
    assert judgment["breakdown"]["grades"]["o2"]["tres_bien"] == 3
    ranking = judgment["outcome"]["ranking"]
    assert [(p["options"], p["majority_grade"]) for p in ranking] == [
        (["o3"], "bien"),
        (["o1"], "bien"),
        (["o2"], "passable"),
    ]
    assert judgment["outcome"]["winner"] == "o3"
    score = by_id[ids["score"]]
    assert score["counts"] == {"o1": 21, "o2": 7}  # the sums
    assert score["breakdown"]["mean"] == {"o1": 3.0, "o2": 1.0}
    assert score["breakdown"]["distribution"]["o1"] == {
        "0": 1,
        "1": 0,
        "2": 1,
        "3": 2,
        "4": 2,
        "5": 1,
    }
    dot = by_id[ids["dot"]]
    assert dot["counts"] == {"o1": 40, "o2": 20, "o3": 10}
    assert "breakdown" not in dot
    assert dot["outcome"]["result"] == "no_quorum"
    assert dot["outcome"]["points_per_voter"] == 10
    for exported in by_id.values():
        assert exported["tally_mismatch"] is None


def test_the_export_says_what_each_debates_own_final_results_say(decided):
    cid, ids, users = decided
    exported = {d["id"]: d for d in results(users["voter"], cid).data["debates"]}
    for debate_id in ids.values():
        own = users["voter"].get(f"/v1/debates/{debate_id}/results").data
        assert own["final"] is True
        assert exported[debate_id]["counts"] == own["counts"]
        assert exported[debate_id]["ballots"] == own["total"]
        assert exported[debate_id]["outcome"] == own["outcome"]
        assert exported[debate_id].get("breakdown") == own.get("breakdown")


# ---------------------------------------------------------------- CSV


def test_the_spreadsheet_gives_each_option_its_figure_rank_grade_or_mean_and_the_winner(
    decided,
):
    cid, ids, users = decided
    rows = rows_of(results(users["admin"], cid, "?format=csv"))
    assert list(rows[0])[-8:] == [
        "figure",
        "round_result",
        "tie_break",
        "exhausted",
        "rank",
        "majority_grade",
        "mean",
        "winner",
    ]

    def summary(key: str) -> list[tuple[str, ...]]:
        return [
            (r["option_label"], r["figure"], r["count"], r["rank"], r["majority_grade"], r["mean"])
            for r in rows
            if r["debate_id"] == ids[key] and ":" not in r["figure"]  # one row per option
        ]

    assert summary("ranked") == [
        ("Anne", "first_preferences", "3", "", "", ""),
        ("Bruno", "first_preferences", "2", "", "", ""),
        ("'=Chloé", "first_preferences", "2", "", "", ""),
    ]
    assert summary("judgment") == [
        ("Parc", "grades", "7", "2", "bien", ""),
        ("Piscine", "grades", "7", "3", "passable", ""),
        ("Marché", "grades", "7", "1", "bien", ""),
    ]
    assert summary("score") == [
        ("Film", "score_total", "21", "1", "", "3.0"),
        ("Concert", "score_total", "7", "2", "", "1.0"),
    ]
    assert summary("dot") == [
        ("Bancs", "points", "40", "1", "", ""),
        ("Arbres", "points", "20", "2", "", ""),
        ("Fontaine", "points", "10", "3", "", ""),
    ]
    winners = {key: {r["winner"] for r in rows if r["debate_id"] == ids[key]} for key in ids}
    assert winners == {
        "ranked": {"Bruno"},  # the runoff's, not Anne, first on first preferences
        "judgment": {"Marché"},
        "score": {"Film"},
        "dot": {""},  # below the quorum, nothing was decided
    }
    outcomes = {key: {r["outcome"] for r in rows if r["debate_id"] == ids[key]} for key in ids}
    assert outcomes == {
        "ranked": {"decided"},
        "judgment": {"decided"},
        "score": {"decided"},
        "dot": {"no_quorum"},
    }
    assert {r["ballots"] for r in rows} == {"7"}


def test_the_spreadsheet_shows_every_round_of_the_runoff(decided):
    cid, ids, users = decided
    rows = rows_of(results(users["admin"], cid, "?format=csv"))
    rounds = [
        (r["figure"], r["option_label"], r["count"], r["round_result"], r["tie_break"])
        for r in rows
        if r["debate_id"] == ids["ranked"] and r["figure"].startswith("round:")
    ]
    assert rounds == [
        ("round:1", "Anne", "3", "", ""),
        ("round:1", "Bruno", "2", "", ""),
        ("round:1", "'=Chloé", "2", "eliminated", "option_order"),
        ("round:2", "Anne", "3", "", ""),
        ("round:2", "Bruno", "4", "elected", ""),
    ]
    exhausted = {(r["figure"], r["exhausted"]) for r in rows if r["figure"].startswith("round:")}
    assert exhausted == {("round:1", "0"), ("round:2", "0")}


def test_the_spreadsheet_carries_the_breakdown_a_hand_count_checks(decided):
    cid, ids, users = decided
    rows = rows_of(results(users["admin"], cid, "?format=csv"))
    figures = {
        (r["debate_id"], r["option"], r["figure"]): int(r["count"])
        for r in rows
        if ":" in r["figure"]
    }
    assert figures[ids["judgment"], "o1", "grade:bien"] == 4
    assert figures[ids["judgment"], "o1", "grade:passable"] == 3
    assert figures[ids["judgment"], "o2", "grade:tres_bien"] == 3
    assert figures[ids["judgment"], "o1", "grade:excellent"] == 0
    assert figures[ids["score"], "o1", "score:4"] == 2
    assert figures[ids["score"], "o2", "score:1"] == 7
    assert figures[ids["ranked"], "o3", "above:o1"] == 4
    assert figures[ids["ranked"], "o1", "above:o3"] == 3
    judged = [r for r in rows if r["debate_id"] == ids["judgment"]]
    assert len(judged) == 3 + 3 * 7  # each option, then each option's count of each grade


def test_no_cell_of_the_new_methods_rows_runs_as_a_formula(decided):
    cid, _, users = decided
    for row in rows_of(results(users["admin"], cid, "?format=csv")):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row


# ---------------------------------------------------------------- open data


def test_open_data_carries_the_same_figures_and_names_no_person(decided):
    cid, ids, users = decided
    answer = users["anonymous"].get(f"/v1/consultations/{cid}/open-data")
    assert answer.status_code == 200, answer.data
    published = {d["id"]: d for d in answer.data["debates"]}
    exported = {d["id"]: d for d in results(users["anonymous"], cid).data["debates"]}
    for key, debate_id in ids.items():
        result = published[debate_id]["result"]
        assert published[debate_id]["type"] == exported[debate_id]["type"], key
        assert published[debate_id]["options"] == exported[debate_id]["options"], key
        assert result["counts"] == exported[debate_id]["counts"], key
        assert result["ballots"] == 7, key
        assert result["outcome"] == exported[debate_id]["outcome"], key
        assert result.get("breakdown") == exported[debate_id].get("breakdown"), key
    assert published[ids["ranked"]]["result"]["outcome"]["winner"] == "o2"
    document = answer.body.decode("utf-8") + json.dumps(answer.data, ensure_ascii=False)
    for trace in [*VOTERS, *NAMES, "u-admin-7f3a", "Agathe", "agathe@example.org"]:
        assert trace not in document, trace


def test_debates_nobody_voted_in_export_zeros_and_no_winner(as_user, monkeypatch):
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Club")
    cid = create_consultation(admin, group_id)["id"]
    kinds = ("ranked", "majority_judgment", "score", "dot")
    ids = {kind: debate(admin, cid, kind, {"type": kind, "options": ["A", "B"]}) for kind in kinds}
    publish(admin, cid)
    travel(monkeypatch, WEEK + GRACE)
    closer.close_due_consultations(clock.now())
    exported = {d["type"]: d for d in results(admin, cid).data["debates"]}
    assert exported["ranked"]["outcome"]["rounds"] == []
    assert exported["score"]["breakdown"]["mean"] == {"o1": None, "o2": None}
    rows = rows_of(results(admin, cid, "?format=csv"))
    for kind in kinds:
        own = [r for r in rows if r["debate_id"] == ids[kind] and ":" not in r["figure"]]
        assert [(r["option"], r["count"], r["winner"]) for r in own] == [
            ("o1", "0", ""),
            ("o2", "0", ""),
        ], kind
    assert not [r for r in rows if r["figure"].startswith("round:")]
