"""The closer, every minute: open, close and finalise the consultations that are due
(chalicelib/services/closer.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.services import closer
from chalicelib.settings import get_settings

get_settings()  # refuse to start on an invalid configuration, as the API does


def handler(event: dict[str, Any], context: Any = None) -> None:
    """An EventBridge scheduled event; its content does not matter."""
    closer.close_due_consultations()
