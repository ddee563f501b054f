"""The running tally of a ranked choice, a majority judgment, a score or a dot vote, secret
or not, equals a recount of its ballots whatever voters do — vote, vote again, change,
withdraw — and however the stream delivers the records: in batches of any size, replayed
whole or in part. Then the closer's final result finds no tally mismatch, and shows the
figures the live results showed. (Polls: test_tally_properties.py; the machine both use:
tests/api/tally_machine.py.)"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    rule,
    run_state_machine_as_test,
)

from chalicelib.domain import clock
from chalicelib.domain.decisions import decision_function
from chalicelib.domain.errors import AlreadyVoted
from chalicelib.domain.model import (
    Caller,
    DecisionFunction,
    FunctionType,
    ResultsVisibility,
)
from chalicelib.services import (
    ballots,
    closer,
    closing,
)
from tests.api.tally_machine import ORGANISER, VOTERS, TallyMachine

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


class DecisionMachine(TallyMachine):
    """Subclassed per kind of decision and secrecy (`function`)."""

    @rule(voter=st.sampled_from(VOTERS), data=st.data())
    def vote(self, voter: Caller, data: st.DataObject) -> None:
        """A first ballot, the same again, or (when it may change) another one."""
        sent = data.draw(sent_ballots(self.function))
        with contextlib.suppress(AlreadyVoted):  # a secret ballot is cast once
            ballots.cast(voter, self.debate_id, **sent)
        self.collect()

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
            super().teardown()


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
