"""Proxies (procurations): a member who cannot take part gives their proxy, for one
consultation, to another who may; the holder then votes for them in its debates. The
giver's own ballot always wins (services/ballots.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

MIN_PER_HOLDER, MAX_PER_HOLDER = 1, 5


@dataclass(frozen=True)
class Proxy:
    consultation_id: str
    giver_id: str
    giver_name: str
    holder_id: str
    holder_name: str
    given_at: datetime
    used_at: datetime | None = None  # the holder's first ballot with it: then it is final
    giver_verified: bool = False  # whether the giver's token was verified when they gave it
    consultation_title: str = ""  # as it was when the proxy was given
