"""Notifications, off the request path: events from the stream, recipients page by page
through the queue, delivery at most once per (event, recipient, channel).

1. `notify(records)` (the stream's second consumer): each record that is an event
   (domain/notification_events.py) is described (names and titles: one BatchGetItem for the
   batch) and sent on as one `resolve` message per audience. Replayed, a batch makes the
   same events (same ids), so what follows sends nothing twice.
2. `deliver(messages)` (the queue's consumer): a `resolve` message reads one page of its
   audience (<= 500 people) and sends it on as `deliver` messages of <= 100 people, plus
   its own continuation; a `deliver` message checks that each person may open the
   resource now (the permission table, as for a request of theirs), never the actor, and
   notifies them: in the app always, by email as their preferences say (now, in the daily
   digest, or never), each once (a marker written with attribute_not_exists before
   sending). A `digest` message sends one shard page of a finished day's digests.
3. `send_due()` (every five minutes): the "closing soon" reminders that are due, and the
   digests of the day that ended.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain import clock
from chalicelib.domain.model import Caller, Consultation, ConsultationStatus, ConsultationVisibility
from chalicelib.domain.notification_events import (
    ADDRESS,
    ELIGIBLE,
    FOLLOWERS,
    NOT_VOTED,
    PARENT_AUTHOR,
    USER,
    VOTERS,
    Happening,
    audience,
    event_from_json,
    event_to_json,
    happenings,
    split_audience,
)
from chalicelib.domain.notifications import (
    ALL_GROUPS,
    DIGEST,
    Channel,
    Delivery,
    Event,
    Kind,
    event_id,
)
from chalicelib.domain.permissions import Action, allows
from chalicelib.domain.roles import Outsider, Role
from chalicelib.settings import get_settings
from chalicelib.store import keys
from chalicelib.store import notifications as store
from chalicelib.telemetry import Metric, count, job

log = logging.getLogger("hub.notifications")

# The deliverer's most concurrent invocations (the SQS trigger's MaximumConcurrency, in
# infra/template.yaml): each sends at ses_rate / DELIVERER_CONCURRENCY emails per second.
DELIVERER_CONCURRENCY = 2
PAGE = 500  # recipients read by one `resolve` message
PER_MESSAGE = 100  # recipients notified by one `deliver` message
MOST_ENTRIES = 5 * PAGE  # of one person's daily digest (the rest stay in the app only)
SQS_BATCH = 10  # SendMessageBatch's most entries
# A day's digests are sent once it has been over this long (late deliveries land in it).
DIGEST_AFTER = timedelta(minutes=15)

CONSULTATION_KINDS = {Kind.CONSULTATION_OPENED, Kind.CLOSING_SOON, Kind.RESULTS}
COMMENT_KINDS = {Kind.REPLY, Kind.COMMENT_HIDDEN, Kind.COMMENT_RESTORED}
# Group events: what a recipient must still be allowed to do in the group to hear of them.
GROUP_ACTIONS = {
    Kind.JOIN_REQUESTED: Action.JOIN_REQUESTS_REVIEW,
    Kind.PARTNER_INVITATION: Action.PARTNERSHIP_ACCEPT,
    Kind.FLAGS_WAITING: Action.MODERATION_QUEUE,
    Kind.JOIN_APPROVED: Action.GROUP_READ,
}


# ---------------------------------------------------------------- 1. events from the stream


def notify(records: Iterable[dict[str, Any]]) -> int:
    """A stream batch's events, each sent on to the queue as one `resolve` message per
    audience. Returns how many events. Raises (so the batch is read again) if the queue
    refused any message."""
    records = list(records)
    with job("notify batch", records=len(records)) as batch:
        described = describe(happenings(records))
        messages = [
            {"resolve": {"event": event_to_json(event), "audience": who, "cursor": None}}
            for event, audiences in described
            for who in audiences
        ]
        enqueue(messages)
        batch.fields["events"] = len(described)
        batch.fields["messages"] = len(messages)
        return len(described)


def describe(found: list[Happening]) -> list[tuple[Event, tuple[str, ...]]]:
    """The events, with what they show (group names, consultation and debate titles, the
    closing date, a replied-to comment's author) read for all of them together: one
    BatchGetItem, and a second for the host associations only the consultations name
    (replies, partner invitations). Writes the "closing soon" reminder of each consultation
    that opened."""
    wanted: list[tuple[str, str]] = []
    for h in found:
        if h.group_id:
            wanted.append(_group_key(h.group_id))
        if consultation := h.data.get("consultation_id"):
            wanted.append((keys.consultation_pk(consultation), keys.META))
        if debate := h.data.get("debate_id"):
            wanted.append(_debate_key(debate))
        for comment in (h.data.get("parent_id"), h.data.get("comment_id")):
            if comment and (key := _comment_key(comment)) is not None:
                wanted.append(key)
    items = store.get_raw(wanted)
    hosts = {
        _group_key(c.group_id)
        for h in found
        if (c := _consultation(items, h.data.get("consultation_id"))) is not None
    }
    items |= store.get_raw([key for key in hosts if key not in items])
    described = []
    for h in found:
        consultation = _consultation(items, h.data.get("consultation_id"))
        group_id = h.group_id or (consultation.group_id if consultation else None)
        shown = {"group_name": _s(items.get(_group_key(group_id)), "name") if group_id else ""}
        if consultation is not None:
            shown["consultation_title"] = consultation.title
            shown["closes_at"] = clock.to_iso(consultation.closes_at)
            if consultation.group_id != group_id:  # a partner's: who invites them
                shown["host_name"] = _s(items.get(_group_key(consultation.group_id)), "name")
                shown["partner_id"] = group_id or ""
        if debate := h.data.get("debate_id"):
            shown["debate_title"] = _s(items.get(_debate_key(debate)), "title")
        if h.kind is Kind.FLAGS_WAITING and not _flagged(items, h.data.get("comment_id", "")):
            continue  # hidden by a moderator, who put it in the queue: nobody flagged it
        audiences = list(h.audiences)
        if h.kind in (Kind.CONSULTATION_OPENED, Kind.RESULTS):
            if consultation is None:
                continue
            if consultation.visibility is ConsultationVisibility.PUBLIC:
                audiences.append(audience(FOLLOWERS, consultation.group_id))
        for index, who in enumerate(audiences):
            what, of = split_audience(who)
            if what == PARENT_AUTHOR:
                key = _comment_key(of)
                author = _s(items.get(key), "author_id") if key else ""
                audiences[index] = audience(USER, author) if author else ""
        audiences = [who for who in audiences if who]
        event = replace(h, group_id=group_id).event(shown)
        if h.kind is Kind.CONSULTATION_OPENED and consultation is not None:
            _remind_closing(consultation, event.at)
        if audiences:
            described.append((event, tuple(audiences)))
    return described


def _group_key(group_id: str) -> tuple[str, str]:
    return keys.group_pk(group_id), keys.META


def _debate_key(debate_id: str) -> tuple[str, str]:
    return keys.consultation_pk(debate_id[:12]), keys.debate_sk(debate_id[12:])


def _remind_closing(consultation: Consultation, opened_at: datetime) -> None:
    due = consultation.closes_at - timedelta(hours=get_settings().closing_soon_h)
    if due > opened_at:
        store.put_reminder(store.Reminder(consultation.id, Kind.CLOSING_SOON, due))


def _consultation(items: dict, consultation_id: str | None) -> Consultation | None:
    from chalicelib.store.consultations import consultation_from_raw

    raw = items.get((keys.consultation_pk(consultation_id), keys.META)) if consultation_id else None
    return consultation_from_raw(raw) if raw is not None else None


def _comment_key(comment_id: str) -> tuple[str, str] | None:
    from chalicelib.domain.ids import split_comment_id
    from chalicelib.store.comments import comment_key

    return comment_key(comment_id) if split_comment_id(comment_id) else None


def _flagged(items: dict, comment_id: str) -> bool:
    key = _comment_key(comment_id)
    raw = items.get(key) if key else None
    return raw is not None and int((raw.get("flags") or {}).get("N", "0")) > 0


def _s(raw: dict | None, name: str) -> str:
    value = (raw or {}).get(name) or {}
    return value.get("S", "") if isinstance(value, dict) else ""


# ---------------------------------------------------------------- the queue


_sqs_lock = threading.Lock()
_sqs: Any = None


def _queue() -> Any:
    global _sqs
    with _sqs_lock:
        if _sqs is None:
            import botocore.session

            _sqs = botocore.session.get_session().create_client(
                "sqs", region_name=get_settings().region
            )
        return _sqs


def reset_clients() -> None:
    """Forget the queue's client (tests make one per mock)."""
    global _sqs
    with _sqs_lock:
        _sqs = None


def enqueue(messages: list[dict[str, Any]]) -> None:
    """Send the messages to the notifications queue, SQS_BATCH per call; raises if any
    was refused (sending them all again is safe: delivery is once per marker)."""
    if not messages:
        return
    url = get_settings().notifications_queue_url
    if not url:
        raise RuntimeError("HUB_NOTIFICATIONS_QUEUE_URL is not set: nowhere to send events")
    for start in range(0, len(messages), SQS_BATCH):
        chunk = messages[start : start + SQS_BATCH]
        entries = [
            {"Id": str(i), "MessageBody": json.dumps(m, separators=(",", ":"))}
            for i, m in enumerate(chunk)
        ]
        answer = _queue().send_message_batch(QueueUrl=url, Entries=entries)
        if answer.get("Failed"):
            raise RuntimeError(f"the queue refused {len(answer['Failed'])} messages")


# ---------------------------------------------------------------- 2. the queue's messages


def deliver(messages: Iterable[dict[str, Any]]) -> list[str]:
    """Handle a batch of SQS messages (Lambda's shape). Returns the ids of those that
    failed (they come back, the others are done)."""
    messages = list(messages)
    failed: list[str] = []
    with job("deliver batch", messages=len(messages)) as batch:
        handled: dict[str, int] = defaultdict(int)
        for message in messages:
            try:
                body = json.loads(message["body"])
                (what, content), *_ = body.items()
                _HANDLERS[what](content)
                handled[what] += 1
            except Exception:
                log.exception("notification message %s failed", message.get("messageId"))
                failed.append(message.get("messageId", ""))
        batch.fields.update(handled)
        batch.fields["failed"] = len(failed)
    return failed


def resolve(content: dict[str, Any]) -> None:
    """One page of the audience, sent on as `deliver` messages, and the continuation."""
    event = event_from_json(content["event"])
    who = content["audience"]
    what, of = split_audience(who)
    if what in (USER, ADDRESS):
        enqueue([_deliver_message(event, who, [of])])
        return
    partitions = _partitions(what, of)
    cursor = content.get("cursor") or {"p": 0, "k": None}
    index = cursor["p"]
    if index >= len(partitions):
        return
    users, after = store.recipients_page(partitions[index], PAGE, cursor["k"])
    messages = [
        _deliver_message(event, who, users[start : start + PER_MESSAGE])
        for start in range(0, len(users), PER_MESSAGE)
    ]
    following = {"p": index, "k": after} if after else {"p": index + 1, "k": None}
    if following["p"] < len(partitions):
        messages.append(
            {"resolve": {"event": content["event"], "audience": who, "cursor": following}}
        )
    enqueue(messages)


def _deliver_message(event: Event, who: str, recipients: list[str]) -> dict[str, Any]:
    return {"deliver": {"event": event_to_json(event), "audience": who, "recipients": recipients}}


def _partitions(what: str, of: str) -> list[store.Partition]:
    """Where an audience's people are listed, in the order they are read."""
    if what == FOLLOWERS:
        return [store.followers(of)]
    if what == "admins":
        return [store.members(of, (Role.ADMIN,))]
    if what == "moderators":
        return [store.members(of, (Role.MODERATOR, Role.ADMIN))]
    consultation = _read_consultation(of)
    if consultation is None:
        return []
    if what in (ELIGIBLE, NOT_VOTED):
        if consultation.visibility is ConsultationVisibility.RESTRICTED:
            roles = {Role.ADMIN, *consultation.audience}
            return [store.members(consultation.group_id, roles), store.grantees(consultation.id)]
        groups = [consultation.group_id, *consultation.accepted_partners]
        return [*(store.members(g) for g in groups), store.grantees(consultation.id)]
    if what == VOTERS:
        return [
            store.voters(debate.id, shard)
            for debate in _debates(consultation.id)
            for shard in range(debate.ballot_shards)
        ]
    raise ValueError(f"unknown audience {what!r}")


def _read_consultation(consultation_id: str) -> Consultation | None:
    return _consultation(
        store.get_raw([(keys.consultation_pk(consultation_id), keys.META)]), consultation_id
    )


def _debates(consultation_id: str) -> list[Any]:
    from chalicelib.store.debates import all_debates

    return all_debates(consultation_id)


def deliver_to(content: dict[str, Any]) -> None:
    """Notify each recipient who may open what the event is about now (never its actor):
    in the app, and by email now or in tomorrow's digest, as they chose. A failed send
    raises, once every other recipient was served: the message comes back, and only what
    was not sent is sent again."""
    event = event_from_json(content["event"])
    what, of = split_audience(content["audience"])
    if what == ADDRESS:
        _invite(event, of)
        return
    actor = event.data.get("actor_id")
    users = [u for u in dict.fromkeys(content["recipients"]) if u and u != actor]
    allowed = may_hear(event, what, users)
    failures: list[Exception] = []
    day = f"{clock.now():%Y-%m-%d}"
    for recipient in allowed:
        if store.put_notification(recipient.user_id, event):
            count(Metric.NOTIFICATIONS_SENT, Channel=Channel.IN_APP.value)
        delivery = recipient.preferences.delivery(event.group_id, event.kind)
        address = recipient.reachability.email_address
        if delivery is Delivery.NEVER or address is None:
            continue
        channel = Channel.EMAIL if delivery is Delivery.IMMEDIATELY else Channel.DIGEST
        if not store.claim_delivery(recipient.user_id, event.id, channel.value, event.at):
            continue  # sent (or queued for the digest) already
        try:
            if channel is Channel.EMAIL:
                _send_notification(event, recipient, address)
            else:
                store.put_digest_entry(recipient.user_id, event, day)
        except Exception as error:  # the message is retried for them
            store.release_delivery(recipient.user_id, event.id, channel.value)
            failures.append(error)
            continue
        count(Metric.NOTIFICATIONS_SENT, Channel=channel.value)
    if failures:
        raise failures[0]


def may_hear(event: Event, what: str, users: list[str]) -> list[store.Recipient]:
    """The users who may open what `event` is about now, as the permission table says for
    a request of theirs, with how to reach them: one or two BatchGetItem per 100 people."""
    if not users:
        return []
    if event.kind is Kind.REPLY and not _still_shown(event.data.get("comment_id", "")):
        return []  # hidden or deleted meanwhile: its author's name would tell of it
    if event.kind in CONSULTATION_KINDS or event.kind in COMMENT_KINDS:
        return _inside_consultation(event, what, users)
    action = GROUP_ACTIONS.get(event.kind)
    if action is None or not event.group_id:  # a declined request: its requester, always
        return list(store.read_recipients(users).values())
    group_raw = store.get_raw([(keys.group_pk(event.group_id), keys.META)]).get(
        (keys.group_pk(event.group_id), keys.META)
    )
    if group_raw is None:
        return []
    from chalicelib.store.groups import group_from_raw

    group = group_from_raw(group_raw)
    found = store.read_recipients(users, groups=[group.id])
    allowed = [
        r
        for r in found.values()
        if allows(
            action, frozenset({(r.roles or {}).get(group.id, Outsider.SIGNED_IN)}), group.visibility
        )
    ]
    if event.kind is Kind.FLAGS_WAITING and event.data.get("consultation_id"):
        # It names the consultation and the debate: only for who may open them (the queue
        # itself shows a board meeting's comments to its audience alone).
        inside = {
            r.user_id for r in _inside_consultation(event, what, [r.user_id for r in allowed])
        }
        allowed = [r for r in allowed if r.user_id in inside]
    return allowed


def _still_shown(comment_id: str) -> bool:
    from chalicelib.domain.ids import split_comment_id
    from chalicelib.store import comments

    comment = comments.get(comment_id) if split_comment_id(comment_id) else None
    return comment is not None and not comment.hidden and not comment.deleted


def _inside_consultation(event: Event, what: str, users: list[str]) -> list[store.Recipient]:
    from chalicelib.domain.consultations import standings_of
    from chalicelib.store.ballots import marker_key

    consultation = _read_consultation(event.data.get("consultation_id", ""))
    if consultation is None:
        return []
    opening = event.kind in (Kind.CONSULTATION_OPENED, Kind.CLOSING_SOON)
    if opening and consultation.status_at(clock.now()) is not ConsultationStatus.OPEN:
        return []  # closed (or unpublished) meanwhile: nothing to take part in
    # Who may open it: a member within its audience (an observer too: they follow what
    # their association decides), a grant, a follower of a public one.
    action = Action.DEBATE_READ
    markers = None
    if what == NOT_VOTED:
        debates = _debates(consultation.id)
        markers = {u: [marker_key(d, u) for d in debates] for u in users}
    # Where anyone signed in may open it (public), their roles change nothing: not read.
    anyone = allows(action, frozenset({Outsider.SIGNED_IN}), consultation.context)
    found = store.read_recipients(
        users,
        groups=[] if anyone else [consultation.group_id, *consultation.accepted_partners],
        consultation_id=None if anyone else consultation.id,
        marker_keys=markers,
    )
    allowed = []
    for recipient in found.values():
        if what == NOT_VOTED and recipient.voted:
            continue
        caller = Caller(
            recipient.user_id,
            recipient.name,
            recipient.reachability.email,
            recipient.reachability.email_verified,
        )
        held = standings_of(
            consultation, caller, recipient.roles or {}, recipient.grant, (consultation.created_by,)
        )
        if allows(action, held, consultation.context):
            allowed.append(recipient)
    return allowed


# ---------------------------------------------------------------- email


_pace_lock = threading.Lock()
_last_send = 0.0


def _pace() -> None:
    """At most ses_rate / DELIVERER_CONCURRENCY emails per second from this invocation, so
    that the stack stays under SES's rate."""
    global _last_send
    gap = DELIVERER_CONCURRENCY / get_settings().ses_rate
    with _pace_lock:
        wait = _last_send + gap - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        _last_send = time.monotonic()


def _locale(recipient: store.Recipient) -> str:
    return recipient.locale or get_settings().default_locale


def _web_url() -> str:
    url = get_settings().web_url
    if not url:
        raise RuntimeError("HUB_WEB_URL is not set: emails would have no links")
    return url


def _send_notification(event: Event, recipient: store.Recipient, address: str) -> None:
    from chalicelib.mail import render, send, unsubscribe

    email = render.notification_email(
        event,
        address,
        _locale(recipient),
        web_url=_web_url(),
        unsubscribe_token=unsubscribe.unsubscribe_token(
            recipient.user_id, event.group_id or ALL_GROUPS, event.kind
        ),
    )
    _pace()
    send.send(email)


def _invite(event: Event, address: str) -> None:
    """An invitation to an address (no account, no preferences): once per invitation."""
    from chalicelib.mail import render, send

    marker = f"@{address.casefold()}"
    if not store.claim_delivery(marker, event.id, Channel.EMAIL.value, event.at):
        return
    try:
        email = render.invitation_email(
            event, address, get_settings().default_locale, web_url=_web_url()
        )
        _pace()
        send.send(email)
    except Exception:
        store.release_delivery(marker, event.id, Channel.EMAIL.value)
        raise
    count(Metric.NOTIFICATIONS_SENT, Channel=Channel.EMAIL.value)


# ---------------------------------------------------------------- digests


def send_digests(content: dict[str, Any]) -> None:
    """One page of a finished day's digest entries in one shard: one email per person
    (their entries they may still open, and still want daily), then the entries go. The
    continuation starts after the last person served whole."""
    day, shard = content["day"], int(content["shard"])
    entries, after = store.digest_page(day, shard, PAGE, content.get("cursor"))
    while after and len({user for user, _ in entries}) == 1 and len(entries) < MOST_ENTRIES:
        more, after = store.digest_page(day, shard, PAGE, after)  # one busy person's day
        entries += more
    by_user: dict[str, list[Event]] = defaultdict(list)
    for user, event in entries:
        by_user[user].append(event)
    users = list(by_user)
    if after and len(users) > 1:
        last = users.pop()  # may go on in the next page: served whole there
        del by_user[last]
        after = store.digest_entry_key(day, users[-1], by_user[users[-1]][-1].id)
    failures: list[Exception] = []
    # Who may still open each event (and wants it daily), event by event, in batches.
    events = {e.id: e for evs in by_user.values() for e in evs}
    readers: dict[str, dict[str, store.Recipient]] = {}
    for eid, event in events.items():
        audience_users = [u for u, evs in by_user.items() if any(e.id == eid for e in evs)]
        readers[eid] = {r.user_id: r for r in may_hear(event, "", audience_users)}
    for user in users:
        kept = []
        recipient = None
        for event in by_user[user]:
            found = readers[event.id].get(user)
            if found and found.preferences.delivery(event.group_id, event.kind) is Delivery.DAILY:
                kept.append(event)
                recipient = found
        address = recipient.reachability.email_address if recipient else None
        if kept and address and recipient is not None:
            marker = f"digest-{day}"
            if store.claim_delivery(user, marker, Channel.EMAIL.value, kept[-1].at):
                try:
                    _send_digest(kept, recipient, address)
                except Exception as error:  # retried with the message
                    store.release_delivery(user, marker, Channel.EMAIL.value)
                    failures.append(error)
                    continue
                count(Metric.NOTIFICATIONS_SENT, Channel=Channel.DIGEST.value)
        store.delete_digest_entries(day, [(user, e.id) for e in by_user[user]])
    if after:
        enqueue([{"digest": {"day": day, "shard": shard, "cursor": after}}])
    if failures:
        raise failures[0]


def _send_digest(events: list[Event], recipient: store.Recipient, address: str) -> None:
    from chalicelib.mail import render, send, unsubscribe

    email = render.digest_email(
        events,
        address,
        _locale(recipient),
        web_url=_web_url(),
        # A digest lists several kinds: its link ends the daily digest.
        unsubscribe_token=unsubscribe.unsubscribe_token(recipient.user_id, ALL_GROUPS, DIGEST),
    )
    _pace()
    send.send(email)


# ---------------------------------------------------------------- 3. on a schedule


def send_due() -> None:
    """The reminders that are due, and the digests of the day that ended."""
    with job("notification schedule") as run:
        now = clock.now()
        run.fields["reminders"] = _due_reminders(now)
        run.fields["digest_days"] = _queue_digests(now)


def _due_reminders(now: datetime) -> int:
    """ "Closing soon" to the eligible who have not taken part, if the consultation is still
    open and closes when the reminder was written for; moved with its closing date."""
    sent = 0
    hours = timedelta(hours=get_settings().closing_soon_h)
    for reminder in store.due_reminders(now):
        consultation = _read_consultation(reminder.consultation_id)
        if consultation is None or consultation.status_at(now) is not ConsultationStatus.OPEN:
            store.done_reminder(reminder)
            continue
        due = consultation.closes_at - hours
        if due != reminder.due_at:
            if store.done_reminder(reminder) and due > now:
                store.put_reminder(replace(reminder, due_at=due))
            continue
        group = store.get_raw([(keys.group_pk(consultation.group_id), keys.META)])
        event = Event(
            event_id(due, f"reminder|{consultation.id}|{clock.to_iso(consultation.closes_at)}"),
            Kind.CLOSING_SOON,
            due,
            consultation.group_id,
            {
                "consultation_id": consultation.id,
                "consultation_title": consultation.title,
                "group_name": _s(
                    group.get((keys.group_pk(consultation.group_id), keys.META)), "name"
                ),
                "closes_at": clock.to_iso(consultation.closes_at),
            },
        )
        who = audience(NOT_VOTED, consultation.id)
        enqueue([{"resolve": {"event": event_to_json(event), "audience": who, "cursor": None}}])
        store.done_reminder(reminder)
        sent += 1
    return sent


def _queue_digests(now: datetime) -> int:
    """The digests of the day that ended (once it is DIGEST_AFTER over), one message per
    shard, once per day."""
    day = f"{(now - DIGEST_AFTER).date() - timedelta(days=1):%Y-%m-%d}"
    if not store.claim_digest_day(day):
        return 0
    try:
        enqueue(
            [
                {"digest": {"day": day, "shard": shard, "cursor": None}}
                for shard in range(keys.DIGEST_SHARDS)
            ]
        )
    except Exception:
        store.release_digest_day(day)
        raise
    return 1


_HANDLERS = {"resolve": resolve, "deliver": deliver_to, "digest": send_digests}
