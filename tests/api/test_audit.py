"""The audit log: who changed what, newest first, for admins only."""

from __future__ import annotations

from tests.api.helpers import add_member, create_group


def test_audit_log_records_every_change_newest_first(as_user):
    alice = as_user("alice", name="Alice")
    group_id = create_group(alice, "Club", join_policy="request")
    bob = add_member(as_user, alice, group_id, "bob", "participant")
    alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "moderator"})
    alice.patch(f"/v1/groups/{group_id}", {"description": "Le club"})
    as_user("carol").post(f"/v1/groups/{group_id}/join")
    alice.post(f"/v1/groups/{group_id}/join-requests/carol/approve")
    alice.delete(f"/v1/groups/{group_id}/members/carol")
    bob.delete(f"/v1/groups/{group_id}/members/bob")

    events = alice.get(f"/v1/groups/{group_id}/audit").data["items"]
    assert [e["action"] for e in events] == [
        "member_left",
        "member_removed",
        "member_joined",
        "group_updated",
        "member_role_changed",
        "member_joined",
        "invitation_created",
        "group_created",
    ]
    role_change = events[4]
    assert role_change["actor"] == {"id": "alice", "name": "Alice"}
    assert role_change["subject_id"] == "bob"
    assert role_change["details"] == {"from": "participant", "to": "moderator"}
    assert events[3]["details"] == {"description": {"from": "", "to": "Le club"}}
    assert events[2]["details"]["via"] == "request"
    assert events[5]["details"]["via"] == "invitation"
    stamps = [e["at"] for e in events]
    assert stamps == sorted(stamps, reverse=True)


def test_audit_log_pages(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    for n in range(4):
        alice.patch(f"/v1/groups/{group_id}", {"description": f"v{n}"})
    first = alice.get(f"/v1/groups/{group_id}/audit?limit=3").data
    rest = alice.get(f"/v1/groups/{group_id}/audit?limit=3&cursor={first['next']}").data
    actions = [e["action"] for e in first["items"] + rest["items"]]
    assert actions == ["group_updated"] * 4 + ["group_created"]


def test_a_change_that_changes_nothing_is_not_recorded(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, "Same")
    assert alice.patch(f"/v1/groups/{group_id}", {"name": "Same"}).status_code == 200
    events = alice.get(f"/v1/groups/{group_id}/audit").data["items"]
    assert [e["action"] for e in events] == ["group_created"]
