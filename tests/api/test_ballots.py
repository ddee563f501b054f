"""Ballots: one person, one ballot; changes, withdrawals, eligibility, results visibility,
secret ballots, and the running tally from the stream."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest

from chalicelib.domain.model import Caller
from chalicelib.services.ballots import voting
from chalicelib.store import ballots as ballot_store
from tests.api.helpers import (
    add_member,
    create_consultation,
    create_group,
    moment,
    publish,
    travel,
)


@pytest.fixture
def association(as_user):
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Amicale")
    users = {"admin": admin}
    for sub, role in [("alice", "participant"), ("bob", "participant"), ("olga", "observer")]:
        users[sub] = add_member(as_user, admin, group_id, sub, role)
    return group_id, users


def open_debate(admin, group_id, function, **consultation):
    c = create_consultation(admin, group_id, **consultation)
    debate = admin.post(
        f"/v1/consultations/{c['id']}/debates", {"title": "Motion", "function": function}
    )
    assert debate.status_code == 201, debate.data
    publish(admin, c["id"])
    return debate.data["id"]


def results(user, debate_id):
    return user.get(f"/v1/debates/{debate_id}/results")


def test_a_participant_votes_retries_and_changes_and_counts_once(association, drain):
    group_id, users = association
    alice = users["alice"]
    debate = open_debate(users["admin"], group_id, {"type": "vote", "results_visibility": "live"})
    first = alice.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    assert first.status_code == 201
    assert first.data["choice"] == "yes"
    assert alice.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 200
    changed = alice.put(f"/v1/debates/{debate}/ballot", {"choice": "no"})
    assert changed.status_code == 200
    assert alice.get(f"/v1/debates/{debate}/ballot").data["choice"] == "no"
    drain()
    shown = results(alice, debate).data
    assert shown["counts"] == {"yes": 0, "no": 1, "abstain": 0}
    assert shown["total"] == 1
    assert shown["final"] is False


def test_without_allow_change_a_change_is_refused(association):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote", "allow_change": False})
    alice = users["alice"]
    assert alice.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 201
    assert alice.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 200
    refused = alice.put(f"/v1/debates/{debate}/ballot", {"choice": "no"})
    assert refused.status_code == 409
    assert refused.data["error"]["code"] == "already_voted"
    assert alice.delete(f"/v1/debates/{debate}/ballot").status_code == 409
    assert alice.get(f"/v1/debates/{debate}/ballot").data["choice"] == "yes"


def test_a_second_ballot_slipped_in_between_read_and_write_is_refused_by_the_condition(
    association, monkeypatch
):
    """The race is forced: the same voter's other request lands between this request's read
    (no ballot yet) and its write. The write's condition refuses; one marker remains."""
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote", "allow_change": False})
    alice = users["alice"]
    real_cast_first = ballot_store.cast_first
    raced = []

    def rival_first(debate_, voter, ballot, now):
        if not raced:
            raced.append(True)
            assert alice.put(f"/v1/debates/{debate}/ballot", {"choice": "no"}).status_code == 201
        return real_cast_first(debate_, voter, ballot, now)

    monkeypatch.setattr(ballot_store, "cast_first", rival_first)
    late = alice.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    assert late.status_code == 409
    assert late.data["error"]["code"] == "already_voted"
    state = voting(Caller("alice"), debate)
    markers = list(ballot_store.markers(state.debate))
    assert [(m.voter_id, m.ballot.key) for m in markers] == [("alice", "no")]


def test_withdrawing_removes_the_ballot_and_its_count(association, drain):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "petition", "goal": 2})
    alice, bob = users["alice"], users["bob"]
    assert alice.put(f"/v1/debates/{debate}/ballot", {"sign": True}).status_code == 201
    assert bob.put(f"/v1/debates/{debate}/ballot", {"sign": True}).status_code == 201
    drain()
    assert results(alice, debate).data["counts"] == {"signed": 2}
    assert alice.delete(f"/v1/debates/{debate}/ballot").status_code == 204
    assert alice.get(f"/v1/debates/{debate}/ballot").status_code == 404
    drain()
    assert results(bob, debate).data["counts"] == {"signed": 1}
    assert alice.delete(f"/v1/debates/{debate}/ballot").data["error"]["code"] == "ballot_not_found"


def test_a_poll_takes_between_min_and_max_options(association, drain):
    group_id, users = association
    poll = {"type": "poll", "options": ["Mardi", "Jeudi", "Samedi"], "max_choices": 2}
    debate = open_debate(users["admin"], group_id, poll | {"results_visibility": "after_vote"})
    alice, bob = users["alice"], users["bob"]
    assert alice.put(f"/v1/debates/{debate}/ballot", {"choices": ["o3", "o1"]}).status_code == 201
    assert alice.get(f"/v1/debates/{debate}/ballot").data["choices"] == ["o1", "o3"]
    assert bob.put(f"/v1/debates/{debate}/ballot", {"choices": ["o1"]}).status_code == 201
    drain()
    shown = results(bob, debate).data
    assert shown["counts"] == {"o1": 2, "o2": 0, "o3": 1}
    assert shown["total"] == 2


@pytest.mark.parametrize(
    ("function", "body", "field"),
    [
        ({"type": "vote"}, {"choice": "maybe"}, "choice"),
        ({"type": "vote"}, {"choice": "YES"}, "choice"),
        ({"type": "vote"}, {}, "choice"),
        ({"type": "vote"}, {"choices": ["yes"]}, "choice"),
        ({"type": "vote"}, {"choice": "yes", "sign": True}, "choice"),
        ({"type": "vote"}, {"choice": 1}, "choice"),
        ({"type": "vote"}, {"choice": "yes", "colour": "red"}, "colour"),
        ({"type": "vote"}, {"choice": "yes", "receipt": "a" * 22}, "receipt"),
        ({"type": "poll", "options": ["a", "b"]}, {"choices": []}, "choices"),
        ({"type": "poll", "options": ["a", "b"]}, {"choices": ["o1", "o2"]}, "choices"),
        ({"type": "poll", "options": ["a", "b"]}, {"choices": ["o9"]}, "choices"),
        (
            {"type": "poll", "options": ["a", "b"], "max_choices": 2},
            {"choices": ["o1", "o1"]},
            "choices",
        ),
        ({"type": "poll", "options": ["a", "b"]}, {"choices": "o1"}, "choices"),
        ({"type": "petition"}, {"sign": False}, "sign"),
        ({"type": "petition"}, {"sign": "yes"}, "sign"),
        ({"type": "none"}, {"choice": "yes"}, "body"),
    ],
)
def test_every_malformed_ballot_is_422_invalid_ballot(association, function, body, field):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, function)
    response = users["alice"].put(f"/v1/debates/{debate}/ballot", body)
    assert response.status_code == 422, response.data
    assert response.data["error"]["code"] == "invalid_ballot"
    assert field in [d["field"] for d in response.data["error"]["details"]]
    assert users["alice"].get(f"/v1/debates/{debate}/ballot").status_code == 404


def test_malformed_json_ballot_is_400(association):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote"})
    response = users["alice"].put(f"/v1/debates/{debate}/ballot", "{not json")
    assert response.status_code == 400


def test_after_close_results_are_hidden_from_everyone_while_open_admins_included(association):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote"})
    users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    for who in ("admin", "alice", "olga"):
        response = results(users[who], debate)
        assert response.status_code == 403, who
        assert response.data["error"]["code"] == "results_hidden"


def test_after_vote_results_show_once_the_caller_has_voted(association):
    group_id, users = association
    debate = open_debate(
        users["admin"], group_id, {"type": "vote", "results_visibility": "after_vote"}
    )
    assert results(users["bob"], debate).status_code == 403
    users["bob"].put(f"/v1/debates/{debate}/ballot", {"choice": "abstain"})
    assert results(users["bob"], debate).status_code == 200


def test_results_become_visible_to_all_readers_once_closed(association, monkeypatch, drain):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote"})
    users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    drain()
    travel(monkeypatch, timedelta(days=8))
    shown = results(users["olga"], debate)
    assert shown.status_code == 200
    assert shown.data["counts"]["yes"] == 1


def test_ballots_need_an_open_consultation(association, monkeypatch):
    group_id, users = association
    admin, alice = users["admin"], users["alice"]
    draft = create_consultation(admin, group_id)
    debate = admin.post(
        f"/v1/consultations/{draft['id']}/debates", {"title": "T", "function": {"type": "vote"}}
    ).data["id"]
    assert alice.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 404
    refused = admin.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})  # sees the draft
    assert (refused.status_code, refused.data["error"]["code"]) == (409, "not_open")

    later = create_consultation(admin, group_id, opens_at=moment(timedelta(days=1)))
    scheduled = admin.post(
        f"/v1/consultations/{later['id']}/debates", {"title": "T", "function": {"type": "vote"}}
    ).data["id"]
    publish(admin, later["id"])
    assert alice.put(f"/v1/debates/{scheduled}/ballot", {"choice": "yes"}).status_code == 409

    open_now = open_debate(admin, group_id, {"type": "vote"})
    travel(monkeypatch, timedelta(days=7, seconds=1))
    closed = alice.put(f"/v1/debates/{open_now}/ballot", {"choice": "yes"})
    assert (closed.status_code, closed.data["error"]["code"]) == (409, "consultation_closed")


def test_observers_and_outsiders_cannot_vote(association, as_user):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote"})
    observer = users["olga"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    assert (observer.status_code, observer.data["error"]["code"]) == (403, "not_eligible")
    outsider = as_user("mallory").put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    assert outsider.status_code == 404
    assert as_user(None).put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 401


def test_public_participation_decides_who_takes_part(association, as_user):
    group_id, users = association
    admin = users["admin"]
    signed = open_debate(
        admin, group_id, {"type": "vote"}, visibility="public", participation="signed_in"
    )
    assert (
        as_user("resident").put(f"/v1/debates/{signed}/ballot", {"choice": "no"}).status_code == 201
    )

    verified = open_debate(
        admin, group_id, {"type": "vote"}, visibility="public", participation="verified"
    )
    unverified = as_user("resident").put(f"/v1/debates/{verified}/ballot", {"choice": "no"})
    assert (unverified.status_code, unverified.data["error"]["code"]) == (403, "not_eligible")
    checked = as_user("checked", email="c@example.org", verified=True)
    assert checked.put(f"/v1/debates/{verified}/ballot", {"choice": "no"}).status_code == 201
    assert (
        users["alice"].put(f"/v1/debates/{verified}/ballot", {"choice": "yes"}).status_code == 201
    )

    members_only = open_debate(admin, group_id, {"type": "vote"}, visibility="public")
    refused = as_user("resident").put(f"/v1/debates/{members_only}/ballot", {"choice": "no"})
    assert (refused.status_code, refused.data["error"]["code"]) == (403, "not_eligible")


def test_a_secret_poll_gives_a_receipt_and_never_shows_who_chose_what(association, drain):
    group_id, users = association
    poll = {"type": "poll", "options": ["Oui", "Non"], "secret": True, "results_visibility": "live"}
    debate = open_debate(users["admin"], group_id, poll)
    alice = users["alice"]
    cast = alice.put(f"/v1/debates/{debate}/ballot", {"choices": ["o2"]})
    assert cast.status_code == 201
    assert cast.data["secret"] is True
    receipt = cast.data["receipt"]
    assert len(receipt) >= 16
    again = alice.put(f"/v1/debates/{debate}/ballot", {"choices": ["o1"]})
    assert (again.status_code, again.data["error"]["code"]) == (409, "already_voted")
    mine = alice.get(f"/v1/debates/{debate}/ballot")
    assert mine.status_code == 200
    assert mine.data["secret"] is True
    assert alice.delete(f"/v1/debates/{debate}/ballot").status_code == 409

    responses = [cast, again, mine]
    for response in responses:
        # The receipt is random and may spell "o1" by chance: it is no choice.
        text = json.dumps(response.data).replace(receipt, "<receipt>")
        assert "o1" not in text and "o2" not in text and "choice" not in text
    drain()
    assert results(alice, debate).data["counts"] == {"o1": 0, "o2": 1}


def test_a_client_may_bring_its_own_receipt_so_a_retry_keeps_it(association):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote", "secret": True})
    mine = "my-own-receipt-0123456789"
    cast = users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "no", "receipt": mine})
    assert (cast.status_code, cast.data["receipt"]) == (201, mine)
    retry = users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "no", "receipt": mine})
    assert (retry.status_code, retry.data["receipt"]) == (200, mine)
    assert retry.data["cast_at"] == cast.data["cast_at"]
    bad = users["bob"].put(f"/v1/debates/{debate}/ballot", {"choice": "no", "receipt": "short"})
    assert (bad.status_code, bad.data["error"]["code"]) == (422, "invalid_ballot")


def secret_ballots_of(debate_id: str) -> list[tuple[str, str]]:
    state = voting(Caller("admin"), debate_id)
    filed = ballot_store.secret_ballots(state.debate)
    return sorted((receipt, ballot.key) for receipt, ballot in filed)


def test_a_second_secret_ballot_is_refused_unless_it_repeats_the_first_ones_receipt(association):
    """A secret ballot is final. A voter who sends another choice must not believe it
    changed: 409 already_voted. Only the honest retry (same choice, same receipt) is 200,
    with that receipt."""
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote", "secret": True})
    alice, url = users["alice"], f"/v1/debates/{debate}/ballot"
    first = alice.put(url, {"choice": "no"})
    assert first.status_code == 201
    receipt = first.data["receipt"]

    for body in (
        {"choice": "yes"},
        {"choice": "no"},  # the same choice, but nothing shows it is a retry
        {"choice": "yes", "receipt": receipt},
        {"choice": "no", "receipt": "x" * 22},
    ):
        refused = alice.put(url, body)
        assert (refused.status_code, refused.data["error"]["code"]) == (409, "already_voted"), body
    retry = alice.put(url, {"choice": "no", "receipt": receipt})
    assert (retry.status_code, retry.data["receipt"], retry.data["secret"]) == (200, receipt, True)
    assert retry.data["cast_at"] == first.data["cast_at"]
    assert "choice" not in retry.data
    assert secret_ballots_of(debate) == [(receipt, "no")]


def test_server_receipts_are_unguessable_and_client_receipts_are_bounded(association):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote", "secret": True})
    url = f"/v1/debates/{debate}/ballot"
    receipt = users["alice"].put(url, {"choice": "yes"}).data["receipt"]
    assert len(receipt) >= 22  # 128 random bits, URL-safe base64
    for weak in ("a" * 21, "a" * 65, "with spaces in it 0123456", "dots.are.not.allowed.0123"):
        refused = users["bob"].put(url, {"choice": "yes", "receipt": weak})
        assert (refused.status_code, refused.data["error"]["code"]) == (422, "invalid_ballot")
        assert [d["field"] for d in refused.data["error"]["details"]] == ["receipt"]
    assert users["bob"].get(url).status_code == 404


def test_a_receipt_someone_else_holds_is_refused_without_saying_whose(association):
    """Taking another voter's receipt can never succeed: 422, no retry, no hint of whose it
    is; the voter then votes under a receipt of their own. Once voted, someone else's
    receipt gets the very answer their own would."""
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote", "secret": True})
    url = f"/v1/debates/{debate}/ballot"
    alices = "alice-chose-this-receipt-0123"
    assert users["alice"].put(url, {"choice": "no", "receipt": alices}).status_code == 201

    taken = users["bob"].put(url, {"choice": "yes", "receipt": alices})
    assert (taken.status_code, taken.data["error"]["code"]) == (422, "invalid_ballot")
    assert [d["field"] for d in taken.data["error"]["details"]] == ["receipt"]
    assert "alice" not in json.dumps(taken.data).lower()
    assert users["bob"].get(url).status_code == 404  # nothing was written

    bobs = users["bob"].put(url, {"choice": "yes"})
    assert bobs.status_code == 201
    own = users["bob"].put(url, {"choice": "no", "receipt": bobs.data["receipt"]})
    other = users["bob"].put(url, {"choice": "yes", "receipt": alices})
    assert (own.status_code, own.data) == (other.status_code, other.data)
    assert secret_ballots_of(debate) == sorted([(alices, "no"), (bobs.data["receipt"], "yes")])


@pytest.mark.parametrize(("first", "second", "status"), [("no", "no", 200), ("no", "yes", 409)])
def test_parallel_secret_ballots_of_one_voter_leave_one(
    association, monkeypatch, first, second, status
):
    """The race is forced: the voter's other request (same receipt) lands between this
    request's read (no ballot yet) and its write. One anonymous ballot remains; the late
    request is the honest retry (200, same receipt) or refused (409), never a second ballot."""
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote", "secret": True})
    alice, url = users["alice"], f"/v1/debates/{debate}/ballot"
    receipt = "one-receipt-for-both-requests"
    real_cast_secret = ballot_store.cast_secret
    raced = []

    def rival_first(*args, **kwargs):
        if not raced:
            raced.append(True)
            rival = alice.put(url, {"choice": first, "receipt": receipt})
            assert rival.status_code == 201, rival.data
        return real_cast_secret(*args, **kwargs)

    monkeypatch.setattr(ballot_store, "cast_secret", rival_first)
    late = alice.put(url, {"choice": second, "receipt": receipt})
    assert late.status_code == status, late.data
    if status == 200:
        assert late.data["receipt"] == receipt
    else:
        assert late.data["error"]["code"] == "already_voted"
    assert secret_ballots_of(debate) == [(receipt, first)]


def test_parallel_secret_ballots_under_server_receipts_leave_one(association, monkeypatch):
    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote", "secret": True})
    alice, url = users["alice"], f"/v1/debates/{debate}/ballot"
    real_cast_secret = ballot_store.cast_secret
    raced = []

    def rival_first(*args, **kwargs):
        if not raced:
            raced.append(None)
            raced[0] = alice.put(url, {"choice": "no"})
            assert raced[0].status_code == 201, raced[0].data
        return real_cast_secret(*args, **kwargs)

    monkeypatch.setattr(ballot_store, "cast_secret", rival_first)
    late = alice.put(url, {"choice": "no"})
    assert (late.status_code, late.data["error"]["code"]) == (409, "already_voted")
    assert secret_ballots_of(debate) == [(raced[0].data["receipt"], "no")]


def test_replaying_a_stream_batch_counts_nothing_twice(association, monkeypatch):
    """Lambda retries batches; the tally must not move when the same records come again,
    whole or split differently."""
    from chalicelib.jobs.count_ballots import handler as count_ballots
    from local.stream import StreamReader

    group_id, users = association
    debate = open_debate(users["admin"], group_id, {"type": "vote", "results_visibility": "live"})
    users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    users["bob"].put(f"/v1/debates/{debate}/ballot", {"choice": "no"})
    users["bob"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    batches = []
    StreamReader(os.environ["HUB_TABLE"]).drain(lambda event, _: batches.append(event))
    records = [r for batch in batches for r in batch["Records"]]
    count_ballots({"Records": records}, None)
    count_ballots({"Records": records}, None)
    count_ballots({"Records": records[:3]}, None)
    count_ballots({"Records": records[-2:]}, None)
    assert results(users["alice"], debate).data["counts"] == {"yes": 2, "no": 0, "abstain": 0}
