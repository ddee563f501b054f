"""Ballots in the table: one marker per (debate, voter), anonymous secret ballots, recounts.

The vote path writes ONE item (two, in one transaction, for a secret ballot) and never a
shared one: no debate record, no counter. Uniqueness comes from the marker's key, written
with `attribute_not_exists`; a change is conditioned on the choice the voter last saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from chalicelib.domain import clock
from chalicelib.domain.ballot import Ballot
from chalicelib.domain.ballots import Marker, shard_of
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.model import Debate
from chalicelib.store import keys
from chalicelib.store.convert import to_domain
from chalicelib.store.models.ballots import BallotMarkerItem, SecretBallotItem
from chalicelib.store.table import Transaction, transact


class BallotExists(Exception):
    """The voter's marker appeared between the read and the write."""


class BallotMoved(Exception):
    """The voter's ballot changed (or went) between the read and the write."""


class ReceiptTaken(Exception):
    """Another anonymous ballot of the debate is already filed under this receipt."""


def marker_from_raw(raw: dict) -> Marker:
    return _marker(BallotMarkerItem.from_raw_data(raw))


def _marker(item: BallotMarkerItem) -> Marker:
    ballot = Ballot.from_key(item.choice) if item.choice is not None else None
    return to_domain(item, Marker, ballot=ballot)


def marker_key(debate: Debate, voter_id: str) -> tuple[str, str]:
    shard = shard_of(voter_id, debate.ballot_shards)
    return keys.ballot_pk(debate.id, shard), keys.voter_sk(voter_id)


def _marker_item(debate: Debate, voter_id: str) -> BallotMarkerItem:
    return BallotMarkerItem(*marker_key(debate, voter_id))


def _failed_condition(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"


# ---------------------------------------------------------------- reading


def get_marker(debate: Debate, voter_id: str) -> Marker | None:
    try:
        item = BallotMarkerItem.get(*marker_key(debate, voter_id), consistent_read=True)
    except BallotMarkerItem.DoesNotExist:
        return None
    return _marker(item)


# ---------------------------------------------------------------- writing


def new_marker(
    debate: Debate, voter_id: str, ballot: Ballot | None, now: datetime, *, by: str | None = None
) -> BallotMarkerItem:
    """A voter's first marker: its choice (None for a secret ballot), when, and who cast it
    when a proxy's holder did (`by`)."""
    item = _marker_item(debate, voter_id)
    item.debate_id = debate.id
    item.voter_id = voter_id
    item.choice = ballot.key if ballot is not None else None
    item.cast_at = clock.to_iso(now)
    item.by = by
    item.owned_by(voter_id)
    return item


def cast_first(debate: Debate, voter_id: str, ballot: Ballot, now: datetime) -> None:
    """The voter's first ballot: one conditional PutItem. BallotExists if they have one."""
    item = new_marker(debate, voter_id, ballot, now)
    try:
        item.save(condition=BallotMarkerItem.pk.does_not_exist())
    except PutError as error:
        if _failed_condition(error):
            raise BallotExists() from None
        raise


def change(
    debate: Debate,
    voter_id: str,
    before: Ballot,
    after: Ballot,
    now: datetime,
    *,
    cast_by: str | None = None,
) -> None:
    """Change a ballot if it still holds `before` (and, with `cast_by`, if the proxy's
    holder `cast_by` cast it and it is still theirs): one conditional UpdateItem."""
    condition = BallotMarkerItem.choice == before.key
    if cast_by is not None:
        condition &= BallotMarkerItem.by == cast_by
    try:
        _marker_item(debate, voter_id).update(
            actions=[
                BallotMarkerItem.choice.set(after.key),
                BallotMarkerItem.changed_at.set(clock.to_iso(now)),
            ],
            condition=condition,
        )
    except UpdateError as error:
        if _failed_condition(error):
            raise BallotMoved() from None
        raise


def reclaim(
    debate: Debate, voter_id: str, holder_id: str, before: Ballot, after: Ballot, now: datetime
) -> None:
    """The voter's own ballot replaces the one their proxy's holder cast for them, if it
    still holds `before`: one conditional UpdateItem, which removes `by`."""
    try:
        _marker_item(debate, voter_id).update(
            actions=[
                BallotMarkerItem.choice.set(after.key),
                BallotMarkerItem.changed_at.set(clock.to_iso(now)),
                BallotMarkerItem.by.remove(),
            ],
            condition=(BallotMarkerItem.choice == before.key) & (BallotMarkerItem.by == holder_id),
        )
    except UpdateError as error:
        if _failed_condition(error):
            raise BallotMoved() from None
        raise


def withdraw(debate: Debate, voter_id: str, before: Ballot) -> None:
    """Withdraw a ballot if it still holds `before`: one conditional DeleteItem."""
    try:
        _marker_item(debate, voter_id).delete(condition=BallotMarkerItem.choice == before.key)
    except DeleteError as error:
        if _failed_condition(error):
            raise BallotMoved() from None
        raise


def cast_secret(debate: Debate, voter_id: str, ballot: Ballot, receipt: str, now: datetime) -> None:
    """A secret ballot: the voter's marker (no choice) and the anonymous ballot (no voter,
    no time), together or not at all. BallotExists if the voter has a marker already (that
    comes first: a retry finds both taken); else ReceiptTaken if the receipt is."""
    marker = new_marker(debate, voter_id, None, now)
    send(lambda transaction: file_secret(transaction, debate, marker, ballot, receipt))


def file_first(transaction: Transaction, marker: BallotMarkerItem) -> None:
    """A first marker, in `transaction`: BallotExists (through `send`) if there is one."""
    transaction.save(marker, condition=BallotMarkerItem.pk.does_not_exist(), on_fail=_Exists())


def file_secret(
    transaction: Transaction, debate: Debate, marker: BallotMarkerItem, ballot: Ballot, receipt: str
) -> None:
    """A secret ballot's marker and its anonymous ballot under `receipt`, in `transaction`:
    BallotExists, then ReceiptTaken (through `send`) if either is taken."""
    file_first(transaction, marker)
    anonymous = SecretBallotItem(
        keys.ballot_pk(debate.id, shard_of(receipt, debate.ballot_shards)),
        keys.secret_ballot_sk(receipt),
        debate_id=debate.id,
        choice=ballot.key,
    )
    transaction.save(anonymous, condition=SecretBallotItem.pk.does_not_exist(), on_fail=_Taken())


def send(build: Callable[[Transaction], None]) -> None:
    """Run a transaction that files ballots: a marker that exists is BallotExists, a
    receipt taken ReceiptTaken; any other failed condition goes through as raised."""
    try:
        transact(build)
    except _Exists:
        raise BallotExists() from None
    except _Taken:
        raise ReceiptTaken() from None


class _Exists(ConcurrentUpdate):
    """Marks the marker's condition inside the transaction."""


class _Taken(ConcurrentUpdate):
    """Marks the anonymous ballot's condition inside the transaction."""


# ---------------------------------------------------------------- recounting


def markers(debate: Debate) -> Iterator[Marker]:
    """Every marker of the debate: one Query per ballot partition, strongly consistent."""
    for shard in range(debate.ballot_shards):
        for item in BallotMarkerItem.query(
            keys.ballot_pk(debate.id, shard),
            BallotMarkerItem.sk.startswith(keys.VOTER_PREFIX),
            consistent_read=True,
        ):
            yield _marker(item)


def secret_ballots(debate: Debate) -> Iterator[tuple[str, Ballot]]:
    """Every anonymous ballot of the debate, as (receipt, ballot)."""
    prefix = keys.SECRET_BALLOT_PREFIX
    for shard in range(debate.ballot_shards):
        for item in SecretBallotItem.query(
            keys.ballot_pk(debate.id, shard),
            SecretBallotItem.sk.startswith(prefix),
            consistent_read=True,
        ):
            yield item.sk[len(prefix) :], Ballot.from_key(item.choice)


def get_secret_ballot(debate: Debate, receipt: str, *, consistent: bool = False) -> Ballot | None:
    try:
        item = SecretBallotItem.get(
            keys.ballot_pk(debate.id, shard_of(receipt, debate.ballot_shards)),
            keys.secret_ballot_sk(receipt),
            consistent_read=consistent,
        )
    except SecretBallotItem.DoesNotExist:
        return None
    return Ballot.from_key(item.choice)
