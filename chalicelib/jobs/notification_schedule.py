"""Notifications that are due at a time, every five minutes: "closing soon" reminders, and
the daily digests once their day is over (chalicelib/services/notifications.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.services import notifications
from chalicelib.settings import get_settings

get_settings()  # refuse to start on an invalid configuration, as the API does


def handler(event: dict[str, Any], context: Any = None) -> None:
    """An EventBridge scheduled event; its content does not matter."""
    notifications.send_due()
