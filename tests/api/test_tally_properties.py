"""A property-based (hypothesis, stateful) check of the running tally: whatever voters do —
vote, change, withdraw — and however the stream's records are delivered — in batches of
any size, replayed whole or in part — once every record is delivered, the tally equals a
recount of the ballots themselves."""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from moto import mock_aws

from chalicelib.domain import clock
from chalicelib.domain.errors import BallotNotFound
from chalicelib.domain.groups import JoinPolicy
from chalicelib.domain.model import (
    Caller,
    ConsultationVisibility,
    DecisionFunction,
    FunctionType,
    Participation,
    PollOption,
    ResultsVisibility,
)
from chalicelib.services import ballots, consultations, debates, groups, join_requests
from chalicelib.services.consultations import NewConsultation
from chalicelib.store import tallies

VOTERS = [Caller(f"voter{n}") for n in range(4)]
ORGANISER = Caller("organiser")
POLL = DecisionFunction(
    type=FunctionType.POLL,
    options=(PollOption("o1", "A"), PollOption("o2", "B"), PollOption("o3", "C")),
    min_choices=1,
    max_choices=2,
    results_visibility=ResultsVisibility.LIVE,
    allow_change=True,
)


def open_poll() -> str:
    group, _ = groups.create(
        ORGANISER, name="Ville", description="", listed=True, join_policy=JoinPolicy.OPEN
    )
    consultation = consultations.create(
        ORGANISER,
        group.id,
        NewConsultation(
            title="Budget",
            description="",
            visibility=ConsultationVisibility.MEMBERS,
            audience=(),
            participation=Participation.MEMBERS,
            opens_at=None,
            closes_at=clock.now() + timedelta(days=1),
        ),
    ).consultation
    for voter in VOTERS:
        join_requests.join(voter, group.id)  # an open association: participants at once
    debate = debates.create(ORGANISER, consultation.id, title="Q", body="", function=POLL).debate
    consultations.publish(ORGANISER, consultation.id)
    return debate.id


class TallyMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        from chalicelib.jobs.count_ballots import handler as count_ballots
        from chalicelib.store.table import create_table_if_absent
        from local.stream import StreamReader

        self.aws = mock_aws()  # a fresh, small table for each example
        self.aws.start()
        create_table_if_absent()
        self.handler = count_ballots
        self.reader = StreamReader(os.environ["HUB_TABLE"])
        self.debate_id = open_poll()
        # The records of the association, consultation and debate: no ballot among them.
        # Left pending, they kept most replays off ballots and the invariant rarely checked.
        self.reader.drain(lambda event, _: None)
        self.pending: list[dict] = []
        self.delivered: list[dict] = []

    def collect(self) -> None:
        self.reader.drain(lambda event, _: self.pending.extend(event["Records"]))

    @rule(
        voter=st.sampled_from(VOTERS),
        choices=st.sets(st.sampled_from(["o1", "o2", "o3"]), min_size=1, max_size=2),
    )
    def vote(self, voter: Caller, choices: set[str]) -> None:
        ballots.cast(voter, self.debate_id, choices=sorted(choices))
        self.collect()

    @rule(voter=st.sampled_from(VOTERS))
    def withdraw(self, voter: Caller) -> None:
        with contextlib.suppress(BallotNotFound):
            ballots.withdraw(voter, self.debate_id)
        self.collect()

    @precondition(lambda self: self.pending)
    @rule(size=st.integers(min_value=1, max_value=5))
    def deliver(self, size: int) -> None:
        batch, self.pending = self.pending[:size], self.pending[size:]
        self.handler({"Records": batch}, None)
        self.delivered += batch

    @precondition(lambda self: self.delivered)
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        """Lambda retries a batch, or a part of one after bisecting."""
        start = data.draw(st.integers(0, len(self.delivered) - 1))
        end = data.draw(st.integers(start + 1, len(self.delivered)))
        before = tallies.get_tally(self.debate_id)
        self.handler({"Records": self.delivered[start:end]}, None)
        after = tallies.get_tally(self.debate_id)
        assert (after.counts, after.ballots) == (before.counts, before.ballots)

    def teardown(self) -> None:
        self.aws.stop()

    @invariant()
    def tally_equals_recount_once_everything_is_delivered(self) -> None:
        if self.pending:
            return
        seen = ballots.voting(ORGANISER, self.debate_id)
        recount = ballots.recount(seen.debate)
        tally = tallies.get_tally(self.debate_id)
        assert {k: v for k, v in tally.counts.items() if v} == {
            k: v for k, v in recount.per_option.items() if v
        }
        assert tally.ballots == recount.ballots


def test_tally_equals_recount_under_any_delivery():
    run_state_machine_as_test(
        TallyMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
