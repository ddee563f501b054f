"""Ballots against the real local runner, many requests at once: one person, one ballot,
and a running tally (from the stream, driven by the runner) that equals a recount."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from tests.http import Api
from tests.integration.conftest import TABLE, RunningHub

pytestmark = pytest.mark.integration

CLOSES = "2099-01-01T00:00:00Z"


def open_public_vote(hub: RunningHub, **function: object) -> str:
    admin = hub.as_user(f"organiser-{uuid.uuid4().hex[:8]}")
    group = admin.post("/v1/groups", {"name": f"Ville {admin.sub}"}).data["id"]
    consultation = admin.post(
        f"/v1/groups/{group}/consultations",
        {
            "title": "Budget",
            "visibility": "public",
            "participation": "signed_in",
            "closes_at": CLOSES,
        },
    ).data["id"]
    debate = admin.post(
        f"/v1/consultations/{consultation}/debates",
        {
            "title": "Aire de jeux",
            "function": {"type": "vote", "results_visibility": "live", **function},
        },
    ).data["id"]
    assert admin.post(f"/v1/consultations/{consultation}/publish").status_code == 200
    return debate


def recount(hub: RunningHub, debate_id: str) -> Counter[str]:
    """Count the markers in the embedded DynamoDB directly, independently of the Hub."""
    client = boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{hub.dynamodb_port}",
        region_name="eu-west-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    counts: Counter[str] = Counter()
    pages = client.get_paginator("scan").paginate(
        TableName=TABLE,
        FilterExpression="debate_id = :d AND begins_with(sk, :voter)",
        ExpressionAttributeValues={":d": {"S": debate_id}, ":voter": {"S": "VOTER#"}},
    )
    for page in pages:
        for item in page["Items"]:
            counts[item["choice"]["S"]] += 1
    return counts


def tally_once_caught_up(hub: RunningHub, debate_id: str, expected: Counter[str]) -> dict:
    """The runner counts the stream every second: wait (bounded) until it has caught up."""
    deadline = time.monotonic() + 30
    while True:
        shown = hub.as_user("reader").get(f"/v1/debates/{debate_id}/results").data
        counts = {k: v for k, v in shown["counts"].items() if v}
        if counts == dict(expected) or time.monotonic() > deadline:
            return shown
        time.sleep(0.5)


def test_thirty_two_simultaneous_ballots_from_one_voter_leave_one(hub: RunningHub) -> None:
    debate = open_public_vote(hub, allow_change=False)
    voter = hub.as_user(f"voter-{uuid.uuid4().hex[:8]}")
    start = threading.Barrier(32)
    choices = ["yes", "no"] * 16

    def vote(choice: str) -> int:
        start.wait()
        return voter.put(f"/v1/debates/{debate}/ballot", {"choice": choice}).status_code

    with ThreadPoolExecutor(32) as pool:
        statuses = Counter(pool.map(vote, choices))

    assert statuses[201] == 1, statuses
    assert set(statuses) <= {200, 201, 409}, statuses
    counted = recount(hub, debate)
    assert sum(counted.values()) == 1
    kept = voter.get(f"/v1/debates/{debate}/ballot").data["choice"]
    assert counted == Counter({kept: 1})
    # whoever sent the kept choice got 201 or 200; everyone who asked otherwise got 409
    assert statuses[409] == 16


def test_two_hundred_voters_voting_and_changing_at_once_tally_equals_recount(
    hub: RunningHub,
) -> None:
    debate = open_public_vote(hub)
    rng = random.Random(20261127)
    plans = []
    for n in range(200):
        steps = [rng.choice(["yes", "no", "abstain"]) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.1:
            steps.append("withdraw")
        plans.append((hub.as_user(f"citizen-{n}-{uuid.uuid4().hex[:6]}"), steps))

    def follow(plan: tuple[Api, list[str]]) -> list[int]:
        voter, steps = plan
        statuses = []
        for step in steps:
            if step == "withdraw":
                statuses.append(voter.delete(f"/v1/debates/{debate}/ballot").status_code)
            else:
                statuses.append(
                    voter.put(f"/v1/debates/{debate}/ballot", {"choice": step}).status_code
                )
        return statuses

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(follow, plans))

    assert all(status in (200, 201, 204) for statuses in outcomes for status in statuses)
    expected = Counter(steps[-1] for _, steps in plans if steps[-1] != "withdraw")
    assert recount(hub, debate) == expected
    shown = tally_once_caught_up(hub, debate, expected)
    assert {k: v for k, v in shown["counts"].items() if v} == dict(expected)
    assert shown["total"] == sum(expected.values())
