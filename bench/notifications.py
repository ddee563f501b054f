"""What a notification costs: a public consultation opens for its followers.

    .venv/bin/python -m bench.notifications [followers]   (default 1,000)

Over moto, the pipeline as the cloud runs it (the stream to the notifier, the queue to the
deliverer, chalicelib/services/notifications.py): DynamoDB calls and capacity units
(bench/meter.py) and queue messages, for the notifier and for the deliverer, per
notification and per 1,000 recipients. Half the followers signed in with a verified
email (each then gets one immediately, the default for an opening); the other half only
hear in the app. Emails go through SES's mock. Last, what 1,000 recipients cost in money at
the list prices in PRICES (Lambda's own time aside: it is printed by the log lines' duration
in the cloud, not measured here). The pipeline's log lines are kept out of the figures.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from collections import Counter

from bench.harness import PUBLIC_CONSULTATION, session
from bench.meter import Meter, metering

# List prices, on demand, to turn the figures into money (AWS's public prices in us-east-1
# as of 2025; Paris costs a little more). Change them here for another region or date.
PRICES = {
    "DynamoDB write unit": 0.625e-6,
    "DynamoDB read unit": 0.125e-6,
    "SQS request (64 KB)": 0.40e-6,
    "SES email": 0.10e-3,
}


def main(followers: int = 1_000) -> None:
    import boto3

    from chalicelib.domain.notifications import Reachability
    from chalicelib.jobs.deliver_notifications import handler as deliverer
    from chalicelib.jobs.notify import handler as notifier
    from chalicelib.services import notifications
    from chalicelib.settings import get_settings
    from chalicelib.store import notifications as store
    from chalicelib.store.models.notifications import FollowItem
    from local.stream import StreamReader

    logs = io.StringIO()  # the pipeline's and the API's JSON lines: not the bench's output
    with session() as bench, contextlib.redirect_stdout(logs):
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
            PUBLIC_CONSULTATION,
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
    # Each message is sent once, received once and deleted once (Lambda's poller batches
    # receives and deletes by up to 10: counted one request each, an upper bound).
    sent = sum(messages.values())
    per_thousand = 1_000 / followers
    costs = {
        "DynamoDB write unit": (notify_meter.write_units + deliver_meter.write_units),
        "DynamoDB read unit": (notify_meter.read_units + deliver_meter.read_units),
        "SQS request (64 KB)": 3 * sent,
        "SES email": emails,
    }
    total = 0.0
    print("  per 1,000 recipients, at the list prices in bench/notifications.py:")
    for item, quantity in costs.items():
        dollars = quantity * per_thousand * PRICES[item]
        total += dollars
        print(f"    {item:22} {quantity * per_thousand:>9,.1f}  ${dollars:.4f}")
    print(f"    {'total':22} {'':>9}  ${total:.4f} (Lambda time aside)")


def _line(label: str, meter: Meter, followers: int) -> None:
    scale = 1_000 / followers
    print(
        f"  {label:12} {meter.total_calls:>7} {meter.read_units:>9.1f} {meter.write_units:>9.1f}"
        f"  {meter.total_calls * scale:,.0f}, {meter.read_units * scale:,.1f}, "
        f"{meter.write_units * scale:,.1f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000)
