"""HTTP-layer fixtures: the Chalice test client over a fresh moto table per test, and users
speaking through it (tests/http.py), every answer checked against the OpenAPI document."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from tests.api import conformance
from tests.http import Api, in_process


@pytest.fixture
def table() -> Iterator[None]:
    from chalicelib.store.table import create_table_if_absent

    with mock_aws():
        create_table_if_absent()
        yield


@pytest.fixture
def client(table: None) -> Iterator[Client]:
    from app import app

    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def as_user(client: Client) -> Callable[..., Api]:
    """`as_user("alice")` acts as alice; `as_user(None)` sends no token."""

    send = in_process(client)

    def act(sub: str | None, **claims: Any) -> Api:
        return Api(send, sub, check=conformance.check, **claims)

    return act


@pytest.fixture
def drain(table: None) -> Callable[[], Any]:
    """Feed the table's stream to the very handler Lambda invokes; returns a callable."""
    from chalicelib.jobs.count_ballots import handler as count_ballots
    from local.stream import StreamReader

    reader = StreamReader(os.environ["HUB_TABLE"])
    return lambda: reader.drain(count_ballots)
