"""A creating request remembered under its Idempotency-Key, to answer its retries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IdempotentRequest:
    """A request made under a caller's Idempotency-Key, as its key's record holds it: what
    the request was (`fingerprint`) and, once it answered, its first answer (`status`, and
    `answer`, the JSON body)."""

    fingerprint: str
    status: int | None = None
    answer: str | None = None

    @property
    def answered(self) -> bool:
        return self.status is not None and self.answer is not None
