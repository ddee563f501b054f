"""Who hears about what: every event kind reaches its recipients and nobody else, once,
in the app and by email as each chose (the pipeline: stream -> notifier -> queue ->
deliverer, against moto, as the cloud runs it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, time, timedelta

import pytest

from chalicelib.domain import clock
from chalicelib.domain.notifications import ALL_GROUPS, Delivery, Kind, Preferences, Reachability
from chalicelib.mail.unsubscribe import read_unsubscribe_token
from chalicelib.services import notifications
from chalicelib.settings import get_settings
from chalicelib.store import notifications as store
from tests.api.helpers import (
    add_member,
    create_consultation,
    create_group,
    moment,
    publish,
    travel,
)
from tests.api.notification_pipeline import (
    Pipeline,
    catch_mail,
    digest_entries,
    inbox,
    kinds,
    notifications_of_kind,
    signed_in,
)

MEMBERS = ("observer", "participant", "author", "moderator")
# Thousands of followers: three pages of recipients (moto writes about 200 items a second,
# and each follower costs an in-app notification and a stream record: 3,000 took 20 s).
FOLLOWERS = 2_000


@pytest.fixture
def pipeline(table: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    import boto3

    from local.stream import StreamReader

    sqs = boto3.client("sqs", region_name="eu-west-3")
    url = sqs.create_queue(QueueName="hub-notifications")["QueueUrl"]
    saved = {name: os.environ.get(name) for name in ("HUB_NOTIFICATIONS_QUEUE_URL", "HUB_SES_RATE")}
    os.environ["HUB_NOTIFICATIONS_QUEUE_URL"] = url
    os.environ["HUB_SES_RATE"] = "1000"  # no pacing worth waiting for in tests
    get_settings.cache_clear()
    notifications.reset_clients()
    outbox = catch_mail(monkeypatch)
    yield Pipeline(sqs, url, outbox, StreamReader(os.environ["HUB_TABLE"]))
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()
    notifications.reset_clients()


@pytest.fixture
def club(as_user):
    """An association with a member of each role (each signed in with a verified email,
    but the observer, who has none), and an outsider who signed in too."""
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Club")
    users = {"admin": admin}
    for role in MEMBERS:
        users[role] = add_member(as_user, admin, group_id, role, role)
    users["outsider"] = as_user("outsider", name="Outsider")
    for sub in ("admin", "participant", "author", "moderator", "outsider"):
        signed_in(sub)
    signed_in("observer", email=False)
    return group_id, users


def addresses(pipeline: Pipeline) -> list[str]:
    return sorted(sent.to for sent in pipeline.outbox)


def test_a_members_consultation_opening_reaches_every_member_but_its_publisher(pipeline, club):
    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    publish(users["admin"], c["id"])
    pipeline.run()

    for role in MEMBERS:
        assert kinds(role) == ["consultation_opened"], role
    assert kinds("admin") == []  # who published it: their own action
    assert kinds("outsider") == []
    [item] = inbox("participant")
    assert item.data["consultation_title"] == "Budget participatif"
    assert item.data["group_name"] == "Club"
    assert item.data["consultation_id"] == c["id"]
    assert item.data["closes_at"] == c["closes_at"]
    assert item.read_at is None
    # Immediately by email (the default), to the verified addresses only.
    assert addresses(pipeline) == [
        "author@example.org",
        "moderator@example.org",
        "participant@example.org",
    ]
    assert pipeline.failed == 0


def test_replaying_the_stream_and_the_queue_sends_nothing_twice(pipeline, club):
    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    publish(users["admin"], c["id"])
    pipeline.run()
    sent = addresses(pipeline)

    pipeline.replay()  # the whole stream again, from its start
    pipeline.deliver()
    pipeline.replay()
    pipeline.deliver()

    assert addresses(pipeline) == sent
    for role in MEMBERS:
        assert kinds(role) == ["consultation_opened"]


def test_a_board_only_consultation_notifies_only_its_audience(pipeline, club):
    group_id, users = club
    c = create_consultation(
        users["admin"], group_id, visibility="restricted", audience=["moderator"]
    )
    publish(users["admin"], c["id"])
    pipeline.run()

    assert kinds("moderator") == ["consultation_opened"]
    for sub in ("observer", "participant", "author", "outsider", "admin"):
        assert kinds(sub) == [], sub
    assert addresses(pipeline) == ["moderator@example.org"]


def test_who_lost_access_between_the_event_and_its_delivery_hears_nothing(pipeline, club):
    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    publish(users["admin"], c["id"])
    pipeline.notify()  # the event is in the queue...
    removed = users["admin"].delete(f"/v1/groups/{group_id}/members/participant")
    assert removed.status_code == 204, removed.data
    pipeline.deliver()  # ...and delivered once the participant is out

    assert kinds("participant") == []
    assert "participant@example.org" not in addresses(pipeline)
    assert kinds("author") == ["consultation_opened"]


def test_preferences_never_daily_and_immediately(pipeline, club, monkeypatch):
    group_id, users = club
    never = Preferences({(group_id, Kind.CONSULTATION_OPENED): Delivery.NEVER})
    daily = Preferences({(ALL_GROUPS, Kind.CONSULTATION_OPENED): Delivery.DAILY})
    store.put_settings(Reachability("participant", "participant@example.org", True), never)
    store.put_settings(Reachability("author", "author@example.org", True), daily)
    c = create_consultation(users["admin"], group_id)
    publish(users["admin"], c["id"])
    pipeline.run()

    # In the app always; by email as each chose.
    assert kinds("participant") == kinds("author") == ["consultation_opened"]
    assert addresses(pipeline) == ["moderator@example.org"]
    assert [(e.user_id, e.event_kind) for e in digest_entries()] == [
        ("author", "consultation_opened")
    ]

    pipeline.schedule()  # the same day: no digest yet
    assert addresses(pipeline) == ["moderator@example.org"]

    now = clock.now()
    next_morning = datetime.combine(now.date() + timedelta(days=1), time(1), tzinfo=now.tzinfo)
    travel(monkeypatch, next_morning - now)
    pipeline.schedule()  # the day is over: its digests go
    pipeline.schedule()  # and only once
    assert addresses(pipeline) == ["author@example.org", "moderator@example.org"]
    assert digest_entries() == []


def test_a_reply_to_an_erased_members_argument_notifies_nobody(pipeline, club):
    """Their comment's author is a pseudonym: nobody to notify (and no partition for it)."""
    from chalicelib.store import comments as comment_store

    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    debate = debate_in(users["admin"], c["id"])
    publish(users["admin"], c["id"])
    argument = users["author"].post(f"/v1/debates/{debate}/comments", {"body": "Pour"}).data
    pipeline.run()
    assert users["author"].delete("/v1/me").status_code == 204
    users["participant"].post(
        f"/v1/debates/{debate}/comments", {"body": "Pourquoi ?", "parent_id": argument["id"]}
    )
    pipeline.run()
    alias = comment_store.get(argument["id"]).author_id
    assert alias.startswith("erased-")
    assert kinds(alias) == [] and kinds("author") == []
    assert pipeline.failed == 0


def test_a_reply_reaches_the_author_of_the_comment_replied_to_only(pipeline, club):
    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    debate = debate_in(users["admin"], c["id"])
    publish(users["admin"], c["id"])
    argument = users["author"].post(f"/v1/debates/{debate}/comments", {"body": "Pour"}).data
    users["participant"].post(
        f"/v1/debates/{debate}/comments", {"body": "Pourquoi ?", "parent_id": argument["id"]}
    )
    users["author"].post(
        f"/v1/debates/{debate}/comments", {"body": "Parce que.", "parent_id": argument["id"]}
    )
    pipeline.run()

    assert kinds("author") == ["reply", "consultation_opened"]  # not their own reply
    [reply, _] = inbox("author")
    assert reply.data["actor_name"] == "Participant"
    assert reply.data["debate_title"] == "Motion"
    assert kinds("participant") == ["consultation_opened"]
    # Replies are a daily digest by default: no email yet.
    assert "reply" in {e.event_kind for e in digest_entries()}


def test_hidden_and_restored_comments_reach_their_author_with_the_reason(pipeline, club):
    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    debate = debate_in(users["admin"], c["id"])
    publish(users["admin"], c["id"])
    comment = users["participant"].post(f"/v1/debates/{debate}/comments", {"body": "!"}).data
    hidden = users["moderator"].post(f"/v1/comments/{comment['id']}/hide", {"reason": "Hors sujet"})
    assert hidden.status_code == 200, hidden.data
    restored = users["moderator"].post(f"/v1/comments/{comment['id']}/restore")
    assert restored.status_code == 200, restored.data
    pipeline.run()

    assert kinds("participant") == ["comment_restored", "comment_hidden", "consultation_opened"]
    assert inbox("participant")[1].data["reason"] == "Hors sujet"
    assert "comment_hidden" not in kinds("author")
    assert "comment_hidden" not in kinds("moderator")


def test_join_requests_reach_the_admins_and_their_answer_the_requester(pipeline, as_user):
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Club", join_policy="request")
    add_member(as_user, admin, group_id, "moderator", "moderator")
    for sub in ("dan", "eve"):
        assert as_user(sub, name=sub.title()).post(f"/v1/groups/{group_id}/join").status_code == 202
    pipeline.run()
    assert kinds("admin") == ["join_requested", "join_requested"]
    assert kinds("moderator") == []

    assert admin.post(f"/v1/groups/{group_id}/join-requests/dan/approve").status_code in (200, 201)
    assert admin.post(f"/v1/groups/{group_id}/join-requests/eve/reject").status_code == 204
    pipeline.run()
    assert kinds("dan") == ["join_approved"]
    assert kinds("eve") == ["join_declined"]
    assert kinds("admin") == ["join_requested", "join_requested"]


def test_a_partner_invitation_reaches_the_partners_admins(pipeline, club, as_user):
    group_id, users = club
    other_admin = as_user("other-admin", name="Other")
    other = create_group(other_admin, "Voisins")
    add_member(as_user, other_admin, other, "other-member", "participant")
    c = create_consultation(users["admin"], group_id)
    invited = users["admin"].post(f"/v1/consultations/{c['id']}/partners", {"group_id": other})
    assert invited.status_code == 201, invited.data
    pipeline.run()

    assert kinds("other-admin") == ["partner_invitation"]
    [invitation] = inbox("other-admin")
    assert invitation.data["host_name"] == "Club"  # who invites them
    assert invitation.data["group_name"] == "Voisins"
    assert invitation.data["partner_id"] == other
    assert kinds("other-member") == []
    assert kinds("admin") == []


def test_thousands_of_followers_each_hear_once_a_page_at_a_time(pipeline, as_user):
    from chalicelib.store.models.notifications import FollowItem

    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Ville")
    followers = [f"resident-{n:04d}" for n in range(FOLLOWERS)]
    with FollowItem.batch_write() as batch:
        for user in followers:
            batch.save(
                FollowItem(
                    f"FOLLOWERS#{group_id}",
                    f"USER#{user}",
                    group_id=group_id,
                    user_id=user,
                    followed_at=moment(),
                    gsi1pk=f"USER#{user}",
                    gsi1sk=f"FOLLOW#{group_id}",
                )
            )
    c = create_consultation(admin, group_id, visibility="public", participation="signed_in")
    publish(admin, c["id"])
    pipeline.run()

    assert pipeline.failed == 0
    # In pages of 500: each resolve message reads one page only, and sends on the rest.
    assert pipeline.invocations["resolve followers"] == -(-FOLLOWERS // notifications.PAGE)
    assert max(pipeline.deliver_sizes) <= notifications.PER_MESSAGE
    for user in (followers[0], followers[777], followers[-1]):
        assert kinds(user) == ["consultation_opened"]
    assert notifications_of_kind("consultation_opened") == FOLLOWERS


def debate_in(admin, consultation_id: str) -> str:
    made = admin.post(
        f"/v1/consultations/{consultation_id}/debates",
        {"title": "Motion", "function": {"type": "vote"}},
    )
    assert made.status_code == 201, made.data
    return made.data["id"]


def test_closing_soon_reaches_the_eligible_who_have_not_voted_once(pipeline, club, monkeypatch):
    group_id, users = club
    c = create_consultation(users["admin"], group_id, closes_at=moment(timedelta(hours=30)))
    debate = debate_in(users["admin"], c["id"])
    publish(users["admin"], c["id"])
    voted = users["participant"].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"})
    assert voted.status_code == 201, voted.data
    pipeline.run()
    pipeline.schedule()  # not due yet: 24 h before closing
    assert "closing_soon" not in kinds("author")

    travel(monkeypatch, timedelta(hours=7))
    pipeline.schedule()
    pipeline.schedule()  # sent once
    for sub in ("observer", "author", "moderator", "admin"):
        assert kinds(sub).count("closing_soon") == 1, sub
    assert "closing_soon" not in kinds("participant")  # took part already
    assert "closing_soon" not in kinds("outsider")


def test_a_failed_send_is_retried_and_then_sent_once(pipeline, club, monkeypatch):
    from chalicelib.mail import send as mail

    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    publish(users["admin"], c["id"])
    caught = mail.send

    def down(email):
        raise ConnectionError("SES is down")

    monkeypatch.setattr(mail, "send", down)
    pipeline.run()
    assert pipeline.failed == 1  # the message comes back...
    assert addresses(pipeline) == []
    assert kinds("author") == ["consultation_opened"]  # ...in the app, they have it already

    monkeypatch.setattr(mail, "send", caught)
    pipeline.sqs.purge_queue(QueueUrl=pipeline.url)
    pipeline.replay()  # the retry: the same events again
    pipeline.deliver()
    assert addresses(pipeline) == [
        "author@example.org",
        "moderator@example.org",
        "participant@example.org",
    ]
    assert kinds("author") == ["consultation_opened"]


def test_an_invitation_to_an_address_is_sent_there_once(pipeline, club):
    from chalicelib.store.models.groups import InvitationItem

    group_id, users = club
    code = users["admin"].post(f"/v1/groups/{group_id}/invitations", {"role": "participant"})
    item = InvitationItem.get(f"INVITE#{code.data['code']}", "META")
    item.update(actions=[InvitationItem.created_by_name.set("Admin")])
    # What the API records when an invitation names an email (the api helper's part):
    # a new invitation item carrying `email`.
    from chalicelib.store import table

    raw = table.get_many([(item.pk, item.sk)], consistent=True)[(item.pk, item.sk)]
    raw["pk"] = {"S": "INVITE#other-code"}
    raw["code"] = {"S": "other-code"}
    raw["email"] = {"S": "new@example.org"}
    table.connection().client.put_item(TableName=table.TableMeta.table_name, Item=raw)
    pipeline.run()
    pipeline.replay()
    pipeline.deliver()
    assert addresses(pipeline) == ["new@example.org"]


def test_final_results_reach_those_who_took_part(pipeline, club, monkeypatch):
    from chalicelib.services import closer

    group_id, users = club
    c = create_consultation(users["admin"], group_id, closes_at=moment(timedelta(hours=1)))
    debate = debate_in(users["admin"], c["id"])
    publish(users["admin"], c["id"])
    for voter in ("participant", "moderator"):
        assert (
            users[voter].put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}).status_code == 201
        )
    travel(monkeypatch, timedelta(hours=1, minutes=2))
    assert closer.close_due_consultations(clock.now()) >= 1  # closed, then finalised
    closer.close_due_consultations(clock.now())
    pipeline.run()

    assert "results" in kinds("participant")
    assert "results" in kinds("moderator")
    for sub in ("author", "observer", "admin", "outsider"):
        assert "results" not in kinds(sub), sub


def test_flags_waiting_reach_the_groups_moderators_as_a_digest(pipeline, club):
    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    debate = debate_in(users["admin"], c["id"])
    publish(users["admin"], c["id"])
    comment = users["author"].post(f"/v1/debates/{debate}/comments", {"body": "!"}).data
    flagged = users["participant"].post(f"/v1/comments/{comment['id']}/flags", {"reason": "spam"})
    assert flagged.status_code in (200, 201), flagged.data
    pipeline.run()

    assert "flags_waiting" in kinds("moderator")
    assert "flags_waiting" in kinds("admin")
    for sub in ("participant", "author", "observer", "outsider"):
        assert "flags_waiting" not in kinds(sub), sub
    waiting = {(e.user_id, e.event_kind) for e in digest_entries()}
    assert {("moderator", "flags_waiting"), ("admin", "flags_waiting")} <= waiting


def test_closing_soon_follows_a_postponed_closing_date(pipeline, club, monkeypatch):
    group_id, users = club
    c = create_consultation(users["admin"], group_id, closes_at=moment(timedelta(hours=30)))
    publish(users["admin"], c["id"])
    pipeline.run()
    moved = users["admin"].patch(
        f"/v1/consultations/{c['id']}", {"closes_at": moment(timedelta(hours=60))}
    )
    assert moved.status_code == 200, moved.data
    pipeline.run()

    travel(monkeypatch, timedelta(hours=7))  # 23 h before the first date: not any more
    pipeline.schedule()
    assert "closing_soon" not in kinds("author")
    travel(monkeypatch, timedelta(hours=30))  # 23 h before the new one
    pipeline.schedule()
    assert kinds("author").count("closing_soon") == 1
    [reminder] = [n for n in inbox("author") if n.event_kind == "closing_soon"]
    assert reminder.data["closes_at"] == moved.data["closes_at"]


def test_each_batch_prints_one_line_with_what_it_sent(pipeline, club, capsys):
    import json

    group_id, users = club
    publish(users["admin"], create_consultation(users["admin"], group_id)["id"])
    capsys.readouterr()
    pipeline.run()
    pipeline.schedule()

    lines = [
        json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")
    ]
    messages = {line["message"] for line in lines}
    assert {"notify batch", "deliver batch", "notification schedule"} <= messages
    sent = {
        line["Channel"]: line["NotificationsSent"]
        for line in lines
        if line["message"] == "deliver batch" and "Channel" in line
    }
    assert sent == {"in_app": 4, "email": 3}


def test_a_days_digest_is_one_email_per_person_across_pages(pipeline, monkeypatch):
    from chalicelib.domain.notifications import Event
    from chalicelib.store import keys

    monkeypatch.setattr(notifications, "PAGE", 10)  # pages of 10 entries
    monkeypatch.setattr(notifications, "MOST_ENTRIES", 50)
    shard = keys.digest_shard("reader-0")
    neighbours = [
        u for u in (f"reader-{n}" for n in range(1, 200)) if keys.digest_shard(u) == shard
    ]
    people = ["reader-0", *neighbours[:2]]
    daily = Preferences({(ALL_GROUPS, Kind.JOIN_DECLINED): Delivery.DAILY})
    day = "2026-01-01"
    for person, entries in zip(people, (25, 3, 12), strict=True):
        store.put_settings(Reachability(person, f"{person}@example.org", True), daily)
        for n in range(entries):
            at = clock.from_iso(f"2026-01-01T10:{n:02d}:00.000Z")
            event = Event(f"20260101-{person}-{n:02d}", Kind.JOIN_DECLINED, at, None, {})
            store.put_digest_entry(person, event, day)

    notifications.enqueue([{"digest": {"day": day, "shard": shard, "cursor": None}}])
    pipeline.deliver()
    assert pipeline.failed == 0
    assert sorted(addresses(pipeline)) == sorted(f"{p}@example.org" for p in people)
    assert digest_entries() == []
    # reader-0's 25 entries span three pages, all in their one email.
    [busy] = [sent for sent in pipeline.outbox if sent.to == "reader-0@example.org"]
    assert "25" in busy.email.subject
    # Its unsubscribe link ends the daily digest, whatever kinds it held.
    token = busy.email.headers["List-Unsubscribe"].split("token=")[1].rstrip(">")
    assert read_unsubscribe_token(token) == ("reader-0", "*", "digest")


def test_a_comment_a_moderator_hid_unflagged_is_no_flag_waiting(pipeline, club):
    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    debate = debate_in(users["admin"], c["id"])
    publish(users["admin"], c["id"])
    comment = users["author"].post(f"/v1/debates/{debate}/comments", {"body": "!"}).data
    hidden = users["moderator"].post(f"/v1/comments/{comment['id']}/hide", {"reason": "Non"})
    assert hidden.status_code == 200, hidden.data
    pipeline.run()

    assert kinds("author")[0] == "comment_hidden"
    assert "flags_waiting" not in kinds("admin")
    assert "flags_waiting" not in kinds("moderator")


def test_flags_in_a_board_meeting_reach_only_the_moderators_within_its_audience(pipeline, club):
    """The moderation queue shows a restricted consultation's comments to its audience
    only; so does "flags waiting", which names the consultation and the debate."""
    group_id, users = club
    c = create_consultation(  # by an author: its creator opens it, whatever the audience
        users["author"],
        group_id,
        visibility="restricted",
        audience=["participant", "author"],
    )
    debate = debate_in(users["author"], c["id"])
    publish(users["author"], c["id"])
    comment = users["author"].post(f"/v1/debates/{debate}/comments", {"body": "!"}).data
    flagged = users["participant"].post(f"/v1/comments/{comment['id']}/flags", {"reason": "spam"})
    assert flagged.status_code in (200, 201), flagged.data
    pipeline.run()

    assert "flags_waiting" in kinds("admin")  # an admin opens every consultation
    assert "flags_waiting" not in kinds("moderator")  # outside the audience: not its title


def test_a_reply_hidden_or_deleted_before_its_delivery_is_not_announced(pipeline, club):
    """Its author's name would tell of a reply nobody may read any more."""
    group_id, users = club
    c = create_consultation(users["admin"], group_id)
    debate = debate_in(users["admin"], c["id"])
    publish(users["admin"], c["id"])
    argument = users["author"].post(f"/v1/debates/{debate}/comments", {"body": "Pour"}).data
    rude = users["participant"].post(
        f"/v1/debates/{debate}/comments", {"body": "Insulte", "parent_id": argument["id"]}
    )
    regretted = users["moderator"].post(
        f"/v1/debates/{debate}/comments", {"body": "Oups", "parent_id": argument["id"]}
    )
    assert (rude.status_code, regretted.status_code) == (201, 201)
    pipeline.notify()  # the events are in the queue...
    hidden = users["moderator"].post(f"/v1/comments/{rude.data['id']}/hide", {"reason": "Non"})
    assert hidden.status_code == 200, hidden.data
    deleted = users["moderator"].delete(f"/v1/comments/{regretted.data['id']}")
    assert deleted.status_code in (200, 204), deleted.data
    pipeline.deliver()  # ...and delivered once the replies are out of sight

    assert "reply" not in kinds("author")
