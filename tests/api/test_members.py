"""Members and roles: listing, changing roles, removing, leaving, and the last admin."""

from __future__ import annotations

import pytest

from chalicelib.services import memberships as member_service
from chalicelib.store import memberships as membership_store
from tests.api.helpers import add_member, create_group


@pytest.fixture
def group(as_user):
    alice = as_user("alice", name="Alice")
    group_id = create_group(alice)
    bob = add_member(as_user, alice, group_id, "bob", "participant")
    return group_id, alice, bob


def test_members_see_the_member_list_with_roles(group, as_user):
    group_id, _, bob = group
    listed = bob.get(f"/v1/groups/{group_id}/members").data
    assert {(m["id"], m["name"], m["role"]) for m in listed["items"]} == {
        ("alice", "Alice", "admin"),
        ("bob", "Bob", "participant"),
    }
    outsider = as_user("mallory").get(f"/v1/groups/{group_id}/members")
    assert outsider.status_code == 403


def test_member_list_pages(group, as_user):
    group_id, alice, _ = group
    for index in range(3):
        add_member(as_user, alice, group_id, f"user{index}", "observer")
    first = alice.get(f"/v1/groups/{group_id}/members?limit=2").data
    second = alice.get(f"/v1/groups/{group_id}/members?limit=2&cursor={first['next']}").data
    third = alice.get(f"/v1/groups/{group_id}/members?limit=2&cursor={second['next']}").data
    ids = [m["id"] for page in (first, second, third) for m in page["items"]]
    assert sorted(ids) == ["alice", "bob", "user0", "user1", "user2"]


def test_a_cursor_from_another_listing_is_refused(group, as_user):
    group_id, alice, _ = group
    other = create_group(alice, "Other")
    for index in range(2):
        add_member(as_user, alice, other, f"user{index}", "observer")
    cursor = alice.get(f"/v1/groups/{other}/members?limit=1").data["next"]
    response = alice.get(f"/v1/groups/{group_id}/members?cursor={cursor}")
    assert response.status_code == 400
    assert response.data["error"]["code"] == "invalid_cursor"
    garbage = alice.get(f"/v1/groups/{group_id}/members?cursor=%%%not-base64")
    assert garbage.status_code == 400


@pytest.mark.parametrize("limit", ["0", "101", "ten", "-1"])
def test_limit_out_of_range_is_a_validation_error(group, limit):
    group_id, alice, _ = group
    response = alice.get(f"/v1/groups/{group_id}/members?limit={limit}")
    assert response.status_code == 422
    assert response.data["error"]["details"][0]["field"] == "limit"


def test_admin_changes_a_role_and_the_member_gains_its_rights(group):
    group_id, alice, bob = group
    assert bob.get(f"/v1/groups/{group_id}/audit").status_code == 403
    promoted = alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "admin"})
    assert promoted.status_code == 200
    assert promoted.data["role"] == "admin"
    assert bob.get(f"/v1/groups/{group_id}/audit").status_code == 200
    assert bob.get("/v1/me").data["groups"][0]["role"] == "admin"


def test_a_participant_cannot_change_roles(group):
    group_id, _, bob = group
    response = bob.put(f"/v1/groups/{group_id}/members/bob", {"role": "admin"})
    assert response.status_code == 403
    assert response.data["error"]["code"] == "forbidden"


def test_role_change_validates_the_role(group):
    group_id, alice, _ = group
    response = alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "king"})
    assert response.status_code == 422
    assert response.data["error"]["details"][0]["field"] == "role"


def test_role_change_of_a_non_member_is_not_found(group):
    group_id, alice, _ = group
    response = alice.put(f"/v1/groups/{group_id}/members/nobody", {"role": "author"})
    assert response.status_code == 404
    assert response.data["error"]["code"] == "member_not_found"


def test_the_lone_admin_can_neither_leave_nor_be_demoted(group):
    group_id, alice, _ = group
    leave = alice.delete(f"/v1/groups/{group_id}/members/alice")
    assert leave.status_code == 409
    assert leave.data["error"]["code"] == "last_admin"
    demote = alice.put(f"/v1/groups/{group_id}/members/alice", {"role": "moderator"})
    assert demote.status_code == 409
    assert demote.data["error"]["code"] == "last_admin"
    assert alice.get(f"/v1/groups/{group_id}").data["my_role"] == "admin"


def test_with_a_second_admin_the_first_may_step_down_and_leave(group):
    group_id, alice, bob = group
    alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "admin"})
    assert alice.put(f"/v1/groups/{group_id}/members/alice", {"role": "author"}).status_code == 200
    assert alice.delete(f"/v1/groups/{group_id}/members/alice").status_code == 204
    assert alice.get("/v1/me").data["groups"] == []
    # bob is now the last admin
    assert bob.delete(f"/v1/groups/{group_id}/members/bob").data["error"]["code"] == "last_admin"


def test_a_member_leaves_and_an_admin_removes(group, as_user):
    group_id, alice, bob = group
    carol = add_member(as_user, alice, group_id, "carol", "author")
    assert bob.delete(f"/v1/groups/{group_id}/members/bob").status_code == 204
    assert bob.get(f"/v1/groups/{group_id}/members").status_code == 403
    assert carol.delete(f"/v1/groups/{group_id}/members/alice").status_code == 403
    assert alice.delete(f"/v1/groups/{group_id}/members/carol").status_code == 204
    gone = alice.delete(f"/v1/groups/{group_id}/members/carol")
    assert gone.status_code == 404
    assert gone.data["error"]["code"] == "member_not_found"


def test_two_admins_demoting_each_other_at_once_leave_one_admin(group, monkeypatch):
    """Both requests pass their reads with two admins; the write condition, not a read,
    refuses the second. The race is forced: bob's whole request runs inside alice's."""
    group_id, alice, bob = group
    alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "admin"})
    real_change_role = membership_store.change_role
    raced = []

    def change_role_after_a_rival(current, new_role, event):
        if not raced:
            raced.append(True)
            rival = bob.put(f"/v1/groups/{group_id}/members/alice", {"role": "participant"})
            assert rival.status_code == 200
        return real_change_role(current, new_role, event)

    monkeypatch.setattr(membership_store, "change_role", change_role_after_a_rival)
    response = alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "participant"})
    assert response.status_code in (403, 409)
    roles = {m["id"]: m["role"] for m in bob.get(f"/v1/groups/{group_id}/members").data["items"]}
    assert roles == {"alice": "participant", "bob": "admin"}


def test_an_admin_demoted_mid_request_cannot_finish_removing_someone(group, monkeypatch):
    group_id, alice, bob = group
    alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "admin"})
    real_remove = membership_store.remove_member
    raced = []

    def remove_after_demotion(current, event):
        if not raced:
            raced.append(True)
            demoted = alice.put(f"/v1/groups/{group_id}/members/bob", {"role": "observer"})
            assert demoted.status_code == 200
        return real_remove(current, event)

    monkeypatch.setattr(membership_store, "remove_member", remove_after_demotion)
    response = bob.delete(f"/v1/groups/{group_id}/members/alice")
    assert response.status_code == 403
    roles = {m["id"]: m["role"] for m in alice.get(f"/v1/groups/{group_id}/members").data["items"]}
    assert roles == {"alice": "admin", "bob": "observer"}


def test_service_reads_roles_consistently(monkeypatch, group):
    """Role decisions read memberships with strongly consistent reads."""
    group_id, _, _ = group
    seen = []
    real = membership_store.get_membership

    def spy(group_id, user_id, *, consistent=False):
        seen.append(consistent)
        return real(group_id, user_id, consistent=consistent)

    monkeypatch.setattr(membership_store, "get_membership", spy)
    from chalicelib.domain.model import Caller
    from chalicelib.domain.roles import Role

    member_service.set_role(Caller("alice"), group_id, "bob", Role.AUTHOR)
    assert seen and all(seen)
