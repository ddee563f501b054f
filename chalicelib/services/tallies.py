"""The stream consumer's use case: count ballot changes into running tallies."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from chalicelib.domain.tally import by_debate
from chalicelib.store import tallies as store
from chalicelib.telemetry import Metric, count, job


def count_ballots(records: Iterable[dict[str, Any]]) -> int:
    """Count one stream batch in: one tally write per debate. Idempotent: a batch replayed,
    whole or split, counts once. Returns the number of ballot changes seen.

    Each batch prints one line with TallyLag: how long ago its oldest record was written
    (DynamoDB gives the time to the second), once the batch is counted in."""
    records = list(records)
    with job("tally batch", records=len(records)) as batch:
        changes = store.ballot_changes(records)
        for debate_id, changes_of_debate in by_debate(changes).items():
            store.count_in(debate_id, changes_of_debate)
        batch.fields["ballot_changes"] = len(changes)
        written = [created for record in records if (created := _created(record)) is not None]
        if written:
            count(Metric.TALLY_LAG, max(0.0, round((time.time() - min(written)) * 1000, 1)))
        return len(changes)


def _created(record: dict[str, Any]) -> float | None:
    """When a stream record's change was written: `ApproximateCreationDateTime`, seconds
    since the epoch as Lambda delivers it."""
    created = (record.get("dynamodb") or {}).get("ApproximateCreationDateTime")
    return float(created) if isinstance(created, (int, float)) else None
