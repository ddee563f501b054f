"""What lists carry so that a screen renders in one request: a consultation's host
association (id and name) and debate count, an association's member count; and, after an
early close, the actual and the scheduled closing and when final results are expected."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import clock
from chalicelib.services import closer
from chalicelib.store import consultations as consultation_store
from chalicelib.store import debates as debate_store
from chalicelib.store import memberships as membership_store
from tests.api.helpers import (
    add_member,
    create_consultation,
    create_group,
    dynamodb_requests,
    invite,
    moment,
    publish,
    travel,
)

GRACE = timedelta(seconds=60)  # the default HUB_CLOSE_GRACE_S


def member_count(caller, group_id: str) -> int:
    """The count as the association's own answer gives it."""
    response = caller.get(f"/v1/groups/{group_id}")
    assert response.status_code == 200, response.data
    return response.data["member_count"]


def counts_everywhere(admin, group_id: str) -> set[int]:
    """The member count in every answer that carries it: the group, the directory, /v1/me."""
    directory = admin.get("/v1/groups?limit=100").data["items"]
    mine = admin.get("/v1/me").data["groups"]
    return {
        member_count(admin, group_id),
        *(g["member_count"] for g in directory if g["id"] == group_id),
        *(g["member_count"] for g in mine if g["id"] == group_id),
    }


# ---------------------------------------------------------------- member counts


def test_a_new_association_counts_its_founder_everywhere(as_user):
    alice = as_user("alice")
    created = alice.post("/v1/groups", {"name": "Jardins", "listed": True})
    assert created.data["member_count"] == 1
    assert counts_everywhere(alice, created.data["id"]) == {1}


def test_joining_an_open_association_counts_once(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, listed=True, join_policy="open")
    bob = as_user("bob")
    assert bob.post(f"/v1/groups/{group_id}/join").status_code == 201
    assert counts_everywhere(alice, group_id) == {2}
    assert bob.post(f"/v1/groups/{group_id}/join").status_code == 409  # already a member
    assert counts_everywhere(alice, group_id) == {2}


def test_a_request_counts_when_approved_not_when_asked_or_rejected(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, listed=True, join_policy="request")
    for sub in ("bob", "carol"):
        assert as_user(sub).post(f"/v1/groups/{group_id}/join").status_code == 202
    assert counts_everywhere(alice, group_id) == {1}
    assert alice.post(f"/v1/groups/{group_id}/join-requests/bob/approve").status_code == 201
    assert counts_everywhere(alice, group_id) == {2}
    assert alice.post(f"/v1/groups/{group_id}/join-requests/carol/reject").status_code == 204
    assert alice.post(f"/v1/groups/{group_id}/join-requests/bob/approve").status_code == 404
    assert counts_everywhere(alice, group_id) == {2}


def test_an_accepted_invitation_counts_a_refused_one_does_not(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, listed=True)
    code = invite(alice, group_id, "author", max_uses=1)
    assert as_user("bob").post(f"/v1/invitations/{code}/accept").status_code == 201
    assert counts_everywhere(alice, group_id) == {2}
    used_up = as_user("carol").post(f"/v1/invitations/{code}/accept")
    assert used_up.status_code in (409, 410), used_up.data
    assert counts_everywhere(alice, group_id) == {2}


def test_an_admin_admitted_by_invitation_counts_as_member_and_admin(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, listed=True)
    bob = add_member(as_user, alice, group_id, "bob", "admin")
    assert counts_everywhere(alice, group_id) == {2}
    # Both admin and member counts moved: alice may now leave, leaving one admin.
    assert alice.delete(f"/v1/groups/{group_id}/members/alice").status_code == 204
    assert member_count(bob, group_id) == 1


def test_leaving_and_being_removed_each_count_once(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, listed=True)
    bob = add_member(as_user, alice, group_id, "bob", "participant")
    add_member(as_user, alice, group_id, "carol", "moderator")
    assert counts_everywhere(alice, group_id) == {3}
    assert bob.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204
    assert counts_everywhere(alice, group_id) == {2}
    assert alice.delete(f"/v1/groups/{group_id}/members/carol").status_code == 204
    assert counts_everywhere(alice, group_id) == {1}
    assert alice.delete(f"/v1/groups/{group_id}/members/carol").status_code == 404
    last = alice.delete(f"/v1/groups/{group_id}/members/alice")
    assert last.data["error"]["code"] == "last_admin"
    assert counts_everywhere(alice, group_id) == {1}


def test_a_role_change_does_not_change_the_count(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, listed=True)
    add_member(as_user, alice, group_id, "bob", "participant")
    for role in ("admin", "observer"):
        assert alice.put(f"/v1/groups/{group_id}/members/bob", {"role": role}).status_code == 200
        assert counts_everywhere(alice, group_id) == {2}


def test_joins_at_once_are_all_counted(as_user, monkeypatch):
    """An ADD, not a read-modify-write: the race is forced, carol's and dave's whole joins
    run between bob's read of the group (count 1) and his write."""
    alice = as_user("alice")
    group_id = create_group(alice, listed=True, join_policy="open")
    real_add = membership_store.add_member
    rivals = [as_user("carol"), as_user("dave")]

    def add_after_rivals(membership, event, **how):
        while rivals:
            assert rivals.pop().post(f"/v1/groups/{group_id}/join").status_code == 201
        return real_add(membership, event, **how)

    monkeypatch.setattr(membership_store, "add_member", add_after_rivals)
    assert as_user("bob").post(f"/v1/groups/{group_id}/join").status_code == 201
    assert counts_everywhere(alice, group_id) == {4}


def test_a_leave_racing_a_join_leaves_the_exact_count(as_user, monkeypatch):
    alice = as_user("alice")
    group_id = create_group(alice, listed=True, join_policy="open")
    bob = add_member(as_user, alice, group_id, "bob", "participant")
    real_remove = membership_store.remove_member
    raced = []

    def remove_after_a_join(current, event):
        if not raced:
            raced.append(True)
            assert as_user("carol").post(f"/v1/groups/{group_id}/join").status_code == 201
        return real_remove(current, event)

    monkeypatch.setattr(membership_store, "remove_member", remove_after_a_join)
    assert bob.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204
    assert counts_everywhere(alice, group_id) == {2}  # alice and carol


# ---------------------------------------------------------------- consultations: host and debates


def add_debate(author, consultation_id: str, title: str = "Motion") -> dict:
    response = author.post(
        f"/v1/consultations/{consultation_id}/debates",
        {"title": title, "function": {"type": "vote"}},
    )
    assert response.status_code == 201, response.data
    return response.data


def test_a_consultation_carries_its_host_and_debate_count_in_every_answer(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, "Amicale du Parc")
    created = create_consultation(alice, group_id)
    host = {"id": group_id, "name": "Amicale du Parc"}
    assert (created["group"], created["group_id"], created["debate_count"]) == (host, group_id, 0)
    url = f"/v1/consultations/{created['id']}"
    for title in ("Bancs", "Fontaine", "Kiosque"):
        add_debate(alice, created["id"], title)
    read = alice.get(url).data
    assert (read["group"], read["debate_count"]) == (host, 3)
    changed = alice.patch(url, {"description": "Trois questions"}).data
    assert (changed["group"], changed["debate_count"]) == (host, 3)
    published = publish(alice, created["id"])
    assert (published["group"], published["debate_count"]) == (host, 3)
    listed = alice.get(f"/v1/groups/{group_id}/consultations").data["items"]
    assert [(c["group"], c["debate_count"]) for c in listed] == [(host, 3)]
    closed = alice.post(f"{url}/close", {"reason": "Fini"}).data
    assert (closed["group"], closed["debate_count"]) == (host, 3)


def test_the_host_name_is_read_not_copied_so_a_rename_shows(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, "Amicale")
    consultation = create_consultation(alice, group_id, visibility="public")
    publish(alice, consultation["id"])
    assert alice.patch(f"/v1/groups/{group_id}", {"name": "Amicale du Parc"}).status_code == 200
    public = as_user(None).get("/v1/consultations?scope=public").data["items"]
    assert [c["group"]["name"] for c in public] == ["Amicale du Parc"]
    read = alice.get(f"/v1/consultations/{consultation['id']}").data
    assert read["group"]["name"] == "Amicale du Parc"


def test_a_partners_list_names_each_consultations_own_host(as_user):
    alice, paula = as_user("alice"), as_user("paula")
    host_id = create_group(alice, "Amicale")
    partner_id = create_group(paula, "Comité des fêtes")
    shared = create_consultation(alice, host_id, "Partagée")
    own = create_consultation(paula, partner_id, "Maison")
    url = f"/v1/consultations/{shared['id']}"
    assert alice.post(f"{url}/partners", {"group_id": partner_id}).status_code == 201
    assert paula.post(f"{url}/partners/{partner_id}/accept").status_code == 201
    publish(alice, shared["id"])
    listed = paula.get(f"/v1/groups/{partner_id}/consultations").data["items"]
    assert {c["id"]: (c["group_id"], c["group"]["name"]) for c in listed} == {
        shared["id"]: (host_id, "Amicale"),
        own["id"]: (partner_id, "Comité des fêtes"),
    }


def public_consultations_of(as_user, how_many: int) -> None:
    """`how_many` public consultations, each hosted by an association of its own."""
    for n in range(how_many):
        founder = as_user(f"founder{n}")
        group_id = create_group(founder, f"Association {n}")
        consultation = create_consultation(founder, group_id, f"Question {n}", visibility="public")
        add_debate(founder, consultation["id"])
        publish(founder, consultation["id"])


def test_the_public_list_names_every_host_in_one_batch_read_whatever_the_page_size(as_user):
    public_consultations_of(as_user, 6)
    anonymous = as_user(None)
    calls = {}
    for limit in (2, 6):
        with dynamodb_requests() as requests:
            page = anonymous.get(f"/v1/consultations?scope=public&limit={limit}")
        assert page.status_code == 200
        items = page.data["items"]
        assert len(items) == limit
        assert all(c["group"]["name"] == f"Association {c['title'][9:]}" for c in items)
        assert all(c["debate_count"] == 1 for c in items)
        calls[limit] = [r.operation for r in requests]
        hosts_read = [r for r in requests if r.operation == "BatchGetItem"]
        assert len(hosts_read) == 1
        [(_, keys)] = hosts_read[0].params["RequestItems"].items()
        assert len(keys["Keys"]) == limit  # the page's distinct hosts, each once
    assert calls[2] == calls[6] == ["Query", "BatchGetItem"]


def test_a_groups_list_of_its_own_consultations_reads_no_host(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, "Amicale")
    for title in ("Une", "Deux", "Trois"):
        create_consultation(alice, group_id, title)
    with dynamodb_requests() as requests:
        listed = alice.get(f"/v1/groups/{group_id}/consultations").data["items"]
    assert {c["group"]["name"] for c in listed} == {"Amicale"}
    groups_read = [
        key
        for r in requests
        if r.operation == "BatchGetItem"
        for table in r.params["RequestItems"].values()
        for key in table["Keys"]
        if key["sk"]["S"] == "META" and key["pk"]["S"].startswith("GROUP#")
    ]
    assert len(groups_read) == 1  # the listing's own access read, nothing more


def test_debates_created_at_once_are_all_counted(as_user, monkeypatch):
    """The count is an ADD in the debate's own transaction: the race is forced, a second
    debate is created between the first one's read and its write."""
    alice = as_user("alice")
    group_id = create_group(alice)
    consultation = create_consultation(alice, group_id)
    real_create = debate_store.create_debate
    raced = []

    def create_after_a_rival(debate, event):
        if not raced:
            raced.append(True)
            add_debate(alice, consultation["id"], "Rivale")
        return real_create(debate, event)

    monkeypatch.setattr(debate_store, "create_debate", create_after_a_rival)
    add_debate(alice, consultation["id"])
    read = alice.get(f"/v1/consultations/{consultation['id']}").data
    assert read["debate_count"] == 2
    assert len(alice.get(f"/v1/consultations/{consultation['id']}/debates").data["items"]) == 2


def test_a_debate_cannot_land_after_its_consultation_closed_early(as_user, monkeypatch):
    """The author's request read an open consultation; an admin closes it early before the
    debate is written: the write is refused (409 `consultation_closed`), since a debate that
    lands after the close would never get a final result."""
    alice = as_user("alice")
    group_id = create_group(alice)
    consultation = create_consultation(alice, group_id)
    publish(alice, consultation["id"])
    real_create = debate_store.create_debate

    def create_after_a_close(debate, event):
        closed = alice.post(f"/v1/consultations/{consultation['id']}/close", {"reason": "AG"})
        assert closed.status_code == 200, closed.data
        return real_create(debate, event)

    monkeypatch.setattr(debate_store, "create_debate", create_after_a_close)
    late = alice.post(f"/v1/consultations/{consultation['id']}/debates", {"title": "Tard"})
    assert (late.status_code, late.data["error"]["code"]) == (409, "consultation_closed")
    monkeypatch.undo()
    read = alice.get(f"/v1/consultations/{consultation['id']}").data
    assert read["debate_count"] == 0
    assert alice.get(f"/v1/consultations/{consultation['id']}/debates").data["items"] == []


def test_a_change_to_the_consultation_never_puts_back_an_older_debate_count(as_user, monkeypatch):
    """A debate created while an admin's change is in flight (after its read, before its
    write): the change lands, and the debate is still counted."""
    alice = as_user("alice")
    group_id = create_group(alice)
    consultation = create_consultation(alice, group_id)
    url = f"/v1/consultations/{consultation['id']}"
    real_save = consultation_store.save_consultation
    raced = []

    def save_after_a_debate(before, after, events, **links):
        if not raced:
            raced.append(True)
            add_debate(alice, consultation["id"])
        return real_save(before, after, events, **links)

    monkeypatch.setattr(consultation_store, "save_consultation", save_after_a_debate)
    changed = alice.patch(url, {"description": "Nouvelle"})
    assert changed.status_code == 200, changed.data
    read = alice.get(url).data
    assert (read["description"], read["debate_count"]) == ("Nouvelle", 1)


# ---------------------------------------------------------------- closing early


@pytest.fixture
def open_vote(as_user):
    """An open members consultation scheduled to close in a week, with one live vote."""
    alice = as_user("alice")
    group_id = create_group(alice, "Amicale")
    bob = add_member(as_user, alice, group_id, "bob", "participant")
    scheduled = moment(timedelta(days=7))
    consultation = create_consultation(alice, group_id, closes_at=scheduled)
    debate = alice.post(
        f"/v1/consultations/{consultation['id']}/debates",
        {"title": "Motion", "function": {"type": "vote", "results_visibility": "live"}},
    ).data
    publish(alice, consultation["id"])
    assert bob.put(f"/v1/debates/{debate['id']}/ballot", {"choice": "yes"}).status_code == 201
    return alice, consultation["id"], debate["id"], scheduled


def test_while_open_closes_at_is_the_schedule_and_no_final_results_are_expected(open_vote):
    alice, consultation_id, debate_id, scheduled = open_vote
    read = alice.get(f"/v1/consultations/{consultation_id}").data
    assert (read["closes_at"], read["scheduled_closes_at"]) == (scheduled, scheduled)
    debate = alice.get(f"/v1/debates/{debate_id}").data
    assert (debate["closes_at"], debate["scheduled_closes_at"]) == (scheduled, scheduled)
    results = alice.get(f"/v1/debates/{debate_id}/results").data
    assert (results["final"], results["final_expected_at"]) == (False, None)


def test_an_early_close_shows_the_actual_close_and_keeps_the_schedule(open_vote, monkeypatch):
    alice, consultation_id, debate_id, scheduled = open_vote
    closed_at = travel(monkeypatch, timedelta(hours=2))
    closed = alice.post(f"/v1/consultations/{consultation_id}/close", {"reason": "Quorum"}).data
    actual = clock.to_iso(closed_at)
    for answer in (closed, alice.get(f"/v1/consultations/{consultation_id}").data):
        assert answer["status"] == "closed"
        assert (answer["closes_at"], answer["closed_at"]) == (actual, actual)
        assert answer["scheduled_closes_at"] == scheduled
    debate = alice.get(f"/v1/debates/{debate_id}").data
    assert (debate["closes_at"], debate["scheduled_closes_at"]) == (actual, scheduled)
    listed = alice.get(f"/v1/consultations/{consultation_id}/debates").data["items"]
    assert [(d["closes_at"], d["scheduled_closes_at"]) for d in listed] == [(actual, scheduled)]

    results = alice.get(f"/v1/debates/{debate_id}/results").data
    assert results["final"] is False
    assert results["final_expected_at"] == clock.to_iso(closed_at + GRACE)

    travel(monkeypatch, GRACE)
    assert closer.close_due_consultations(clock.now()) == 1
    final = alice.get(f"/v1/debates/{debate_id}/results").data
    assert (final["final"], final["final_expected_at"]) == (True, None)
    assert final["closed_at"] == actual


def test_after_a_scheduled_close_final_results_are_expected_a_grace_after_it(
    open_vote, monkeypatch
):
    alice, consultation_id, debate_id, scheduled = open_vote
    travel(monkeypatch, timedelta(days=7, minutes=1))
    read = alice.get(f"/v1/consultations/{consultation_id}").data
    assert (read["status"], read["closes_at"], read["scheduled_closes_at"]) == (
        "closed",
        scheduled,
        scheduled,
    )
    results = alice.get(f"/v1/debates/{debate_id}/results").data
    expected = clock.from_iso(scheduled) + GRACE
    assert (results["final"], results["final_expected_at"]) == (False, clock.to_iso(expected))
