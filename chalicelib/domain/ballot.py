"""A ballot's value: what a voter chose. Apart from the rules of ballots (ballots.py), so
that the tally consumer, which only reads ballots, loads nothing else of the domain
(chalicelib/jobs/count_ballots.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Ballot:
    """What a voter chose: option keys, sorted. A vote holds one of yes/no/abstain, a poll
    its option ids, a petition `signed`."""

    choices: tuple[str, ...]

    @property
    def key(self) -> str:
        """The choice as stored: comma-separated option keys."""
        return ",".join(self.choices)

    @classmethod
    def from_key(cls, key: str) -> Ballot:
        return cls(tuple(key.split(","))) if key else cls(())
