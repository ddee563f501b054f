"""Bearer-token verification with PyJWT.

Cloud stage: RS256/ES256 tokens from the OIDC issuer, keys from its JWKS (cached per Lambda
container by PyJWKClient). Local stage: HS256 tokens signed with the dev secret, and nothing
else. The algorithm list is pinned per stage; `exp`, `iss`, `aud` and `sub` are required.
Whatever is wrong with a token, the answer is the same 401 `unauthenticated`.
"""

from __future__ import annotations

import logging
from functools import cache

import jwt

from chalicelib import telemetry
from chalicelib.domain.errors import AuthUnavailable, Unauthenticated
from chalicelib.domain.ids import looks_like_user_id
from chalicelib.domain.model import Caller
from chalicelib.domain.text import shown_line
from chalicelib.settings import Settings, get_settings

log = logging.getLogger("hub.auth")

CLOUD_ALGORITHMS = ["RS256", "ES256"]
LOCAL_ALGORITHMS = ["HS256"]
LEEWAY_SECONDS = 30
JWKS_CACHE_SECONDS = 300
MAX_TOKEN_LENGTH = 8192


@cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=JWKS_CACHE_SECONDS, timeout=5)


def _signing_key(token: str, settings: Settings) -> tuple[object, list[str]]:
    if settings.stage == "local":
        return settings.dev_jwt_secret, LOCAL_ALGORITHMS
    assert settings.jwks_url is not None  # guaranteed by Settings validation
    return _provider_key(token, settings.jwks_url), CLOUD_ALGORITHMS


def _provider_key(token: str, jwks_url: str) -> object:
    """The provider's public key the token's `kid` names. A token we cannot read is the
    caller's fault (401); a key set we cannot fetch or use is the provider's (503)."""
    kid = jwt.get_unverified_header(token).get("kid")  # junk is refused before any fetch
    client = _jwks_client(jwks_url)
    try:
        client.get_signing_keys()  # cached: fetched once per container per JWKS_CACHE_SECONDS
    except (jwt.PyJWKClientError, jwt.PyJWKSetError, ValueError) as error:
        log.warning("JWKS unusable at %s: %s", jwks_url, error)
        raise AuthUnavailable() from None
    return client.get_signing_key(kid).key


def verify_token(token: str, settings: Settings | None = None) -> Caller:
    """The caller a token names, or Unauthenticated."""
    settings = settings or get_settings()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated()
    try:
        key, algorithms = _signing_key(token, settings)
        claims = jwt.decode(
            token,
            key=key,
            algorithms=algorithms,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud", "sub"]},
        )
    except jwt.PyJWKClientConnectionError:
        # Our identity provider is unreachable: not the caller's fault, so not a 401
        # (a 401 would make clients sign their users out).
        log.warning("JWKS unreachable at %s", settings.jwks_url)
        raise AuthUnavailable() from None
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        log.info("token refused: %s", type(error).__name__)
        raise Unauthenticated() from None
    subject = claims.get("sub")
    # The subject becomes part of keys (MEMBER#<sub>…): bounded in bytes, like every id.
    if not isinstance(subject, str) or not subject.strip() or not looks_like_user_id(subject):
        raise Unauthenticated()
    name = claims.get("name")
    email = claims.get("email")
    return Caller(
        id=subject,
        name=shown_line(name)[:200] if isinstance(name, str) else "",
        email=email if isinstance(email, str) else None,
        email_verified=claims.get("email_verified") is True,
        identity_verified=claims.get("identity_verified") is True,
    )


def authenticate(authorization: str | None) -> Caller | None:
    """None without an Authorization header; the caller for a valid bearer token;
    Unauthenticated for anything else."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise Unauthenticated()
    caller = verify_token(token.strip())
    telemetry.note_caller(caller.id)  # the request's line names them by a keyed hash
    return caller
