"""The closer's run, every minute (EventBridge; locally the runner): bring every due
consultation up to date, opening, closing and finalising it (closing.py).

Nearly every run finds nothing due. So a run first asks the due index whether anything is
(one Query of one item), and only the first run of a process that finds something imports
closing.py, with what it needs: the domain's vocabulary, the stores of consultations,
debates, ballots, tallies and results, the outcomes. The closer's cold start imports this
module, not those (bench/coldstart.py prints both costs). A run with something due makes
that one Query more than reading the due consultations alone would.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import clock
from chalicelib.store import due
from chalicelib.telemetry import Metric, count, job

# What each run prints (chalicelib/telemetry.py), 0 when it moved nothing.
RUN_METRICS = (
    Metric.CONSULTATIONS_OPENED,
    Metric.CONSULTATIONS_CLOSED,
    Metric.CONSULTATIONS_FINALISED,
    Metric.TALLY_MISMATCHES,
)


def close_due_consultations(now: datetime | None = None) -> int:
    """Bring every due consultation up to date. Returns how many transitions were made.
    Each run prints one line with its metrics: CloserRuns and what it moved."""
    with job("closer run", *RUN_METRICS):
        count(Metric.CLOSER_RUNS)
        now = now or clock.now()
        if not due.anything_due(now):
            return 0
        from chalicelib.services import closing  # the first run with something due

        return closing.bring_due_up_to_date(now)
