"""The local front with HUB_WEB_OIDC (local/front.py): /config.json says how to sign in with
OpenID Connect, as the cloud's config.json does, and POST /auth/token reaches the provider's
token endpoint. In a browser against a fake provider: tests/integration/test_web_sign_in.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from local import front

PROVIDER = {
    "authorize": "https://login.example/authorize",
    "token": "https://login.example/token",
    "client_id": "hub-web",
    "scope": "openid profile",
    "logout": "",
}


def config() -> Any:
    found = front.answer("GET", "/config.json", {"Host": "127.0.0.1:8000"})
    assert found is not None and found.status == 200
    return json.loads(found.body)


def test_without_a_provider_the_client_signs_in_locally(monkeypatch):
    monkeypatch.delenv("HUB_WEB_OIDC", raising=False)
    assert config() == {"sign_in": "/dev/sign-in"}
    assert front.token_exchange(b"code=x", "application/x-www-form-urlencoded").status == 404


def test_with_a_provider_the_token_endpoint_is_on_the_sites_origin(monkeypatch):
    monkeypatch.setenv("HUB_WEB_OIDC", json.dumps(PROVIDER))
    assert config() == {"oidc": {**PROVIDER, "token": "/auth/token"}}


@pytest.mark.parametrize("given", ["{", "[]", '{"authorize": "x"}', '{"token": 1}'])
def test_an_incomplete_provider_is_refused_saying_what_it_wants(monkeypatch, given):
    monkeypatch.setenv("HUB_WEB_OIDC", given)
    with pytest.raises(RuntimeError, match="authorize, token and client_id"):
        front.web_oidc()


@pytest.fixture
def token_endpoint(monkeypatch) -> Iterator[list[tuple[str, bytes]]]:
    """A provider whose token endpoint answers 400 unless the code is `good`."""
    seen: list[tuple[str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.headers["Content-Type"], body))
            good = body == b"code=good"
            data = json.dumps({"id_token": "t"} if good else {"error": "invalid_grant"}).encode()
            self.send_response(200 if good else 400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/token"
    monkeypatch.setenv("HUB_WEB_OIDC", json.dumps({**PROVIDER, "token": url}))
    yield seen
    server.shutdown()
    server.server_close()


def test_the_exchange_goes_to_the_provider_and_its_answer_comes_back_unstored(token_endpoint):
    form = "application/x-www-form-urlencoded"
    answered = front.token_exchange(b"code=good", form)
    assert (answered.status, json.loads(answered.body)) == (200, {"id_token": "t"})
    assert answered.cache == "no-store"
    refused = front.token_exchange(b"code=bad", form)
    assert (refused.status, json.loads(refused.body)) == (400, {"error": "invalid_grant"})
    assert token_endpoint == [(form, b"code=good"), (form, b"code=bad")]


def test_a_provider_that_does_not_answer_is_a_502(monkeypatch):
    monkeypatch.setenv("HUB_WEB_OIDC", json.dumps({**PROVIDER, "token": "http://127.0.0.1:9/t"}))
    assert front.token_exchange(b"code=x", "application/x-www-form-urlencoded").status == 502
