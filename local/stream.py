"""Reading the table's stream the way Lambda would, for `make run` and the tests.

`chalice local` never fires stream consumers: the runner (and tests) read the embedded
DynamoDB's stream with this reader and hand each batch, in Lambda's event shape, to the
very handler the cloud invokes (`app.count_ballots`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import boto3

Handler = Callable[[dict[str, Any], Any], Any]


class StreamReader:
    """Follows every shard of the table's stream from its start (TRIM_HORIZON), like an
    event source mapping with that starting position."""

    def __init__(self, table: str, *, endpoint_url: str | None = None, region: str | None = None):
        self._table = table
        self._dynamodb = boto3.client("dynamodb", endpoint_url=endpoint_url, region_name=region)
        self._streams = boto3.client(
            "dynamodbstreams", endpoint_url=endpoint_url, region_name=region
        )
        self._iterators: dict[str, str | None] = {}
        self._stream_arn: str | None = None

    def _arn(self) -> str:
        if self._stream_arn is None:
            table = self._dynamodb.describe_table(TableName=self._table)["Table"]
            self._stream_arn = table["LatestStreamArn"]
        return self._stream_arn

    def _shards(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self._arn())["StreamDescription"]
        return [shard["ShardId"] for shard in description["Shards"]]

    def drain(self, handler: Handler, batch_size: int = 100) -> int:
        """Hand every new record to `handler` in batches; returns how many records."""
        delivered = 0
        for shard in self._shards():
            if shard not in self._iterators:
                self._iterators[shard] = self._streams.get_shard_iterator(
                    StreamArn=self._arn(), ShardId=shard, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            while self._iterators[shard]:
                page = self._streams.get_records(
                    ShardIterator=self._iterators[shard], Limit=batch_size
                )
                records = page.get("Records", [])
                if records:
                    handler({"Records": [self._as_lambda(r) for r in records]}, None)
                    delivered += len(records)
                self._iterators[shard] = page.get("NextShardIterator")
                if not records:
                    break
        return delivered

    def _as_lambda(self, record: dict[str, Any]) -> dict[str, Any]:
        """boto3 parses what Lambda passes raw: put it back as Lambda delivers it."""
        event = dict(record)
        data = dict(event["dynamodb"])
        created = data.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            data["ApproximateCreationDateTime"] = created.timestamp()
        data.setdefault("SizeBytes", 0)
        data.setdefault("StreamViewType", "NEW_AND_OLD_IMAGES")
        event["dynamodb"] = data
        event.setdefault("eventSourceARN", self._arn())
        event.setdefault("awsRegion", self._dynamodb.meta.region_name)
        return event
