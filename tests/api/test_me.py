"""/v1/me: who the caller is on the Hub, and the name and language they choose there.

What the token says is the default (its name, else the user id; its email only when
verified); PATCH /v1/me changes only the fields it sends; the chosen name is the one written
beside the comments and addenda that follow. Nobody reads or changes another's profile."""

from __future__ import annotations

from typing import Any

import pytest

from bench.meter import metering
from tests.api.helpers import create_group, dynamodb_requests
from tests.api.test_comments import open_debate, say


def test_without_a_profile_the_token_says_who_you_are(as_user):
    alice = as_user("alice", name="Alice Martin", email="alice@example.org", verified=True)
    me = alice.get("/v1/me", expect=200).data
    assert me["id"] == "alice"
    assert me["display_name"] == "Alice Martin"
    assert me["email"] == "alice@example.org"
    assert me["email_verified"] is True
    assert me["identity_verified"] is True
    assert me["locale"] is None
    assert me["groups"] == [] and me["grants"] == []


def test_a_token_without_a_name_shows_the_user_id(as_user):
    nameless = as_user("u-42", extra={"name": ""})
    assert nameless.get("/v1/me", expect=200).data["display_name"] == "u-42"


def test_an_unverified_email_is_not_shown(as_user):
    bob = as_user("bob", email="bob@example.org", verified=False)
    me = bob.get("/v1/me", expect=200).data
    assert me["email"] is None
    assert me["email_verified"] is False
    assert me["identity_verified"] is False


def test_you_choose_your_name_and_language(as_user):
    alice = as_user("alice", name="Alice Martin")
    changed = alice.patch("/v1/me", {"display_name": "  Alice M.  ", "locale": "en"}, expect=200)
    assert changed.data["display_name"] == "Alice M."  # trimmed
    assert changed.data["locale"] == "en"
    me = alice.get("/v1/me", expect=200).data
    assert (me["display_name"], me["locale"]) == ("Alice M.", "en")
    assert me["name"] == "Alice M."  # deprecated: what clients read before display_name


def test_null_goes_back_to_the_token_name_and_to_no_language(as_user):
    alice = as_user("alice", name="Alice Martin")
    alice.patch("/v1/me", {"display_name": "Alice M.", "locale": "fr"}, expect=200)
    back = alice.patch("/v1/me", {"display_name": None, "locale": None}, expect=200).data
    assert (back["display_name"], back["locale"]) == ("Alice Martin", None)
    assert alice.get("/v1/me").data["display_name"] == "Alice Martin"


def test_each_patch_changes_only_the_fields_it_sends(as_user):
    alice = as_user("alice", name="Alice Martin")
    alice.patch("/v1/me", {"display_name": "Alice M."}, expect=200)
    alice.patch("/v1/me", {"locale": "en"}, expect=200)
    me = alice.get("/v1/me").data
    assert (me["display_name"], me["locale"]) == ("Alice M.", "en")


def test_two_tabs_changing_different_fields_at_once_lose_neither(as_user):
    """No read before the write: each PATCH is one UpdateItem naming only its own fields,
    so two racing requests (in any order, at any moment) cannot undo each other."""
    alice = as_user("alice", name="Alice Martin")
    with dynamodb_requests() as sent:
        alice.patch("/v1/me", {"locale": "fr"}, expect=200)
    assert [r.operation for r in sent] == ["UpdateItem"]
    expression = sent[0].params["UpdateExpression"]
    names = set(sent[0].params["ExpressionAttributeNames"].values())
    assert "display_name" not in names and "locale" in names
    assert "REMOVE" not in expression
    alice.patch("/v1/me", {"display_name": "Alice M."}, expect=200)
    me = alice.get("/v1/me").data
    assert (me["display_name"], me["locale"]) == ("Alice M.", "fr")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"display_name": ""}, {"display_name"}),
        ({"display_name": "   "}, {"display_name"}),
        ({"display_name": "x" * 81}, {"display_name"}),
        ({"display_name": "Alice\u202eM."}, {"display_name"}),
        ({"display_name": "Alice\nM."}, {"display_name"}),
        ({"display_name": 42}, {"display_name"}),
        ({"locale": "de"}, {"locale"}),
        ({"locale": "fr", "email": "x@example.org"}, {"email"}),
        ({"display_name": "", "locale": "es"}, {"display_name", "locale"}),
    ],
)
def test_a_body_the_hub_refuses_names_each_field(as_user, body: dict[str, Any], fields):
    alice = as_user("alice", name="Alice Martin")
    refused = alice.patch("/v1/me", body)
    assert refused.status_code == 422, refused.data
    assert {d["field"] for d in refused.data["error"]["details"]} == fields
    assert alice.get("/v1/me").data["display_name"] == "Alice Martin"  # nothing written


def test_an_empty_patch_is_refused(as_user):
    refused = as_user("alice").patch("/v1/me", {})
    assert refused.status_code == 422, refused.data


def test_eighty_characters_of_any_script_are_a_name(as_user):
    name = "Zoë Ångström-Nguyễn 山田 👩🏽‍🔧" + "é" * 50
    assert len(name) <= 80
    alice = as_user("alice")
    assert alice.patch("/v1/me", {"display_name": name}, expect=200).data["display_name"] == name


def test_the_chosen_name_is_written_beside_the_next_comment_and_addendum(as_user):
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Amicale")
    debate_id = open_debate(admin, group_id)
    before = say(admin, debate_id, "Avant")
    admin.patch("/v1/me", {"display_name": "La présidente"}, expect=200)
    after = say(admin, debate_id, "Après")
    assert before["author"]["name"] == "Admin"  # what was written keeps its name
    assert after["author"]["name"] == "La présidente"
    added = admin.post(f"/v1/debates/{debate_id}/addenda", {"body": "Précision"}, expect=201)
    assert [a["author"]["name"] for a in added.data["addenda"]] == ["La présidente"]


def test_the_chosen_name_costs_a_comment_no_extra_round_trip(as_user):
    admin = as_user("admin", name="Admin")
    debate_id = open_debate(admin, create_group(admin, "Amicale"))
    admin.patch("/v1/me", {"display_name": "La présidente"}, expect=200)
    with metering() as meter:
        say(admin, debate_id, "Un argument")
    assert meter.calls == {"BatchGetItem": 2, "TransactWriteItems": 1}


def test_me_is_two_round_trips_with_the_profile_groups_and_grants(as_user):
    alice = as_user("alice", name="Alice")
    create_group(alice, "Amicale")
    alice.patch("/v1/me", {"locale": "fr"}, expect=200)
    alice.get("/v1/me", expect=200)  # the first records how to reach her (one UpdateItem)
    with metering() as meter:
        me = alice.get("/v1/me", expect=200).data
    assert me["locale"] == "fr" and [g["name"] for g in me["groups"]] == ["Amicale"]
    assert meter.calls == {"Query": 1, "BatchGetItem": 1}


# ---------------------------------------------------------------- attacks


def test_one_person_choices_never_show_in_another_s_profile(as_user):
    alice, mallory = as_user("alice", name="Alice"), as_user("mallory", name="Mallory")
    alice.patch("/v1/me", {"display_name": "Alice M.", "locale": "en"}, expect=200)
    mallory.patch("/v1/me", {"display_name": "Alice M."}, expect=200)  # a name is not an id
    assert alice.get("/v1/me").data["id"] == "alice"
    theirs = mallory.get("/v1/me").data
    assert (theirs["id"], theirs["locale"]) == ("mallory", None)
    assert alice.get("/v1/me").data["display_name"] == "Alice M."


def test_there_is_no_route_to_someone_else_s_profile(as_user):
    mallory = as_user("mallory")
    for path in ("/v1/me/alice", "/v1/users/alice", "/v1/me?user_id=alice"):
        answer = mallory.get(path)
        assert answer.status_code in (403, 404) or answer.data.get("id") == "mallory"
    changed = mallory.patch("/v1/me", {"display_name": "x", "id": "alice"})
    assert changed.status_code == 422


def test_without_a_token_no_profile_is_read_or_changed(as_user):
    anonymous = as_user(None)
    assert anonymous.get("/v1/me").status_code == 401
    refused = anonymous.patch("/v1/me", {"display_name": "Quelqu'un"})
    assert refused.status_code == 401
    assert refused.data["error"]["code"] == "unauthenticated"
