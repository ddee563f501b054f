"""GET /v1/consultations/{id}/results: a finalised consultation's results, as JSON and as a
spreadsheet (acceptance 2 of issue 18: an organiser downloads them as CSV that opens in a
spreadsheet with the right counts)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain import clock
from chalicelib.services import closer
from tests.api.helpers import (
    add_member,
    create_consultation,
    create_group,
    dynamodb_requests,
    publish,
    travel,
)

GRACE = timedelta(seconds=60)  # the default HUB_CLOSE_GRACE_S
WEEK = timedelta(days=7)


@pytest.fixture
def club(as_user):
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Club")
    users = {"admin": admin}
    for sub, role in (
        ("alice", "participant"),
        ("bob", "participant"),
        ("carol", "participant"),
        ("olga", "observer"),
    ):
        users[sub] = add_member(as_user, admin, group_id, sub, role)
    users["outsider"] = as_user("outsider", name="Outsider")
    users["anonymous"] = as_user(None)
    return group_id, users


def debate(admin: Any, consultation_id: str, title: str, function: dict[str, Any]) -> str:
    made = admin.post(
        f"/v1/consultations/{consultation_id}/debates", {"title": title, "function": function}
    )
    assert made.status_code == 201, made.data
    return made.data["id"]


@pytest.fixture
def decided(club, monkeypatch, drain):
    """A members consultation with a vote, a poll whose title and options a spreadsheet
    would run as formulas, a secret vote, a petition and a debate that decides nothing;
    ballots cast, counted by the stream, then closed and recounted by the closer."""
    group_id, users = club
    admin = users["admin"]
    cid = create_consultation(admin, group_id, "Budget 2027")["id"]
    vote = debate(admin, cid, "Rénover la cour", {"type": "vote", "quorum": 2, "threshold": 0.6})
    poll = debate(
        admin,
        cid,
        '=HYPERLINK("http://evil")',
        {"type": "poll", "options": ["=1+2", "+33 6 00", "-rm", "@SUM(A1)", "Jeudi"]},
    )
    secret = debate(admin, cid, "Élire le bureau", {"type": "vote", "secret": True})
    petition = debate(admin, cid, "Un banc", {"type": "petition", "goal": 2})
    debate(admin, cid, "Parlons-en", {"type": "none"})
    publish(admin, cid)
    for sub, choice in (("alice", "yes"), ("bob", "yes"), ("carol", "no")):
        users[sub].put(f"/v1/debates/{vote}/ballot", {"choice": choice}, expect=201)
    for sub, choices in (("alice", ["o1"]), ("bob", ["o1"]), ("carol", ["o5"])):
        users[sub].put(f"/v1/debates/{poll}/ballot", {"choices": choices}, expect=201)
    users["alice"].put(f"/v1/debates/{secret}/ballot", {"choice": "no"}, expect=201)
    users["alice"].put(f"/v1/debates/{petition}/ballot", {"sign": True}, expect=201)
    drain()
    travel(monkeypatch, WEEK + GRACE)
    closer.close_due_consultations(clock.now())
    return cid, {"vote": vote, "poll": poll, "secret": secret, "petition": petition}, users


def results(user: Any, consultation_id: str, query: str = "", **kw: Any) -> Any:
    return user.get(f"/v1/consultations/{consultation_id}/results{query}", **kw)


def rows_of(answer: Any) -> list[dict[str, str]]:
    text = answer.body.decode("utf-8")
    assert text.startswith("\ufeff"), "a byte order mark tells spreadsheets it is UTF-8"
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


# ---------------------------------------------------------------- JSON


def test_the_results_carry_every_decision_with_its_counts_turnout_and_outcome(decided):
    cid, debates, users = decided
    answer = results(users["alice"], cid, expect=200).data
    consultation = answer["consultation"]
    assert consultation["id"] == cid
    assert consultation["title"] == "Budget 2027"
    assert consultation["host_group_name"] == "Club"
    assert consultation["close_reason"] == "schedule"
    assert consultation["closed_at"] == consultation["closes_at"]
    assert consultation["finalised_at"] is not None
    by_id = {d["id"]: d for d in answer["debates"]}
    assert list(by_id) == [debates[k] for k in ("vote", "poll", "secret", "petition")]
    vote = by_id[debates["vote"]]
    assert vote["counts"] == {"yes": 2, "no": 1, "abstain": 0}
    assert vote["ballots"] == 3
    assert vote["outcome"] == {
        "result": "adopted",
        "yes_share": pytest.approx(2 / 3),
        "quorum": 2,
        "threshold": 0.6,
    }
    assert vote["tally_mismatch"] is None
    assert [o["key"] for o in vote["options"]] == ["yes", "no", "abstain"]
    poll = by_id[debates["poll"]]
    assert poll["options"][0] == {"key": "o1", "label": "=1+2"}
    assert poll["counts"]["o1"] == 2 and poll["counts"]["o5"] == 1
    assert poll["outcome"]["ranking"][0] == {"rank": 1, "count": 2, "options": ["o1"]}
    assert by_id[debates["secret"]]["secret"] is True
    assert by_id[debates["secret"]]["counts"]["no"] == 1
    assert by_id[debates["petition"]]["outcome"] == {
        "signatures": 1,
        "goal": 2,
        "goal_reached": False,
    }


def test_the_results_equal_each_debates_own_final_results(decided):
    cid, debates, users = decided
    exported = {d["id"]: d for d in results(users["bob"], cid).data["debates"]}
    for debate_id in debates.values():
        own = users["bob"].get(f"/v1/debates/{debate_id}/results").data
        assert own["final"] is True
        assert exported[debate_id]["counts"] == own["counts"]
        assert exported[debate_id]["ballots"] == own["total"]
        assert exported[debate_id]["outcome"] == own["outcome"]


def test_before_the_closer_recounts_the_results_are_not_final(club, monkeypatch):
    group_id, users = club
    admin = users["admin"]
    cid = create_consultation(admin, group_id)["id"]
    debate(admin, cid, "Motion", {"type": "vote"})
    assert results(admin, cid).status_code == 409  # a draft
    publish(admin, cid)
    refused = results(users["alice"], cid)
    assert refused.status_code == 409
    assert refused.data["error"]["code"] == "results_not_final"
    travel(monkeypatch, WEEK)
    closer.close_due_consultations(clock.now())  # closed: final within the grace period
    assert results(users["alice"], cid).data["error"]["code"] == "results_not_final"
    french = results(users["alice"], cid, headers={"Accept-Language": "fr"})
    assert "définitifs" in french.data["error"]["message"]
    travel(monkeypatch, GRACE)
    closer.close_due_consultations(clock.now())
    assert results(users["alice"], cid).status_code == 200


def test_a_consultation_without_decisions_answers_an_empty_list_once_finalised(club, monkeypatch):
    group_id, users = club
    cid = create_consultation(users["admin"], group_id)["id"]
    debate(users["admin"], cid, "Parlons-en", {"type": "none"})
    publish(users["admin"], cid)
    travel(monkeypatch, WEEK + GRACE)
    closer.close_due_consultations(clock.now())
    assert results(users["alice"], cid).data["debates"] == []


def test_an_early_close_says_so_and_when(club, monkeypatch):
    group_id, users = club
    admin = users["admin"]
    cid = create_consultation(admin, group_id)["id"]
    debate(admin, cid, "Motion", {"type": "vote"})
    publish(admin, cid)
    travel(monkeypatch, timedelta(days=1))
    closed = admin.post(f"/v1/consultations/{cid}/close", {"reason": "Urgence"}, expect=200)
    travel(monkeypatch, GRACE)
    closer.close_due_consultations(clock.now())
    consultation = results(admin, cid).data["consultation"]
    assert consultation["close_reason"] == "closed_early"
    assert consultation["closed_at"] == closed.data["closed_at"]
    assert consultation["closed_at"] < consultation["closes_at"]
    assert "admin" not in str(consultation)  # who closed it is the audit log's


def test_a_running_tally_that_differed_from_the_recount_is_shown(club, monkeypatch):
    group_id, users = club
    cid = create_consultation(users["admin"], group_id)["id"]
    vote = debate(users["admin"], cid, "Motion", {"type": "vote"})
    publish(users["admin"], cid)
    users["alice"].put(f"/v1/debates/{vote}/ballot", {"choice": "yes"}, expect=201)
    # the stream is never consumed: the running tally stays at zero
    travel(monkeypatch, WEEK + GRACE)
    closer.close_due_consultations(clock.now())
    [exported] = results(users["bob"], cid).data["debates"]
    assert exported["counts"]["yes"] == 1
    assert exported["tally_mismatch"] == {"counts": {"yes": 0, "no": 0, "abstain": 0}, "total": 0}
    [row, *_] = rows_of(results(users["bob"], cid, "?format=csv"))
    assert row["tally_mismatch"] == "true"


# ---------------------------------------------------------------- CSV


def test_an_organiser_downloads_a_spreadsheet_with_the_right_counts(decided):
    cid, debates, users = decided
    answer = results(users["admin"], cid, "?format=csv", expect=200)
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="results-{cid}.csv"'
    assert answer.body.count(b"\r\n") == answer.body.count(b"\n"), "CRLF line ends"
    rows = rows_of(answer)
    assert list(rows[0]) == [
        "consultation_id",
        "consultation_title",
        "debate_id",
        "debate_title",
        "decision_type",
        "option",
        "option_label",
        "count",
        "ballots",
        "outcome",
        "quorum",
        "threshold",
        "closed_at",
        "close_reason",
        "finalised_at",
        "tally_mismatch",
        "figure",
        "round_result",
        "tie_break",
        "exhausted",
        "rank",
        "majority_grade",
        "mean",
        "winner",
    ]
    assert len(rows) == 3 + 5 + 3 + 1  # one per debate and option; none for "Parlons-en"
    counted = {(r["debate_id"], r["option"]): int(r["count"]) for r in rows}
    final = results(users["admin"], cid).data
    for exported in final["debates"]:
        for option, count in exported["counts"].items():
            assert counted[exported["id"], option] == count
    vote = [r for r in rows if r["debate_id"] == debates["vote"]]
    assert {r["ballots"] for r in vote} == {"3"}
    assert {r["outcome"] for r in vote} == {"adopted"}
    assert {(r["quorum"], r["threshold"]) for r in vote} == {("2", "0.6")}
    assert {r["close_reason"] for r in rows} == {"schedule"}
    assert {r["consultation_title"] for r in rows} == {"Budget 2027"}
    assert {r["tally_mismatch"] for r in rows} == {"false"}
    petition = [r for r in rows if r["debate_id"] == debates["petition"]]
    assert [(r["option"], r["count"], r["outcome"]) for r in petition] == [
        ("signed", "1", "goal_not_reached")
    ]
    assert {(r["figure"], r["winner"]) for r in vote} == {("ballots", "")}  # a vote has none
    poll = [r for r in rows if r["debate_id"] == debates["poll"]]
    assert [(r["option"], r["rank"]) for r in poll][:2] == [("o1", "1"), ("o2", "3")]
    assert {r["winner"] for r in poll} == {"'=1+2"}
    assert [r["figure"] for r in petition] == ["signatures"]


def test_text_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(decided):
    cid, debates, users = decided
    rows = [r for r in rows_of(results(users["alice"], cid, "?format=csv"))]
    poll = [r for r in rows if r["debate_id"] == debates["poll"]]
    assert {r["debate_title"] for r in poll} == {'\'=HYPERLINK("http://evil")'}
    assert [r["option_label"] for r in poll] == ["'=1+2", "'+33 6 00", "'-rm", "'@SUM(A1)", "Jeudi"]
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_accept_text_csv_asks_for_the_spreadsheet_and_format_overrides_it(decided):
    cid, _, users = decided
    alice = users["alice"]
    by_accept = results(alice, cid, headers={"Accept": "text/csv"})
    assert by_accept.headers["Content-Type"].startswith("text/csv")
    preferred = results(alice, cid, headers={"Accept": "application/json;q=0.5, text/csv"})
    assert preferred.headers["Content-Type"].startswith("text/csv")
    as_json = results(alice, cid, "?format=json", headers={"Accept": "text/csv"})
    assert as_json.data["consultation"]["id"] == cid
    assert results(alice, cid, headers={"Accept": "*/*"}).data["consultation"]["id"] == cid
    unknown = results(alice, cid, "?format=xlsx", expect=422)
    assert [d["field"] for d in unknown.data["error"]["details"]] == ["format"]


def test_a_refusal_stays_json_when_a_spreadsheet_was_asked(club):
    group_id, users = club
    cid = create_consultation(users["admin"], group_id)["id"]
    publish(users["admin"], cid)
    refused = results(users["alice"], cid, "?format=csv", expect=409)
    assert refused.data["error"]["code"] == "results_not_final"


# ---------------------------------------------------------------- who


def test_whoever_may_read_the_consultation_reads_its_results_and_nobody_else(decided, as_user):
    cid, _, users = decided
    for reader in ("admin", "alice", "olga"):
        assert results(users[reader], cid).status_code == 200, reader
    for stranger in ("outsider", "anonymous"):
        refused = results(users[stranger], cid, "?format=csv", expect=404)
        assert refused.data["error"]["code"] == "consultation_not_found"
        assert cid not in refused.body.decode()
    assert results(users["alice"], "no-such-consultation", expect=404)


def test_a_former_member_no_longer_reads_the_results(decided):
    cid, _, users = decided
    group_id = users["admin"].get(f"/v1/consultations/{cid}").data["group_id"]
    users["bob"].delete(f"/v1/groups/{group_id}/members/bob", expect=204)
    assert results(users["bob"], cid).status_code == 404


def test_a_partner_associations_members_read_a_shared_consultations_results(
    club, as_user, monkeypatch
):
    group_id, users = club
    admin = users["admin"]
    partner_admin = as_user("padmin", name="Partner admin")
    partner = create_group(partner_admin, "Voisins")
    pete = add_member(as_user, partner_admin, partner, "pete", "observer")
    cid = create_consultation(admin, group_id)["id"]
    debate(admin, cid, "Motion", {"type": "vote"})
    admin.post(f"/v1/consultations/{cid}/partners", {"group_id": partner}, expect=201)
    partner_admin.post(f"/v1/consultations/{cid}/partners/{partner}/accept", expect=201)
    publish(admin, cid)
    travel(monkeypatch, WEEK + GRACE)
    closer.close_due_consultations(clock.now())
    assert results(pete, cid).status_code == 200


def test_a_public_consultations_results_are_everyones(club, monkeypatch):
    group_id, users = club
    cid = create_consultation(users["admin"], group_id, visibility="public")["id"]
    debate(users["admin"], cid, "Motion", {"type": "vote"})
    publish(users["admin"], cid)
    travel(monkeypatch, WEEK + GRACE)
    closer.close_due_consultations(clock.now())
    assert results(users["anonymous"], cid).data["consultation"]["visibility"] == "public"
    assert results(users["outsider"], cid, "?format=csv").status_code == 200


def test_the_results_take_four_round_trips_whatever_the_number_of_debates(decided):
    """The consultation, the caller's roles with its host, its debates, its results."""
    cid, _, users = decided
    with dynamodb_requests() as sent:
        results(users["alice"], cid, expect=200)
    assert [r.operation for r in sent] == ["BatchGetItem", "BatchGetItem", "Query", "Query"]
