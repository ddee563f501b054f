"""The stream consumer's use case: count ballot changes into running tallies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chalicelib.domain.tally import by_debate
from chalicelib.store import tallies as store


def count_ballots(records: Iterable[dict[str, Any]]) -> int:
    """Count one stream batch in: one tally write per debate. Idempotent: a batch replayed,
    whole or split, counts once. Returns the number of ballot changes seen."""
    changes = store.ballot_changes(records)
    for debate_id, changes_of_debate in by_debate(changes).items():
        store.count_in(debate_id, changes_of_debate)
    return len(changes)
