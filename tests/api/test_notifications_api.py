"""/v1/me/notifications and /v1/me/preferences: each person reads and marks their own
notifications (newest first, with how many are unread), and chooses how each kind reaches
them by email; nobody reads or marks another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain import clock
from chalicelib.domain.notifications import event_id
from chalicelib.store import inbox as inbox_store
from chalicelib.store import keys
from chalicelib.store.models.notifications import NotificationItem
from tests.api.helpers import create_group

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def deliver(user_id: str, count: int, *, group_id: str | None = None, start: int = 0) -> list[str]:
    """`count` notifications for `user_id`, as the pipeline writes them; their ids, oldest
    first."""
    ids = []
    for number in range(start, start + count):
        at = START + timedelta(minutes=number)
        event = event_id(at, f"source-{number}")
        NotificationItem(
            keys.notifications_pk(user_id),
            keys.notification_sk(event),
            event_id=event,
            event_kind="consultation_opened",
            at=clock.to_iso(at),
            group_id=group_id,
            ttl=at + timedelta(days=90),
            data={
                "group_name": "Les Amis",
                "consultation_id": f"c{number}",
                "consultation_title": f"Budget {number}",
                "actor_name": "Alice",
            },
        ).save()
        ids.append(event)
    return ids


def ids_of(page: dict) -> list[str]:
    return [item["id"] for item in page["items"]]


def test_anonymous_callers_have_no_notifications(as_user):
    anonymous = as_user(None)
    anonymous.get("/v1/me/notifications", expect=401)
    anonymous.post("/v1/me/notifications/read", {"all": True}, expect=401)
    anonymous.get("/v1/me/preferences", expect=401)
    anonymous.patch("/v1/me/preferences", {"kinds": {"reply": "never"}}, expect=401)


def test_notifications_come_newest_first_in_pages_with_the_unread_count(as_user):
    alice = as_user("alice")
    ids = deliver("alice", 5, group_id="g1")
    first = alice.get("/v1/me/notifications?limit=2", expect=200).data
    assert ids_of(first) == ids[::-1][:2]
    assert first["unread"] == 5
    item = first["items"][0]
    assert item["kind"] == "consultation_opened"
    assert item["read"] is False
    assert item["group"] == {"id": "g1", "name": "Les Amis"}
    assert item["consultation"] == {"id": "c4", "title": "Budget 4"}
    assert item["debate"] is None and item["comment_id"] is None and item["reason"] is None
    assert item["actor_name"] == "Alice"
    assert item["at"] == "2026-12-01T09:04:00.000Z"
    seen = ids_of(first)
    cursor = first["next"]
    while cursor:
        page = alice.get(f"/v1/me/notifications?limit=2&cursor={cursor}", expect=200).data
        seen += ids_of(page)
        cursor = page["next"]
    assert seen == ids[::-1]


def test_nobody_sees_another_persons_notifications(as_user):
    deliver("alice", 3)
    bob = as_user("bob")
    page = bob.get("/v1/me/notifications", expect=200).data
    assert page == {"items": [], "next": None, "unread": 0}


def test_marking_some_read_counts_them_out_and_ignores_unknown_and_others_ids(as_user):
    alice, bob = as_user("alice"), as_user("bob")
    mine = deliver("alice", 4)
    theirs = deliver("bob", 2, start=10)
    answer = alice.post(
        "/v1/me/notifications/read", {"ids": [mine[0], mine[2], *theirs, "nope"]}, expect=200
    )
    assert answer.data == {"unread": 2}
    page = alice.get("/v1/me/notifications", expect=200).data
    assert {i["id"]: i["read"] for i in page["items"]} == {
        mine[0]: True,
        mine[1]: False,
        mine[2]: True,
        mine[3]: False,
    }
    # Bob's stay unread, and no notification of his appeared in Alice's partition.
    assert bob.get("/v1/me/notifications", expect=200).data["unread"] == 2
    assert len(page["items"]) == 4
    # Again: nothing changes.
    assert alice.post("/v1/me/notifications/read", {"ids": [mine[0]]}, expect=200).data == {
        "unread": 2
    }


def test_marking_all_read_then_new_ones_are_unread(as_user):
    alice = as_user("alice")
    deliver("alice", 3)
    assert alice.post("/v1/me/notifications/read", {"all": True}, expect=200).data == {"unread": 0}
    page = alice.get("/v1/me/notifications", expect=200).data
    assert page["unread"] == 0 and all(item["read"] for item in page["items"])
    newer = deliver("alice", 2, start=3)
    page = alice.get("/v1/me/notifications", expect=200).data
    assert page["unread"] == 2
    assert {i["id"] for i in page["items"] if not i["read"]} == set(newer)
    unread = alice.get("/v1/me/notifications?unread=true", expect=200).data
    assert ids_of(unread) == newer[::-1]
    alice.post("/v1/me/notifications/read", {"ids": [newer[0]]}, expect=200)
    assert ids_of(alice.get("/v1/me/notifications?unread=true", expect=200).data) == [newer[1]]


def test_marking_all_read_with_nothing_is_fine(as_user):
    alice = as_user("alice")
    assert alice.post("/v1/me/notifications/read", {"all": True}, expect=200).data == {"unread": 0}


def test_a_read_request_names_ids_or_all_and_at_most_100_ids(as_user):
    alice = as_user("alice")
    for body in ({}, {"ids": []}, {"all": False}, {"ids": ["x"], "all": True}):
        alice.post("/v1/me/notifications/read", body, expect=422)
    alice.post("/v1/me/notifications/read", {"ids": [f"i{n}" for n in range(101)]}, expect=422)
    alice.post("/v1/me/notifications/read", {"ids": [f"i{n}" for n in range(100)]}, expect=200)


def test_unread_filter_pages_through_every_unread_one(as_user):
    alice = as_user("alice")
    ids = deliver("alice", 6)
    alice.post("/v1/me/notifications/read", {"ids": ids[1::2]}, expect=200)
    seen, cursor = [], None
    while True:
        query = "?unread=true&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = alice.get(f"/v1/me/notifications{query}", expect=200).data
        seen += ids_of(page)
        cursor = page["next"]
        if not cursor:
            break
    assert seen == ids[0::2][::-1]


# ---------------------------------------------------------------- preferences


def test_preferences_start_at_the_defaults_without_invitation(as_user):
    alice = as_user("alice")
    prefs = alice.get("/v1/me/preferences", expect=200).data
    assert prefs["kinds"]["consultation_opened"] == "immediately"
    assert prefs["kinds"]["reply"] == "daily"
    assert prefs["kinds"]["flags_waiting"] == "daily"
    assert "invitation" not in prefs["kinds"]
    assert prefs["groups"] == {}
    assert prefs["email"] is None and prefs["locale"] is None


def test_a_patch_changes_only_what_it_names(as_user):
    alice = as_user("alice")
    group_id = create_group(alice)
    alice.patch("/v1/me/preferences", {"kinds": {"reply": "never"}}, expect=200)
    prefs = alice.patch(
        "/v1/me/preferences",
        {"kinds": {"results": "daily"}, "groups": {group_id: {"reply": "immediately"}}},
        expect=200,
    ).data
    assert prefs["kinds"]["reply"] == "never" and prefs["kinds"]["results"] == "daily"
    assert prefs["groups"] == {group_id: {"reply": "immediately"}}
    # null: back to the default (every group) / to `kinds` (one group).
    prefs = alice.patch(
        "/v1/me/preferences", {"kinds": {"reply": None}, "groups": {group_id: None}}, expect=200
    ).data
    assert prefs["kinds"]["reply"] == "daily" and prefs["kinds"]["results"] == "daily"
    assert prefs["groups"] == {}
    assert alice.get("/v1/me/preferences", expect=200).data == prefs


def test_two_patches_of_different_kinds_at_once_both_stick(as_user, monkeypatch):
    """The race is forced: another tab's PATCH lands between this PATCH's validation and
    its write (each reading the choices before writing would undo one of them)."""
    alice = as_user("alice")
    real = inbox_store.set_choices
    raced: list[bool] = []

    def interleaved(user_id, changes, **more):
        if not raced:
            raced.append(True)
            alice.patch("/v1/me/preferences", {"kinds": {"results": "never"}}, expect=200)
        return real(user_id, changes, **more)

    monkeypatch.setattr(inbox_store, "set_choices", interleaved)
    alice.patch("/v1/me/preferences", {"kinds": {"reply": "never"}}, expect=200)
    prefs = alice.get("/v1/me/preferences", expect=200).data
    assert raced and prefs["kinds"]["reply"] == "never" and prefs["kinds"]["results"] == "never"


def test_choices_for_a_group_need_membership_or_following(as_user):
    alice, bob = as_user("alice"), as_user("bob")
    group_id = create_group(alice)
    answer = bob.patch(
        "/v1/me/preferences", {"groups": {group_id: {"reply": "never"}}}, expect=422
    ).data
    assert answer["error"]["details"][0]["field"] == f"groups.{group_id}"
    assert answer["error"]["details"][0]["code"] == "not_your_group"
    bob.put(f"/v1/groups/{group_id}/follow", expect=200)
    bob.patch("/v1/me/preferences", {"groups": {group_id: {"reply": "never"}}}, expect=200)


def test_invitation_and_unknown_kinds_or_deliveries_are_refused(as_user):
    alice = as_user("alice")
    for body in (
        {"kinds": {"invitation": "never"}},
        {"kinds": {"nonsense": "never"}},
        {"kinds": {"reply": "weekly"}},
        {"kinds": None},
        {},
        {"colour": "blue"},
    ):
        alice.patch("/v1/me/preferences", body, expect=422)


def test_the_language_of_emails_is_the_profiles(as_user):
    alice = as_user("alice")
    prefs = alice.patch("/v1/me/preferences", {"locale": "fr"}, expect=200).data
    assert prefs["locale"] == "fr"
    assert alice.get("/v1/me", expect=200).data["locale"] == "fr"
    prefs = alice.patch("/v1/me/preferences", {"locale": None}, expect=200).data
    assert alice.get("/v1/me", expect=200).data["locale"] is None


def test_a_kind_this_version_does_not_know_is_left_out_not_a_500(as_user):
    alice = as_user("alice")
    [known] = deliver("alice", 1)
    NotificationItem(
        keys.notifications_pk("alice"),
        keys.notification_sk("29990101000000000-ffffffffffffffff"),
        event_id="29990101000000000-ffffffffffffffff",
        event_kind="something_new",
        at=clock.to_iso(START),
        ttl=START + timedelta(days=90),
    ).save()
    assert ids_of(alice.get("/v1/me/notifications", expect=200).data) == [known]


def test_the_read_watermark_marks_only_what_existed(as_user):
    """`all` moves the caller's watermark to their own newest notification, and nobody
    else's."""
    alice, bob = as_user("alice"), as_user("bob")
    mine = deliver("alice", 2)
    deliver("bob", 2, start=5)  # newer than all of Alice's
    alice.post("/v1/me/notifications/read", {"all": True}, expect=200)
    assert inbox_store.read_settings("alice").read_before == mine[-1]
    assert inbox_store.read_settings("bob").read_before is None
    assert bob.get("/v1/me/notifications", expect=200).data["unread"] == 2
