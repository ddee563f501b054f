"""A debate as its reader sees it: their ballot (`my_ballot`), whether they may vote now
(`can_vote`, which says what `PUT .../ballot` would answer them) and the turnout, on the
debate, in lists (one request, and DynamoDB calls that do not grow with the page), and in
the answers of the debate's writes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.api.helpers import (
    add_member,
    create_consultation,
    create_group,
    dynamodb_requests,
    moment,
    publish,
    travel,
)

VOTE = {"type": "vote"}
FIXED_VOTE = {"type": "vote", "allow_change": False}
ALLOWED = {"allowed": True}


def refused(reason: str) -> dict[str, Any]:
    return {"allowed": False, "reason": reason}


@pytest.fixture
def club(as_user):
    """Amicale (admin, participants alice and bob, observer olga, moderator mod, participant
    ben whom mod blocked) and its partner, the Comité (admin paula, participant pat)."""
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Amicale")
    users = {"admin": admin, "outsider": as_user("mallory"), "anonymous": as_user(None)}
    for sub, role in [
        ("alice", "participant"),
        ("bob", "participant"),
        ("olga", "observer"),
        ("mod", "moderator"),
        ("ben", "participant"),
    ]:
        users[sub] = add_member(as_user, admin, group_id, sub, role)
    blocked = users["mod"].put(f"/v1/groups/{group_id}/blocks/ben", {"reason": "Insultes"})
    assert blocked.status_code == 200, blocked.data
    paula = as_user("paula", name="Paula")
    partner_id = create_group(paula, "Comité")
    users["paula"] = paula
    users["pat"] = add_member(as_user, paula, partner_id, "pat", "participant")
    return group_id, partner_id, users


def consultation_with(
    club, *functions: dict[str, Any], publish_it: bool = True, **fields: Any
) -> tuple[str, list[str]]:
    """A consultation of the club (its partner accepted) with one debate per function."""
    group_id, partner_id, users = club
    admin = users["admin"]
    consultation = create_consultation(admin, group_id, **fields)["id"]
    debates = []
    for n, function in enumerate(functions):
        body = {"title": f"Question {n}", "function": function}
        created = admin.post(f"/v1/consultations/{consultation}/debates", body)
        assert created.status_code == 201, created.data
        debates.append(created.data["id"])
    if publish_it:
        publish(admin, consultation)
        url = f"/v1/consultations/{consultation}/partners"
        assert admin.post(url, {"group_id": partner_id}).status_code == 201
        assert users["paula"].post(f"{url}/{partner_id}/accept").status_code == 201
    return consultation, debates


def seen(user, debate_id: str) -> dict[str, Any]:
    response = user.get(f"/v1/debates/{debate_id}")
    assert response.status_code == 200, response.data
    return response.data


def vote(user, debate_id: str, choice: str = "yes"):
    return user.put(f"/v1/debates/{debate_id}/ballot", {"choice": choice})


def assert_ballot_route_agrees(user, debate_id: str, choice: str = "yes") -> dict[str, Any]:
    """What the debate says of the caller's vote is what the ballot route then answers."""
    can_vote = seen(user, debate_id)["can_vote"]
    answer = vote(user, debate_id, choice)
    if can_vote["allowed"]:
        assert answer.status_code in (200, 201), answer.data
    else:
        assert answer.data["error"]["code"] == can_vote["reason"], (can_vote, answer.data)
    return can_vote


# ---------------------------------------------------------------- can_vote and my_ballot


def test_each_kind_of_caller_is_told_what_the_ballot_route_answers_them_while_open(club):
    _, _, users = club
    _, [debate] = consultation_with(club, VOTE)
    expected = {
        "alice": ALLOWED,  # a participant of the host
        "pat": ALLOWED,  # a participant of an accepted partner
        "olga": refused("not_eligible"),  # an observer
        "ben": refused("blocked"),  # blocked by the host's moderators
    }
    for who, can_vote in expected.items():
        assert seen(users[who], debate)["my_ballot"] is None, who
        assert assert_ballot_route_agrees(users[who], debate) == can_vote, who
    for who in ("outsider", "anonymous"):  # a members consultation: they do not see it
        assert users[who].get(f"/v1/debates/{debate}").status_code == 404


def test_in_a_public_consultation_outsiders_and_anonymous_readers_are_told_why_not(club):
    _, _, users = club
    _, [members_only] = consultation_with(club, VOTE, visibility="public")
    _, [anyone] = consultation_with(club, VOTE, visibility="public", participation="signed_in")
    assert assert_ballot_route_agrees(users["outsider"], members_only) == refused("not_eligible")
    assert assert_ballot_route_agrees(users["outsider"], anyone) == ALLOWED
    anonymous = seen(users["anonymous"], anyone)
    assert (anonymous["my_ballot"], anonymous["can_vote"]) == (None, refused("unauthenticated"))
    assert assert_ballot_route_agrees(users["anonymous"], anyone) == refused("unauthenticated")


def test_before_opening_nobody_may_vote_yet(club):
    _, _, users = club
    _, [draft] = consultation_with(club, VOTE, publish_it=False)
    assert assert_ballot_route_agrees(users["admin"], draft) == refused("not_open")
    _, [scheduled] = consultation_with(club, VOTE, opens_at=moment(timedelta(days=1)))
    for who in ("alice", "pat", "admin"):
        assert assert_ballot_route_agrees(users[who], scheduled) == refused("not_open"), who


def test_after_voting_my_ballot_is_the_ballot_route_s_answer_and_a_change_stays_allowed(club):
    _, _, users = club
    alice = users["alice"]
    _, [debate] = consultation_with(club, VOTE)
    assert vote(alice, debate, "yes").status_code == 201
    after = seen(alice, debate)
    assert after["my_ballot"] == alice.get(f"/v1/debates/{debate}/ballot").data
    assert after["my_ballot"]["choice"] == "yes"
    assert after["can_vote"] == ALLOWED
    assert assert_ballot_route_agrees(alice, debate, "no") == ALLOWED
    changed = seen(alice, debate)["my_ballot"]
    assert changed["choice"] == "no"
    assert changed["changed_at"] is not None
    assert seen(users["bob"], debate)["my_ballot"] is None  # one's own ballot only


def test_a_ballot_that_may_not_change_is_already_voted(club):
    _, _, users = club
    alice = users["alice"]
    _, [debate] = consultation_with(club, FIXED_VOTE)
    assert vote(alice, debate, "yes").status_code == 201
    assert assert_ballot_route_agrees(alice, debate, "no") == refused("already_voted")
    assert seen(alice, debate)["my_ballot"]["choice"] == "yes"
    assert seen(users["bob"], debate)["can_vote"] == ALLOWED


def test_after_closing_nobody_may_vote_and_ballots_still_show(club, monkeypatch):
    _, _, users = club
    _, [debate] = consultation_with(club, VOTE)
    assert vote(users["alice"], debate, "no").status_code == 201
    travel(monkeypatch, timedelta(days=7, seconds=1))
    alice = seen(users["alice"], debate)
    assert alice["status"] == "closed"
    assert alice["my_ballot"]["choice"] == "no"
    for who in ("alice", "bob", "pat"):
        assert assert_ballot_route_agrees(users[who], debate) == refused("consultation_closed"), who
    assert assert_ballot_route_agrees(users["ben"], debate) == refused("consultation_closed")


def test_a_secret_ballot_shows_that_i_voted_never_my_choice(club):
    _, _, users = club
    alice = users["alice"]
    poll = {"type": "poll", "options": ["Oui", "Non"], "secret": True}
    _, [debate] = consultation_with(club, poll)
    cast = alice.put(f"/v1/debates/{debate}/ballot", {"choices": ["o2"]})
    assert cast.status_code == 201
    mine = seen(alice, debate)
    assert mine["my_ballot"] == {
        "debate_id": debate,
        "cast_at": cast.data["cast_at"],
        "changed_at": None,
        "secret": True,
        "receipt": None,
    }
    assert mine["can_vote"] == refused("already_voted")
    listed = alice.get(f"/v1/consultations/{mine['consultation_id']}/debates").data["items"]
    assert listed[0]["my_ballot"] == mine["my_ballot"]
    again = alice.put(f"/v1/debates/{debate}/ballot", {"choices": ["o1"]})
    assert again.data["error"]["code"] == "already_voted"


def test_a_debate_without_decision_says_a_ballot_has_nothing_to_decide(club):
    _, _, users = club
    _, [debate] = consultation_with(club, {"type": "none"})
    state = seen(users["alice"], debate)
    assert (state["can_vote"], state["turnout"], state["my_ballot"]) == (
        refused("invalid_ballot"),
        None,
        None,
    )
    assert assert_ballot_route_agrees(users["alice"], debate) == refused("invalid_ballot")


# ---------------------------------------------------------------- turnout


def test_turnout_shows_by_default_in_a_public_consultation_and_never_the_split(club, drain):
    _, _, users = club
    hidden_results = {"type": "vote", "results_visibility": "after_close"}
    consultation, [debate] = consultation_with(club, hidden_results, visibility="public")
    assert seen(users["anonymous"], debate)["show_turnout"] is True
    assert seen(users["anonymous"], debate)["turnout"] == 0
    for who, choice in (("alice", "yes"), ("bob", "no"), ("pat", "no")):
        assert vote(users[who], debate, choice).status_code == 201
    drain()
    for who in ("anonymous", "outsider", "olga", "alice"):
        state = seen(users[who], debate)
        assert state["turnout"] == 3, who
        assert "counts" not in state
    listed = users["anonymous"].get(f"/v1/consultations/{consultation}/debates").data["items"]
    assert listed[0]["turnout"] == 3
    assert users["alice"].get(f"/v1/debates/{debate}/results").status_code == 403


def test_turnout_is_hidden_by_default_in_a_members_consultation_until_results_show(
    club, drain, monkeypatch
):
    _, _, users = club
    after_close = {"type": "vote", "results_visibility": "after_close"}
    after_vote = {"type": "vote", "results_visibility": "after_vote"}
    _, [closed_results, voted_results] = consultation_with(club, after_close, after_vote)
    for debate in (closed_results, voted_results):
        assert vote(users["alice"], debate).status_code == 201
    drain()
    hidden = seen(users["bob"], closed_results)
    assert (hidden["show_turnout"], hidden["turnout"]) == (False, None)
    assert seen(users["alice"], closed_results)["turnout"] is None  # voted, still after close
    assert seen(users["bob"], voted_results)["turnout"] is None  # has not voted
    assert seen(users["alice"], voted_results)["turnout"] == 1  # sees the results: and so it
    travel(monkeypatch, timedelta(days=7, seconds=1))
    assert seen(users["bob"], closed_results)["turnout"] == 1


def test_show_turnout_is_set_on_creation_and_changes_until_closing(club, drain, monkeypatch):
    group_id, _, users = club
    admin = users["admin"]
    consultation = create_consultation(admin, group_id, visibility="public")["id"]
    body = {"title": "Q", "function": {"type": "vote", "results_visibility": "after_close"}}
    created = admin.post(
        f"/v1/consultations/{consultation}/debates", body | {"show_turnout": False}
    )
    assert created.status_code == 201, created.data
    assert (created.data["show_turnout"], created.data["turnout"]) == (False, None)
    debate = created.data["id"]
    publish(admin, consultation)
    assert vote(users["alice"], debate).status_code == 201
    drain()
    assert seen(users["bob"], debate)["turnout"] is None
    shown = admin.patch(f"/v1/debates/{debate}", {"show_turnout": True})  # while open
    assert shown.status_code == 200, shown.data
    assert (shown.data["show_turnout"], shown.data["turnout"]) == (True, 1)
    assert shown.data["updated_at"] is None  # the question did not change
    assert seen(users["bob"], debate)["turnout"] == 1
    refused_null = admin.patch(f"/v1/debates/{debate}", {"show_turnout": None})
    assert refused_null.status_code == 422
    locked = admin.patch(f"/v1/debates/{debate}", {"title": "Autre", "show_turnout": False})
    assert locked.data["error"]["code"] == "debate_locked"
    assert seen(users["bob"], debate)["show_turnout"] is True
    travel(monkeypatch, timedelta(days=7, seconds=1))
    late = admin.patch(f"/v1/debates/{debate}", {"show_turnout": False})
    assert late.data["error"]["code"] == "consultation_closed"


def test_members_debates_may_show_their_turnout_when_asked(club, drain):
    group_id, _, users = club
    admin = users["admin"]
    consultation = create_consultation(admin, group_id)["id"]
    body = {"title": "Q", "function": {"type": "petition"}, "show_turnout": True}
    debate = admin.post(f"/v1/consultations/{consultation}/debates", body).data["id"]
    assert seen(admin, debate)["turnout"] is None  # a draft: nothing to count yet
    publish(admin, consultation)
    assert users["alice"].put(f"/v1/debates/{debate}/ballot", {"sign": True}).status_code == 201
    drain()
    assert seen(users["olga"], debate)["turnout"] == 1


def test_a_petitions_signatures_stay_hidden_while_its_results_are(club, drain, monkeypatch):
    """A petition's count is its result: `show_turnout` (on by default when public) does not
    show what `results_visibility` hides."""
    _, _, users = club
    petition = {"type": "petition", "results_visibility": "after_close"}
    _, [debate] = consultation_with(club, petition, visibility="public")
    assert users["alice"].put(f"/v1/debates/{debate}/ballot", {"sign": True}).status_code == 201
    drain()
    for who in ("anonymous", "outsider", "alice", "admin"):
        assert seen(users[who], debate)["show_turnout"] is True
        assert seen(users[who], debate)["turnout"] is None, who
        refused = users[who].get(f"/v1/debates/{debate}/results")
        assert refused.data["error"]["code"] == "results_hidden", who
    travel(monkeypatch, timedelta(days=7, seconds=1))
    assert seen(users["anonymous"], debate)["turnout"] == 1  # closed: results show


# ---------------------------------------------------------------- lists


def test_a_list_shows_each_debate_s_state_in_one_request(club):
    _, _, users = club
    alice = users["alice"]
    consultation, debates = consultation_with(club, VOTE, FIXED_VOTE, VOTE, {"type": "none"})
    assert vote(alice, debates[0], "no").status_code == 201
    assert vote(alice, debates[1], "yes").status_code == 201
    listed = alice.get(f"/v1/consultations/{consultation}/debates").data["items"]
    assert [item["id"] for item in listed] == debates
    assert [item["my_ballot"] and item["my_ballot"]["choice"] for item in listed] == [
        "no",
        "yes",
        None,
        None,
    ]
    assert [item["can_vote"] for item in listed] == [
        ALLOWED,
        refused("already_voted"),
        ALLOWED,
        refused("invalid_ballot"),
    ]
    for item in listed:  # exactly what the debate itself answers
        assert item == seen(alice, item["id"])
    blocked = users["ben"].get(f"/v1/consultations/{consultation}/debates").data["items"]
    assert [item["can_vote"] for item in blocked][:3] == [refused("blocked")] * 3
    anonymous_list = users["anonymous"].get(f"/v1/consultations/{consultation}/debates")
    assert anonymous_list.status_code == 404  # a members consultation


def dynamodb_calls_listing(user, consultation: str) -> tuple[int, list[dict[str, Any]]]:
    with dynamodb_requests() as requests:
        listed = user.get(f"/v1/consultations/{consultation}/debates?limit=100")
    assert listed.status_code == 200
    return len(requests), listed.data["items"]


@pytest.mark.parametrize("reader", ["alice", "anonymous"])
def test_the_dynamodb_calls_of_a_list_do_not_grow_with_its_length(club, reader):
    _, _, users = club
    user = users[reader]
    public = {"visibility": "public", "participation": "signed_in"}
    small, two = consultation_with(club, VOTE, VOTE, **public)
    large, many = consultation_with(club, *[VOTE] * 12, **public)
    for debate in (*two, *many[::2]):
        vote(users["alice"], debate)
    calls_small, items_small = dynamodb_calls_listing(user, small)
    calls_large, items_large = dynamodb_calls_listing(user, large)
    assert (len(items_small), len(items_large)) == (2, 12)
    assert calls_small == calls_large == (4 if reader == "alice" else 3)
    mine = [item["my_ballot"] is not None for item in items_large]
    assert mine == ([True, False] * 6 if reader == "alice" else [False] * 12)


# ---------------------------------------------------------------- the writes' answers


def test_a_debate_s_writes_answer_it_as_its_writer_sees_it(club):
    group_id, _, users = club
    admin = users["admin"]
    consultation = create_consultation(admin, group_id)["id"]
    url = f"/v1/consultations/{consultation}/debates"
    created = admin.post(url, {"title": "Q", "function": VOTE})
    assert created.status_code == 201
    assert created.data["my_ballot"] is None
    assert created.data["can_vote"] == refused("not_open")  # a draft
    assert (created.data["show_turnout"], created.data["turnout"]) == (False, None)
    debate = created.data["id"]
    patched = admin.patch(f"/v1/debates/{debate}", {"title": "Q2"})
    assert patched.data["can_vote"] == refused("not_open")
    publish(admin, consultation)
    assert vote(admin, debate, "abstain").status_code == 201
    added = admin.post(f"/v1/debates/{debate}/addenda", {"body": "Précision."})
    assert added.status_code == 201
    assert added.data["my_ballot"]["choice"] == "abstain"
    assert added.data["can_vote"] == ALLOWED
    opened = admin.post(url, {"title": "Tardive", "function": VOTE})  # while open
    assert opened.data["can_vote"] == ALLOWED
    assert opened.data["my_ballot"] is None


# ---------------------------------------------------------------- a changed ballot's answer


def test_a_changed_ballot_answers_when_it_changed(club, monkeypatch):
    _, _, users = club
    alice = users["alice"]
    _, [debate] = consultation_with(club, VOTE)
    first = vote(alice, debate, "yes")
    assert (first.status_code, first.data["changed_at"]) == (201, None)
    travel(monkeypatch, timedelta(minutes=5))
    changed = vote(alice, debate, "no")
    assert changed.status_code == 200
    assert changed.data["changed_at"] == moment()
    assert changed.data["cast_at"] == first.data["cast_at"]
    retried = vote(alice, debate, "no")
    assert retried.data["changed_at"] == changed.data["changed_at"]
    assert alice.get(f"/v1/debates/{debate}/ballot").data["changed_at"] == moment()
