"""Periodic jobs of the local runner: what EventBridge schedules and stream triggers do in
the cloud, `chalice local` never does, so the runner calls them itself.

One thread runs every job in turn: a job is due `interval_s` after its previous run
started (or right away if it overran), and its first run is at start. A job that raises is
logged and runs again at its next turn; `stop()` wakes the thread at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger("hub.local.jobs")


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval_s: float
    fn: Callable[[], object]

    def __post_init__(self) -> None:
        if self.interval_s <= 0:
            raise ValueError(f"job {self.name!r}: interval_s must be positive")


class JobRunner:
    """Calls each job every `interval_s` seconds on one daemon thread until `stop()`."""

    def __init__(self, jobs: Sequence[PeriodicJob]):
        self.jobs = tuple(jobs)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the job runner is already started")
        self._thread = threading.Thread(target=self._run, name="hub-local-jobs", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait for it: at once, unless a job is mid-run."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("a periodic job is still running after %.0f s; leaving it", timeout)

    def _run(self) -> None:
        if not self.jobs:
            self._stopping.wait()
            return
        next_run = [time.monotonic()] * len(self.jobs)
        while True:
            index = min(range(len(self.jobs)), key=next_run.__getitem__)
            job = self.jobs[index]
            if self._stopping.wait(max(0.0, next_run[index] - time.monotonic())):
                return
            started = time.monotonic()
            self._call(job)
            # No burst of catch-up runs after a slow run: at most one run per interval.
            next_run[index] = max(started + job.interval_s, time.monotonic())

    @staticmethod
    def _call(job: PeriodicJob) -> None:
        try:
            job.fn()
        except Exception:
            log.exception("periodic job %r failed; it runs again in %s s", job.name, job.interval_s)
