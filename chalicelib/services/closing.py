"""Opening and closing on schedule, closing early, and finalising: the final recount.

The closer (closer.py) runs every minute (EventBridge; locally the runner). Runs may
overlap and EventBridge delivers at least once: every transition is a write conditioned on
the version read, carrying its audit event, so two runs at once leave the same state and
record each event once; a final result is written only if none exists.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.domain.audit import audit_event
from chalicelib.domain.ballot import Ballot
from chalicelib.domain.ballots import Counts, options_of
from chalicelib.domain.consultations import advance
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.model import (
    AuditEvent,
    Caller,
    Consultation,
    ConsultationStatus,
    Debate,
    FunctionType,
    Phase,
)
from chalicelib.domain.outcomes import outcome
from chalicelib.settings import get_settings
from chalicelib.store import ballots as ballot_store
from chalicelib.store import consultations as store
from chalicelib.store import debates as debate_store
from chalicelib.store import results as result_store
from chalicelib.store import tallies
from chalicelib.telemetry import Metric, count

log = logging.getLogger("hub.closer")

SCHEDULE = Caller("hub-scheduler", name="Scheduled")  # the actor of scheduled transitions
_STEPS = 4  # at most: open, close, finalise (a consultation overdue on all three)


def grace() -> timedelta:
    return timedelta(seconds=get_settings().close_grace_s)


def final_expected_at(consultation: Consultation, now: datetime) -> datetime | None:
    """When the final results of a closed consultation are expected: the grace period after
    ballots stopped (its early close, else its closing date), when the closer finalises it
    (it runs every minute: they follow within a minute or so). None before it closes and
    once finalised."""
    if consultation.phase is Phase.FINALISED or consultation.status_at(now) is not (
        ConsultationStatus.CLOSED
    ):
        return None
    return consultation.ends_at + grace()


def bring_due_up_to_date(now: datetime) -> int:
    """Bring every consultation due by `now` up to date (the closer's run, closer.py).
    Returns how many transitions were made."""
    return sum(bring_up_to_date(consultation, now) for consultation in store.due_consultations(now))


def bring_up_to_date(consultation: Consultation, now: datetime) -> int:
    made = 0
    for _ in range(_STEPS):
        try:
            if consultation.phase is Phase.CLOSED:
                if consultation.due_at is None or consultation.due_at > now:
                    return made
                mismatches = finalise(consultation, now)
                count(Metric.CONSULTATIONS_FINALISED)
                count(Metric.TALLY_MISMATCHES, mismatches)
                return made + 1
            after = advance(consultation, now, grace())
            if after is None:
                return made
            event = _transition_event(consultation, after)
            consultation = store.save_consultation(consultation, after, [event])
            opened = after.phase is Phase.OPEN
            count(Metric.CONSULTATIONS_OPENED if opened else Metric.CONSULTATIONS_CLOSED)
            made += 1
        except ConcurrentUpdate:
            # Another closer (or an edit) wrote first: look again at what is stored now.
            fresh = store.get_consultation(consultation.id, consistent=True)
            if fresh is None:
                return made
            consultation = fresh
    return made


def _transition_event(before: Consultation, after: Consultation) -> AuditEvent:
    if after.phase is Phase.OPEN:
        return audit_event(
            before.group_id, SCHEDULE, "consultation_opened", consultation_id=before.id
        )
    return audit_event(
        before.group_id,
        SCHEDULE,
        "consultation_closed",
        consultation_id=before.id,
        by="schedule",
    )


def counted(debate: Debate, ends_at: datetime) -> list[Ballot]:
    """The ballots themselves: markers cast before the end (or, for a secret ballot, the
    anonymous ballots: every one was written by a request accepted before the end)."""
    if debate.function.secret:
        return [ballot for _, ballot in ballot_store.secret_ballots(debate)]
    return [m.ballot for m in ballot_store.markers(debate) if m.ballot and m.cast_at < ends_at]


def counted_with_proxies(debate: Debate, ends_at: datetime) -> tuple[list[Ballot], int]:
    """`counted`, and how many of those ballots a proxy's holder cast (markers with `by`):
    the markers are read once (a secret debate's are read for this only)."""
    if debate.function.secret:
        cast_by_proxy = sum(1 for m in ballot_store.markers(debate) if m.by and m.cast_at < ends_at)
        return counted(debate, ends_at), cast_by_proxy
    markers = [m for m in ballot_store.markers(debate) if m.ballot and m.cast_at < ends_at]
    return [m.ballot for m in markers], sum(1 for m in markers if m.by)


def recount(debate: Debate, ends_at: datetime) -> Counts:
    """Count the ballots themselves (`counted`)."""
    return Counts.of(counted(debate, ends_at), options_of(debate.function))


def finalise(consultation: Consultation, now: datetime) -> int:
    """Recount every debate, write each final result once, compare with the running tally
    (a mismatch is recorded and kept on the result), then mark the consultation finalised
    with its event — conditioned on the version, so recorded once. Returns how many debates'
    running tallies differed from their recount."""
    events = []
    for debate in debate_store.all_debates(consultation.id):
        if debate.function.type is FunctionType.NONE:
            continue
        if consultation.proxies.allowed:
            ballots, cast_by_proxy = counted_with_proxies(debate, consultation.ends_at)
        else:
            ballots, cast_by_proxy = counted(debate, consultation.ends_at), 0
        counts = Counts.of(ballots, options_of(debate.function))
        tally = tallies.get_tally(debate.id)
        running = Counts.of_tally(tally.counts, tally.ballots, counts.per_option)
        mismatch = None
        if not running.same_as(counts):
            mismatch = {"counts": running.per_option, "total": tally.ballots}
            events.append(
                audit_event(
                    consultation.group_id,
                    SCHEDULE,
                    "tally_mismatch",
                    consultation_id=consultation.id,
                    debate_id=debate.id,
                    recount={"counts": counts.per_option, "total": counts.ballots},
                    running=mismatch,
                )
            )
            log.warning("tally mismatch on %s: recount %s, running %s", debate.id, counts, mismatch)
        result_store.put_result(
            consultation.id,
            result_store.FinalResult(
                debate_id=debate.id,
                counts=counts,
                outcome=outcome(debate.function, counts, ballots),
                closed_at=consultation.ends_at,
                finalised_at=now,
                tally_mismatch=mismatch,
                proxy_ballots=cast_by_proxy,
            ),
        )
    events.append(
        audit_event(
            consultation.group_id,
            SCHEDULE,
            "consultation_finalised",
            consultation_id=consultation.id,
        )
    )
    after = replace(consultation, phase=Phase.FINALISED, due_at=None, finalised_at=now)
    store.save_consultation(consultation, after, events)
    return sum(event.action == "tally_mismatch" for event in events)
