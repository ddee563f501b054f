"""Who proposed a consultation or a debate, by name: a screen shows "proposed by Alice"
without a route to read someone else's profile. The name is the one its creator chose
when they created it (PATCH /v1/me), else their token's; a later change of name does not
rewrite what they created before."""

from __future__ import annotations

import pytest

from chalicelib.store import keys
from chalicelib.store.models.consultations import ConsultationItem, DebateItem
from tests.api.helpers import add_member, create_consultation, create_group


@pytest.fixture
def host(as_user):
    """Les Amis du Parc, founded by alice (admin); bob (token name "Bob") is an author."""
    alice = as_user("alice", name="Alice")
    group_id = create_group(alice, "Les Amis du Parc")
    return group_id, alice, add_member(as_user, alice, group_id, "bob", "author")


def create_debate(author, consultation_id: str, title: str = "Horaires du parc") -> dict:
    response = author.post(f"/v1/consultations/{consultation_id}/debates", {"title": title})
    assert response.status_code == 201, response.data
    return response.data


def listed(reader, url: str) -> dict[str, dict]:
    """Each listed item's author, by title."""
    response = reader.get(url)
    assert response.status_code == 200, response.data
    return {item["title"]: item["author"] for item in response.data["items"]}


def test_a_consultation_and_its_debates_name_their_authors_wherever_they_are_read(host):
    group_id, alice, bob = host
    consultation = create_consultation(bob, group_id, "Budget participatif")
    bob_named = {"id": "bob", "name": "Bob"}
    assert consultation["author"] == bob_named
    assert consultation["created_by"] == "bob"  # kept for clients that read the id
    consultation_url = f"/v1/consultations/{consultation['id']}"
    assert alice.get(consultation_url).data["author"] == bob_named
    assert listed(alice, f"/v1/groups/{group_id}/consultations") == {
        "Budget participatif": bob_named
    }

    debate = create_debate(alice, consultation["id"])
    alice_named = {"id": "alice", "name": "Alice"}
    assert (debate["author"], debate["created_by"]) == (alice_named, "alice")
    assert bob.get(f"/v1/debates/{debate['id']}").data["author"] == alice_named
    assert listed(bob, f"{consultation_url}/debates") == {"Horaires du parc": alice_named}


def test_the_name_chosen_signs_what_is_created_next_and_earlier_ones_keep_theirs(host):
    group_id, alice, bob = host
    before = create_consultation(bob, group_id, "Avant")
    debate_before = create_debate(bob, before["id"], "Avant")
    renamed = bob.patch("/v1/me", {"display_name": "Robert B."})
    assert renamed.status_code == 200, renamed.data

    after = create_consultation(bob, group_id, "Après")
    debate_after = create_debate(bob, before["id"], "Après")
    robert = {"id": "bob", "name": "Robert B."}
    assert (after["author"], debate_after["author"]) == (robert, robert)
    bob_named = {"id": "bob", "name": "Bob"}
    assert listed(alice, f"/v1/groups/{group_id}/consultations") == {
        "Avant": bob_named,
        "Après": robert,
    }
    assert listed(alice, f"/v1/consultations/{before['id']}/debates") == {
        "Avant": bob_named,
        "Après": robert,
    }
    assert alice.get(f"/v1/debates/{debate_before['id']}").data["author"] == bob_named


def test_what_was_created_before_authors_were_named_shows_their_id(host):
    group_id, alice, bob = host
    consultation = create_consultation(bob, group_id)
    debate = create_debate(bob, consultation["id"])
    # As written before `created_by_name` was stored: without it.
    consultation_pk = keys.consultation_pk(consultation["id"])
    ConsultationItem.get(consultation_pk, keys.META).update(
        actions=[ConsultationItem.created_by_name.remove()]
    )
    (debate_item,) = DebateItem.query(consultation_pk, DebateItem.sk.startswith(keys.DEBATE_PREFIX))
    debate_item.update(actions=[DebateItem.created_by_name.remove()])

    by_id = {"id": "bob", "name": "bob"}
    assert alice.get(f"/v1/consultations/{consultation['id']}").data["author"] == by_id
    assert alice.get(f"/v1/debates/{debate['id']}").data["author"] == by_id
    # A change of the consultation keeps answering (and storing) no other name.
    changed = alice.patch(f"/v1/consultations/{consultation['id']}", {"title": "Revu"})
    assert changed.status_code == 200, changed.data
    assert changed.data["author"] == by_id
