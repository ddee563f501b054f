"""The local runner's periodic jobs: called again and again, failures logged, prompt stop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import pytest

from local.jobs import JobRunner, PeriodicJob

WAIT_S = 5.0  # generous bound for a few 0.05 s intervals, even on a loaded machine


class Calls:
    """Counts calls and lets a test wait, bounded, until a number of them happened."""

    def __init__(self, action: Callable[[int], object] = lambda _n: None):
        self.count = 0
        self._action = action
        self._changed = threading.Condition()

    def __call__(self) -> None:
        with self._changed:
            self.count += 1
            number = self.count
            self._changed.notify_all()
        self._action(number)

    def wait_for(self, count: int) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= count, timeout=WAIT_S)


@pytest.fixture
def start_jobs() -> Iterator[Callable[..., JobRunner]]:
    runners: list[JobRunner] = []

    def start(*jobs: PeriodicJob) -> JobRunner:
        runner = JobRunner(jobs)
        runners.append(runner)
        runner.start()
        return runner

    yield start
    for runner in runners:
        runner.stop()


def test_a_job_runs_again_and_again_at_its_interval(start_jobs: Callable[..., JobRunner]) -> None:
    close_due = Calls()
    start_jobs(PeriodicJob("closer", 0.05, close_due))

    assert close_due.wait_for(4)


def test_every_job_gets_its_turn(start_jobs: Callable[..., JobRunner]) -> None:
    closer, consumer = Calls(), Calls()
    start_jobs(PeriodicJob("closer", 0.05, closer), PeriodicJob("consumer", 0.05, consumer))

    assert closer.wait_for(3)
    assert consumer.wait_for(3)


def test_a_failing_job_is_logged_and_keeps_running(
    start_jobs: Callable[..., JobRunner], caplog: pytest.LogCaptureFixture
) -> None:
    def fail_the_first_time(number: int) -> None:
        if number == 1:
            raise RuntimeError("table unreachable")

    flaky, steady = Calls(fail_the_first_time), Calls()
    with caplog.at_level(logging.ERROR, logger="hub.local.jobs"):
        start_jobs(PeriodicJob("flaky", 0.05, flaky), PeriodicJob("steady", 0.05, steady))

        assert flaky.wait_for(3)
        assert steady.wait_for(3)

    failures = [record for record in caplog.records if "flaky" in record.getMessage()]
    assert len(failures) == 1
    assert failures[0].exc_info is not None
    assert "table unreachable" in str(failures[0].exc_info[1])


def test_stop_returns_promptly_and_no_call_follows(
    start_jobs: Callable[..., JobRunner],
) -> None:
    hourly = Calls()
    runner = start_jobs(PeriodicJob("hourly", 3600, hourly))
    assert hourly.wait_for(1)  # the first run is at start, then one hour of waiting

    stopped = threading.Thread(target=runner.stop)
    stopped.start()
    stopped.join(WAIT_S)

    assert not stopped.is_alive()
    assert hourly.count == 1


def test_a_runner_without_jobs_starts_and_stops() -> None:
    runner = JobRunner([])
    runner.start()
    finished = threading.Thread(target=runner.stop)
    finished.start()
    finished.join(WAIT_S)

    assert not finished.is_alive()


def test_an_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="interval_s"):
        PeriodicJob("never", 0, lambda: None)
