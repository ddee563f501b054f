"""An invitation may name an email address: stored on the invitation (the notifier sends
the link there), shown to the association's admins only, never to whoever holds the code."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.store import keys
from chalicelib.store.models.groups import InvitationItem
from tests.api.helpers import add_member, create_group


def test_an_admin_names_an_address_with_its_domain_lower_cased(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    made = alice.post(
        f"/v1/groups/{group_id}/invitations", {"email": " Zoe.Martin@Example.ORG "}, expect=201
    ).data
    assert made["email"] == "Zoe.Martin@example.org"
    item = InvitationItem.get(keys.invitation_pk(made["code"]), keys.META)
    assert item.email == "Zoe.Martin@example.org"
    listed = alice.get(f"/v1/groups/{group_id}/invitations", expect=200).data["items"]
    assert listed[0]["email"] == "Zoe.Martin@example.org"
    preview = as_user("bob").get(f"/v1/invitations/{made['code']}", expect=200).data
    assert "email" not in preview
    accepted = as_user("bob").post(f"/v1/invitations/{made['code']}/accept", expect=201).data
    assert "Zoe" not in str(accepted)


def test_without_an_address_nothing_is_stored_or_shown(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    made = alice.post(f"/v1/groups/{group_id}/invitations", {}, expect=201).data
    assert "email" not in made
    assert InvitationItem.get(keys.invitation_pk(made["code"]), keys.META).email is None


@pytest.mark.parametrize(
    "email",
    [
        "",
        "nobody",
        "a@b",
        "@example.org",
        "a@@example.org",
        "a b@example.org",
        "a@exa mple.org",
        "a@example..org",
        "a@exam\nple.org",
        "x" * 65 + "@example.org",
        "a@" + "b" * 250 + ".org",
        "<a@example.org>",
        42,
    ],
)
def test_a_malformed_address_is_422_naming_email(as_user, email):
    alice = as_user("alice")
    group_id = create_group(alice)
    answer = alice.post(f"/v1/groups/{group_id}/invitations", {"email": email}, expect=422).data
    assert answer["error"]["details"][0]["field"] == "email"


def test_only_admins_invite_by_email(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    member = add_member(as_user, alice, group_id, "bob", "moderator")
    member.post(f"/v1/groups/{group_id}/invitations", {"email": "z@example.org"}, expect=403)
    as_user("eve").post(
        f"/v1/groups/{group_id}/invitations", {"email": "z@example.org"}, expect=403
    )


@pytest.fixture
def quota_of_three(monkeypatch):
    from chalicelib.settings import get_settings

    monkeypatch.setenv("HUB_INVITATION_EMAILS_PER_DAY", "3")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def test_a_person_emails_at_most_a_days_quota_of_invitations_however_many_groups_they_found(
    as_user, monkeypatch, quota_of_three
):
    """No relay for spam: anyone may found an association and so invite, so emailed
    invitations are counted per sender and day (HUB_INVITATION_EMAILS_PER_DAY); over it,
    429 and nothing is written. Invitations without an address are not counted."""
    from tests.api.helpers import travel

    mallory = as_user("mallory")
    first, second = create_group(mallory, "Un"), create_group(mallory, "Deux")
    for n, group_id in enumerate([first, first, second]):
        body = {"email": f"victim{n}@example.org"}
        mallory.post(f"/v1/groups/{group_id}/invitations", body, expect=201)
    refused = mallory.post(
        f"/v1/groups/{second}/invitations", {"email": "victim@example.org"}, expect=429
    ).data
    assert refused["error"]["code"] == "invitation_email_limit"
    listed = mallory.get(f"/v1/groups/{second}/invitations", expect=200).data["items"]
    assert [item["email"] for item in listed] == ["victim2@example.org"]
    mallory.post(f"/v1/groups/{second}/invitations", {}, expect=201)  # a link to pass on
    # Another admin has a quota of their own; tomorrow, mallory's is whole again.
    add_member(as_user, mallory, first, "alice", "admin")
    as_user("alice").post(f"/v1/groups/{first}/invitations", {"email": "z@example.org"}, expect=201)
    travel(monkeypatch, timedelta(days=1))
    mallory.post(f"/v1/groups/{second}/invitations", {"email": "v@example.org"}, expect=201)
