"""What the property tests of the running tally share (test_tally_properties.py for polls,
test_decision_methods_properties.py for the other methods): an association whose four
voters take part in one debate, and a state machine that delivers the table's stream to
the tally consumer in batches of any size, replays them whole or in part, and checks that
once every record is delivered the tally equals a recount of the ballots themselves.

A subclass names its `function` and adds the voters' rules."""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from moto import mock_aws

from chalicelib.domain import clock
from chalicelib.domain.errors import BallotNotFound
from chalicelib.domain.groups import JoinPolicy
from chalicelib.domain.model import (
    Caller,
    ConsultationVisibility,
    DecisionFunction,
    Participation,
)
from chalicelib.services import ballots, consultations, debates, groups, join_requests
from chalicelib.services.consultations import NewConsultation
from chalicelib.store import tallies

VOTERS = [Caller(f"voter{n}") for n in range(4)]
ORGANISER = Caller("organiser")


def open_debate(function: DecisionFunction) -> tuple[str, str]:
    """An open association's published members consultation (its voters participants at
    once: 4 ballot partitions) holding one debate of `function`: their ids."""
    group, _ = groups.create(
        ORGANISER, name="Ville", description="", listed=True, join_policy=JoinPolicy.OPEN
    )
    consultation = consultations.create(
        ORGANISER,
        group.id,
        NewConsultation(
            title="Assemblée",
            description="",
            visibility=ConsultationVisibility.MEMBERS,
            audience=(),
            participation=Participation.MEMBERS,
            opens_at=None,
            closes_at=clock.now() + timedelta(days=1),
        ),
    ).consultation
    for voter in VOTERS:
        join_requests.join(voter, group.id)
    debate = debates.create(
        ORGANISER, consultation.id, title="Q", body="", function=function
    ).debate
    consultations.publish(ORGANISER, consultation.id)
    return consultation.id, debate.id


class TallyMachine(RuleBasedStateMachine):
    function: DecisionFunction

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
        self.consultation_id, self.debate_id = open_debate(self.function)
        # The records of the association, consultation and debate: no ballot among them.
        # Left pending, they kept most replays off ballots and the invariant rarely checked.
        self.reader.drain(lambda event, _: None)
        self.pending: list[dict] = []
        self.delivered: list[dict] = []

    def collect(self) -> None:
        """The stream's new records, pending until a rule delivers them."""
        self.reader.drain(lambda event, _: self.pending.extend(event["Records"]))

    @precondition(lambda self: not self.function.secret)
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

    def teardown(self) -> None:
        self.aws.stop()
