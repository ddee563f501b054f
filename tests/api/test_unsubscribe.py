"""The one-click unsubscribe link of an email (RFC 8058): no sign-in, the signed token is
the authority; it turns off one kind for one association (or all), and nothing else; a
link changed in any way is refused with `unsubscribe_link_invalid`; the token is never
printed."""

from __future__ import annotations

import pytest

from chalicelib.mail.unsubscribe import read_unsubscribe_token, unsubscribe_token
from chalicelib.settings import get_settings
from tests.api.helpers import create_group


def test_the_link_describes_then_turns_off_that_kind_for_that_group(as_user, capsys):
    alice = as_user("alice")
    group_id = create_group(alice, name="Les Amis du Parc")
    token = unsubscribe_token("alice", group_id, "consultation_opened")
    anonymous = as_user(None)
    shown = anonymous.get(f"/v1/unsubscribe?token={token}", expect=200).data
    assert shown == {
        "group": {"id": group_id, "name": "Les Amis du Parc"},
        "kind": "consultation_opened",
        "delivery": "immediately",
    }
    done = anonymous.post(f"/v1/unsubscribe?token={token}", expect=200).data
    assert done["delivery"] == "never"
    anonymous.post(f"/v1/unsubscribe?token={token}", expect=200)  # again: the same
    prefs = alice.get("/v1/me/preferences", expect=200).data
    assert prefs["groups"] == {group_id: {"consultation_opened": "never"}}
    assert prefs["kinds"]["consultation_opened"] == "immediately"  # other groups unchanged
    assert token not in capsys.readouterr().out


def test_rfc_8058_one_click_posts_a_form(as_user):
    token = unsubscribe_token("alice", "*", "results")
    anonymous = as_user(None)
    for content_type, body in (
        ("application/x-www-form-urlencoded", "List-Unsubscribe=One-Click"),
        (
            "multipart/form-data; boundary=xyz",
            "--xyz\r\nContent-Disposition: form-data; "
            'name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--xyz--\r\n',
        ),
        ("application/json", "{}"),
        ("application/json", None),
    ):
        answer = anonymous.request(
            "POST", f"/v1/unsubscribe?token={token}", body, headers={"content-type": content_type}
        )
        assert answer.status_code == 200, (content_type, answer.data)
        assert answer.data == {"group": None, "kind": "results", "delivery": "never"}
    prefs = as_user("alice").get("/v1/me/preferences", expect=200).data
    assert prefs["kinds"]["results"] == "never" and prefs["groups"] == {}


def _forgeries(token: str) -> list[str]:
    """Links the Hub did not sign: changed, cut, lengthened, made up, or for a kind no one
    may choose."""
    middle = len(token) // 2
    flipped = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    return [
        "",
        "nonsense",
        token + "A",
        token[:-2],
        flipped,
        token[::-1],
        "%%%" + token,
        token + "." + token,
        unsubscribe_token("alice", "*", "invitation"),  # not a choosable kind
    ]


def test_a_forged_or_altered_link_changes_nothing(as_user):
    token = unsubscribe_token("alice", "*", "results")
    anonymous = as_user(None)
    for forged in _forgeries(token):
        for method in ("GET", "POST"):
            answer = anonymous.request(method, f"/v1/unsubscribe?token={forged}", None)
            assert answer.status_code in (404, 422), (forged, answer.status_code)
            if answer.status_code == 404:
                assert answer.data["error"]["code"] == "unsubscribe_link_invalid"
    anonymous.get("/v1/unsubscribe", expect=422)
    prefs = as_user("alice").get("/v1/me/preferences", expect=200).data
    assert prefs["kinds"]["results"] == "immediately"


def test_a_token_signed_with_another_secret_is_refused_and_old_secrets_still_verify(
    monkeypatch,
):
    token = unsubscribe_token("alice", "*", "reply")
    assert read_unsubscribe_token(token) == ("alice", "*", "reply")
    current = get_settings().cursor_secret
    monkeypatch.setenv("HUB_CURSOR_SECRET", f"{'n' * 40},{current}")
    get_settings.cache_clear()
    try:
        assert read_unsubscribe_token(token) == ("alice", "*", "reply")  # rotation
        assert unsubscribe_token("alice", "*", "reply") != token
        monkeypatch.setenv("HUB_CURSOR_SECRET", "o" * 40)
        get_settings.cache_clear()
        assert read_unsubscribe_token(token) is None
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("kind", ["reply", "flags_waiting"])
def test_a_signed_in_caller_token_does_not_matter(as_user, kind):
    """The link is its own authority: Bob's token does not turn Alice's link into his."""
    token = unsubscribe_token("alice", "*", kind)
    as_user("bob").post(f"/v1/unsubscribe?token={token}", expect=200)
    assert as_user("bob").get("/v1/me/preferences", expect=200).data["kinds"][kind] != "never"
    assert as_user("alice").get("/v1/me/preferences", expect=200).data["kinds"][kind] == "never"


def test_a_link_for_every_association_wins_over_what_was_chosen_for_one(as_user):
    """ "No more of these emails" means none: a choice made for one association no longer
    keeps that kind coming from it."""
    alice = as_user("alice")
    group_id = create_group(alice)
    alice.patch("/v1/me/preferences", {"groups": {group_id: {"reply": "immediately"}}})
    token = unsubscribe_token("alice", "*", "reply")
    as_user(None).post(f"/v1/unsubscribe?token={token}", expect=200)
    prefs = alice.get("/v1/me/preferences", expect=200).data
    assert prefs["kinds"]["reply"] == "never"
    assert prefs["groups"].get(group_id, {}).get("reply") in (None, "never")


def test_a_digests_link_ends_the_daily_digest_whatever_kinds_it_held(as_user):
    """A digest lists several kinds: its link turns off every kind that came daily, for
    every association, and leaves the others as they were."""
    alice = as_user("alice")
    group_id = create_group(alice)
    alice.patch(
        "/v1/me/preferences",
        {"kinds": {"results": "daily"}, "groups": {group_id: {"consultation_opened": "daily"}}},
    )
    token = unsubscribe_token("alice", "*", "digest")
    anonymous = as_user(None)
    shown = anonymous.get(f"/v1/unsubscribe?token={token}", expect=200).data
    assert shown == {"group": None, "kind": "digest", "delivery": "daily"}
    done = anonymous.post(f"/v1/unsubscribe?token={token}", expect=200).data
    assert done == {"group": None, "kind": "digest", "delivery": "never"}
    prefs = alice.get("/v1/me/preferences", expect=200).data
    assert "daily" not in prefs["kinds"].values()
    assert "daily" not in str(prefs["groups"])
    assert prefs["kinds"]["consultation_opened"] == "immediately"  # untouched
