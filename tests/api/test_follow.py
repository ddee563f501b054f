"""Following an association: any signed-in person who may see it (listed, or theirs);
idempotent both ways; an unlisted association is `group_not_found` to outsiders."""

from __future__ import annotations

from chalicelib.store import keys
from chalicelib.store.models.notifications import FollowItem
from tests.api.helpers import create_group


def followers(group_id: str) -> list[str]:
    return [item.user_id for item in FollowItem.query(keys.followers_pk(group_id))]


def test_a_signed_in_person_follows_a_listed_group_once_however_often(as_user):
    alice, bob = as_user("alice"), as_user("bob")
    group_id = create_group(alice)
    assert bob.put(f"/v1/groups/{group_id}/follow", expect=200).data == {"following": True}
    first = FollowItem.get(keys.followers_pk(group_id), keys.follower_sk("bob")).followed_at
    bob.put(f"/v1/groups/{group_id}/follow", expect=200)
    assert followers(group_id) == ["bob"]
    item = FollowItem.get(keys.followers_pk(group_id), keys.follower_sk("bob"))
    assert item.followed_at == first  # the first follow's date stays
    assert (item.gsi1pk, item.gsi1sk) == (keys.user_pk("bob"), keys.user_follow_sk(group_id))
    bob.delete(f"/v1/groups/{group_id}/follow", expect=204)
    bob.delete(f"/v1/groups/{group_id}/follow", expect=204)
    assert followers(group_id) == []


def test_nobody_follows_without_a_token(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    as_user(None).put(f"/v1/groups/{group_id}/follow", expect=401)
    as_user(None).delete(f"/v1/groups/{group_id}/follow", expect=401)
    assert followers(group_id) == []


def test_an_unlisted_group_is_not_found_to_outsiders_but_its_members_follow_it(as_user):
    alice, bob = as_user("alice"), as_user("bob")
    group_id = create_group(alice, listed=False)
    answer = bob.put(f"/v1/groups/{group_id}/follow", expect=404).data
    assert answer["error"]["code"] == "group_not_found"
    assert followers(group_id) == []
    alice.put(f"/v1/groups/{group_id}/follow", expect=200)
    assert followers(group_id) == ["alice"]


def test_an_unknown_group_is_not_found(as_user):
    as_user("bob").put("/v1/groups/AAAAAAAAAAAA/follow", expect=404)
    as_user("bob").put("/v1/groups/nonsense/follow", expect=404)


def test_following_does_not_make_a_member(as_user):
    alice, bob = as_user("alice"), as_user("bob")
    group_id = create_group(alice)
    bob.put(f"/v1/groups/{group_id}/follow", expect=200)
    assert bob.get("/v1/me", expect=200).data["groups"] == []
    assert bob.get(f"/v1/groups/{group_id}", expect=200).data["my_role"] is None
    bob.get(f"/v1/groups/{group_id}/members", expect=403)


def test_an_association_tells_whoever_reads_it_whether_they_follow_it(as_user):
    """The Follow button starts right: `following` on the association, read in the same
    round trip as the caller's role; null for the anonymous, who cannot follow."""
    alice, bob = as_user("alice"), as_user("bob")
    group_id = create_group(alice)
    assert bob.get(f"/v1/groups/{group_id}", expect=200).data["following"] is False
    bob.put(f"/v1/groups/{group_id}/follow", expect=200)
    assert bob.get(f"/v1/groups/{group_id}", expect=200).data["following"] is True
    assert alice.get(f"/v1/groups/{group_id}", expect=200).data["following"] is False
    assert as_user(None).get(f"/v1/groups/{group_id}", expect=200).data["following"] is None
    bob.delete(f"/v1/groups/{group_id}/follow", expect=204)
    assert bob.get(f"/v1/groups/{group_id}", expect=200).data["following"] is False
