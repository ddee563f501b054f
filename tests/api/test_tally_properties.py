"""A property-based (hypothesis, stateful) check of the running tally: whatever voters do —
vote, change, withdraw — and however the stream's records are delivered — in batches of
any size, replayed whole or in part — once every record is delivered, the tally equals a
recount of the ballots themselves (the machine: tests/api/tally_machine.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import rule, run_state_machine_as_test

from chalicelib.domain.model import (
    Caller,
    DecisionFunction,
    FunctionType,
    PollOption,
    ResultsVisibility,
)
from chalicelib.services import ballots
from tests.api.tally_machine import VOTERS, TallyMachine

POLL = DecisionFunction(
    type=FunctionType.POLL,
    options=(PollOption("o1", "A"), PollOption("o2", "B"), PollOption("o3", "C")),
    min_choices=1,
    max_choices=2,
    results_visibility=ResultsVisibility.LIVE,
    allow_change=True,
)


class PollMachine(TallyMachine):
    function = POLL

    @rule(
        voter=st.sampled_from(VOTERS),
        choices=st.sets(st.sampled_from(["o1", "o2", "o3"]), min_size=1, max_size=2),
    )
    def vote(self, voter: Caller, choices: set[str]) -> None:
        ballots.cast(voter, self.debate_id, choices=sorted(choices))
        self.collect()


def test_tally_equals_recount_under_any_delivery():
    run_state_machine_as_test(
        PollMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
