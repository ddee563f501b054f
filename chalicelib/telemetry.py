"""What the Hub tells its operators: one JSON log line per request, and CloudWatch metrics
in the embedded metric format (EMF), written to standard output.

The metrics are named here, once: the code emits them and infra/template.yaml's alarms and
dashboard read them (tests/infra checks that every metric the template names is one of
these). Standard library only: every function imports this module, even the smallest.
"""

from __future__ import annotations

from enum import StrEnum


class Unit(StrEnum):
    COUNT = "Count"
    MILLISECONDS = "Milliseconds"


class Metric(StrEnum):
    """A metric, by its CloudWatch name. `unit` and `dimensions` say how it is published."""

    # Every API request, by route family (the first path segment after /v1, from the
    # declared routes only; `unmatched` for any other path).
    REQUESTS = "Requests"
    SERVER_ERRORS = "ServerErrors"  # answers with a 5xx status
    LATENCY = "Latency"  # from the request's arrival to its answer, in the function
    # Answers with a 4xx status, by error code (`unauthenticated`, `already_voted`...).
    REFUSALS = "Refusals"
    # Ballots accepted, by decision type (vote, poll, petition): a first ballot, a change.
    BALLOTS_CAST = "BallotsCast"
    BALLOTS_CHANGED = "BallotsChanged"
    # The closer (chalicelib/services/closing.py): one per run, and what each run moved.
    CLOSER_RUNS = "CloserRuns"
    CONSULTATIONS_OPENED = "ConsultationsOpened"
    CONSULTATIONS_CLOSED = "ConsultationsClosed"
    CONSULTATIONS_FINALISED = "ConsultationsFinalised"
    # Final recounts that differ from the running tally (reported, never hidden).
    TALLY_MISMATCHES = "TallyMismatches"
    # How old the oldest ballot of a stream batch is when the tally consumer counts it.
    TALLY_LAG = "TallyLag"
    # Notifications delivered, by channel (in-app, email).
    NOTIFICATIONS_SENT = "NotificationsSent"

    @property
    def unit(self) -> Unit:
        return Unit.MILLISECONDS if self in (Metric.LATENCY, Metric.TALLY_LAG) else Unit.COUNT

    @property
    def dimensions(self) -> tuple[str, ...]:
        return _DIMENSIONS.get(self, ())


_DIMENSIONS: dict[Metric, tuple[str, ...]] = {
    Metric.REQUESTS: ("RouteFamily",),
    Metric.SERVER_ERRORS: ("RouteFamily",),
    Metric.LATENCY: ("RouteFamily",),
    Metric.REFUSALS: ("Code",),
    Metric.BALLOTS_CAST: ("DecisionType",),
    Metric.BALLOTS_CHANGED: ("DecisionType",),
    Metric.NOTIFICATIONS_SENT: ("Channel",),
}
