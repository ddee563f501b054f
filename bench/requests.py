"""DynamoDB calls and capacity units per request, route by route.

    make bench        (or: .venv/bin/python -m bench.requests)

Runs each request through the Chalice test client against moto and prints, per route,
the DynamoDB calls it made and the capacity units they cost (see bench/meter.py).
"""

from __future__ import annotations

import json
import os

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

from bench.meter import metering
from local.devtoken import make_token


def main() -> None:
    from app import app
    from chalicelib.store.table import create_table_if_absent

    with mock_aws(), Client(app) as client:
        create_table_if_absent()
        secret = os.environ["HUB_DEV_JWT_SECRET"]

        def call(sub: str | None, method: str, path: str, body: object = None) -> dict:
            headers = {"content-type": "application/json"}
            if sub:
                headers["authorization"] = f"Bearer {make_token(sub, secret=secret)}"
            raw = json.dumps(body) if body is not None else None
            response = getattr(client.http, method.lower())(path, headers=headers, body=raw)
            assert response.status_code < 300, (path, response.body)
            return json.loads(response.body) if response.body else {}

        rows = []

        def measure(label: str, sub: str | None, method: str, path: str, body: object = None):
            with metering() as meter:
                result = call(sub, method, path, body)
            calls = ", ".join(f"{n} {op}" for op, n in sorted(meter.calls.items()))
            rows.append((label, meter.total_calls, meter.read_units, meter.write_units, calls))
            return result

        group = measure("create a group", "alice", "POST", "/v1/groups", {"name": "Club"})
        gid = group["id"]
        invitation = measure(
            "create an invitation", "alice", "POST", f"/v1/groups/{gid}/invitations", {}
        )
        measure(
            "accept an invitation", "bob", "POST", f"/v1/invitations/{invitation['code']}/accept"
        )
        for n in range(20):
            code = call("alice", "POST", f"/v1/groups/{gid}/invitations", {})["code"]
            call(f"user{n}", "POST", f"/v1/invitations/{code}/accept")
        measure("read a group (anonymous)", None, "GET", f"/v1/groups/{gid}")
        measure("read a group (member)", "bob", "GET", f"/v1/groups/{gid}")
        measure("list the directory", None, "GET", "/v1/groups")
        measure("list 20 members", "bob", "GET", f"/v1/groups/{gid}/members?limit=20")
        measure("GET /me", "bob", "GET", "/v1/me")
        measure(
            "change a role", "alice", "PUT", f"/v1/groups/{gid}/members/bob", {"role": "author"}
        )
        measure("update settings", "alice", "PATCH", f"/v1/groups/{gid}", {"description": "x"})
        measure("read the audit log", "alice", "GET", f"/v1/groups/{gid}/audit")
        measure("leave", "bob", "DELETE", f"/v1/groups/{gid}/members/bob")

        closes = "2099-01-01T00:00:00Z"
        consultation = measure(
            "create a consultation",
            "alice",
            "POST",
            f"/v1/groups/{gid}/consultations",
            {"title": "Budget", "visibility": "members", "closes_at": closes},
        )
        cid = consultation["id"]
        debate = measure(
            "create a debate",
            "alice",
            "POST",
            f"/v1/consultations/{cid}/debates",
            {"title": "Playground", "function": {"type": "vote"}},
        )
        measure("publish", "alice", "POST", f"/v1/consultations/{cid}/publish")
        measure("read a consultation (member)", "user1", "GET", f"/v1/consultations/{cid}")
        measure("read a debate (member)", "user1", "GET", f"/v1/debates/{debate['id']}")
        measure("list its debates", "user1", "GET", f"/v1/consultations/{cid}/debates")
        for n in range(10):
            call(
                "alice",
                "POST",
                f"/v1/groups/{gid}/consultations",
                {"title": f"C{n}", "visibility": "members", "closes_at": closes},
            )
        measure("list 11 group consultations", "user1", "GET", f"/v1/groups/{gid}/consultations")
        measure(
            "grant a role",
            "alice",
            "PUT",
            f"/v1/consultations/{cid}/grants/eve",
            {"role": "author"},
        )

    print(f"{'request':28} {'calls':>5} {'RCU':>6} {'WCU':>6}  DynamoDB calls")
    for label, calls, rcu, wcu, detail in rows:
        print(f"{label:28} {calls:5d} {rcu:6.1f} {wcu:6.1f}  {detail}")


if __name__ == "__main__":
    main()
