"""Joining: open groups admit at once, request groups ask an admin, invite-only refuses."""

from __future__ import annotations

from tests.api.helpers import create_group


def test_open_group_admits_a_participant_at_once(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, join_policy="open")
    bob = as_user("bob", name="Bob")
    joined = bob.post(f"/v1/groups/{group_id}/join")
    assert joined.status_code == 201
    assert joined.data["role"] == "participant"
    again = bob.post(f"/v1/groups/{group_id}/join")
    assert again.status_code == 409
    assert again.data["error"]["code"] == "already_member"


def test_invite_only_group_refuses_to_be_joined(as_user):
    group_id = create_group(as_user("alice"), join_policy="invite")
    response = as_user("bob").post(f"/v1/groups/{group_id}/join")
    assert response.status_code == 403
    assert response.data["error"]["code"] == "invite_only"


def test_unlisted_group_cannot_be_joined_by_id(as_user):
    group_id = create_group(as_user("alice"), join_policy="open", listed=False)
    response = as_user("bob").post(f"/v1/groups/{group_id}/join")
    assert response.status_code == 404


def test_join_request_is_pending_until_an_admin_approves(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, join_policy="request")
    bob = as_user("bob", name="Bob")
    asked = bob.post(f"/v1/groups/{group_id}/join")
    assert asked.status_code == 202
    assert asked.data["status"] == "pending"
    assert bob.post(f"/v1/groups/{group_id}/join").status_code == 202  # asking twice is fine
    assert bob.get("/v1/me").data["groups"] == []

    pending = alice.get(f"/v1/groups/{group_id}/join-requests").data["items"]
    assert [(r["id"], r["name"]) for r in pending] == [("bob", "Bob")]
    assert bob.get(f"/v1/groups/{group_id}/join-requests").status_code == 403

    approved = alice.post(f"/v1/groups/{group_id}/join-requests/bob/approve")
    assert approved.status_code == 201
    assert approved.data["role"] == "participant"
    assert bob.get("/v1/me").data["groups"][0]["role"] == "participant"
    assert alice.get(f"/v1/groups/{group_id}/join-requests").data["items"] == []
    twice = alice.post(f"/v1/groups/{group_id}/join-requests/bob/approve")
    assert twice.status_code == 404
    assert twice.data["error"]["code"] == "join_request_not_found"


def test_rejected_request_leaves_no_membership(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, join_policy="request")
    carol = as_user("carol")
    carol.post(f"/v1/groups/{group_id}/join")
    assert alice.post(f"/v1/groups/{group_id}/join-requests/carol/reject").status_code == 204
    assert alice.get(f"/v1/groups/{group_id}/join-requests").data["items"] == []
    assert carol.get("/v1/me").data["groups"] == []
    again = alice.post(f"/v1/groups/{group_id}/join-requests/carol/reject")
    assert again.status_code == 404
