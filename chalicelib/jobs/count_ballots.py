"""The tally consumer: running tallies from the table's stream (chalicelib/services/tallies.py)."""

from __future__ import annotations

from typing import Any

from chalicelib.services import tallies
from chalicelib.settings import get_settings

get_settings()  # refuse to start on an invalid configuration, as the API does


def handler(event: dict[str, Any], context: Any = None) -> None:
    """A batch of stream records, as Lambda delivers them."""
    tallies.count_ballots(event.get("Records", []))
