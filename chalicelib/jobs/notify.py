"""The notifier: events from the table's stream, fanned out through the notifications queue
(chalicelib/services/notifications.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.services import notifications
from chalicelib.settings import get_settings

get_settings()  # refuse to start on an invalid configuration, as the API does


def handler(event: dict[str, Any], context: Any = None) -> None:
    """A batch of stream records, as Lambda delivers them."""
    notifications.notify(event.get("Records", []))
