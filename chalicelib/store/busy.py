"""An unavailable database: what DynamoDB answers when it cannot serve now, and the hooks
that make any DynamoDB call answering so raise DatabaseBusy (503 `busy`, retry later),
whichever function and store module made it.

botocore reads its list of handlers when a session is created, so the hooks must be in it
before any model makes its client: `store/models/__init__.py` registers them as it binds
the models to the table, for every function, whatever else it imports.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ConnectionError as BotocoreConnectionError
from botocore.exceptions import HTTPClientError
from botocore.handlers import BUILTIN_HANDLERS

from chalicelib.domain.errors import DatabaseBusy

# Answers DynamoDB gives when it cannot serve now, whatever the request (after botocore's
# own retries): the caller should retry later, it did nothing wrong.
BUSY_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
BUSY_REASONS = frozenset({"ProvisionedThroughputExceeded", "ThrottlingError"})


def unavailable(error: BaseException | None) -> bool:
    """No answer from DynamoDB: a timeout, a refused or dropped connection."""
    return isinstance(error, (HTTPClientError, BotocoreConnectionError))


def _busy_on_no_answer(exception: BaseException, **_: Any) -> None:
    """botocore's `after-call-error` hook: a DynamoDB call that got no answer, after
    botocore's retries, raises DatabaseBusy."""
    if unavailable(exception):
        raise DatabaseBusy() from exception


def _busy_on_busy_answer(parsed: dict[str, Any], **_: Any) -> None:
    """botocore's `after-call` hook: DynamoDB answered that it cannot serve now."""
    if parsed.get("Error", {}).get("Code") in BUSY_CODES:
        raise DatabaseBusy()


def register() -> None:
    """Adds the hooks to every botocore session made from now on (PynamoDB opens one per
    thread, lazily), so that a read or a single write that times out answers 503 `busy`
    like a transaction. Only DynamoDB's own calls: `after-call-error.dynamodb` does not
    match dynamodb-streams."""
    for event, handler in (
        ("after-call-error.dynamodb", _busy_on_no_answer),
        ("after-call.dynamodb", _busy_on_busy_answer),
    ):
        if (event, handler) not in BUILTIN_HANDLERS:
            BUILTIN_HANDLERS.append((event, handler))
