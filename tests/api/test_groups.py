"""Associations: founding, reading, the directory, settings."""

from __future__ import annotations

from tests.api.helpers import add_member, create_consultation, create_group, publish


def test_founder_becomes_admin_and_sees_the_group_in_me(as_user):
    alice = as_user("alice", name="Alice Martin")
    created = alice.post(
        "/v1/groups", {"name": "  Jardins partagés  ", "description": "Potager", "listed": True}
    )
    assert created.status_code == 201
    group = created.data
    assert group["name"] == "Jardins partagés"
    assert group["my_role"] == "admin"
    assert group["join_policy"] == "invite"
    me = alice.get("/v1/me").data
    assert me["id"] == "alice"
    assert me["display_name"] == "Alice Martin"
    assert me["groups"] == [
        {"id": group["id"], "name": "Jardins partagés", "role": "admin", "member_count": 1}
    ]


def test_creating_a_group_needs_a_token(as_user):
    response = as_user(None).post("/v1/groups", {"name": "Nope"})
    assert response.status_code == 401
    assert response.data["error"]["code"] == "unauthenticated"


def test_directory_lists_listed_groups_by_name_and_pages(as_user):
    alice = as_user("alice")
    for name in ["Zèbres", "abeilles", "Castors", "Blaireaux"]:
        create_group(alice, name)
    create_group(alice, "Secret board", listed=False)
    anonymous = as_user(None)

    first = anonymous.get("/v1/groups?limit=3")
    assert first.status_code == 200
    assert [g["name"] for g in first.data["items"]] == ["abeilles", "Blaireaux", "Castors"]
    assert first.data["next"]
    second = anonymous.get(f"/v1/groups?limit=3&cursor={first.data['next']}")
    assert [g["name"] for g in second.data["items"]] == ["Zèbres"]
    assert second.data["next"] is None


def test_unlisted_group_is_invisible_to_outsiders_but_not_to_members(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, "Board", listed=False)
    for outsider in (as_user(None), as_user("mallory")):
        response = outsider.get(f"/v1/groups/{group_id}")
        assert response.status_code == 404
        assert response.data["error"]["code"] == "group_not_found"
    member = add_member(as_user, alice, group_id, "bob", "observer")
    assert member.get(f"/v1/groups/{group_id}").data["my_role"] == "observer"


def test_unknown_and_malformed_group_ids_are_not_found(as_user):
    alice = as_user("alice")
    for group_id in ["abcdefghjkmn", "GROUP%23x", "x" * 256]:
        response = alice.get(f"/v1/groups/{group_id}")
        assert response.status_code == 404, group_id
        assert response.data["error"]["code"] == "group_not_found"


def test_admin_updates_settings_and_the_directory_follows(as_user):
    alice = as_user("alice")
    group_id = create_group(alice, "Old name")
    renamed = alice.patch(f"/v1/groups/{group_id}", {"name": "Aaa new name", "join_policy": "open"})
    assert renamed.status_code == 200
    assert renamed.data["name"] == "Aaa new name"
    assert renamed.data["join_policy"] == "open"
    assert [g["name"] for g in as_user(None).get("/v1/groups").data["items"]] == ["Aaa new name"]

    hidden = alice.patch(f"/v1/groups/{group_id}", {"listed": False})
    assert hidden.data["listed"] is False
    assert as_user(None).get("/v1/groups").data["items"] == []
    assert alice.get(f"/v1/groups/{group_id}").data["description"] == ""


def test_update_rejects_empty_and_unknown_fields(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    empty = alice.patch(f"/v1/groups/{group_id}", {})
    assert empty.status_code == 422
    typo = alice.patch(f"/v1/groups/{group_id}", {"join_polcy": "open"})
    assert typo.status_code == 422
    assert typo.data["error"]["details"][0]["field"] == "join_polcy"
    wrong = alice.patch(f"/v1/groups/{group_id}", {"join_policy": "whoever"})
    assert wrong.status_code == 422
    assert wrong.data["error"]["details"][0]["field"] == "join_policy"


def test_a_non_admin_member_cannot_change_settings(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    bob = add_member(as_user, alice, group_id, "bob", "moderator")
    response = bob.patch(f"/v1/groups/{group_id}", {"name": "Taken over"})
    assert response.status_code == 403
    assert response.data["error"]["code"] == "forbidden"
    assert alice.get(f"/v1/groups/{group_id}").data["name"] == "Les Amis du Parc"


def test_me_answers_for_a_user_given_a_grant_and_lists_the_grants_they_can_use(as_user):
    """Grants share the user's index partition with memberships: /v1/me must tell them
    apart, list memberships as groups, and show a grant only where it opens something."""
    stranger = as_user("stranger", name="Stranger")
    group_id = create_group(stranger, "Conseil des Sages", listed=False)
    draft = create_consultation(
        stranger, group_id, "Budget", visibility="restricted", audience=["admin"]
    )
    alice = as_user("demo-alice", name="Alice")
    own_group = create_group(alice, "Amicale")
    url = f"/v1/consultations/{draft['id']}"
    assert stranger.put(f"{url}/grants/demo-alice", {"role": "observer"}).status_code == 201

    me = alice.get("/v1/me")
    assert me.status_code == 200, me.data
    assert me.data["groups"] == [
        {"id": own_group, "name": "Amicale", "role": "admin", "member_count": 1}
    ]
    assert me.data["grants"] == []  # an observer does not see a draft: nothing to show

    publish(stranger, draft["id"])
    assert alice.get("/v1/me").data["grants"] == [
        {"consultation_id": draft["id"], "title": "Budget", "role": "observer"}
    ]
    assert stranger.delete(f"{url}/grants/demo-alice").status_code == 204
    assert alice.get("/v1/me").data["grants"] == []
