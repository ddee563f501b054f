"""A smaller `make soak` (bench/soak.py) as a test: a run of many writes from many people
at once answers every request, keeps every tally equal to a recount, and keeps memory
bounded. The full size (20,000 writes, 200 clients) and its timings: `make soak`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.soak import EXPECTED, soak
from tests.integration.conftest import TABLE, assert_stopped_everything, start_runner, token

pytestmark = pytest.mark.integration

WRITES = 1200
CLIENTS = 50
# What a fresh runner takes on as it first serves (imports, clients, the first tables),
# and what each write may add for good: the items it stores. moto as found kept about
# 300 KiB per write (every copy it ever made of an item, a stream record or a table).
SETTLING_MIB = 120
PER_WRITE_KIB = 40


def test_many_people_writing_at_once_get_answers_exact_tallies_and_bounded_memory(
    tmp_path: Path,
) -> None:
    hub = start_runner(tmp_path / "output.log", "--no-reload")
    try:
        figures = soak(
            hub.base_url,
            hub.dynamodb_port,
            hub.process.pid,
            writes=WRITES,
            clients=CLIENTS,
            time_limit_s=600,  # a bound on the run, not a figure under test
            signer=token,
            table=TABLE,
        )
    finally:
        assert_stopped_everything(hub, hub.stop())

    assert set(figures.statuses) <= EXPECTED, figures.report()
    assert figures.writes == WRITES, figures.report()
    assert figures.statuses[201] > 0 and figures.by_kind["secret"][201] > 0
    assert not figures.mismatches, figures.report()
    growth = figures.rss_end["total"] - figures.rss_start["total"]
    assert growth < SETTLING_MIB + WRITES * PER_WRITE_KIB / 1024, figures.report()
