"""Proxies under concurrency: each race is forced (the rival request runs whole between a
request's read and its write, as tests/api/test_invitations.py does), and the givers' rush
is also run on threads. The conditions decide, never the reads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.domain.model import Caller
from chalicelib.services.ballots import voting
from chalicelib.store import ballots as ballot_store
from chalicelib.store import proxies as proxy_store
from tests.api.helpers import add_member, create_consultation, create_group, publish

GIVERS = ("g1", "g2", "g3", "g4", "g5")


@pytest.fixture
def assembly(as_user):
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Amicale")
    users = {"admin": admin}
    for sub in ("alice", "bob", *GIVERS):
        users[sub] = add_member(as_user, admin, group_id, sub, "participant")
    c = create_consultation(admin, group_id, proxies={"allowed": True, "max_per_holder": 1})
    debate = admin.post(
        f"/v1/consultations/{c['id']}/debates",
        {"title": "Motion", "function": {"type": "vote", "allow_change": False}},
    ).data["id"]
    publish(admin, c["id"])
    return c["id"], debate, users


@pytest.fixture
def one_call_at_a_time(monkeypatch):
    """moto is not safe under concurrent calls (DynamoDB is): each call runs alone, as the
    local runner's embedded DynamoDB serves them, so the threads race between calls."""
    from botocore.client import BaseClient

    lock = threading.Lock()
    real = BaseClient._make_api_call

    def alone(self, operation, params):
        with lock:
            return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", alone)


def give(user, cid, holder):
    return user.put(f"/v1/consultations/{cid}/proxy", {"holder": holder})


def markers(debate):
    seen = voting(Caller("admin"), debate)
    return [
        (m.voter_id, m.ballot.key if m.ballot else None, m.by)
        for m in ballot_store.markers(seen.debate)
    ]


def code(response):
    return response.data["error"]["code"]


def race(monkeypatch, module, name, rival):
    """Run `rival()` once, just before the first call of `module.name` writes."""
    real = getattr(module, name)
    raced = []

    def first_the_rival(*args, **kwargs):
        if not raced:
            raced.append(None)  # the rival's own call goes straight through
            raced[0] = rival()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, first_the_rival)
    return raced


def test_two_givers_for_the_last_place_of_a_holder_admit_exactly_one(assembly, monkeypatch):
    cid, _, users = assembly
    rival = race(monkeypatch, proxy_store, "give", lambda: give(users["g2"], cid, "bob"))
    late = give(users["g1"], cid, "bob")
    assert rival[0].status_code == 201
    assert (late.status_code, code(late)) == (409, "proxy_limit")
    assert proxy_store.holder_count(cid, "bob") == 1
    assert proxy_store.get_proxy(cid, "g1") is None


def test_givers_rushing_to_one_holder_on_threads_admit_exactly_one(assembly, one_call_at_a_time):
    cid, _, users = assembly
    start = threading.Barrier(len(GIVERS))

    def rush(giver):
        start.wait()
        return give(users[giver], cid, "bob")

    with ThreadPoolExecutor(len(GIVERS)) as pool:
        answers = list(pool.map(rush, GIVERS))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * (len(GIVERS) - 1), [a.data for a in answers]
    assert {code(a) for a in answers if a.status_code == 409} == {"proxy_limit"}
    assert proxy_store.holder_count(cid, "bob") == 1
    held = users["bob"].get(f"/v1/me/proxies?consultation_id={cid}").data["items"]
    assert len(held) == 1


def test_a_revocation_landing_before_the_proxy_ballot_leaves_no_ballot(assembly, monkeypatch):
    cid, debate, users = assembly
    assert give(users["alice"], cid, "bob").status_code == 201
    revoke = lambda: users["alice"].delete(f"/v1/consultations/{cid}/proxy")  # noqa: E731
    rival = race(monkeypatch, proxy_store, "cast_for_first", revoke)
    late = users["bob"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes", "for": "alice"})
    assert rival[0].status_code == 204
    assert (late.status_code, code(late)) == (403, "not_proxy_holder")
    assert markers(debate) == []
    assert proxy_store.get_proxy(cid, "alice") is None
    assert proxy_store.holder_count(cid, "bob") == 0


def test_a_proxy_ballot_landing_before_the_revocation_keeps_the_proxy(assembly, monkeypatch):
    cid, debate, users = assembly
    assert give(users["alice"], cid, "bob").status_code == 201
    cast = lambda: users["bob"].put(  # noqa: E731
        f"/v1/debates/{debate}/ballot", {"choice": "yes", "for": "alice"}
    )
    rival = race(monkeypatch, proxy_store, "revoke", cast)
    late = users["alice"].delete(f"/v1/consultations/{cid}/proxy")
    assert rival[0].status_code == 201
    assert (late.status_code, code(late)) == (409, "proxy_used")
    assert markers(debate) == [("alice", "yes", "bob")]
    assert proxy_store.get_proxy(cid, "alice").used_at is not None
    assert proxy_store.holder_count(cid, "bob") == 1


def test_the_giver_voting_during_the_holders_ballot_keeps_their_own(assembly, monkeypatch):
    cid, debate, users = assembly
    give(users["alice"], cid, "bob")
    own = lambda: users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "no"})  # noqa: E731
    rival = race(monkeypatch, proxy_store, "cast_for_first", own)
    late = users["bob"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes", "for": "alice"})
    assert rival[0].status_code == 201
    assert (late.status_code, code(late)) == (409, "already_voted")
    assert markers(debate) == [("alice", "no", None)]


def test_the_holders_ballot_during_the_givers_vote_gives_way_to_it(assembly, monkeypatch):
    cid, debate, users = assembly
    give(users["alice"], cid, "bob")
    cast = lambda: users["bob"].put(  # noqa: E731
        f"/v1/debates/{debate}/ballot", {"choice": "yes", "for": "alice"}
    )
    rival = race(monkeypatch, ballot_store, "cast_first", cast)
    own = users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "no"})
    assert rival[0].status_code == 201
    assert (own.status_code, own.data["choice"]) == (200, "no")
    assert markers(debate) == [("alice", "no", None)]


def test_holder_and_giver_voting_on_threads_leave_one_marker_and_never_the_later_proxy(
    assembly, one_call_at_a_time
):
    cid, debate, users = assembly
    give(users["alice"], cid, "bob")
    start = threading.Barrier(2)

    def holder():
        start.wait()
        return users["bob"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes", "for": "alice"})

    def giver():
        start.wait()
        return users["alice"].put(f"/v1/debates/{debate}/ballot", {"choice": "no"})

    with ThreadPoolExecutor(2) as pool:
        by_holder, by_giver = pool.submit(holder), pool.submit(giver)
        by_holder, by_giver = by_holder.result(), by_giver.result()
    assert by_giver.status_code in (200, 201)
    assert by_holder.status_code in (201, 409)
    assert markers(debate) == [("alice", "no", None)]  # the giver's, whoever came first
