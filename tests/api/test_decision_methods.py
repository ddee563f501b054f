"""Ranked choice, majority judgment, score and dot votes, as an association's secretary
tries them: the debate, the ballots, the live figures, the final result after the recount."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import clock
from chalicelib.services import closer
from tests.api.helpers import add_member, create_consultation, create_group, publish, travel

GRACE = timedelta(seconds=60)


@pytest.fixture
def assembly(as_user):
    """An association of an admin and nine members."""
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Assemblée")
    members = [add_member(as_user, admin, group_id, f"m{n}", "participant") for n in range(9)]
    return admin, group_id, members


def open_debate(admin, group_id, function):
    consultation = create_consultation(admin, group_id)
    answer = admin.post(
        f"/v1/consultations/{consultation['id']}/debates",
        {"title": "Élection du bureau", "function": function},
    )
    assert answer.status_code == 201, answer.data
    publish(admin, consultation["id"])
    return consultation["id"], answer.data


def finalise(monkeypatch):
    travel(monkeypatch, timedelta(days=7) + GRACE)
    assert closer.close_due_consultations(clock.now()) == 2  # closed, then finalised


def cast_all(members, debate_id, ballots):
    for member, ballot in zip(members, ballots, strict=True):
        answer = member.put(f"/v1/debates/{debate_id}/ballot", ballot)
        assert answer.status_code == 201, answer.data


def test_a_ranked_choice_elects_the_runoff_winner_and_shows_every_round(
    assembly, monkeypatch, drain
):
    """Anne leads on first preferences, Chloé is everyone's second choice and beats each
    head to head, Bruno wins the runoff once Chloé is eliminated."""
    admin, group_id, members = assembly
    function = {
        "type": "ranked",
        "options": ["Anne", "Bruno", "Chloé"],
        "results_visibility": "live",
    }
    _, debate = open_debate(admin, group_id, function)
    assert debate["function"]["type"] == "ranked"
    assert debate["function"]["max_ranks"] is None
    anne, bruno, chloe = (option["id"] for option in debate["function"]["options"])
    rankings = [[anne, chloe]] * 4 + [[bruno, chloe]] * 3 + [[chloe, bruno]] * 2
    cast_all(members, debate["id"], [{"ranking": r} for r in rankings])
    mine = members[0].get(f"/v1/debates/{debate['id']}/ballot").data
    assert mine["ranking"] == [anne, chloe]
    drain()

    live = members[0].get(f"/v1/debates/{debate['id']}/results").data
    assert live["final"] is False
    assert live["counts"] == {anne: 4, bruno: 3, chloe: 2}  # first preferences
    assert live["breakdown"]["pairwise"][chloe] == {anne: 5, bruno: 6}
    assert live["breakdown"]["pairwise"][anne] == {bruno: 4, chloe: 4}

    finalise(monkeypatch)
    final = members[0].get(f"/v1/debates/{debate['id']}/results").data
    assert final["final"] is True and final["tally_mismatch"] is None
    outcome = final["outcome"]
    assert outcome["winner"] == bruno  # not Anne, the plurality winner
    assert outcome["condorcet_winner"] == chloe
    assert outcome["rounds"] == [
        {"counts": {anne: 4, bruno: 3, chloe: 2}, "exhausted": 0, "eliminated": chloe},
        {"counts": {anne: 4, bruno: 5}, "exhausted": 0, "elected": bruno},
    ]


def test_a_majority_judgment_gives_each_option_its_majority_grade_and_the_gauge_ranking(
    assembly, monkeypatch, drain
):
    """Counted by hand, nine ballots, grades best first. Parc: bien x5, passable x3,
    insuffisant x1: the 5th grade is bien; none above, 4/9 below: bien -4/9. Piscine:
    tres_bien x3, bien x3, a_rejeter x3: the 5th is bien; 3/9 above, 3/9 below (not more):
    bien -3/9. Marché: passable x9. Piscine's fewer grades below bien put it before Parc."""
    admin, group_id, members = assembly
    _, debate = open_debate(
        admin,
        group_id,
        {"type": "majority_judgment", "options": ["Parc", "Piscine", "Marché"]},
    )
    assert debate["function"]["grades"][0] == "excellent"
    parc, piscine, marche = (option["id"] for option in debate["function"]["options"])
    parc_grades = ["bien"] * 5 + ["passable"] * 3 + ["insuffisant"]
    piscine_grades = ["tres_bien"] * 3 + ["bien"] * 3 + ["a_rejeter"] * 3
    ballots = [
        {"grades": {parc: p, piscine: q, marche: "passable"}}
        for p, q in zip(parc_grades, piscine_grades, strict=True)
    ]
    cast_all(members, debate["id"], ballots)
    drain()
    finalise(monkeypatch)

    final = members[0].get(f"/v1/debates/{debate['id']}/results").data
    assert final["tally_mismatch"] is None
    assert final["breakdown"]["grades"][piscine]["a_rejeter"] == 3
    assert final["counts"] == {parc: 9, piscine: 9, marche: 9}
    ranking = final["outcome"]["ranking"]
    assert [place["options"] for place in ranking] == [[piscine], [parc], [marche]]
    assert [place["majority_grade"] for place in ranking] == ["bien", "bien", "passable"]
    assert ranking[0]["gauge"] == {"sign": "-", "share": round(3 / 9, 4)}
    assert ranking[1]["gauge"] == {"sign": "-", "share": round(4 / 9, 4)}
    assert final["outcome"]["winner"] == piscine


def test_score_and_dot_votes_rank_by_mean_and_by_points(assembly, monkeypatch, drain):
    admin, group_id, members = assembly
    consultation = create_consultation(admin, group_id)
    debates = {}
    for kind, extra in (("score", {"max_score": 10}), ("dot", {"points_per_voter": 5})):
        answer = admin.post(
            f"/v1/consultations/{consultation['id']}/debates",
            {"title": kind, "function": {"type": kind, "options": ["A", "B"], **extra}},
        )
        assert answer.status_code == 201, answer.data
        debates[kind] = answer.data["id"]
    publish(admin, consultation["id"])
    for n, member in enumerate(members[:3]):
        scored = member.put(
            f"/v1/debates/{debates['score']}/ballot", {"scores": {"o1": 10, "o2": n}}
        )
        assert scored.status_code == 201, scored.data
        dotted = member.put(f"/v1/debates/{debates['dot']}/ballot", {"points": {"o2": 5}})
        assert dotted.status_code == 201 and dotted.data["points"] == {"o2": 5}
    drain()
    finalise(monkeypatch)

    score = members[0].get(f"/v1/debates/{debates['score']}/results").data
    assert score["counts"] == {"o1": 30, "o2": 3}
    assert score["breakdown"]["mean"] == {"o1": 10.0, "o2": 1.0}
    assert score["breakdown"]["distribution"]["o2"]["2"] == 1
    assert [p["options"] for p in score["outcome"]["ranking"]] == [["o1"], ["o2"]]
    dot = members[0].get(f"/v1/debates/{debates['dot']}/results").data
    assert dot["counts"] == {"o1": 0, "o2": 15}
    assert dot["outcome"]["ranking"][0] == {"rank": 1, "options": ["o2"], "count": 15}
    assert score["tally_mismatch"] is None and dot["tally_mismatch"] is None


@pytest.mark.parametrize(
    ("function", "ballot", "field", "message"),
    [
        ({"type": "ranked", "options": ["A", "B"]}, {"ranking": []}, "ranking", "rank between"),
        (
            {"type": "ranked", "options": ["A", "B", "C"], "max_ranks": 2},
            {"ranking": ["o1", "o2", "o3"]},
            "ranking",
            "rank between 1 and 2",
        ),
        ({"type": "ranked", "options": ["A", "B"]}, {"ranking": ["o1", "o1"]}, "ranking", "once"),
        ({"type": "ranked", "options": ["A", "B"]}, {"choices": ["o1"]}, "ranking", "ranking"),
        (
            {"type": "majority_judgment", "options": ["A", "B"]},
            {"grades": {"o1": "bien"}},
            "grades",
            "missing: o2",
        ),
        (
            {
                "type": "majority_judgment",
                "options": ["A", "B"],
                "grades": ["bien", "passable", "insuffisant"],
            },
            {"grades": {"o1": "bien", "o2": "excellent"}},
            "grades",
            "bien, passable, insuffisant",
        ),
        (
            {"type": "score", "options": ["A", "B"]},
            {"scores": {"o1": 6, "o2": 0}},
            "scores",
            "0 to 5",
        ),
        ({"type": "dot", "options": ["A", "B"]}, {"points": {"o1": 3}}, "points", "exactly 10"),
        (
            {"type": "dot", "options": ["A", "B"]},
            {"points": {"o9": 10}},
            "points",
            "unknown options",
        ),
    ],
)
def test_an_invalid_ballot_is_refused_naming_its_problem(
    assembly, function, ballot, field, message
):
    admin, group_id, members = assembly
    _, debate = open_debate(admin, group_id, function)
    english = {"Accept-Language": "en"}
    answer = members[0].put(f"/v1/debates/{debate['id']}/ballot", ballot, headers=english)
    assert answer.status_code == 422, answer.data
    assert answer.data["error"]["code"] == "invalid_ballot"
    [detail] = answer.data["error"]["details"]
    assert detail["field"] == field
    assert message in detail["message"], detail


@pytest.mark.parametrize(
    ("function", "field", "code"),
    [
        ({"type": "ranked", "options": ["A", "B"], "max_ranks": 3}, "max_ranks", "above_options"),
        ({"type": "ranked", "options": ["A"]}, "options", "too_short"),
        (
            {
                "type": "majority_judgment",
                "options": ["A", "B"],
                "grades": ["passable", "bien", "excellent"],
            },
            "grades",
            "grade_order",
        ),
        (
            {"type": "majority_judgment", "options": ["A", "B"], "grades": ["bien", "passable"]},
            "grades",
            "too_short",
        ),
        ({"type": "score", "options": ["A", "B"], "max_score": 11}, "max_score", "less_than_equal"),
        (
            {"type": "dot", "options": ["A", "B"], "points_per_voter": 0},
            "points_per_voter",
            "greater_than_equal",
        ),
        (
            {"type": "ranked", "options": ["A", "B"], "secret": True, "allow_change": True},
            "allow_change",
            "secret_is_final",
        ),
    ],
)
def test_a_debate_with_a_wrong_method_setting_is_refused_naming_it(assembly, function, field, code):
    admin, group_id, _ = assembly
    consultation = create_consultation(admin, group_id)
    answer = admin.post(
        f"/v1/consultations/{consultation['id']}/debates", {"title": "t", "function": function}
    )
    assert answer.status_code == 422, answer.data
    fields = {d["field"]: d["code"] for d in answer.data["error"]["details"]}
    assert fields == {f"function.{function['type']}.{field}": code}, fields


def test_a_secret_ranking_is_counted_under_its_receipt_alone(assembly, monkeypatch, drain):
    admin, group_id, members = assembly
    _, debate = open_debate(
        admin, group_id, {"type": "ranked", "options": ["A", "B", "C"], "secret": True}
    )
    cast = members[0].put(f"/v1/debates/{debate['id']}/ballot", {"ranking": ["o3", "o1"]})
    assert cast.status_code == 201 and "ranking" not in cast.data
    again = members[0].put(
        f"/v1/debates/{debate['id']}/ballot",
        {"ranking": ["o1", "o3"], "receipt": cast.data["receipt"]},
    )
    assert again.status_code == 409  # a secret ballot never changes
    mine = members[0].get(f"/v1/debates/{debate['id']}/ballot").data
    assert "ranking" not in mine and mine["secret"] is True
    drain()
    finalise(monkeypatch)
    receipt = members[1].get(f"/v1/debates/{debate['id']}/receipts/{cast.data['receipt']}")
    assert receipt.data["ranking"] == ["o3", "o1"]
    board = members[1].get(f"/v1/debates/{debate['id']}/ballots").data["items"]
    assert [item["ranking"] for item in board] == [["o3", "o1"]]
    final = members[1].get(f"/v1/debates/{debate['id']}/results").data
    assert final["outcome"]["winner"] == "o3" and final["tally_mismatch"] is None


def test_a_changed_ranking_moves_the_running_tally_and_a_withdrawal_empties_it(assembly, drain):
    admin, group_id, members = assembly
    _, debate = open_debate(
        admin,
        group_id,
        {"type": "ranked", "options": ["A", "B", "C"], "results_visibility": "live"},
    )
    url = f"/v1/debates/{debate['id']}/ballot"
    assert members[0].put(url, {"ranking": ["o1", "o2"]}).status_code == 201
    assert members[0].put(url, {"ranking": ["o1", "o2"]}).status_code == 200  # the same again
    assert members[0].put(url, {"ranking": ["o3"]}).status_code == 200
    drain()
    live = members[0].get(f"/v1/debates/{debate['id']}/results").data
    assert live["counts"] == {"o1": 0, "o2": 0, "o3": 1}
    assert live["breakdown"]["pairwise"]["o3"] == {"o1": 1, "o2": 1}
    assert live["breakdown"]["pairwise"]["o1"] == {"o2": 0, "o3": 0}
    assert members[0].delete(url).status_code == 204
    drain()
    empty = members[0].get(f"/v1/debates/{debate['id']}/results").data
    assert empty["total"] == 0 and empty["counts"] == {"o1": 0, "o2": 0, "o3": 0}
