"""Acceptance 1 of issue 17 on `make run DEMO=1`: an admin publishes a members'
consultation; within seconds every member has an unread `consultation_opened`
notification, each member whose sign-in recorded a verified email has one .eml in the
outbox, and a non-member has nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.conftest import RunningHub, assert_stopped_everything, start_runner

pytestmark = pytest.mark.integration

WAIT_S = 20.0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningHub, Path]]:
    folder = tmp_path_factory.mktemp("notifications")
    outbox = folder / "outbox"
    running = start_runner(
        folder / "output.log", "--demo", "--no-reload", env={"HUB_OUTBOX": str(outbox)}
    )
    try:
        yield running, outbox
    finally:
        if running.process.poll() is None:
            assert_stopped_everything(running, running.stop())


def table(hub: RunningHub):
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{hub.dynamodb_port}",
        region_name="eu-west-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def signed_in_with_email(hub: RunningHub, user: str) -> str:
    """What GET /v1/me records at a sign-in whose token carried a verified email."""
    address = f"{user}@example.org"
    table(hub).put_item(
        TableName="hub-integration",
        Item={
            "pk": {"S": f"USER#{user}"},
            "sk": {"S": "NOTIFY"},
            "kind": {"S": "notification_settings"},
            "user_id": {"S": user},
            "email": {"S": address},
            "email_verified": {"BOOL": True},
            "locale": {"S": "fr"},
            "preferences": {"M": {}},
        },
    )
    return address


def opened(hub: RunningHub, user: str) -> list[str]:
    """The consultations `user` was told opened, and whether they read that yet."""
    found = table(hub).query(
        TableName="hub-integration",
        KeyConditionExpression="pk = :pk AND begins_with(sk, :n)",
        ExpressionAttributeValues={":pk": {"S": f"NOTIFS#{user}"}, ":n": {"S": "N#"}},
    )
    return [
        item["data"]["M"]["consultation_id"]["S"]
        for item in found["Items"]
        if item["event_kind"]["S"] == "consultation_opened" and "read_at" not in item
    ]


def wait_for(check, timeout: float = WAIT_S):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def test_members_hear_of_a_published_consultation_within_seconds(demo):
    hub, outbox = demo
    said = wait_for(lambda: re.search(r"Demo association .*: id (\S+)", hub.read_output()))
    group_id = said.group(1)
    alice = signed_in_with_email(hub, "demo-alice")
    admin = hub.as_user("demo-admin")
    closes = (datetime.now(UTC) + timedelta(days=3)).isoformat().replace("+00:00", "Z")
    made = admin.post(
        f"/v1/groups/{group_id}/consultations",
        {"title": "Fête de quartier", "visibility": "members", "closes_at": closes},
    )
    assert made.status_code == 201, made.data
    assert admin.post(f"/v1/consultations/{made.data['id']}/publish").status_code == 200

    consultation = made.data["id"]
    for member in ("demo-alice", "demo-bob", "demo-moderator"):
        assert wait_for(lambda m=member: consultation in opened(hub, m)), member
    assert consultation not in opened(hub, "demo-admin")  # who published it
    assert opened(hub, "someone-else") == []

    pytest.importorskip("chalicelib.mail.send", reason="the mail module is not merged yet")

    def about_it() -> list[str]:
        texts = [path.read_text(errors="replace") for path in outbox.glob("*.eml")]
        return [text for text in texts if f"/consultations/{consultation}" in text]

    emails = wait_for(about_it)
    time.sleep(2)  # and no second one comes
    emails = about_it()
    assert len(emails) == 1, hub.read_output()[-3000:]
    assert alice in emails[0]
