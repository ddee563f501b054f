"""PynamoDB models: ballots, running tallies and final results."""

from __future__ import annotations

from typing import ClassVar

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from chalicelib.store.models import OwnedItem, TableItem, TableMeta


class BallotMarkerItem(OwnedItem):
    """One per (debate, voter): its key is what makes one person one ballot. For a secret
    ballot it holds no choice."""

    Meta = TableMeta
    renames: ClassVar[dict[str, str]] = {"ballot": "choice"}

    kind = UnicodeAttribute(default="ballot_marker")
    debate_id = UnicodeAttribute()
    voter_id = UnicodeAttribute()
    choice = UnicodeAttribute(null=True)  # option keys, comma-separated; absent when secret
    cast_at = UnicodeAttribute()
    changed_at = UnicodeAttribute(null=True)
    by = UnicodeAttribute(null=True)  # a proxy ballot: the holder who cast it


class SecretBallotItem(TableItem):
    """A secret ballot: the choice under a random receipt, with no voter and no time."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="secret_ballot")
    debate_id = UnicodeAttribute()
    choice = UnicodeAttribute()


class TallyItem(TableItem):
    """A debate's running counts, maintained from the stream, off the vote path."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="tally")
    debate_id = UnicodeAttribute()
    counts = MapAttribute(default=dict)  # option key -> count
    ballots = NumberAttribute(default=0)
    checkpoints = MapAttribute(default=dict)  # ballot partition -> last sequence counted
    updated_at = UnicodeAttribute(null=True)
    version = NumberAttribute(default=0)


class ResultItem(TableItem):
    """A debate's final result, written once by the closer from a recount."""

    Meta = TableMeta

    kind = UnicodeAttribute(default="result")
    debate_id = UnicodeAttribute()
    counts = MapAttribute(default=dict)
    ballots = NumberAttribute()
    outcome = UnicodeAttribute()  # JSON
    closed_at = UnicodeAttribute()
    finalised_at = UnicodeAttribute()
    tally_mismatch = UnicodeAttribute(null=True)  # JSON: the running tally, when it differed
    proxy_ballots = NumberAttribute(null=True)  # how many a proxy's holder cast; absent: none
