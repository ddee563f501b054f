"""Whether any consultation has a transition due: the question each run of the closer asks
first (chalicelib/services/closer.py).

A module of its own so that the closer's cold start imports the due index and nothing of
the consultations' store: nearly every run finds nothing due, and the first that finds
something imports the rest (chalicelib/services/closing.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from chalicelib.domain import clock
from chalicelib.store import keys
from chalicelib.store.models.consultations import ConsultationItem


def due_items(now: datetime, *, limit: int | None = None) -> Iterator[ConsultationItem]:
    """The consultations with a transition due by `now`: a Query of the sparse due index's
    consultations partition, its key condition bounded by now and no filter, so that what it
    reads grows with what is due, never with how many consultations exist."""
    return iter(
        ConsultationItem.due.query(
            keys.DUE, ConsultationItem.due_at <= clock.to_iso(now), limit=limit
        )
    )


def anything_due(now: datetime) -> bool:
    """The same Query, for one item at most."""
    return next(due_items(now, limit=1), None) is not None
