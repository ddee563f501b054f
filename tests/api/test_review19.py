"""Issue 19 under a hostile review: proxies and the new decision methods attacked as an
association's auditor would (one person one ballot, the holders' limit, bad input)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.store import proxies as proxy_store
from tests.api import test_proxies
from tests.api.helpers import moment, travel
from tests.api.test_proxies import code, consultation, give, vote

assembly = test_proxies.assembly  # the fixture: an association's general assembly


def held_counts(cid: str, holders: list[str]) -> dict[str, int]:
    return {h: proxy_store.holder_count(cid, h) for h in holders}


def proxies_held(users, cid: str, holders: list[str]) -> dict[str, int]:
    return {
        h: len(users[h].get(f"/v1/me/proxies?consultation_id={cid}").data["items"]) for h in holders
    }


def test_the_holders_counter_never_drifts_under_give_replace_revoke_churn(assembly):
    group_id, users = assembly
    cid, _ = consultation(
        users["admin"], group_id, [{"type": "vote"}], proxies={"allowed": True, "max_per_holder": 2}
    )
    holders = ["bob", "carol", "dan", "mona"]
    givers = ["alice", "bob", "carol", "dan"]
    for n in range(24):
        giver = users[givers[n % 4]]
        holder = holders[(n * 7 + n // 4) % 4]
        if n % 5 == 4:
            giver.delete(f"/v1/consultations/{cid}/proxy")
        else:
            answer = give(giver, cid, holder)
            assert answer.status_code in (200, 201, 409, 422), answer.data
        assert held_counts(cid, holders) == proxies_held(users, cid, holders)
        assert all(count <= 2 for count in held_counts(cid, holders).values())


def test_lowering_max_per_holder_while_scheduled_never_lets_a_holder_keep_more(
    assembly, monkeypatch
):
    group_id, users = assembly
    admin = users["admin"]
    two = {"allowed": True, "max_per_holder": 2}
    cid, (debate,) = consultation(
        admin, group_id, [{"type": "vote"}], opens_at=moment(timedelta(hours=1)), proxies=two
    )
    assert give(users["alice"], cid, "bob").status_code == 201
    assert give(users["carol"], cid, "bob").status_code == 201
    lowered = admin.patch(f"/v1/consultations/{cid}", {"proxies": {"allowed": True}})
    assert (lowered.status_code, code(lowered)) == (409, "consultation_locked")
    assert lowered.data["error"]["details"][0]["field"] == "proxies"
    assert admin.get(f"/v1/consultations/{cid}").data["proxies"] == two
    off = {"allowed": False, "max_per_holder": 2}
    assert admin.patch(f"/v1/consultations/{cid}", {"proxies": off}).status_code == 200
    back = admin.patch(f"/v1/consultations/{cid}", {"proxies": {"allowed": True}})
    assert (back.status_code, code(back)) == (409, "consultation_locked")
    three = {"allowed": True, "max_per_holder": 3}
    assert admin.patch(f"/v1/consultations/{cid}", {"proxies": three}).status_code == 200
    travel(monkeypatch, timedelta(hours=2))
    assert vote(users["bob"], debate, "yes", **{"for": "alice"}).status_code == 201
    assert vote(users["bob"], debate, "yes", **{"for": "carol"}).status_code == 201


def test_a_giver_who_left_can_still_take_their_proxy_back(assembly):
    """A member who left cannot be voted for: their proxy must not keep the holder's only
    place taken for good."""
    group_id, users = assembly
    cid, _ = consultation(users["admin"], group_id, [{"type": "vote"}])
    assert give(users["alice"], cid, "bob").status_code == 201
    assert users["alice"].delete(f"/v1/groups/{group_id}/members/alice").status_code == 204
    taken_back = users["alice"].delete(f"/v1/consultations/{cid}/proxy")
    assert taken_back.status_code == 204, taken_back.data
    assert give(users["carol"], cid, "bob").status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {"holder": 12},
        {"holder": True},
        {"holder": None},
        {"holder": ["bob"]},
        {"holder": {"id": "bob"}},
        {"holder": ""},
        {"holder": "x" * 257},
        {"holder": "x" * 256},
        {"holder": "a#b"},
        {"holder": "PROXY#bob"},
        {"holder": "bob\n"},
        {"holder": "."},
        {"holder": "bob", "extra": 1},
        {},
    ],
)
def test_bad_holders_are_refused_never_500(assembly, body):
    group_id, users = assembly
    cid, _ = consultation(users["admin"], group_id, [{"type": "vote"}])
    answer = users["alice"].put(f"/v1/consultations/{cid}/proxy", body)
    assert answer.status_code in (400, 422), answer.data


@pytest.mark.parametrize(
    "giver",
    [12, True, None, "", "x" * 257, "x" * 256, "a#b", "bob\n", ".", ["alice"], "eve", "admin"],
)
def test_bad_for_is_refused_never_500(assembly, giver):
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [{"type": "vote"}])
    give(users["alice"], cid, "bob")
    answer = vote(users["bob"], debate, "yes", **{"for": giver})
    assert answer.status_code < 500, answer.data
    if giver is not None:
        assert answer.status_code in (400, 403, 422), answer.data


@pytest.mark.parametrize("giver", ["", "x" * 257, "x" * 256, "a#b", "bob%0A", ".", "eve"])
def test_bad_for_query_is_refused_never_500(assembly, giver):
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [{"type": "vote"}])
    give(users["alice"], cid, "bob")
    answer = users["bob"].get(f"/v1/debates/{debate}/ballot?for={giver}")
    assert answer.status_code in (400, 403, 404, 422), answer.data


@pytest.mark.parametrize("value", ["", "x" * 257, "a#b", "CONSULT%23x", "%00"])
def test_bad_consultation_filter_on_held_proxies_never_500(assembly, value):
    _, users = assembly
    answer = users["bob"].get(f"/v1/me/proxies?consultation_id={value}")
    assert answer.status_code in (200, 400, 422), answer.data


def test_a_proxy_of_another_consultation_does_not_vote_here(assembly):
    group_id, users = assembly
    admin = users["admin"]
    first, _ = consultation(admin, group_id, [{"type": "vote"}])
    _, (debate,) = consultation(admin, group_id, [{"type": "vote"}], title="Autre")
    assert give(users["alice"], first, "bob").status_code == 201
    answer = vote(users["bob"], debate, "yes", **{"for": "alice"})
    assert (answer.status_code, code(answer)) == (403, "not_proxy_holder")


OPTIONS = [f"Option {n}" for n in range(20)]


@pytest.mark.parametrize(
    ("function", "ballot"),
    [
        ({"type": "score"}, {"scores": {f"o{n}": 1.0 for n in range(1, 21)}}),
        ({"type": "score"}, {"scores": {f"o{n}": True for n in range(1, 21)}}),
        ({"type": "score"}, {"scores": {f"o{n}": "3" for n in range(1, 21)}}),
        ({"type": "score"}, {"scores": {f"o{n}": 10**40 for n in range(1, 21)}}),
        ({"type": "score"}, {"scores": {f"o{n}": -1 for n in range(1, 21)}}),
        ({"type": "score"}, {"scores": {**{f"o{n}": 1 for n in range(1, 21)}, "o21": 1}}),
        ({"type": "score"}, {"scores": {f"o{n}": 1 for n in range(1, 22)}}),
        ({"type": "score"}, {"scores": []}),
        ({"type": "score"}, {"scores": None, "points": {"o1": 10}}),
        ({"type": "dot"}, {"points": {"o1": 20, "o2": -10}}),
        ({"type": "dot"}, {"points": {"o1": 10**40, "o2": -(10**40) + 10}}),
        ({"type": "dot"}, {"points": {"o1": 10.0}}),
        ({"type": "dot"}, {"points": {"o1": 0}}),
        ({"type": "dot"}, {"points": {}}),
        ({"type": "dot"}, {"points": {"o1,o2": 10}}),
        ({"type": "dot"}, {"points": {"o1=3": 10}}),
        ({"type": "majority_judgment"}, {"grades": {f"o{n}": "good" for n in range(1, 21)}}),
        (
            {"type": "majority_judgment", "grades": ["bien", "passable", "insuffisant"]},
            {"grades": {f"o{n}": "excellent" for n in range(1, 21)}},
        ),
        ({"type": "majority_judgment"}, {"grades": {f"o{n}": 3 for n in range(1, 21)}}),
        ({"type": "majority_judgment"}, {"grades": {"o1": "bien"}}),
        ({"type": "ranked"}, {"ranking": []}),
        ({"type": "ranked"}, {"ranking": ["o1", "o1"]}),
        ({"type": "ranked"}, {"ranking": ["o99"]}),
        ({"type": "ranked"}, {"ranking": [1, 2]}),
        ({"type": "ranked"}, {"ranking": "o1"}),
        ({"type": "ranked"}, {"ranking": [f"o{n}" for n in range(1, 22)]}),
        ({"type": "ranked", "max_ranks": 2}, {"ranking": ["o1", "o2", "o3"]}),
    ],
)
def test_bad_ballots_of_twenty_options_get_422(assembly, function, ballot):
    group_id, users = assembly
    _, (debate,) = consultation(users["admin"], group_id, [{**function, "options": OPTIONS}])
    answer = users["alice"].put(f"/v1/debates/{debate}/ballot", ballot)
    assert answer.status_code == 422, answer.data


@pytest.mark.parametrize(
    ("function", "ballot"),
    [
        ({"type": "score", "max_score": 10}, {"scores": {f"o{n}": 10 for n in range(1, 21)}}),
        ({"type": "dot", "points_per_voter": 100}, {"points": {f"o{n}": 5 for n in range(1, 21)}}),
        (
            {"type": "majority_judgment"},
            {"grades": {f"o{n}": "assez_bien" for n in range(1, 21)}},
        ),
        ({"type": "ranked"}, {"ranking": [f"o{n}" for n in range(20, 0, -1)]}),
    ],
)
def test_the_largest_ballots_are_taken_for_oneself_and_by_proxy(assembly, function, ballot):
    group_id, users = assembly
    cid, (debate,) = consultation(
        users["admin"], group_id, [{**function, "options": OPTIONS, "secret": True}]
    )
    assert give(users["alice"], cid, "bob").status_code == 201
    assert users["bob"].put(f"/v1/debates/{debate}/ballot", ballot).status_code == 201
    proxy = users["bob"].put(f"/v1/debates/{debate}/ballot", {**ballot, "for": "alice"})
    assert proxy.status_code == 201, proxy.data


def test_a_giver_whose_ballot_a_proxy_cast_sees_no_after_vote_tally_while_they_may_replace_it(
    assembly,
):
    """Results shown after one's vote, ballots final: a voter sees the tally only once
    their ballot can no longer change. A giver may still replace the proxy's ballot: seeing
    the tally first would let them vote knowing it."""
    group_id, users = assembly
    alice, bob = users["alice"], users["bob"]
    cid, (debate,) = consultation(
        users["admin"],
        group_id,
        [{"type": "vote", "results_visibility": "after_vote", "allow_change": False}],
    )
    assert give(alice, cid, "bob").status_code == 201
    assert vote(users["carol"], debate, "no").status_code == 201
    assert vote(bob, debate, "yes", **{"for": "alice"}).status_code == 201
    peek = alice.get(f"/v1/debates/{debate}/results")
    assert (peek.status_code, code(peek)) == (403, "results_hidden"), peek.data
    assert vote(alice, debate, "no").status_code == 200  # her own ballot replaces bob's
    assert alice.get(f"/v1/debates/{debate}/results").status_code == 200


@pytest.mark.parametrize(
    ("function", "ballot"),
    [
        ({"type": "none"}, {"choice": "yes"}),
        ({"type": "petition"}, {"sign": True}),
        ({"type": "vote", "secret": True}, {"choice": "yes", "receipt": "short"}),
        ({"type": "vote", "secret": True}, {"choice": "yes", "receipt": "r" * 64}),
        ({"type": "vote"}, {"choice": "yes", "receipt": "r" * 30}),
        ({"type": "vote"}, {"choice": "maybe"}),
        ({"type": "poll", "options": ["A", "B"]}, {"choices": ["o1"], "ranking": ["o1"]}),
    ],
)
def test_odd_proxy_ballots_are_answered_never_500(assembly, function, ballot):
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [function])
    assert give(users["alice"], cid, "bob").status_code == 201
    answer = users["bob"].put(f"/v1/debates/{debate}/ballot", {**ballot, "for": "alice"})
    assert answer.status_code < 500, answer.data
    read = users["bob"].get(f"/v1/debates/{debate}/ballot?for=alice")
    assert read.status_code < 500, read.data
    if answer.status_code in (200, 201):
        assert read.status_code == 200
        assert users["alice"].get(f"/v1/debates/{debate}/ballot").data["by"] == "bob"


@pytest.mark.parametrize("target", ["..", "x" * 300, "%23", "CONSULT%23x", "nope"])
@pytest.mark.parametrize("method", ["put", "get", "delete"])
def test_proxy_routes_on_odd_consultation_ids_are_refused(assembly, target, method):
    _, users = assembly
    call = getattr(users["alice"], method)
    args = ({"holder": "bob"},) if method == "put" else ()
    answer = call(f"/v1/consultations/{target}/proxy", *args)
    assert answer.status_code in (404, 405, 422), answer.data  # 422: a path too long


def test_a_holder_sees_no_after_vote_tally_before_casting_the_ballots_they_hold(assembly):
    """Results shown after one's vote, ballots final: a holder who voted for themselves
    would otherwise read the tally, then cast their giver's ballot knowing it."""
    group_id, users = assembly
    alice, bob = users["alice"], users["bob"]
    cid, (debate, other) = consultation(
        users["admin"],
        group_id,
        [{"type": "vote", "results_visibility": "after_vote", "allow_change": False}] * 2,
    )
    assert give(alice, cid, "bob").status_code == 201
    assert vote(users["carol"], debate, "no").status_code == 201
    assert vote(bob, debate, "yes").status_code == 201
    peek = bob.get(f"/v1/debates/{debate}/results")
    assert (peek.status_code, code(peek)) == (403, "results_hidden"), peek.data
    assert vote(bob, debate, "yes", **{"for": "alice"}).status_code == 201
    assert bob.get(f"/v1/debates/{debate}/results").status_code == 200
    # A giver who voted themselves leaves nothing for the holder to cast.
    assert vote(alice, other, "no").status_code == 201
    assert vote(bob, other, "yes").status_code == 201
    assert bob.get(f"/v1/debates/{other}/results").status_code == 200
    # Someone holding no proxy sees it once voted, as ever.
    assert users["carol"].get(f"/v1/debates/{debate}/results").status_code == 200
