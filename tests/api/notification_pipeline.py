"""What the notification tests share: the pipeline driven as the cloud drives it (the
table's stream -> the notifier; the queue -> the deliverer; the schedule), against moto,
and an outbox that catches every email sent."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.notifications import Reachability
from chalicelib.store import keys
from chalicelib.store import notifications as store
from chalicelib.store.models.notifications import DigestEntryItem, NotificationItem


@dataclass
class Sent:
    """An email as the outbox caught it: to whom, and the email (chalicelib.mail.render)."""

    to: str
    email: Any


def catch_mail(monkeypatch: Any) -> list[Sent]:
    """Every email `send` is asked to send, rendered, without sending it."""
    from chalicelib.mail import send as real_send

    outbox: list[Sent] = []

    def caught(email: Any) -> None:
        outbox.append(Sent(email.to, email))

    monkeypatch.setattr(real_send, "send", caught)
    return outbox


@dataclass
class Pipeline:
    sqs: Any
    url: str
    outbox: list[Sent]
    reader: Any
    invocations: Counter = field(default_factory=Counter)
    deliver_sizes: list[int] = field(default_factory=list)
    failed: int = 0

    def notify(self) -> None:
        """The stream's new records, to the notifier (as its trigger would)."""
        from chalicelib.jobs.notify import handler

        self.reader.drain(handler)

    def replay(self) -> None:
        """Every record of the stream again, from its start: a batch retried."""
        from chalicelib.jobs.notify import handler
        from local.stream import StreamReader

        StreamReader(os.environ["HUB_TABLE"]).drain(handler)

    def deliver(self) -> None:
        """The queue, to the deliverer, until it is empty (10 messages per invocation)."""
        import json

        from chalicelib.jobs.deliver_notifications import handler

        while True:
            got = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, VisibilityTimeout=600
            ).get("Messages", [])
            if not got:
                return
            records = [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": {},
                    "eventSource": "aws:sqs",
                }
                for m in got
            ]
            for m in got:
                body = json.loads(m["Body"])
                (what, content), *_ = body.items()
                self.invocations[what] += 1
                if what == "resolve":
                    self.invocations[f"resolve {content['audience'].split(':')[0]}"] += 1
                if what == "deliver":
                    self.deliver_sizes.append(len(content["recipients"]))
            answer = handler({"Records": records}, None)
            failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
            self.failed += len(failed)
            for m in got:
                if m["MessageId"] not in failed:
                    self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])

    def run(self) -> None:
        self.notify()
        self.deliver()

    def schedule(self) -> None:
        from chalicelib.jobs.notification_schedule import handler

        handler({}, None)
        self.deliver()


def inbox(user_id: str) -> list[NotificationItem]:
    """The user's in-app notifications, newest first."""
    return list(
        NotificationItem.query(
            keys.notifications_pk(user_id),
            NotificationItem.sk.startswith(keys.NOTIFICATION_PREFIX),
            scan_index_forward=False,
        )
    )


def kinds(user_id: str) -> list[str]:
    return [item.event_kind for item in inbox(user_id)]


def signed_in(user_id: str, *, email: bool = True, locale: str = "fr") -> str:
    """What GET /v1/me records on sign-in: a verified address (or none)."""
    address = f"{user_id}@example.org"
    store.put_settings(Reachability(user_id, address if email else None, email, locale))
    return address


def digest_entries() -> list[DigestEntryItem]:
    return [i for i in DigestEntryItem.scan() if i.pk.startswith("DIGEST#") and i.sk != "QUEUED"]


def notifications_of_kind(kind: str) -> int:
    """How many in-app notifications of `kind` the table holds, whoever they are for."""
    from chalicelib.store.table import TableMeta, connection

    total, after = 0, None
    while True:
        request = {
            "TableName": TableMeta.table_name,
            "Select": "COUNT",
            "FilterExpression": "event_kind = :kind AND begins_with(sk, :n)",
            "ExpressionAttributeValues": {":kind": {"S": kind}, ":n": {"S": "N#"}},
        }
        if after:
            request["ExclusiveStartKey"] = after
        answer = connection().client.scan(**request)
        total += answer["Count"]
        after = answer.get("LastEvaluatedKey")
        if not after:
            return total
