"""The local runner's embedded DynamoDB behaves as DynamoDB does where the Hub relies on it:
a cancelled transaction leaves no trace (no item, no stream record), a transaction costs
the same on a full table as on an empty one, and a long run keeps its memory bounded."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.http import Api
from tests.integration.conftest import TABLE, RunningHub, assert_stopped_everything, start_runner
from tests.integration.test_ballots_concurrency import open_public_vote, tally_once_caught_up

pytestmark = pytest.mark.integration


def dynamodb(hub: RunningHub) -> Any:  # a boto3 DynamoDB client
    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{hub.dynamodb_port}",
        region_name="eu-west-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def stored_ballots(hub: RunningHub, debate_id: str, prefix: str) -> Counter[str]:
    """The choices stored for a debate, read from the embedded DynamoDB, not the Hub:
    markers (`VOTER#`) of a plain vote, anonymous ballots (`BALLOT#`) of a secret one."""
    counts: Counter[str] = Counter()
    pages = (
        dynamodb(hub)
        .get_paginator("scan")
        .paginate(
            TableName=TABLE,
            FilterExpression="debate_id = :d AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":d": {"S": debate_id}, ":prefix": {"S": prefix}},
        )
    )
    for page in pages:
        for item in page["Items"]:
            counts[item["choice"]["S"]] += 1
    return counts


def test_a_cancelled_secret_ballot_leaves_no_phantom_and_tallies_keep_moving(
    hub: RunningHub,
) -> None:
    secret = open_public_vote(hub, secret=True)
    plain = open_public_vote(hub)
    ada, bea, cid = (hub.as_user(f"{n}-{uuid.uuid4().hex[:8]}") for n in ("ada", "bea", "cid"))
    assert bea.put(f"/v1/debates/{secret}/ballot", {"choice": "no"}).status_code == 201

    # Ada sends her first secret ballot eight times at once: each request finds no ballot
    # of hers, and all but one transaction are cancelled by the marker's condition, after
    # their anonymous ballot was prepared. DynamoDB writes nothing of those.
    start = threading.Barrier(8)

    def cast(choice: str) -> int:
        start.wait()
        return ada.put(f"/v1/debates/{secret}/ballot", {"choice": choice}).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = Counter(pool.map(cast, ["yes", "no"] * 4))
    assert statuses[201] == 1, statuses
    assert set(statuses) <= {200, 201, 409}, statuses
    first = stored_ballots(hub, secret, "BALLOT#")
    assert sum(first.values()) == 2  # Ada's and Bea's

    # Ballots after the cancellation still reach the running tallies.
    assert cid.put(f"/v1/debates/{secret}/ballot", {"choice": "yes"}).status_code == 201
    for voter, choice in ((ada, "yes"), (bea, "yes"), (cid, "no")):
        assert voter.put(f"/v1/debates/{plain}/ballot", {"choice": choice}).status_code == 201

    stored = stored_ballots(hub, secret, "BALLOT#")
    assert sum(stored.values()) == 3
    shown = tally_once_caught_up(hub, secret, stored)
    assert {k: v for k, v in shown["counts"].items() if v} == dict(stored)
    assert shown["total"] == 3
    assert stored_ballots(hub, plain, "VOTER#") == Counter(yes=2, no=1)
    shown = tally_once_caught_up(hub, plain, Counter(yes=2, no=1))
    assert {k: v for k, v in shown["counts"].items() if v} == {"yes": 2, "no": 1}


def test_a_cancelled_transaction_writes_no_item_and_no_stream_record(hub: RunningHub) -> None:
    """Straight to the embedded DynamoDB: the second Put of a transaction whose first
    condition fails must neither be stored nor appear in the stream."""
    client = dynamodb(hub)
    key = uuid.uuid4().hex
    client.put_item(TableName=TABLE, Item={"pk": {"S": f"T1#{key}"}, "sk": {"S": "A"}})
    stream = client.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
    streams = boto3.client(
        "dynamodbstreams",
        endpoint_url=f"http://127.0.0.1:{hub.dynamodb_port}",
        region_name="eu-west-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
    )["ShardIterator"]

    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": {"pk": {"S": f"T1#{key}"}, "sk": {"S": "A"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"T2#{key}"}, "sk": {"S": "B"}}}},
            ]
        )
    client.put_item(TableName=TABLE, Item={"pk": {"S": f"T3#{key}"}, "sk": {"S": "C"}})

    assert "Item" not in client.get_item(
        TableName=TABLE, Key={"pk": {"S": f"T2#{key}"}, "sk": {"S": "B"}}
    )
    seen = []
    while iterator:
        page = streams.get_records(ShardIterator=iterator)
        seen += [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]]
        iterator = page.get("NextShardIterator") if page["Records"] else None
    mine = [pk for pk in seen if pk.endswith(key)]
    assert mine == [f"T3#{key}"]  # the write after the cancellation, and nothing else


def filled(hub: RunningHub, items: int) -> None:
    """What a season of use leaves in the table: `items` items of about half a kilobyte."""
    client = dynamodb(hub)
    body = {"S": "x" * 400}
    for start in range(0, items, 25):
        batch = [
            {"PutRequest": {"Item": {"pk": {"S": f"PAST#{n}"}, "sk": {"S": "META"}, "b": body}}}
            for n in range(start, min(start + 25, items))
        ]
        client.batch_write_item(RequestItems={TABLE: batch})


@pytest.fixture
def used_hub(tmp_path: Path) -> Iterator[RunningHub]:
    """A runner of its own, its table filled as after weeks of use."""
    running = start_runner(tmp_path / "output.log", "--no-reload")
    try:
        filled(running, 3000)
        yield running
    finally:
        if running.process.poll() is None:
            assert_stopped_everything(running, running.stop())


def test_thirty_people_accepting_one_invitation_at_once_on_a_full_table_all_get_an_answer(
    used_hub: RunningHub,
) -> None:
    founder = used_hub.as_user(f"founder-{uuid.uuid4().hex[:8]}")
    group = founder.post("/v1/groups", {"name": f"Foule {founder.sub}"}).data["id"]
    unlimited = founder.post(f"/v1/groups/{group}/invitations", {}).data["code"]
    single = founder.post(f"/v1/groups/{group}/invitations", {"max_uses": 1}).data["code"]
    # Patient clients: what is judged is the Hub's answer, however long a busy machine takes.
    racers = [used_hub.as_user(f"racer-{n}-{uuid.uuid4().hex[:6]}", timeout=120) for n in range(30)]
    start = threading.Barrier(len(racers))

    def accept(racer: Api, code: str) -> int:
        start.wait()
        return racer.post(f"/v1/invitations/{code}/accept").status_code

    codes = [unlimited] * 15 + [single] * 15
    with ThreadPoolExecutor(len(racers)) as pool:
        statuses = list(pool.map(accept, racers, codes))

    assert 500 not in statuses, Counter(statuses)
    assert set(statuses) <= {201, 409, 410, 503}, Counter(statuses)
    assert statuses[15:].count(201) <= 1
    members = founder.get(f"/v1/groups/{group}/members?limit=100").data["items"]
    assert len(members) == 1 + statuses.count(201)


def test_the_stream_reader_resumes_where_it_was_once_its_iterator_expired(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A machine asleep for more than 15 minutes: the runner's stream reader holds an
    expired iterator, and must go on from the last record it delivered."""
    from moto import mock_aws

    from local import embedded_dynamodb
    from local.stream import StreamReader

    with mock_aws(), embedded_dynamodb.corrected():
        client = boto3.client("dynamodb", region_name="eu-west-3")
        client.create_table(
            TableName="sleepy",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        reader = StreamReader("sleepy", region="eu-west-3")
        seen: list[str] = []

        def write(*keys: str) -> None:
            for key in keys:
                client.put_item(TableName="sleepy", Item={"pk": {"S": key}})

        def collect(event: dict[str, Any], _: Any) -> None:
            seen.extend(r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"])

        write("a0", "a1", "a2")
        reader.drain(collect)
        asleep = embedded_dynamodb.clock() + embedded_dynamodb.ITERATOR_LIFETIME_S + 1
        monkeypatch.setattr(embedded_dynamodb, "clock", lambda: asleep)
        write("b0", "b1")
        reader.drain(collect)

    assert seen == ["a0", "a1", "a2", "b0", "b1"]
