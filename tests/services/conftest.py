"""Service-level fixtures: a fresh moto table per test; services are called directly with a
`Caller`, no HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto import mock_aws


@pytest.fixture
def table() -> Iterator[None]:
    from chalicelib.store.table import create_table_if_absent

    with mock_aws():
        create_table_if_absent()
        yield
