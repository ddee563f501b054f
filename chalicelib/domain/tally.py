"""Running tallies from the table's stream: pure arithmetic over ballot changes.

The consumer sees each change of a ballot item (insert, change, removal) as a
`BallotChange`. Stream batches are retried and may be split differently on retry, so a
tally remembers, per ballot partition, the sequence number of the last change it counted,
and counts only newer ones: replaying a batch, or any part of it, changes nothing.

Why per ballot partition: the stream orders records per item, and one ballot partition
(`BALLOTS#d#k`) is one item collection that the stream delivers in order, on one shard at
a time. Its sequence numbers only grow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from chalicelib.domain.ballot import Ballot

BALLOTS = "__ballots__"  # the delta key that counts ballots rather than options


@dataclass(frozen=True)
class BallotChange:
    debate_id: str
    partition: str  # the ballot partition, the checkpoint's key
    sequence: str  # the stream's sequence number (a decimal string)
    before: Ballot | None  # None: the ballot did not exist
    after: Ballot | None  # None: the ballot was withdrawn


def later(sequence: str, than: str | None) -> bool:
    """Sequence numbers are decimal strings of varying length: compare them as numbers."""
    if than is None:
        return True
    return (len(sequence), sequence) > (len(than), than)


@dataclass
class TallyUpdate:
    """What one batch adds to one debate's tally."""

    deltas: Counter[str] = field(default_factory=Counter)
    checkpoints: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.checkpoints


def tally_update(changes: Iterable[BallotChange], checkpoints: dict[str, str]) -> TallyUpdate:
    """The deltas of the changes newer than `checkpoints` (partition -> last counted)."""
    update = TallyUpdate()
    for change in changes:
        seen = update.checkpoints.get(change.partition, checkpoints.get(change.partition))
        if not later(change.sequence, seen):
            continue
        update.checkpoints[change.partition] = change.sequence
        if change.before is not None:
            update.deltas.subtract(change.before.deltas())
            update.deltas[BALLOTS] -= 1
        if change.after is not None:
            update.deltas.update(change.after.deltas())
            update.deltas[BALLOTS] += 1
    return update


def by_debate(changes: Iterable[BallotChange]) -> dict[str, list[BallotChange]]:
    grouped: dict[str, list[BallotChange]] = {}
    for change in changes:
        grouped.setdefault(change.debate_id, []).append(change)
    return grouped
