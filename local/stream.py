"""Reading the table's stream the way Lambda would, for `make run` and the tests.

`chalice local` never fires stream consumers: the runner (and tests) read the embedded
DynamoDB's stream with this reader and hand each batch, in Lambda's event shape, to the
very handler the cloud invokes (`chalicelib.jobs.count_ballots.handler`).
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
        self._last_sequence: dict[str, str] = {}
        self._stream_arn: str | None = None

    def _arn(self) -> str:
        if self._stream_arn is None:
            table = self._dynamodb.describe_table(TableName=self._table)["Table"]
            self._stream_arn = table["LatestStreamArn"]
        return self._stream_arn

    def _shards(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self._arn())["StreamDescription"]
        return [shard["ShardId"] for shard in description["Shards"]]

    def open(self) -> None:
        """An iterator at the start (TRIM_HORIZON) of every shard not yet followed, without
        reading: the reader counts as one from now on."""
        for shard in self._shards():
            if shard not in self._iterators:
                self._iterators[shard] = self._iterator(shard, "TRIM_HORIZON")

    def drain(self, handler: Handler, batch_size: int = 100) -> int:
        """Hand every new record to `handler` in batches; returns how many records.

        A batch the handler fails on is read again at the next drain (the iterator only
        moves on once it succeeded). An iterator that expired (15 minutes unused: the
        machine slept) is replaced by one right after the last record delivered."""
        delivered = 0
        for shard in self._shards():
            if shard not in self._iterators:
                self._iterators[shard] = self._iterator(shard, "TRIM_HORIZON")
            while self._iterators[shard]:
                try:
                    page = self._streams.get_records(
                        ShardIterator=self._iterators[shard], Limit=batch_size
                    )
                except self._streams.exceptions.ExpiredIteratorException:
                    self._iterators[shard] = self._resume(shard)
                    continue
                records = page.get("Records", [])
                if records:
                    handler({"Records": [self._as_lambda(r) for r in records]}, None)
                    delivered += len(records)
                    self._last_sequence[shard] = records[-1]["dynamodb"]["SequenceNumber"]
                self._iterators[shard] = page.get("NextShardIterator")
                if not records:
                    break
        return delivered

    def _iterator(self, shard: str, kind: str, **after: str) -> str:
        return self._streams.get_shard_iterator(
            StreamArn=self._arn(), ShardId=shard, ShardIteratorType=kind, **after
        )["ShardIterator"]

    def _resume(self, shard: str) -> str:
        last = self._last_sequence.get(shard)
        if last is None:
            return self._iterator(shard, "TRIM_HORIZON")
        return self._iterator(shard, "AFTER_SEQUENCE_NUMBER", SequenceNumber=last)

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
