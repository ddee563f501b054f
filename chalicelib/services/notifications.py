"""Notifications, off the request path: events from the stream, recipients page by page
through the queue, delivery at most once per (event, recipient, channel).

SKELETON: the pipeline helper fills this module (see /work/spec17.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def notify(records: Iterable[dict[str, Any]]) -> int:
    raise NotImplementedError


def deliver(messages: Iterable[dict[str, Any]]) -> list[str]:
    raise NotImplementedError


def send_due() -> None:
    raise NotImplementedError
