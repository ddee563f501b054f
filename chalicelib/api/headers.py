"""HTTP header helpers the middleware share: names are case-insensitive, and `Vary` lists
every request header an answer depends on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chalice.app import Chalice, Request, Response


def header_key(headers: Mapping[str, Any], name: str) -> str | None:
    """The key under which `headers` holds `name`, whatever its case; None if absent."""
    return next((key for key in headers if key.lower() == name.lower()), None)


def header_value(headers: Mapping[str, Any], name: str) -> Any:
    """The value of `name` in `headers`, whatever its case; None if absent."""
    key = header_key(headers, name)
    return headers[key] if key is not None else None


def add_vary(response: Response, name: str) -> None:
    """Add `name` to the answer's `Vary`, once."""
    key = header_key(response.headers, "Vary") or "Vary"
    existing = response.headers.get(key, "")
    existing = ", ".join(existing) if isinstance(existing, list) else existing
    parts = [part.strip() for part in existing.split(",") if part.strip()]
    if name.lower() not in {part.lower() for part in parts}:
        response.headers[key] = ", ".join([*parts, name])


def install_private_answers(app: Chalice) -> None:
    """An answer to a signed-in request is that person's alone: `Cache-Control: no-store`
    (unless the route said otherwise), so that no cache between them and the API (a CDN
    behaviour, a proxy, the browser's own) ever keeps it for someone else."""

    @app.middleware("http")
    def private(event: Request, get_response: Callable[[Request], Response]) -> Response:
        response = get_response(event)
        signed = header_value(event.headers or {}, "Authorization") is not None
        if signed and header_key(response.headers, "Cache-Control") is None:
            response.headers["Cache-Control"] = "no-store"
        return response
