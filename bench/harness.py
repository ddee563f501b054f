"""The benchmarks' shared set-up: the app over moto, requests as users, metered calls."""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

os.environ.update(
    HUB_STAGE="local",
    HUB_TABLE="hub-bench",
    HUB_DEV_JWT_SECRET="bench-dev-secret-0123456789abcdef",
    AWS_ACCESS_KEY_ID="bench",
    AWS_SECRET_ACCESS_KEY="bench",
    AWS_DEFAULT_REGION="eu-west-3",
    AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
)
os.environ.pop("HUB_DYNAMODB_ENDPOINT", None)

from chalice.test import Client
from moto import mock_aws

from bench.meter import Meter, metering
from local.devtoken import make_token

# A public consultation any signed-in resident takes part in, open long after the bench.
PUBLIC_CONSULTATION = {
    "title": "Budget",
    "visibility": "public",
    "participation": "signed_in",
    "closes_at": "2099-01-01T00:00:00Z",
}


@dataclass
class Row:
    label: str
    meter: Meter

    def line(self) -> str:
        calls = ", ".join(f"{n} {op}" for op, n in sorted(self.meter.calls.items()))
        m = self.meter
        return (
            f"{self.label:34} {m.total_calls:5d} {m.read_units:6.1f} {m.write_units:6.1f}  {calls}"
        )


@dataclass
class Session:
    client: Client
    rows: list[Row] = field(default_factory=list)

    def call(
        self,
        sub: str | None,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        headers = {"content-type": "application/json", **(headers or {})}
        if sub:
            headers["authorization"] = f"Bearer {make_token(sub)}"
        raw = json.dumps(body) if body is not None else None
        send = getattr(self.client.http, method.lower())
        with contextlib.redirect_stdout(io.StringIO()):  # the request's log line: not a figure
            response = send(path, headers=headers, body=raw)
        assert response.status_code < 300, (path, response.body)
        if not response.body or response.headers.get("Content-Type", "").startswith("text/"):
            return {}  # nothing, or a file (a CSV): not JSON
        return json.loads(response.body)

    def measure(
        self,
        label: str,
        sub: str | None,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        with metering() as meter:
            result = self.call(sub, method, path, body, headers)
        self.rows.append(Row(label, meter))
        return result

    def print_rows(self) -> None:
        print(f"{'request':34} {'calls':>5} {'RCU':>6} {'WCU':>6}  DynamoDB calls")
        for row in self.rows:
            print(row.line())


@contextmanager
def session() -> Iterator[Session]:
    from app import app
    from chalicelib.store.table import create_table_if_absent

    with mock_aws(), Client(app) as client:
        create_table_if_absent()
        yield Session(client)
