"""Invitations: codes with a role, a use limit and an expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import clock
from chalicelib.store import groups as group_store
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
        {"id": group_id, "name": "Amicale", "role": "author"}
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
    real_add_member = group_store.add_member
    raced = []

    def add_member_after_a_rival(membership, event, **kw):
        if not raced:
            raced.append(True)
            assert carol.post(f"/v1/invitations/{code}/accept").status_code == 201
        return real_add_member(membership, event, **kw)

    monkeypatch.setattr(group_store, "add_member", add_member_after_a_rival)
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
