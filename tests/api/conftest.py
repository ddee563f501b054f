"""HTTP-layer fixtures: the Chalice test client over a fresh moto table per test."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from chalice.test import Client
from moto import mock_aws

from local.devtoken import make_token
from tests.api import conformance


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


class Api:
    """A thin JSON helper over the Chalice test client, acting as one user (or none)."""

    def __init__(self, client: Client, sub: str | None, **claims: Any):
        self.client = client
        self.sub = sub
        self.token = make_token(sub, **claims) if sub else None

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Any:
        sent = {"content-type": "application/json"}
        if self.token:
            sent["authorization"] = f"Bearer {self.token}"
        sent.update(headers or {})
        raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        response = getattr(self.client.http, method.lower())(path, headers=sent, body=raw)
        conformance.check(method, path, response.status_code, response.body)
        is_text = response.headers.get("Content-Type", "").startswith("text/")  # /v1/docs
        response.data = json.loads(response.body) if response.body and not is_text else None
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def as_user(client: Client) -> Callable[..., Api]:
    """`as_user("alice")` acts as alice; `as_user(None)` sends no token."""

    def act(sub: str | None, **claims: Any) -> Api:
        return Api(client, sub, **claims)

    return act
