"""Invitations: codes with a role, a use limit and an expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import clock
from chalicelib.store import invitations as invitation_store
from chalicelib.store import memberships as membership_store
from tests.api.helpers import create_group, invite


@pytest.fixture
def group(as_user):
    alice = as_user("alice", name="Alice")
    return create_group(alice, "Amicale", listed=False), alice


def test_an_invitation_admits_with_its_role(group, as_user):
    group_id, alice = group
    code = invite(alice, group_id, "author", max_uses=5, expires_in_hours=48)
    bob = as_user("bob", name="Bob")
    preview = bob.get(f"/v1/invitations/{code}")
    assert preview.status_code == 200
    assert preview.data["group_name"] == "Amicale"
    assert preview.data["role"] == "author"
    assert preview.data["uses"] == 0

    accepted = bob.post(f"/v1/invitations/{code}/accept")
    assert accepted.status_code == 201
    assert accepted.data["role"] == "author"
    assert accepted.data["group_id"] == group_id
    assert bob.get("/v1/me").data["groups"] == [
        {"id": group_id, "name": "Amicale", "role": "author", "member_count": 2}
    ]
    assert bob.get(f"/v1/invitations/{code}").data["uses"] == 1


def test_accepting_again_as_a_member_changes_nothing_and_uses_nothing(group, as_user):
    group_id, alice = group
    code = invite(alice, group_id, "observer", max_uses=2)
    bob = as_user("bob")
    assert bob.post(f"/v1/invitations/{code}/accept").status_code == 201
    again = bob.post(f"/v1/invitations/{code}/accept")
    assert again.status_code == 200
    assert again.data["role"] == "observer"
    assert bob.get(f"/v1/invitations/{code}").data["uses"] == 1
    admin_again = alice.post(f"/v1/invitations/{code}/accept")
    assert admin_again.status_code == 200
    assert admin_again.data["role"] == "admin"


def test_a_used_up_invitation_is_gone(group, as_user):
    group_id, alice = group
    code = invite(alice, group_id, max_uses=1)
    assert as_user("bob").post(f"/v1/invitations/{code}/accept").status_code == 201
    late = as_user("carol").post(f"/v1/invitations/{code}/accept")
    assert late.status_code == 410
    assert late.data["error"]["code"] == "invitation_expired"
    assert as_user("carol").get("/v1/me").data["groups"] == []


def test_an_expired_invitation_is_gone(group, as_user, monkeypatch):
    group_id, alice = group
    code = invite(alice, group_id, expires_in_hours=1)
    later = clock.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = as_user("bob").post(f"/v1/invitations/{code}/accept")
    assert response.status_code == 410
    assert response.data["error"]["code"] == "invitation_expired"


def test_an_unknown_code_is_not_found(group, as_user):
    for code in ["A" * 22, "short", "x" * 256]:
        response = as_user("bob").post(f"/v1/invitations/{code}/accept")
        assert response.status_code == 404, code
        assert response.data["error"]["code"] == "invitation_not_found"


def test_accepting_needs_a_token(group, as_user):
    group_id, alice = group
    code = invite(alice, group_id)
    assert as_user(None).post(f"/v1/invitations/{code}/accept").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "emperor"}, "role"),
        ({"max_uses": 0}, "max_uses"),
        ({"max_uses": "3"}, "max_uses"),
        ({"expires_in_hours": 0}, "expires_in_hours"),
        ({"expires_in_hours": 24 * 91}, "expires_in_hours"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_invitations_name_the_field(group, body, field):
    group_id, alice = group
    response = alice.post(f"/v1/groups/{group_id}/invitations", body)
    assert response.status_code == 422
    assert [d["field"] for d in response.data["error"]["details"]] == [field]


def test_two_people_racing_for_the_last_use_admit_exactly_one(group, as_user, monkeypatch):
    """Both pass the read (one use left); the conditional update lets only one in. The race
    is forced: carol's whole acceptance runs between bob's read and bob's write."""
    group_id, alice = group
    code = invite(alice, group_id, max_uses=1)
    bob, carol = as_user("bob"), as_user("carol")
    real_add_member = membership_store.add_member
    raced = []

    def add_member_after_a_rival(membership, event, **kw):
        if not raced:
            raced.append(True)
            assert carol.post(f"/v1/invitations/{code}/accept").status_code == 201
        return real_add_member(membership, event, **kw)

    monkeypatch.setattr(membership_store, "add_member", add_member_after_a_rival)
    response = bob.post(f"/v1/invitations/{code}/accept")
    assert response.status_code == 410
    members = {m["id"] for m in alice.get(f"/v1/groups/{group_id}/members").data["items"]}
    assert members == {"alice", "carol"}
    assert alice.get(f"/v1/invitations/{code}").status_code == 410


def test_an_invitation_may_name_a_co_admin(group, as_user):
    group_id, alice = group
    code = invite(alice, group_id, "admin")
    bob = as_user("bob")
    assert bob.post(f"/v1/invitations/{code}/accept").data["role"] == "admin"
    # two admins now: alice may leave
    assert alice.delete(f"/v1/groups/{group_id}/members/alice").status_code == 204


# ---------------------------------------------------------------- an invitation is no more
# than its creator: re-checked when it is accepted


def _second_admin(group, as_user):
    """Bob, made an admin by alice's invitation."""
    group_id, alice = group
    bob = as_user("bob", name="Bob")
    assert bob.post(f"/v1/invitations/{invite(alice, group_id, 'admin')}/accept").status_code == 201
    return bob


def _member_ids(admin, group_id):
    return {m["id"] for m in admin.get(f"/v1/groups/{group_id}/members").data["items"]}


def test_removed_admin_cannot_accept_own_admin_invitation(group, as_user):
    group_id, alice = group
    bob = _second_admin(group, as_user)
    code = invite(bob, group_id, "admin")
    assert alice.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204

    back = bob.post(f"/v1/invitations/{code}/accept")
    assert back.status_code == 410, back.data
    assert back.data["error"]["code"] == "invitation_revoked"
    assert _member_ids(alice, group_id) == {"alice"}
    # and so cannot remove the founder
    assert bob.delete(f"/v1/groups/{group_id}/members/alice").status_code == 404


def test_an_admin_invitation_handed_out_by_a_removed_admin_is_void(group, as_user):
    group_id, alice = group
    bob = _second_admin(group, as_user)
    code = invite(bob, group_id, "admin")
    assert alice.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204

    mallory = as_user("mallory")
    preview = mallory.get(f"/v1/invitations/{code}")
    assert (preview.status_code, preview.data["error"]["code"]) == (410, "invitation_revoked")
    accepted = mallory.post(f"/v1/invitations/{code}/accept")
    assert (accepted.status_code, accepted.data["error"]["code"]) == (410, "invitation_revoked")
    assert _member_ids(alice, group_id) == {"alice"}


def test_a_demoted_admin_invitation_carries_no_more_than_their_new_role(group, as_user):
    group_id, alice = group
    bob = _second_admin(group, as_user)
    admin_code = invite(bob, group_id, "admin")
    participant_code = invite(bob, group_id, "participant")
    assert alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "moderator"}).status_code == 200

    refused = as_user("carol").post(f"/v1/invitations/{admin_code}/accept")
    assert (refused.status_code, refused.data["error"]["code"]) == (410, "invitation_revoked")
    # what bob still holds, he may still have handed out
    assert as_user("dan").post(f"/v1/invitations/{participant_code}/accept").status_code == 201

    assert alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "observer"}).status_code == 200
    late = as_user("erin").post(f"/v1/invitations/{participant_code}/accept")
    assert (late.status_code, late.data["error"]["code"]) == (410, "invitation_revoked")
    assert _member_ids(alice, group_id) == {"alice", "bob", "dan"}


def test_an_admin_demoted_while_their_invitation_is_accepted_admits_nobody(
    group, as_user, monkeypatch
):
    """The creator's role is a condition of the acceptance's transaction, not a read: the
    race is forced, alice demotes bob between carol's read and carol's write."""
    group_id, alice = group
    bob = _second_admin(group, as_user)
    code = invite(bob, group_id, "admin")
    real_add_member = membership_store.add_member
    raced = []

    def add_member_after_demotion(membership, event, **kw):
        if not raced:
            raced.append(True)
            demoted = alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "participant"})
            assert demoted.status_code == 200
        return real_add_member(membership, event, **kw)

    monkeypatch.setattr(membership_store, "add_member", add_member_after_demotion)
    response = as_user("carol").post(f"/v1/invitations/{code}/accept")
    assert (response.status_code, response.data["error"]["code"]) == (410, "invitation_revoked")
    assert _member_ids(alice, group_id) == {"alice", "bob"}
    roles = {m["id"]: m["role"] for m in alice.get(f"/v1/groups/{group_id}/members").data["items"]}
    assert roles == {"alice": "admin", "bob": "participant"}


def test_a_member_creator_accepting_their_own_invitation_changes_nothing(group, as_user):
    group_id, _ = group
    bob = _second_admin(group, as_user)
    code = invite(bob, group_id, "observer", max_uses=1)
    again = bob.post(f"/v1/invitations/{code}/accept")
    assert (again.status_code, again.data["role"]) == (200, "admin")
    assert bob.get(f"/v1/invitations/{code}").data["uses"] == 0


# ---------------------------------------------------------------- listing and revoking


def test_admins_list_invitations_newest_first_with_creator_uses_and_status(group, as_user):
    group_id, alice = group
    bob = _second_admin(group, as_user)
    first = invite(alice, group_id, "observer", max_uses=1)
    second = invite(bob, group_id, "author", expires_in_hours=5)
    assert as_user("carol").post(f"/v1/invitations/{first}/accept").status_code == 201

    listed = alice.get(f"/v1/groups/{group_id}/invitations")
    assert listed.status_code == 200, listed.data
    items = listed.data["items"]
    assert [i["code"] for i in items][:2] == [second, first]
    newest = items[0]
    assert (newest["role"], newest["uses"], newest["max_uses"]) == ("author", 0, None)
    assert newest["created_by"] == {"id": "bob", "name": "Bob"}
    assert newest["status"] == "usable"
    assert newest["expires_at"] > newest["created_at"]
    assert (items[1]["uses"], items[1]["status"]) == (1, "used_up")
    assert items[1]["created_by"] == {"id": "alice", "name": "Alice"}
    # bob's own admin invitation (the one that made bob an admin) is there too, used up
    assert len(items) == 3

    assert alice.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204
    void = alice.get(f"/v1/groups/{group_id}/invitations").data["items"][0]
    assert (void["code"], void["status"]) == (second, "void")


def test_expired_invitations_are_listed_as_expired(group, as_user, monkeypatch):
    group_id, alice = group
    invite(alice, group_id, expires_in_hours=1)
    later = clock.now() + timedelta(hours=2)
    monkeypatch.setattr(clock, "now", lambda: later)
    items = alice.get(f"/v1/groups/{group_id}/invitations").data["items"]
    assert [i["status"] for i in items] == ["expired"]


def test_invitation_list_pages(group):
    group_id, alice = group
    codes = [invite(alice, group_id) for _ in range(5)]
    first = alice.get(f"/v1/groups/{group_id}/invitations?limit=2").data
    assert len(first["items"]) == 2 and first["next"]
    seen = [i["code"] for i in first["items"]]
    cursor = first["next"]
    while cursor:
        page = alice.get(f"/v1/groups/{group_id}/invitations?limit=2&cursor={cursor}").data
        seen += [i["code"] for i in page["items"]]
        cursor = page["next"]
    assert seen == list(reversed(codes))
    members_cursor = alice.get(f"/v1/groups/{group_id}/members?limit=1").data["next"]
    wrong = alice.get(f"/v1/groups/{group_id}/invitations?cursor={members_cursor}")
    assert (wrong.status_code, wrong.data["error"]["code"]) == (400, "invalid_cursor")


def test_an_admin_revokes_an_invitation_and_it_can_no_longer_be_accepted(group, as_user):
    group_id, alice = group
    code = invite(alice, group_id, "author")
    revoked = alice.delete(f"/v1/groups/{group_id}/invitations/{code}")
    assert revoked.status_code == 204, revoked.data

    bob = as_user("bob")
    for response in (
        bob.get(f"/v1/invitations/{code}"),
        bob.post(f"/v1/invitations/{code}/accept"),
    ):
        assert (response.status_code, response.data["error"]["code"]) == (410, "invitation_revoked")
    assert _member_ids(alice, group_id) == {"alice"}
    assert alice.get(f"/v1/groups/{group_id}/invitations").data["items"] == []

    events = alice.get(f"/v1/groups/{group_id}/audit").data["items"]
    assert events[0]["action"] == "invitation_revoked"
    assert events[0]["actor"]["id"] == "alice"
    assert events[0]["details"]["role"] == "author"
    assert events[0]["details"]["code"] == code

    # revoking again changes nothing and records nothing
    assert alice.delete(f"/v1/groups/{group_id}/invitations/{code}").status_code == 204
    again = alice.get(f"/v1/groups/{group_id}/audit").data["items"]
    assert [e["action"] for e in again].count("invitation_revoked") == 1


def test_revoking_an_unknown_code_or_another_groups_code_is_not_found(group, as_user):
    group_id, alice = group
    dora = as_user("dora")
    other_group = create_group(dora, "Autre")
    others_code = invite(dora, other_group, "admin")
    for code in (others_code, "A" * 22, "bad code!"):
        response = alice.delete(f"/v1/groups/{group_id}/invitations/{code}")
        assert (response.status_code, response.data["error"]["code"]) == (
            404,
            "invitation_not_found",
        ), code
    assert as_user("erin").post(f"/v1/invitations/{others_code}/accept").status_code == 201


def test_only_admins_list_and_revoke_invitations(as_user):
    from tests.api.helpers import group_with_every_role

    for listed in (True, False):
        group_id, users = group_with_every_role(as_user, prefix=f"{listed}-", listed=listed)
        code = invite(users["admin"], group_id)
        other_group = create_group(as_user(f"{listed}-elsewhere"), "Ailleurs")
        elsewhere = as_user(f"{listed}-elsewhere")
        assert elsewhere.get(f"/v1/groups/{other_group}/invitations").status_code == 200
        callers = {role: users[role] for role in ("observer", "participant", "author", "moderator")}
        for name, caller in callers.items():
            for response in (
                caller.get(f"/v1/groups/{group_id}/invitations"),
                caller.delete(f"/v1/groups/{group_id}/invitations/{code}"),
            ):
                assert response.status_code == 403, (name, response.data)
        strangers = {"signed_in": users["signed_in"], "other admin": elsewhere}
        for name, caller in strangers.items():
            for response in (
                caller.get(f"/v1/groups/{group_id}/invitations"),
                caller.delete(f"/v1/groups/{group_id}/invitations/{code}"),
            ):
                expected = 403 if listed else 404
                assert response.status_code == expected, (name, listed, response.data)
        anonymous = users["anonymous"]
        assert anonymous.get(f"/v1/groups/{group_id}/invitations").status_code == 401
        assert anonymous.delete(f"/v1/groups/{group_id}/invitations/{code}").status_code == 401
        assert users["admin"].get(f"/v1/groups/{group_id}/invitations").status_code == 200
        # still usable: nobody above could revoke it
        assert (
            as_user(f"{listed}-newcomer").post(f"/v1/invitations/{code}/accept").status_code == 201
        )


def test_a_former_admin_can_neither_list_nor_revoke(group, as_user):
    group_id, alice = group
    bob = _second_admin(group, as_user)
    code = invite(alice, group_id)
    assert alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "moderator"}).status_code == 200
    assert bob.get(f"/v1/groups/{group_id}/invitations").status_code == 403
    assert bob.delete(f"/v1/groups/{group_id}/invitations/{code}").status_code == 403
    assert alice.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204
    assert bob.get(f"/v1/groups/{group_id}/invitations").status_code == 404  # unlisted group
    assert bob.delete(f"/v1/groups/{group_id}/invitations/{code}").status_code == 404


def test_an_invitation_revoked_while_being_accepted_admits_nobody(group, as_user, monkeypatch):
    """Revocation is a condition of the acceptance's transaction: the race is forced, alice
    revokes between bob's read and bob's write."""
    group_id, alice = group
    code = invite(alice, group_id, "author")
    real_add_member = membership_store.add_member
    raced = []

    def add_member_after_revocation(membership, event, **kw):
        if not raced:
            raced.append(True)
            assert alice.delete(f"/v1/groups/{group_id}/invitations/{code}").status_code == 204
        return real_add_member(membership, event, **kw)

    monkeypatch.setattr(membership_store, "add_member", add_member_after_revocation)
    response = as_user("bob").post(f"/v1/invitations/{code}/accept")
    assert (response.status_code, response.data["error"]["code"]) == (410, "invitation_revoked")
    assert _member_ids(alice, group_id) == {"alice"}


def test_an_admin_demoted_while_revoking_cannot_finish(group, as_user, monkeypatch):
    group_id, alice = group
    bob = _second_admin(group, as_user)
    code = invite(alice, group_id)
    real_revoke = invitation_store.revoke_invitation
    raced = []

    def revoke_after_demotion(*args, **kw):
        if not raced:
            raced.append(True)
            demoted = alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "participant"})
            assert demoted.status_code == 200
        return real_revoke(*args, **kw)

    monkeypatch.setattr(invitation_store, "revoke_invitation", revoke_after_demotion)
    assert bob.delete(f"/v1/groups/{group_id}/invitations/{code}").status_code == 403
    assert as_user("carol").post(f"/v1/invitations/{code}/accept").status_code == 201


def test_a_creator_removed_while_accepting_their_own_invitation_is_refused(
    group, as_user, monkeypatch
):
    """Bob is an admin when his code is read, removed before his acceptance is written:
    nothing backs the code any more (and a transaction may not both check and write his
    membership), so 410, never 500. The race is forced."""
    group_id, alice = group
    bob = _second_admin(group, as_user)
    code = invite(bob, group_id, "admin")
    real_get_membership = membership_store.get_membership
    raced = []

    def get_membership_after_removal(group_id_, user_id, **kw):
        if not raced and user_id == "bob":
            raced.append(True)
            assert alice.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204
        return real_get_membership(group_id_, user_id, **kw)

    monkeypatch.setattr(membership_store, "get_membership", get_membership_after_removal)
    response = bob.post(f"/v1/invitations/{code}/accept")
    assert raced
    assert (response.status_code, response.data["error"]["code"]) == (410, "invitation_revoked")
    assert _member_ids(alice, group_id) == {"alice"}


def test_two_admins_revoking_at_once_both_succeed_and_it_is_recorded_once(
    group, as_user, monkeypatch
):
    """The race is forced: bob's whole revocation runs between alice's read and her write;
    hers then finds it revoked, which is what she asked for."""
    group_id, alice = group
    bob = _second_admin(group, as_user)
    code = invite(alice, group_id)
    real_revoke = invitation_store.revoke_invitation
    raced = []

    def revoke_after_a_rival(*args, **kw):
        if not raced:
            raced.append(True)
            assert bob.delete(f"/v1/groups/{group_id}/invitations/{code}").status_code == 204
        return real_revoke(*args, **kw)

    monkeypatch.setattr(invitation_store, "revoke_invitation", revoke_after_a_rival)
    assert alice.delete(f"/v1/groups/{group_id}/invitations/{code}").status_code == 204
    events = alice.get(f"/v1/groups/{group_id}/audit").data["items"]
    revocations = [e for e in events if e["action"] == "invitation_revoked"]
    assert [e["actor"]["id"] for e in revocations] == ["bob"]


def test_a_removed_admin_invited_back_does_not_revive_their_old_invitations(group, as_user):
    group_id, alice = group
    bob = _second_admin(group, as_user)
    old_code = invite(bob, group_id, "admin")
    assert alice.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204
    back = bob.post(f"/v1/invitations/{invite(alice, group_id, 'admin')}/accept")
    assert (back.status_code, back.data["role"]) == (201, "admin")

    refused = as_user("mallory").post(f"/v1/invitations/{old_code}/accept")
    assert (refused.status_code, refused.data["error"]["code"]) == (410, "invitation_revoked")
    items = alice.get(f"/v1/groups/{group_id}/invitations").data["items"]
    assert {i["code"]: i["status"] for i in items}[old_code] == "void"
    # what bob makes now, he backs
    new_code = invite(bob, group_id)
    assert as_user("nina").post(f"/v1/invitations/{new_code}/accept").status_code == 201
