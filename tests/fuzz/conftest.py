"""Fixtures of the fuzz tests: the seeded world (built once per module, in moto) for
test_fuzz.py, a fresh table and the test client for the regression tests of test_found.py,
and the summary of what the fuzzer sent, printed at the end of the session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from tests.fuzz import harness


@pytest.fixture(scope="module")
def world() -> Iterator[harness.World]:
    from app import app
    from chalicelib.store.table import create_table_if_absent

    with mock_aws():
        create_table_if_absent()
        with Client(app) as client:
            yield harness.build_world(client)


@pytest.fixture
def http() -> Iterator[Any]:
    """The test client's HTTP side over a fresh table."""
    from app import app
    from chalicelib.store.table import create_table_if_absent

    with mock_aws():
        create_table_if_absent()
        with Client(app) as client:
            yield client.http


def pytest_terminal_summary(terminalreporter: Any) -> None:
    summary = harness.SENT.summary()
    if summary:
        terminalreporter.write_sep("-", "schemathesis fuzzing")
        terminalreporter.write_line(summary)
