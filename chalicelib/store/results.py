"""Final results: written once per debate by the closer, from a recount."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.domain.ballots import Counts
from chalicelib.store import keys
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.models.ballots import ResultItem


@dataclass(frozen=True)
class FinalResult:
    debate_id: str
    counts: Counts
    outcome: dict[str, Any] | None
    closed_at: datetime
    finalised_at: datetime
    tally_mismatch: dict[str, Any] | None = None  # the running tally, when it differed
    proxy_ballots: int = 0  # how many of its ballots a proxy's holder cast


def put_result(consultation_id: str, result: FinalResult) -> bool:
    """Write the final result unless one exists (two closers at once write it once).
    Returns True if this call wrote it."""
    item = to_item(
        result,
        ResultItem,
        keys.consultation_pk(consultation_id),
        keys.result_sk(result.debate_id),
        # Counts are two attributes; outcome and mismatch are JSON documents.
        counts=result.counts.per_option,
        ballots=result.counts.ballots,
        outcome=json.dumps(result.outcome),
        tally_mismatch=json.dumps(result.tally_mismatch) if result.tally_mismatch else None,
    )
    try:
        item.save(condition=ResultItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def get_result(consultation_id: str, debate_id: str) -> FinalResult | None:
    try:
        item = ResultItem.get(
            keys.consultation_pk(consultation_id), keys.result_sk(debate_id), consistent_read=True
        )
    except ResultItem.DoesNotExist:
        return None
    return _result(item)


def results_of(consultation_id: str) -> dict[str, FinalResult]:
    """Every final result of a consultation, by debate id: one Query (a page per 1 MB)."""
    found = ResultItem.query(
        keys.consultation_pk(consultation_id),
        ResultItem.sk.startswith(keys.RESULT_PREFIX),
        consistent_read=True,
    )
    return {result.debate_id: result for result in map(_result, found)}


def _result(item: ResultItem) -> FinalResult:
    counts = item.counts.as_dict() if hasattr(item.counts, "as_dict") else dict(item.counts)
    return to_domain(
        item,
        FinalResult,
        counts=Counts({k: int(v) for k, v in counts.items()}, int(item.ballots)),
        outcome=json.loads(item.outcome),
        tally_mismatch=json.loads(item.tally_mismatch) if item.tally_mismatch else None,
        proxy_ballots=int(item.proxy_ballots or 0),
    )
