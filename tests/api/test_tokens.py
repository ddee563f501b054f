"""Bearer tokens on the local stage, through the HTTP layer.

A good dev token names the caller on GET /v1/me. Whatever is wrong with a token, the answer
is the same 401 `unauthenticated` body, even on routes anyone may read without a token.
"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from chalice.test import Client
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.auth import LEEWAY_SECONDS
from chalicelib.domain.errors import Unauthenticated
from local.devtoken import make_token

SECRET = os.environ["HUB_DEV_JWT_SECRET"]  # set by tests/conftest.py
ISSUER = os.environ["HUB_JWT_ISSUER"]
AUDIENCE = os.environ["HUB_JWT_AUDIENCE"]
UNAUTHENTICATED = Unauthenticated().body()


def claims(**overrides: Any) -> dict[str, Any]:
    """A valid claim set for alice; an override of None drops that claim."""
    now = int(time.time())
    values: dict[str, Any] = {
        "sub": "alice",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 3600,
        "name": "Alice M.",
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def signed(payload: dict[str, Any], key: Any = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def with_payload_swapped(token: str, payload: dict[str, Any]) -> str:
    """The token with another payload but its original header and signature."""
    header, _, signature = token.split(".")
    return f"{header}.{b64(json.dumps(payload).encode())}.{signature}"


def alg_none() -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64(json.dumps(claims()).encode())}."


def rs256_signed() -> str:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return signed(claims(), private_key, "RS256")


def tampered() -> str:
    return with_payload_swapped(signed(claims()), claims(sub="admin"))


def get(client: Client, path: str, authorization: str | None) -> Any:
    headers = {"accept-language": "en"}  # the messages compared below are the English ones
    if authorization is not None:
        headers["authorization"] = authorization
    return client.http.get(path, headers=headers)


BAD_AUTHORIZATIONS: list[Any] = [
    pytest.param(lambda: f"Bearer {alg_none()}", id="alg-none"),
    pytest.param(
        lambda: f"Bearer {signed(claims(), 'another-secret-0123456789abcdef0')}",
        id="bad-signature-wrong-secret",
    ),
    pytest.param(lambda: f"Bearer {tampered()}", id="tampered-payload-original-signature"),
    pytest.param(
        lambda: f"Bearer {signed(claims(exp=int(time.time()) - LEEWAY_SECONDS - 60))}",
        id="expired-beyond-leeway",
    ),
    pytest.param(
        lambda: f"Bearer {signed(claims(nbf=int(time.time()) + LEEWAY_SECONDS + 60))}",
        id="not-before-in-the-future",
    ),
    pytest.param(lambda: f"Bearer {signed(claims(aud='another-app'))}", id="wrong-audience"),
    pytest.param(lambda: f"Bearer {signed(claims(iss='https://evil.example'))}", id="wrong-issuer"),
    pytest.param(lambda: f"Bearer {signed(claims(iss=ISSUER[:-1]))}", id="issuer-prefix-only"),
    pytest.param(lambda: f"Bearer {signed(claims(sub=None))}", id="no-sub"),
    pytest.param(lambda: f"Bearer {signed(claims(sub=''))}", id="empty-sub"),
    pytest.param(lambda: f"Bearer {signed(claims(sub='   '))}", id="blank-sub"),
    pytest.param(lambda: f"Bearer {signed(claims(exp=None))}", id="no-exp"),
    pytest.param(lambda: f"Bearer {signed(claims(aud=None))}", id="no-aud"),
    pytest.param(lambda: f"Bearer {signed(claims(iss=None))}", id="no-iss"),
    pytest.param(lambda: "Bearer not-a-token-at-all", id="garbage"),
    pytest.param(lambda: "Bearer a.b.c", id="three-garbage-segments"),
    pytest.param(lambda: f"Bearer {rs256_signed()}", id="rs256-on-local-stage"),
    pytest.param(lambda: f"Basic {b64(b'alice:password')}", id="basic-scheme"),
    pytest.param(lambda: f"Token {signed(claims())}", id="valid-token-unknown-scheme"),
    pytest.param(lambda: "Bearer", id="bearer-without-token"),
    pytest.param(lambda: "Bearer ", id="bearer-and-a-space"),
]


def test_a_dev_token_names_the_caller_on_me(as_user):
    alice = as_user("alice", name="Alice M.", email="alice@example.org", verified=True)

    response = alice.get("/v1/me")

    assert response.status_code == 200
    assert response.data["id"] == "alice"
    assert response.data["display_name"] == "Alice M."
    assert response.data["email"] == "alice@example.org"
    assert response.data["email_verified"] is True
    assert response.data["identity_verified"] is True


def test_unverified_claims_stay_unverified_on_me(as_user):
    response = as_user("bob", email="bob@example.org").get("/v1/me")

    assert response.status_code == 200
    assert response.data["id"] == "bob"
    assert response.data["email"] is None  # an unverified email is not shown
    assert response.data["email_verified"] is False
    assert response.data["identity_verified"] is False


def test_the_bearer_scheme_is_case_insensitive(client):
    response = get(client, "/v1/me", f"bearer {make_token('alice')}")

    assert response.status_code == 200
    assert json.loads(response.body)["id"] == "alice"


def test_a_small_clock_skew_is_tolerated(client):
    now = int(time.time())
    skewed = signed(claims(exp=now - LEEWAY_SECONDS // 3, nbf=now + LEEWAY_SECONDS // 3))

    response = get(client, "/v1/me", f"Bearer {skewed}")

    assert response.status_code == 200
    assert json.loads(response.body)["id"] == "alice"


@pytest.mark.parametrize("authorization", BAD_AUTHORIZATIONS)
def test_a_bad_token_gets_the_same_401_whatever_the_reason(
    client: Client, authorization: Callable[[], str]
):
    response = get(client, "/v1/me", authorization())

    assert response.status_code == 401
    assert "Traceback" not in response.body.decode()
    body = json.loads(response.body)
    assert body["error"]["code"] == "unauthenticated"
    assert body == UNAUTHENTICATED  # the same words for every reason: nothing to probe


def test_me_without_a_token_is_401(client):
    response = get(client, "/v1/me", None)

    assert response.status_code == 401
    assert json.loads(response.body)["error"]["code"] == "unauthenticated"


def test_the_group_directory_is_public_without_a_token(client):
    response = get(client, "/v1/groups", None)

    assert response.status_code == 200
    assert "items" in json.loads(response.body)


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(lambda: "Bearer not-a-token-at-all", id="garbage"),
        pytest.param(lambda: f"Bearer {signed(claims(exp=int(time.time()) - 3600))}", id="expired"),
        pytest.param(lambda: f"Bearer {alg_none()}", id="alg-none"),
    ],
)
def test_a_bad_token_is_refused_even_on_a_public_read(
    client: Client, authorization: Callable[[], str]
):
    response = get(client, "/v1/groups", authorization())

    assert response.status_code == 401
    assert json.loads(response.body) == UNAUTHENTICATED


def post(client: Client, path: str, authorization: str, body: dict[str, Any]) -> Any:
    headers = {"accept-language": "en", "content-type": "application/json"}
    headers["authorization"] = authorization
    return client.http.post(path, headers=headers, body=json.dumps(body))


@pytest.mark.parametrize(
    "sub",
    [
        pytest.param("😀" * 256, id="256-emoji-1024-bytes"),
        pytest.param("é" * 129, id="258-bytes"),
        pytest.param("x" * 257, id="257-ascii"),
        pytest.param("alice\tbob", id="control-character"),
    ],
)
def test_a_subject_that_cannot_be_a_key_is_401_not_500(client: Client, sub: str):
    """The subject becomes part of keys (MEMBER#<sub>): bounded at 256 bytes of UTF-8."""
    token = f"Bearer {signed(claims(sub=sub))}"
    response = post(client, "/v1/groups", token, {"name": "Les Amis"})

    assert response.status_code == 401, response.body
    assert json.loads(response.body) == UNAUTHENTICATED


def test_a_subject_of_exactly_256_bytes_founds_a_group(client: Client):
    sub = "😀" * 64  # 256 bytes
    response = post(client, "/v1/groups", f"Bearer {signed(claims(sub=sub))}", {"name": "Amis"})

    assert response.status_code == 201, response.body
    assert get(client, "/v1/me", f"Bearer {signed(claims(sub=sub))}").status_code == 200
