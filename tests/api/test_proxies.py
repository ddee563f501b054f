"""Proxies (procurations), issue 19: a member gives their proxy for a consultation; its
holder votes for them; the giver's own ballot always wins; `max_per_holder` holds; every
kind of caller is answered as the rules say."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import clock
from chalicelib.domain.model import Caller
from chalicelib.services import closer
from chalicelib.services.ballots import voting
from chalicelib.store import ballots as ballot_store
from tests.api.helpers import (
    add_member,
    audit_log,
    create_consultation,
    create_group,
    moment,
    publish,
    travel,
)

GRACE = timedelta(seconds=60)


@pytest.fixture
def assembly(as_user):
    """An association's general assembly: members of every role, an outsider."""
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Amicale")
    users = {"admin": admin}
    for sub, role in [
        ("alice", "participant"),
        ("bob", "participant"),
        ("carol", "participant"),
        ("dan", "author"),
        ("mona", "moderator"),
        ("olga", "observer"),
    ]:
        users[sub] = add_member(as_user, admin, group_id, sub, role)
    users["eve"] = as_user("eve", name="Eve")  # an outsider
    return group_id, users


def consultation(admin, group_id, functions, *, publish_it=True, **fields):
    fields.setdefault("proxies", {"allowed": True, "max_per_holder": 1})
    c = create_consultation(admin, group_id, **fields)
    debates = []
    for function in functions:
        created = admin.post(
            f"/v1/consultations/{c['id']}/debates", {"title": "Motion", "function": function}
        )
        assert created.status_code == 201, created.data
        debates.append(created.data["id"])
    if publish_it:
        publish(admin, c["id"])
    return c["id"], debates


def give(user, cid, holder):
    return user.put(f"/v1/consultations/{cid}/proxy", {"holder": holder})


def vote(user, debate, choice, **more):
    return user.put(f"/v1/debates/{debate}/ballot", {"choice": choice, **more})


def code(response):
    return response.data["error"]["code"]


def finalise(monkeypatch):
    travel(monkeypatch, timedelta(days=7) + GRACE)
    closer.close_due_consultations(clock.now())


# ---------------------------------------------------------------- acceptance 3


def test_acceptance_a_proxy_votes_for_its_giver_until_the_giver_votes_themselves(
    assembly, drain, monkeypatch
):
    group_id, users = assembly
    admin, alice, bob, carol = users["admin"], users["alice"], users["bob"], users["carol"]
    cid, (debate,) = consultation(
        admin, group_id, [{"type": "vote", "results_visibility": "live", "allow_change": False}]
    )

    given = give(alice, cid, "bob")
    assert given.status_code == 201
    assert given.data["giver"] == {"id": "alice", "name": "Alice"}
    assert given.data["holder"] == {"id": "bob", "name": "Bob"}
    assert given.data["used_at"] is None
    held = bob.get("/v1/me/proxies").data["items"]
    assert [(p["giver"]["id"], p["consultation_title"]) for p in held] == [
        ("alice", "Budget participatif")
    ]

    # The holder votes for both: for himself, and for alice.
    assert vote(bob, debate, "no").status_code == 201
    for_alice = vote(bob, debate, "no", **{"for": "alice"})
    assert for_alice.status_code == 201
    assert for_alice.data["for"] == "alice"
    assert for_alice.data["choice"] == "no"
    assert bob.get(f"/v1/debates/{debate}/ballot?for=alice").data["choice"] == "no"
    cast_for_her = alice.get(f"/v1/debates/{debate}/ballot").data
    assert (cast_for_her["choice"], cast_for_her["by"]) == ("no", "bob")
    assert alice.get(f"/v1/consultations/{cid}/proxy").data["used_at"] is not None
    drain()
    assert alice.get(f"/v1/debates/{debate}/results").data["total"] == 2

    # Her own ballot replaces the proxy's, though the debate allows no change.
    assert alice.get(f"/v1/debates/{debate}").data["can_vote"] == {"allowed": True}
    own = vote(alice, debate, "yes")
    assert own.status_code == 200
    assert own.data["choice"] == "yes"
    assert "for" not in own.data
    assert vote(alice, debate, "no").status_code == 409  # now hers: no change allowed
    assert alice.get(f"/v1/debates/{debate}").data["can_vote"] == {
        "allowed": False,
        "reason": "already_voted",
    }
    late = vote(bob, debate, "no", **{"for": "alice"})
    assert (late.status_code, code(late)) == (409, "already_voted")
    assert bob.get(f"/v1/debates/{debate}/ballot?for=alice").status_code == 404
    drain()
    running = alice.get(f"/v1/debates/{debate}/results").data
    assert (running["counts"]["yes"], running["counts"]["no"], running["total"]) == (1, 1, 2)

    assert give(carol, cid, "dan").status_code == 201
    assert vote(users["dan"], debate, "yes", **{"for": "carol"}).status_code == 201
    drain()
    # A second proxy to a holder at max_per_holder 1 (after the last drain: moto, unlike
    # DynamoDB and the local runner's embedded store, loses the stream after a cancelled
    # transaction).
    refused = give(users["mona"], cid, "bob")
    assert (refused.status_code, code(refused)) == (409, "proxy_limit")

    finalise(monkeypatch)
    final = alice.get(f"/v1/debates/{debate}/results").data
    assert final["final"] is True
    assert final["counts"] == {"yes": 2, "no": 1, "abstain": 0}
    assert final["by_proxy"] == 1  # carol's, by dan; alice's own replaced bob's
    assert final["tally_mismatch"] is None
    actions = [e["action"] for e in audit_log(admin, group_id)]
    assert actions.count("proxy_given") == 2 and actions.count("proxy_used") == 2
    used = next(e for e in audit_log(admin, group_id) if e["action"] == "proxy_used")
    assert (used["actor"]["id"], used["subject_id"]) == ("bob", "alice")
    assert "choice" not in used["details"] and "no" not in str(used["details"])


def test_the_giver_who_voted_first_keeps_their_ballot(assembly):
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [{"type": "vote"}])
    assert give(users["alice"], cid, "bob").status_code == 201
    assert vote(users["alice"], debate, "yes").status_code == 201
    late = vote(users["bob"], debate, "no", **{"for": "alice"})
    assert (late.status_code, code(late)) == (409, "already_voted")
    assert "a voté lui-même" in late.data["error"]["message"]
    assert users["alice"].get(f"/v1/debates/{debate}/ballot").data["choice"] == "yes"


def test_the_holder_may_change_the_proxy_ballot_where_changes_are_allowed(assembly):
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [{"type": "vote"}])
    give(users["alice"], cid, "bob")
    assert vote(users["bob"], debate, "no", **{"for": "alice"}).status_code == 201
    again = vote(users["bob"], debate, "no", **{"for": "alice"})
    assert (again.status_code, again.data["for"]) == (200, "alice")
    changed = vote(users["bob"], debate, "abstain", **{"for": "alice"})
    assert (changed.status_code, changed.data["choice"]) == (200, "abstain")


def test_a_secret_proxy_ballot_cannot_be_replaced_and_its_receipt_goes_to_the_holder(
    assembly, drain, monkeypatch
):
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [{"type": "vote", "secret": True}])
    give(users["alice"], cid, "bob")
    cast = vote(users["bob"], debate, "yes", **{"for": "alice"})
    assert cast.status_code == 201
    assert cast.data["for"] == "alice" and len(cast.data["receipt"]) >= 22
    assert "choice" not in cast.data
    own = vote(users["alice"], debate, "no")
    assert (own.status_code, code(own)) == (409, "already_voted")
    assert "scrutin secret" in own.data["error"]["message"]
    mine = users["alice"].get(f"/v1/debates/{debate}/ballot").data
    assert mine["secret"] is True and "choice" not in mine
    shown = users["bob"].get(f"/v1/debates/{debate}/ballot?for=alice").data
    assert (shown["secret"], shown["for"], shown["receipt"]) == (True, "alice", None)
    drain()
    finalise(monkeypatch)
    final = users["alice"].get(f"/v1/debates/{debate}/results").data
    assert (final["total"], final["by_proxy"], final["tally_mismatch"]) == (1, 1, None)
    receipt = users["eve"].get(f"/v1/debates/{debate}/receipts/{cast.data['receipt']}")
    assert receipt.status_code == 404  # eve cannot see the members' debate
    checked = users["carol"].get(f"/v1/debates/{debate}/receipts/{cast.data['receipt']}")
    assert checked.status_code == 200 and checked.data["choices"] == ["yes"]


# ---------------------------------------------------------------- giving, replacing, revoking


def test_replacing_a_proxy_moves_the_count_to_the_new_holder(assembly):
    group_id, users = assembly
    cid, _ = consultation(users["admin"], group_id, [{"type": "vote"}])
    alice = users["alice"]
    assert give(alice, cid, "bob").status_code == 201
    same = give(alice, cid, "bob")
    assert (same.status_code, same.data["holder"]["id"]) == (200, "bob")
    moved = give(alice, cid, "carol")
    assert (moved.status_code, moved.data["holder"]["id"]) == (200, "carol")
    assert users["bob"].get("/v1/me/proxies").data["items"] == []
    assert give(users["dan"], cid, "bob").status_code == 201  # bob's place is free again
    assert alice.get(f"/v1/consultations/{cid}/proxy").data["holder"]["id"] == "carol"


def test_a_used_proxy_can_be_neither_revoked_nor_replaced(assembly):
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [{"type": "vote"}])
    alice = users["alice"]
    give(alice, cid, "bob")
    vote(users["bob"], debate, "yes", **{"for": "alice"})
    revoked = alice.delete(f"/v1/consultations/{cid}/proxy")
    assert (revoked.status_code, code(revoked)) == (409, "proxy_used")
    replaced = give(alice, cid, "carol")
    assert (replaced.status_code, code(replaced)) == (409, "proxy_used")
    assert alice.get(f"/v1/consultations/{cid}/proxy").data["holder"]["id"] == "bob"


def test_a_revoked_proxy_no_longer_votes(assembly):
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [{"type": "vote"}])
    alice, bob = users["alice"], users["bob"]
    give(alice, cid, "bob")
    assert alice.delete(f"/v1/consultations/{cid}/proxy").status_code == 204
    gone = alice.get(f"/v1/consultations/{cid}/proxy")
    assert (gone.status_code, code(gone)) == (404, "proxy_not_found")
    again = alice.delete(f"/v1/consultations/{cid}/proxy")
    assert (again.status_code, code(again)) == (404, "proxy_not_found")
    refused = vote(bob, debate, "yes", **{"for": "alice"})
    assert (refused.status_code, code(refused)) == (403, "not_proxy_holder")
    assert bob.get("/v1/me/proxies").data["items"] == []
    actions = [e["action"] for e in audit_log(users["admin"], group_id)]
    assert actions[-2:] == ["proxy_given", "proxy_revoked"]


def test_a_holder_gives_back_a_proxy_and_its_place_is_free_again(assembly):
    """Nobody holds a place of someone's against their will: with max_per_holder 1, a
    proxy bob did not want would otherwise keep every other member's away from him."""
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [{"type": "vote"}])
    alice, bob, carol = users["alice"], users["bob"], users["carol"]
    assert give(alice, cid, "bob").status_code == 201
    full = give(carol, cid, "bob")
    assert (full.status_code, code(full)) == (409, "proxy_limit")
    for stranger in ("carol", "eve", "admin"):  # only its holder gives it back
        refused = users[stranger].delete(f"/v1/me/proxies/{cid}/alice")
        assert refused.status_code == 404, stranger
    assert bob.delete(f"/v1/me/proxies/{cid}/alice").status_code == 204
    gone = alice.get(f"/v1/consultations/{cid}/proxy")
    assert (gone.status_code, code(gone)) == (404, "proxy_not_found")
    refused = vote(bob, debate, "yes", **{"for": "alice"})
    assert (refused.status_code, code(refused)) == (403, "not_proxy_holder")
    assert give(carol, cid, "bob").status_code == 201  # bob's place is free again
    again = bob.delete(f"/v1/me/proxies/{cid}/alice")
    assert (again.status_code, code(again)) == (404, "proxy_not_found")
    actions = [e["action"] for e in audit_log(users["admin"], group_id)]
    assert actions[-3:] == ["proxy_given", "proxy_declined", "proxy_given"]


def test_a_used_proxy_cannot_be_given_back(assembly):
    group_id, users = assembly
    cid, (debate,) = consultation(users["admin"], group_id, [{"type": "vote"}])
    give(users["alice"], cid, "bob")
    assert vote(users["bob"], debate, "no", **{"for": "alice"}).status_code == 201
    used = users["bob"].delete(f"/v1/me/proxies/{cid}/alice")
    assert (used.status_code, code(used)) == (409, "proxy_used")
    assert users["alice"].get(f"/v1/consultations/{cid}/proxy").data["holder"]["id"] == "bob"


def test_the_holder_must_be_someone_else_who_may_take_part(assembly, as_user):
    group_id, users = assembly
    admin = users["admin"]
    cid, _ = consultation(admin, group_id, [{"type": "vote"}])
    assert admin.put(f"/v1/groups/{group_id}/blocks/carol", {"reason": "Spam"}).status_code in (
        200,
        201,
    )
    for holder in ("alice", "olga", "eve", "nobody", "carol"):
        refused = give(users["alice"], cid, holder)
        assert refused.status_code == 422, holder
        assert refused.data["error"]["details"][0]["field"] == "holder"
        assert refused.data["error"]["details"][0]["code"] == "invalid"


def test_proxies_follow_the_consultation_setting(assembly, monkeypatch):
    group_id, users = assembly
    admin = users["admin"]
    off, _ = consultation(admin, group_id, [{"type": "vote"}], proxies={"allowed": False})
    refused = give(users["alice"], off, "bob")
    assert (refused.status_code, code(refused)) == (409, "proxies_not_allowed")
    assert admin.get(f"/v1/consultations/{off}").data["proxies"] == {
        "allowed": False,
        "max_per_holder": 1,
    }
    default = create_consultation(admin, group_id)
    assert default["proxies"] == {"allowed": False, "max_per_holder": 1}
    for bad in (0, 6):
        too = admin.post(
            f"/v1/groups/{group_id}/consultations",
            {
                "title": "T",
                "visibility": "members",
                "closes_at": moment(timedelta(days=7)),
                "proxies": {"allowed": True, "max_per_holder": bad},
            },
        )
        assert too.status_code == 422
    # Changeable while scheduled, locked once open.
    scheduled, _ = consultation(
        admin,
        group_id,
        [{"type": "vote"}],
        opens_at=moment(timedelta(hours=1)),
        proxies={"allowed": False},
    )
    two = {"allowed": True, "max_per_holder": 2}
    changed = admin.patch(f"/v1/consultations/{scheduled}", {"proxies": two})
    assert (changed.status_code, changed.data["proxies"]) == (200, two)
    assert give(users["alice"], scheduled, "bob").status_code == 201  # before it opens
    travel(monkeypatch, timedelta(hours=2))
    locked = admin.patch(f"/v1/consultations/{scheduled}", {"proxies": {"allowed": False}})
    assert (locked.status_code, code(locked)) == (409, "consultation_locked")
    assert locked.data["error"]["details"][0]["field"] == "proxies"


def test_no_proxy_is_given_once_closed(assembly, monkeypatch):
    group_id, users = assembly
    cid, _ = consultation(users["admin"], group_id, [{"type": "vote"}])
    travel(monkeypatch, timedelta(days=8))
    refused = give(users["alice"], cid, "bob")
    assert (refused.status_code, code(refused)) == (409, "consultation_closed")


def test_max_per_holder_two(assembly):
    group_id, users = assembly
    cid, _ = consultation(
        users["admin"], group_id, [{"type": "vote"}], proxies={"allowed": True, "max_per_holder": 2}
    )
    assert give(users["alice"], cid, "bob").status_code == 201
    assert give(users["carol"], cid, "bob").status_code == 201
    refused = give(users["dan"], cid, "bob")
    assert (refused.status_code, code(refused)) == (409, "proxy_limit")
    held = users["bob"].get(f"/v1/me/proxies?consultation_id={cid}").data["items"]
    assert [p["giver"]["id"] for p in held] == ["carol", "alice"]  # newest first
    other, _ = consultation(users["admin"], group_id, [{"type": "vote"}], title="Autre")
    assert users["bob"].get(f"/v1/me/proxies?consultation_id={other}").data["items"] == []


# ---------------------------------------------------------------- every kind of caller


def test_every_kind_of_caller_on_the_proxy_routes(assembly, as_user):
    group_id, users = assembly
    admin = users["admin"]
    cid, (debate,) = consultation(admin, group_id, [{"type": "vote"}])
    outsider = users["eve"]
    for method, body in (("put", {"holder": "bob"}), ("get", None), ("delete", None)):
        args = (f"/v1/consultations/{cid}/proxy",) + ((body,) if body else ())
        hidden = getattr(outsider, method)(*args)
        assert (hidden.status_code, code(hidden)) == (404, "consultation_not_found"), method
    observer = give(users["olga"], cid, "bob")
    assert (observer.status_code, code(observer)) == (403, "not_eligible")
    # Participant, author, moderator and admin may each give one (to distinct holders).
    for giver, holder in (("alice", "bob"), ("dan", "carol"), ("mona", "admin"), ("admin", "mona")):
        assert give(users[giver], cid, holder).status_code == 201, giver
    assert users["admin"].get("/v1/me/proxies").data["items"][0]["giver"]["id"] == "mona"
    # Someone who holds no proxy of the giver.
    stranger = vote(users["carol"], debate, "yes", **{"for": "alice"})
    assert (stranger.status_code, code(stranger)) == (403, "not_proxy_holder")
    assert users["carol"].get(f"/v1/debates/{debate}/ballot?for=alice").status_code == 403
    assert vote(outsider, debate, "yes", **{"for": "alice"}).status_code == 404


def test_a_giver_who_left_or_was_blocked_can_no_longer_be_voted_for(assembly):
    group_id, users = assembly
    admin = users["admin"]
    cid, (debate,) = consultation(
        admin, group_id, [{"type": "vote"}], proxies={"allowed": True, "max_per_holder": 2}
    )
    give(users["alice"], cid, "bob")
    give(users["carol"], cid, "bob")
    assert users["alice"].delete(f"/v1/groups/{group_id}/members/alice").status_code == 204
    former = vote(users["bob"], debate, "yes", **{"for": "alice"})
    assert (former.status_code, code(former)) == (403, "not_eligible")
    assert admin.put(f"/v1/groups/{group_id}/blocks/carol", {"reason": "Spam"}).status_code in (
        200,
        201,
    )
    blocked = vote(users["bob"], debate, "yes", **{"for": "carol"})
    assert (blocked.status_code, code(blocked)) == (403, "not_eligible")


def test_a_blocked_member_gives_no_proxy(assembly):
    group_id, users = assembly
    cid, _ = consultation(users["admin"], group_id, [{"type": "vote"}])
    blocked = users["admin"].put(f"/v1/groups/{group_id}/blocks/alice", {"reason": "Spam"})
    assert blocked.status_code in (200, 201)
    refused = give(users["alice"], cid, "bob")
    assert (refused.status_code, code(refused)) == (409, "blocked")


def test_a_partner_member_may_give_and_hold_proxies(assembly, as_user):
    group_id, users = assembly
    admin = users["admin"]
    partner_admin = as_user("padmin", name="Padmin")
    partner = create_group(partner_admin, "Voisins")
    paula = add_member(as_user, partner_admin, partner, "paula", "participant")
    cid, (debate,) = consultation(admin, group_id, [{"type": "vote"}], publish_it=False)
    assert admin.post(f"/v1/consultations/{cid}/partners", {"group_id": partner}).status_code in (
        200,
        201,
    )
    accepted = partner_admin.post(f"/v1/consultations/{cid}/partners/{partner}/accept")
    assert accepted.status_code == 201, accepted.data
    publish(admin, cid)
    assert give(paula, cid, "alice").status_code == 201
    assert vote(users["alice"], debate, "yes", **{"for": "paula"}).status_code == 201
    assert give(users["bob"], cid, "paula").status_code == 201


# ---------------------------------------------------------------- privacy


def test_the_export_lists_proxies_given_and_held(assembly):
    group_id, users = assembly
    cid, _ = consultation(users["admin"], group_id, [{"type": "vote"}])
    give(users["alice"], cid, "bob")
    given = users["alice"].get("/v1/me/export").data
    assert [(p["giver"]["id"], p["holder"]["id"]) for p in given["proxies_given"]] == [
        ("alice", "bob")
    ]
    assert given["proxies_held"] == []
    held = users["bob"].get("/v1/me/export").data
    assert [p["giver"]["id"] for p in held["proxies_held"]] == ["alice"]


def test_erasing_a_giver_and_a_holder_leaves_no_proxy_and_keeps_the_count(
    assembly, drain, monkeypatch
):
    group_id, users = assembly
    admin = users["admin"]
    cid, (debate,) = consultation(
        admin, group_id, [{"type": "vote"}], proxies={"allowed": True, "max_per_holder": 2}
    )
    give(users["alice"], cid, "bob")  # used, then bob erases his account
    give(users["carol"], cid, "bob")  # unused, taken from bob
    give(users["dan"], cid, "mona")  # dan erases his: his proxy goes, mona's count with it
    assert vote(users["bob"], debate, "yes", **{"for": "alice"}).status_code == 201
    assert users["bob"].delete("/v1/me").status_code == 204
    assert users["dan"].delete("/v1/me").status_code == 204
    assert users["alice"].get(f"/v1/consultations/{cid}/proxy").status_code == 404
    assert users["carol"].get(f"/v1/consultations/{cid}/proxy").status_code == 404
    assert users["mona"].get("/v1/me/proxies").data["items"] == []
    assert give(users["olga"], cid, "mona").status_code == 403  # an observer, as ever
    assert give(users["carol"], cid, "mona").status_code == 201  # mona's places are free
    from chalicelib.store import proxies as proxy_store

    assert proxy_store.holder_count(cid, "bob") == 0
    seen = voting(Caller("admin"), debate)
    [marker] = [m for m in ballot_store.markers(seen.debate) if m.voter_id == "alice"]
    assert marker.by is not None and marker.by != "bob"  # a pseudonym
    drain()
    finalise(monkeypatch)
    final = users["alice"].get(f"/v1/debates/{debate}/results").data
    assert (final["counts"]["yes"], final["by_proxy"], final["tally_mismatch"]) == (1, 1, None)
