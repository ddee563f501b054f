"""How every test speaks to the Hub over HTTP: as one user (or nobody), in JSON.

`Api` sends a request with the user's bearer token and returns an `Answer` (status, headers,
body, and the body decoded as `data`). Where the request goes is its transport:
- `in_process(client)`: Chalice's local API Gateway emulation, through its test client
  (tests/api, tests/infra, tests/fuzz);
- `over_network(base_url)`: a running `make run`, over a socket (tests/integration).
`expect=` makes a call insist on one status; `check=` sees every answer (tests/api checks
each against the OpenAPI document).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import requests
from chalice.test import Client
from requests.structures import CaseInsensitiveDict

from local.devtoken import make_token

Body = str | bytes | None
Send = Callable[[str, str, dict[str, str], Body], "Answer"]
Check = Callable[[str, str, int, bytes], None]


@dataclass
class Answer:
    status_code: int
    headers: CaseInsensitiveDict[str]
    body: bytes

    @cached_property
    def data(self) -> Any:
        """The JSON body; None when empty or text (/v1/docs). Decoded when first asked for:
        the fuzzer passes answers through whatever they hold."""
        is_text = self.headers.get("Content-Type", "").startswith("text/")
        return json.loads(self.body) if self.body and not is_text else None


def in_process(client: Client) -> Send:
    """Requests handed to the app in this process, as API Gateway would hand them."""

    def send(method: str, path: str, headers: dict[str, str], body: Body) -> Answer:
        answer = client.http.request(method, path, headers=headers, body=body)  # type: ignore[arg-type]
        raw = answer.body if isinstance(answer.body, bytes) else (answer.body or "").encode()
        return Answer(answer.status_code, CaseInsensitiveDict(answer.headers), raw)

    return send


def over_network(base_url: str, *, timeout: float = 10) -> Send:
    """Requests sent over a socket to a Hub listening at `base_url`."""

    def send(method: str, path: str, headers: dict[str, str], body: Body) -> Answer:
        answer = requests.request(
            method, base_url + path, data=body, headers=headers, timeout=timeout
        )
        return Answer(answer.status_code, answer.headers, answer.content)

    return send


class Api:
    """JSON calls as one user (`sub`), or nobody (`sub=None`: no Authorization header).

    The token is a local dev token for `sub` with `claims` (see local/devtoken.py), unless
    `token` is given (another secret, or a forged one)."""

    def __init__(
        self,
        send: Send,
        sub: str | None,
        *,
        token: str | None = None,
        check: Check | None = None,
        **claims: Any,
    ):
        self.send = send
        self.sub = sub
        self.token = token or (make_token(sub, **claims) if sub else None)
        self.check = check

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: Mapping[str, str] | None = None,
        expect: int | None = None,
    ) -> Answer:
        sent = {"content-type": "application/json"}
        if self.token:
            sent["authorization"] = f"Bearer {self.token}"
        sent.update(headers or {})
        raw = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        answer = self.send(method, path, sent, raw)
        if self.check:
            self.check(method, path, answer.status_code, answer.body)
        said = f"{method} {path} as {self.sub or 'anonymous'} answered {answer.status_code}"
        assert expect in (None, answer.status_code), f"{said}, not {expect}: {answer.data}"
        return answer

    def get(self, path: str, **kw: Any) -> Answer:
        return self.request("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.request("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.request("PUT", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw: Any) -> Answer:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, **kw: Any) -> Answer:
        return self.request("DELETE", path, **kw)
