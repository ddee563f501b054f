"""Running tallies: turning stream records into ballot changes, and counting them in.

Off the vote path: the stream consumer writes one tally item per debate per batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError

from chalicelib.domain import clock
from chalicelib.domain.ballot import Ballot
from chalicelib.domain.tally import BALLOTS, BallotChange, tally_update
from chalicelib.store import keys
from chalicelib.store.convert import to_domain
from chalicelib.store.models.ballots import TallyItem

_ATTEMPTS = 5


def ballot_changes(records: Iterable[dict[str, Any]]) -> list[BallotChange]:
    """The ballot changes among stream records (Lambda's DynamoDB event shape); every other
    item is ignored. A secret ballot's marker holds no choice: its anonymous ballot counts."""
    changes = []
    for record in records:
        data = record.get("dynamodb", {})
        keys_ = data.get("Keys", {})
        pk, sk = keys_.get("pk", {}).get("S", ""), keys_.get("sk", {}).get("S", "")
        if not pk.startswith(keys.BALLOTS_PREFIX):
            continue
        if not (sk.startswith(keys.VOTER_PREFIX) or sk.startswith(keys.SECRET_BALLOT_PREFIX)):
            continue
        before = _ballot(data.get("OldImage"))
        after = _ballot(data.get("NewImage"))
        if before is None and after is None:
            continue  # a secret ballot's marker
        image = data.get("NewImage") or data.get("OldImage")
        changes.append(
            BallotChange(
                debate_id=image["debate_id"]["S"],
                partition=pk,
                sequence=data["SequenceNumber"],
                before=before,
                after=after,
            )
        )
    return changes


def _ballot(image: dict[str, Any] | None) -> Ballot | None:
    if not image or "choice" not in image:
        return None
    return Ballot.from_key(image["choice"]["S"])


@dataclass(frozen=True)
class Tally:
    debate_id: str
    counts: dict[str, int]
    ballots: int
    updated_at: datetime | None


def get_tally(debate_id: str) -> Tally:
    try:
        item = TallyItem.get(*tally_key(debate_id))
    except TallyItem.DoesNotExist:
        return no_tally(debate_id)
    return _tally(item)


def tally_key(debate_id: str) -> tuple[str, str]:
    return keys.tally_pk(debate_id), keys.META


def no_tally(debate_id: str) -> Tally:
    """A debate's tally before its first ballot is counted."""
    return Tally(debate_id, {}, 0, None)


def tally_from_raw(raw: dict) -> Tally:
    return _tally(TallyItem.from_raw_data(raw))


def _tally(item: TallyItem) -> Tally:
    return to_domain(item, Tally)


def _plain(value: Any) -> dict[str, Any]:
    return dict(value.as_dict() if hasattr(value, "as_dict") else value or {})


def count_in(debate_id: str, changes: list[BallotChange]) -> None:
    """Add the changes newer than the tally's checkpoints: one conditional PutItem,
    retried if another batch counted meanwhile. Replays change nothing."""
    for _ in range(_ATTEMPTS):
        try:
            current = TallyItem.get(keys.tally_pk(debate_id), keys.META, consistent_read=True)
        except TallyItem.DoesNotExist:
            current = None
        checkpoints = _plain(current.checkpoints) if current else {}
        update = tally_update(changes, checkpoints)
        if update.empty:
            return
        counts = _plain(current.counts) if current else {}
        for option, delta in update.deltas.items():
            if option != BALLOTS:
                counts[option] = int(counts.get(option, 0)) + delta
        version = int(current.version) if current else 0
        item = TallyItem(
            keys.tally_pk(debate_id),
            keys.META,
            debate_id=debate_id,
            counts=counts,
            ballots=(int(current.ballots) if current else 0) + update.deltas[BALLOTS],
            checkpoints=checkpoints | update.checkpoints,
            updated_at=clock.to_iso(clock.now()),
            version=version + 1,
        )
        condition = TallyItem.version == version if current else TallyItem.pk.does_not_exist()
        try:
            item.save(condition=condition)
            return
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    raise RuntimeError(f"tally of {debate_id} kept moving; the batch will be retried")
