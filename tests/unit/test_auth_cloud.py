"""Token verification on the cloud stage, against a JWKS served on the loopback interface.

No network: a tiny HTTP server thread on 127.0.0.1 plays the identity provider's JWKS
endpoint, and counts how often it is asked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from chalicelib import auth
from chalicelib.domain.errors import AuthUnavailable, Unauthenticated
from chalicelib.domain.model import Caller
from chalicelib.settings import Settings

ISSUER = "https://idp.example"
AUDIENCE = "hub"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
IMPOSTOR_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PUBLIC_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def _jwk(exported: str, kid: str, alg: str) -> dict[str, Any]:
    return {**json.loads(exported), "kid": kid, "alg": alg, "use": "sig"}


JWKS = {
    "keys": [
        _jwk(RSAAlgorithm.to_jwk(RSA_KEY.public_key()), "rsa-1", "RS256"),
        _jwk(ECAlgorithm.to_jwk(EC_KEY.public_key()), "ec-1", "ES256"),
    ]
}


class FakeIdentityProvider:
    """Answers GET /jwks.json with `body` (the JWKS unless a test changes it)."""

    def __init__(self) -> None:
        self.body = json.dumps(JWKS).encode()
        self.status = 200
        self.requests = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.requests += 1
                self.send_response(provider.status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(provider.body)))
                self.end_headers()
                self.wfile.write(provider.body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def jwks_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/jwks.json"


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeIdentityProvider]:
    fake = FakeIdentityProvider()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture(autouse=True)
def fresh_jwks_cache(provider: FakeIdentityProvider) -> Iterator[None]:
    """Each test starts like a cold Lambda container, with the real JWKS being served."""
    auth._jwks_client.cache_clear()
    provider.body, provider.status, provider.requests = json.dumps(JWKS).encode(), 200, 0
    yield
    auth._jwks_client.cache_clear()


def cloud_settings(jwks_url: str) -> Settings:
    # From a mapping, not keywords: Settings(...) would also read the test process's
    # environment, whose local dev secret the cloud stage refuses.
    return Settings.from_environ(
        {
            "HUB_STAGE": "cloud",
            "HUB_TABLE": "t-test",
            "HUB_JWT_ISSUER": ISSUER,
            "HUB_JWT_AUDIENCE": AUDIENCE,
            "HUB_JWKS_URL": jwks_url,
            "HUB_CURSOR_SECRET": "a-cloud-cursor-secret-0123456789abcdef",
        }
    )


@pytest.fixture
def settings(provider: FakeIdentityProvider) -> Settings:
    return cloud_settings(provider.jwks_url)


def claims(**overrides: Any) -> dict[str, Any]:
    """A valid claim set for alice; an override of None drops that claim."""
    now = int(time.time())
    values: dict[str, Any] = {
        "sub": "alice",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
    }
    values.update(overrides)
    return {name: value for name, value in values.items() if value is not None}


def rs256(payload: dict[str, Any], kid: str = "rsa-1", key: Any = RSA_KEY) -> str:
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


def es256(payload: dict[str, Any], kid: str = "ec-1") -> str:
    return jwt.encode(payload, EC_KEY, algorithm="ES256", headers={"kid": kid})


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], payload: dict[str, Any]) -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"


def hs256_with_public_key(payload: dict[str, Any]) -> str:
    """The algorithm-confusion attack: HMAC keyed with the (public) RSA key's PEM.
    Built by hand, since PyJWT itself refuses to use a PEM as an HMAC secret."""
    signing_input = unsigned({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}, payload)
    mac = hmac.new(RSA_PUBLIC_PEM, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def alg_none(payload: dict[str, Any]) -> str:
    return unsigned({"alg": "none", "typ": "JWT", "kid": "rsa-1"}, payload) + "."


def tampered(payload: dict[str, Any], **changes: Any) -> str:
    """A genuine token whose payload was edited, keeping the original signature."""
    header, _, signature = rs256(payload).split(".")
    edited = b64(json.dumps({**payload, **changes}).encode())
    return f"{header}.{edited}.{signature}"


def test_an_rs256_token_from_the_provider_names_the_caller(settings):
    token = rs256(claims(name="Alice M.", email="alice@example.org", email_verified=True))

    assert auth.verify_token(token, settings) == Caller(
        id="alice",
        name="Alice M.",
        email="alice@example.org",
        email_verified=True,
        identity_verified=False,
    )


def test_an_es256_token_from_the_provider_names_the_caller(settings):
    token = es256(claims(sub="bob", name="Bob", identity_verified=True))

    assert auth.verify_token(token, settings) == Caller(
        id="bob", name="Bob", email=None, email_verified=False, identity_verified=True
    )


def test_only_a_json_true_counts_as_verified(settings):
    token = rs256(claims(email="a@example.org", email_verified="true", identity_verified=1))

    caller = auth.verify_token(token, settings)

    assert caller.email_verified is False
    assert caller.identity_verified is False


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda: hs256_with_public_key(claims()), id="hs256-keyed-with-rsa-public-pem"),
        pytest.param(lambda: alg_none(claims()), id="alg-none"),
        pytest.param(lambda: rs256(claims(), kid="unknown-kid"), id="unknown-kid"),
        pytest.param(lambda: jwt.encode(claims(), RSA_KEY, algorithm="RS256"), id="no-kid"),
        pytest.param(lambda: es256(claims(), kid="rsa-1"), id="es256-under-the-rsa-kid"),
        pytest.param(
            lambda: jwt.encode(claims(), RSA_KEY, algorithm="PS256", headers={"kid": "rsa-1"}),
            id="ps256-not-in-the-pinned-list",
        ),
        pytest.param(
            lambda: rs256(claims(exp=int(time.time()) - auth.LEEWAY_SECONDS - 60)),
            id="expired",
        ),
        pytest.param(
            lambda: rs256(claims(nbf=int(time.time()) + auth.LEEWAY_SECONDS + 60)),
            id="not-before-in-the-future",
        ),
        pytest.param(lambda: rs256(claims(aud="another-app")), id="wrong-audience"),
        pytest.param(lambda: rs256(claims(iss="https://evil.example")), id="wrong-issuer"),
        pytest.param(lambda: rs256(claims(sub=None)), id="no-sub"),
        pytest.param(lambda: rs256(claims(exp=None)), id="no-exp"),
        pytest.param(lambda: rs256(claims(), key=IMPOSTOR_KEY), id="signed-by-another-key"),
        pytest.param(lambda: tampered(claims(), sub="admin"), id="tampered-payload"),
        pytest.param(lambda: "garbage", id="garbage"),
    ],
)
def test_a_bad_token_is_refused_as_unauthenticated(settings, make_token):
    with pytest.raises(Unauthenticated) as refusal:
        auth.verify_token(make_token(), settings)

    assert refusal.value.status == 401
    assert refusal.value.code == "unauthenticated"


def test_the_dev_secret_is_worthless_in_the_cloud(settings):
    """Even if a dev token leaks, the cloud stage only ever trusts the provider's keys."""
    from local.devtoken import make_token

    token = make_token("alice", issuer=ISSUER, audience=AUDIENCE)

    with pytest.raises(Unauthenticated):
        auth.verify_token(token, settings)


def test_the_jwks_is_fetched_once_for_many_tokens(settings, provider):
    tokens = [rs256(claims(sub=f"user-{n}")) for n in range(3)] + [es256(claims(sub="eve"))]

    callers = [auth.verify_token(token, settings) for token in tokens]

    assert [caller.id for caller in callers] == ["user-0", "user-1", "user-2", "eve"]
    assert provider.requests == 1


def test_tokens_with_unknown_kids_do_not_hammer_the_provider(settings, provider):
    auth.verify_token(rs256(claims()), settings)

    for n in range(5):
        with pytest.raises(Unauthenticated):
            auth.verify_token(rs256(claims(), kid=f"made-up-{n}"), settings)

    assert provider.requests == 1


def test_a_key_rotated_in_while_the_provider_is_down_is_503_not_401(settings, provider):
    """A token signed with a key we have not seen may be genuine: if the provider cannot be
    asked about it, the user must not be signed out."""
    auth.verify_token(rs256(claims()), settings)  # a warm container, keys cached
    auth._jwks_client(settings.jwks_url).cooldown_duration = 0  # refresh on an unknown kid now
    provider.status = 503

    with pytest.raises(AuthUnavailable):
        auth.verify_token(rs256(claims(), kid="rsa-2"), settings)


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_provider_is_503_not_401():
    settings = cloud_settings(f"http://127.0.0.1:{_closed_port()}/jwks.json")

    with pytest.raises(AuthUnavailable) as refusal:
        auth.verify_token(rs256(claims()), settings)

    assert refusal.value.status == 503
    assert refusal.value.code == "auth_unavailable"


def test_a_provider_answering_an_error_is_503_not_401(settings, provider):
    provider.status, provider.body = 500, b'{"message": "internal error"}'

    with pytest.raises(AuthUnavailable):
        auth.verify_token(rs256(claims()), settings)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"<html>Service temporarily unavailable</html>", id="html-page"),
        pytest.param(b"[]", id="json-but-not-an-object"),
        pytest.param(b'{"keys": []}', id="no-keys"),
    ],
)
def test_a_provider_serving_no_usable_keys_is_503_not_401(settings, provider, body):
    """The provider's fault, not the caller's: a 401 would sign every user out."""
    provider.body = body

    with pytest.raises(AuthUnavailable):
        auth.verify_token(rs256(claims()), settings)


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("garbage", id="garbage"),
        pytest.param("a.b.c", id="three-garbage-segments"),
        pytest.param(
            rs256(claims(padding="x" * auth.MAX_TOKEN_LENGTH)), id="oversized-though-signed"
        ),
    ],
)
def test_junk_is_refused_without_asking_the_provider(settings, provider, token):
    with pytest.raises(Unauthenticated):
        auth.verify_token(token, settings)

    assert provider.requests == 0
