"""HTTP header helpers the middleware share: names are case-insensitive, and `Vary` lists
every request header an answer depends on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalice.app import Response


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
