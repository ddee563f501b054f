"""The deliverer: the notifications queue's messages, each a page of recipients to resolve or
to notify (chalicelib/services/notifications.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.services import notifications
from chalicelib.settings import get_settings

get_settings()  # refuse to start on an invalid configuration, as the API does


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """A batch of SQS messages, as Lambda delivers them. Answers the ones that failed
    (ReportBatchItemFailures): only those come back, the others are done."""
    failed = notifications.deliver(event.get("Records", []))
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}
