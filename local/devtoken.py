"""Signed dev tokens for the local stage (`make token`). Never accepted in the cloud.

    python -m local.devtoken --sub alice [--name "Alice M."] [--email a@example.org]
                             [--verified] [--ttl 3600]

The token is the last line printed. A negative --ttl makes an already expired token.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Mapping
from typing import Any

import jwt

from local.ports import DEFAULT_API_PORT, HOST

# The local runner and `make token` share these defaults, so a fresh clone just works.
DEFAULT_DEV_SECRET = "hub-local-dev-secret-not-for-production"
DEFAULT_ISSUER = "hub-local"
DEFAULT_AUDIENCE = "hub"


def make_token(
    sub: str,
    *,
    name: str | None = None,
    email: str | None = None,
    verified: bool = False,
    ttl: int = 3600,
    secret: str | None = None,
    issuer: str | None = None,
    audience: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "iss": issuer or os.environ.get("HUB_JWT_ISSUER", DEFAULT_ISSUER),
        "aud": audience or os.environ.get("HUB_JWT_AUDIENCE", DEFAULT_AUDIENCE),
        "iat": now,
        "exp": now + ttl,
        "name": name or sub,
    }
    if email:
        claims["email"] = email
        claims["email_verified"] = verified
    if verified:
        claims["identity_verified"] = True
    claims.update(extra or {})
    key = secret or os.environ.get("HUB_DEV_JWT_SECRET", DEFAULT_DEV_SECRET)
    return jwt.encode(claims, key, algorithm="HS256")


def api_url(environ: Mapping[str, str] = os.environ) -> str:
    """Where `make run` serves the API: on HUB_API_PORT, as the runner reads it."""
    port = environ.get("HUB_API_PORT", "").strip()
    return f"http://{HOST}:{port if port.isdigit() else DEFAULT_API_PORT}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print a dev token the local Hub accepts.")
    parser.add_argument("--sub", required=True, help="the user id (token subject)")
    parser.add_argument("--name", help="display name (default: the subject)")
    parser.add_argument("--email")
    parser.add_argument("--verified", action="store_true", help="email and identity verified")
    parser.add_argument("--ttl", type=int, default=3600, help="seconds of validity (may be < 0)")
    args = parser.parse_args(argv)
    if not args.sub.strip():
        parser.error("SUB is required: make token SUB=alice")
    token = make_token(
        args.sub, name=args.name, email=args.email, verified=args.verified, ttl=args.ttl
    )
    print(f"Dev token for {args.sub!r}, valid {args.ttl} s on the local stage:")
    print(f"  curl -H 'Authorization: Bearer <token>' {api_url()}/v1/me")
    print(token)


if __name__ == "__main__":
    main()
