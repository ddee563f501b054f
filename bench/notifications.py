"""What a notification costs: a public consultation opens for its followers.

    .venv/bin/python -m bench.notifications [followers]   (default 1,000)

Over moto, the pipeline as the cloud runs it (the stream to the notifier, the queue to the
deliverer, chalicelib/services/notifications.py): DynamoDB calls and capacity units
(bench/meter.py) and queue messages, for the notifier and for the deliverer, per
notification and per 1,000 recipients. Half the followers signed in with a verified
email (each then gets one immediately, the default for an opening); the other half only
hear in the app. Emails go through SES's mock when chalicelib.mail is there, else nowhere.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter

from bench.harness import session
from bench.meter import Meter, metering

CLOSES = "2099-01-01T00:00:00Z"


def _no_mail_module() -> None:
    """Until chalicelib.mail is merged: a stand-in that renders and sends nothing."""
    import types

    try:
        import chalicelib.mail.send  # noqa: F401
    except ImportError:
        package = types.ModuleType("chalicelib.mail")
        package.__path__ = []  # type: ignore[attr-defined]
        for name, functions in {
            "render": ("notification_email", "digest_email", "invitation_email"),
            "send": ("send",),
            "unsubscribe": ("unsubscribe_token",),
        }.items():
            module = types.ModuleType(f"chalicelib.mail.{name}")
            for function in functions:
                setattr(module, function, lambda *args, **kwargs: None)
            setattr(package, name, module)
            sys.modules[f"chalicelib.mail.{name}"] = module
        sys.modules["chalicelib.mail"] = package


def main(followers: int = 1_000) -> None:
    import boto3

    from chalicelib.domain.notifications import Reachability
    from chalicelib.jobs.deliver_notifications import handler as deliverer
    from chalicelib.jobs.notify import handler as notifier
    from chalicelib.services import notifications
    from chalicelib.settings import get_settings
    from chalicelib.store import notifications as store
    from chalicelib.store.models import FollowItem
    from local.stream import StreamReader

    _no_mail_module()
    with session() as bench:
        sqs = boto3.client("sqs", region_name="eu-west-3")
        url = sqs.create_queue(QueueName="hub-notifications")["QueueUrl"]
        boto3.client("ses", region_name="eu-west-3").verify_email_identity(
            EmailAddress="hub@hub.localhost"
        )
        os.environ["HUB_NOTIFICATIONS_QUEUE_URL"] = url
        os.environ["HUB_SES_RATE"] = "1000"
        get_settings.cache_clear()
        notifications.reset_clients()

        group = bench.call("mayor", "POST", "/v1/groups", {"name": "Ville"})["id"]
        with FollowItem.batch_write() as batch:
            for n in range(followers):
                user = f"resident-{n:06d}"
                batch.save(
                    FollowItem(
                        f"FOLLOWERS#{group}",
                        f"USER#{user}",
                        group_id=group,
                        user_id=user,
                        followed_at="2026-12-01T00:00:00.000Z",
                        gsi1pk=f"USER#{user}",
                        gsi1sk=f"FOLLOW#{group}",
                    )
                )
        for n in range(0, followers, 2):
            user = f"resident-{n:06d}"
            store.put_settings(Reachability(user, f"{user}@example.org", True, "fr"))
        consultation = bench.call(
            "mayor",
            "POST",
            f"/v1/groups/{group}/consultations",
            {
                "title": "Budget",
                "visibility": "public",
                "participation": "signed_in",
                "closes_at": CLOSES,
            },
        )["id"]
        reader = StreamReader(os.environ["HUB_TABLE"])
        reader.drain(notifier)  # what came before: not measured
        bench.call("mayor", "POST", f"/v1/consultations/{consultation}/publish")

        with metering() as notify_meter:
            reader.drain(notifier)
        messages: Counter[str] = Counter()
        with metering() as deliver_meter:
            while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                "Messages", []
            ):
                for message in got:
                    messages[next(iter(json.loads(message["Body"])))] += 1
                records = [{"messageId": m["MessageId"], "body": m["Body"]} for m in got]
                failed = deliverer({"Records": records}, None)["batchItemFailures"]
                assert not failed, failed
                for m in got:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

    emails = followers // 2 + followers % 2
    print(f"A public consultation opens for {followers:,} followers ({emails:,} with an email):")
    print(f"  queue messages: {dict(messages)}")
    print(f"{'':14} {'calls':>7} {'RCU':>9} {'WCU':>9}  per 1,000 recipients: calls, RCU, WCU")
    for label, meter in (("notifier", notify_meter), ("deliverer", deliver_meter)):
        _line(label, meter, followers)
    print("  DynamoDB calls of the deliverer:", dict(deliver_meter.calls))
    per = deliver_meter.total_calls / followers
    print(
        f"  per notification: {per:.2f} calls, {deliver_meter.read_units / followers:.2f} RCU, "
        f"{deliver_meter.write_units / followers:.2f} WCU (in-app, plus marker for an email)"
    )


def _line(label: str, meter: Meter, followers: int) -> None:
    scale = 1_000 / followers
    print(
        f"  {label:12} {meter.total_calls:>7} {meter.read_units:>9.1f} {meter.write_units:>9.1f}"
        f"  {meter.total_calls * scale:,.0f}, {meter.read_units * scale:,.1f}, "
        f"{meter.write_units * scale:,.1f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000)
