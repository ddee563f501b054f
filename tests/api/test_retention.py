"""What the table forgets by itself and what it keeps (issue 18, "Retention"): invitations,
notifications, delivery markers and idempotency records carry a `ttl` (DynamoDB deletes
them after it); audit entries carry one `HUB_AUDIT_RETENTION_DAYS` after they were made,
none when it is 0; final results, consultations, debates and ballots carry none."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain import clock
from chalicelib.domain.notifications import KEPT_FOR
from chalicelib.services import closer, notifications
from chalicelib.services.idempotency import KEY_LIFETIME
from chalicelib.settings import get_settings
from tests.api.helpers import create_consultation, create_group, publish, travel
from tests.api.notification_pipeline import Pipeline, catch_mail, signed_in

GRACE = timedelta(seconds=60)
WEEK = timedelta(days=7)
DEFAULT_AUDIT_DAYS = 1827


@pytest.fixture
def environment() -> Iterator[Callable[..., None]]:
    """Sets Hub variables for one test (the settings are read once, so read again), and
    puts them back afterwards."""
    saved: dict[str, str | None] = {}

    def set_to(**values: str) -> None:
        for name, value in values.items():
            saved.setdefault(name, os.environ.get(name))
            os.environ[name] = value
        get_settings.cache_clear()

    try:
        yield set_to
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        notifications.reset_clients()


@pytest.fixture
def pipeline(table: None, monkeypatch: pytest.MonkeyPatch, environment: Any) -> Pipeline:
    import boto3

    from local.stream import StreamReader

    sqs = boto3.client("sqs", region_name="eu-west-3")
    url = sqs.create_queue(QueueName="hub-notifications")["QueueUrl"]
    environment(HUB_NOTIFICATIONS_QUEUE_URL=url, HUB_SES_RATE="1000")
    notifications.reset_clients()
    return Pipeline(sqs, url, catch_mail(monkeypatch), StreamReader(os.environ["HUB_TABLE"]))


def items_by_kind() -> dict[str, list[dict[str, Any]]]:
    """Every item of the test table, by its `kind` (a test may Scan; the Hub never does)."""
    import boto3

    client = boto3.client("dynamodb", region_name="eu-west-3")
    found: dict[str, list[dict[str, Any]]] = {}
    for page in client.get_paginator("scan").paginate(TableName=os.environ["HUB_TABLE"]):
        for item in page["Items"]:
            kind = item.get("kind", {}).get("S", "?")
            found.setdefault(kind, []).append(item)
    return found


def ttl_of(item: dict[str, Any]) -> int | None:
    return int(item["ttl"]["N"]) if "ttl" in item else None


def epoch(iso: str) -> int:
    return int(clock.from_iso(iso).timestamp())


def a_decided_consultation(as_user: Any, pipeline: Pipeline, monkeypatch: Any) -> dict[str, Any]:
    """An association whose admin invited alice (with an Idempotency-Key), a consultation
    whose opening notified her, a ballot, the consultation closed and recounted."""
    admin = as_user("admin", name="Admin")
    group_id = create_group(admin, "Club")
    invitation = admin.post(
        f"/v1/groups/{group_id}/invitations",
        {"role": "participant"},
        headers={"Idempotency-Key": "invite-alice-1"},
        expect=201,
    ).data
    alice = as_user("alice", name="Alice")
    alice.post(f"/v1/invitations/{invitation['code']}/accept", expect=201)
    signed_in("alice")
    cid = create_consultation(admin, group_id)["id"]
    debate = admin.post(
        f"/v1/consultations/{cid}/debates", {"title": "Motion", "function": {"type": "vote"}}
    ).data["id"]
    publish(admin, cid)
    pipeline.run()
    alice.put(f"/v1/debates/{debate}/ballot", {"choice": "yes"}, expect=201)
    travel(monkeypatch, WEEK + GRACE)
    closer.close_due_consultations(clock.now())
    return {"invitation": invitation}


def test_what_expires_carries_a_ttl_and_what_is_kept_carries_none(as_user, pipeline, monkeypatch):
    made = a_decided_consultation(as_user, pipeline, monkeypatch)
    items = items_by_kind()

    [invitation] = items["invitation"]
    assert ttl_of(invitation) == epoch(made["invitation"]["expires_at"])
    assert items["notification"], "alice was notified"
    for notification in items["notification"]:
        at = clock.from_iso(notification["at"]["S"])
        assert ttl_of(notification) == int((at + KEPT_FOR).timestamp())
    assert all(ttl_of(marker) is not None for marker in items.get("delivery", []))
    [record] = items["idempotency"]
    assert ttl_of(record) is not None
    kept_for = ttl_of(record) - epoch(invitation["created_at"]["S"])
    assert abs(kept_for - KEY_LIFETIME.total_seconds()) <= 5

    assert items["audit_event"]
    for entry in items["audit_event"]:
        at = clock.from_iso(entry["at"]["S"])
        assert ttl_of(entry) == int((at + timedelta(days=DEFAULT_AUDIT_DAYS)).timestamp())

    assert items["result"], "the consultation was finalised"
    for kept in ("result", "consultation", "debate", "ballot_marker", "membership", "group"):
        assert all(ttl_of(item) is None for item in items[kept]), kept


def test_audit_entries_are_kept_for_as_long_as_the_city_chose(
    as_user, pipeline, monkeypatch, environment
):
    environment(HUB_AUDIT_RETENTION_DAYS="30")
    a_decided_consultation(as_user, pipeline, monkeypatch)
    for entry in items_by_kind()["audit_event"]:
        at = clock.from_iso(entry["at"]["S"])
        assert ttl_of(entry) == int((at + timedelta(days=30)).timestamp())


def test_with_a_retention_of_zero_audit_entries_are_kept_for_ever(
    as_user, pipeline, monkeypatch, environment
):
    environment(HUB_AUDIT_RETENTION_DAYS="0")
    a_decided_consultation(as_user, pipeline, monkeypatch)
    entries = items_by_kind()["audit_event"]
    assert len(entries) >= 5  # group, invitation, joining, consultation, its closing...
    assert all(ttl_of(entry) is None for entry in entries)
