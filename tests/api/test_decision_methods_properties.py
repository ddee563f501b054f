"""The running tally of a ranked choice, a majority judgment, a score or a dot vote, secret
or not, equals a recount of its ballots whatever voters do — vote, vote again, change,
withdraw — and however the stream delivers the records: in batches of any size, replayed
whole or in part. Then the closer's final result finds no tally mismatch, and shows the
figures the live results showed. (Polls: test_tally_properties.py, the same machine.)"""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
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
from chalicelib.domain.decisions import decision_function
from chalicelib.domain.errors import AlreadyVoted, BallotNotFound
from chalicelib.domain.groups import JoinPolicy
from chalicelib.domain.model import (
    Caller,
    ConsultationVisibility,
    DecisionFunction,
    FunctionType,
    Participation,
    ResultsVisibility,
)
from chalicelib.services import (
    ballots,
    closer,
    closing,
    consultations,
    debates,
    groups,
    join_requests,
)
from chalicelib.services.consultations import NewConsultation
from chalicelib.store import tallies

VOTERS = [Caller(f"voter{n}") for n in range(4)]
ORGANISER = Caller("organiser")
OPTIONS = ["Parc", "Piscine", "Marché"]
IDS = ["o1", "o2", "o3"]
POINTS = 4  # a dot vote's points per voter: few, so that ballots repeat and collide


def function_of(kind: FunctionType, secret: bool) -> DecisionFunction:
    settings_of_kind: dict[FunctionType, dict[str, Any]] = {
        FunctionType.RANKED: {"max_ranks": 2},  # some rankings leave an option out
        FunctionType.MAJORITY_JUDGMENT: {"grades": ["excellent", "bien", "passable"]},
        FunctionType.SCORE: {"max_score": 2},
        FunctionType.DOT: {"points_per_voter": POINTS},
    }
    return decision_function(
        kind,
        options=OPTIONS,
        secret=secret,
        results_visibility=ResultsVisibility.LIVE,
        **settings_of_kind[kind],
    )


def sent_ballots(function: DecisionFunction) -> st.SearchStrategy[dict[str, Any]]:
    """A valid ballot, as a client sends it, drawn from a small space (so that voters
    often send the very ballot they sent before)."""
    if function.type is FunctionType.RANKED:
        return st.permutations(IDS).flatmap(
            lambda order: st.integers(1, 2).map(lambda n: {"ranking": order[:n]})
        )
    if function.type is FunctionType.MAJORITY_JUDGMENT:
        grade = st.sampled_from(function.grades)
        return st.fixed_dictionaries({o: grade for o in IDS}).map(lambda g: {"grades": g})
    if function.type is FunctionType.SCORE:
        score = st.integers(0, function.max_score)
        return st.fixed_dictionaries({o: score for o in IDS}).map(lambda s: {"scores": s})
    dots = st.lists(st.sampled_from(IDS), min_size=POINTS, max_size=POINTS)
    return dots.map(lambda d: {"points": {o: d.count(o) for o in IDS if d.count(o)}})


def open_debate(function: DecisionFunction) -> tuple[str, str]:
    group, _ = groups.create(
        ORGANISER, name="Ville", description="", listed=True, join_policy=JoinPolicy.OPEN
    )
    consultation = consultations.create(
        ORGANISER,
        group.id,
        NewConsultation(
            title="Assemblée",
            description="",
            visibility=ConsultationVisibility.MEMBERS,  # 4 ballot partitions
            audience=(),
            participation=Participation.MEMBERS,
            opens_at=None,
            closes_at=clock.now() + timedelta(days=1),
        ),
    ).consultation
    for voter in VOTERS:
        join_requests.join(voter, group.id)  # an open association: participants at once
    debate = debates.create(
        ORGANISER, consultation.id, title="Q", body="", function=function
    ).debate
    consultations.publish(ORGANISER, consultation.id)
    return consultation.id, debate.id


class DecisionMachine(RuleBasedStateMachine):
    """Subclassed per kind of decision and secrecy (`function`)."""

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
        self.reader.drain(lambda event, _: None)
        self.pending: list[dict] = []
        self.delivered: list[dict] = []

    def collect(self) -> None:
        self.reader.drain(lambda event, _: self.pending.extend(event["Records"]))

    @rule(voter=st.sampled_from(VOTERS), data=st.data())
    def vote(self, voter: Caller, data: st.DataObject) -> None:
        """A first ballot, the same again, or (when it may change) another one."""
        sent = data.draw(sent_ballots(self.function))
        with contextlib.suppress(AlreadyVoted):  # a secret ballot is cast once
            ballots.cast(voter, self.debate_id, **sent)
        self.collect()

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

    def close_and_finalise(self) -> None:
        """Everything delivered, the consultation closes and the closer finalises it: no
        tally mismatch, and the final figures are those the live results showed."""
        self.handler({"Records": self.pending}, None)
        self.pending = []
        live = ballots.results(ORGANISER, self.debate_id)
        assert live.final is False
        after_grace = clock.now() + timedelta(days=1) + closing.grace() + timedelta(minutes=1)
        assert closer.close_due_consultations(after_grace) == 2  # closed, then finalised
        final = ballots.results(ORGANISER, self.debate_id)
        assert final.final is True
        assert final.tally_mismatch is None
        assert final.counts.same_as(live.counts)
        assert final.outcome is not None and final.outcome["result"] == "decided"
        if self.function.type is FunctionType.RANKED and final.counts.ballots:
            assert final.outcome["winner"] in IDS

    def teardown(self) -> None:
        try:
            self.close_and_finalise()
        finally:
            self.aws.stop()


def machine(kind: FunctionType, secret: bool) -> type[DecisionMachine]:
    name = f"{kind.value.title().replace('_', '')}{'Secret' if secret else ''}Machine"
    return type(name, (DecisionMachine,), {"function": function_of(kind, secret)})


KINDS = [
    FunctionType.RANKED,
    FunctionType.MAJORITY_JUDGMENT,
    FunctionType.SCORE,
    FunctionType.DOT,
]


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
@pytest.mark.parametrize("kind", KINDS, ids=[kind.value for kind in KINDS])
def test_tally_equals_recount_and_the_final_result_finds_no_mismatch(kind, secret):
    run_state_machine_as_test(
        machine(kind, secret),
        settings=settings(
            max_examples=5,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            # No shrinking: through moto it takes minutes; a failure shows the run as drawn.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
