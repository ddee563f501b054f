"""What the ballot and deliberation routes answer: ballots, results, receipts, the ballot
board (chalicelib/api/ballots.py); comments, reactions, flags, blocks and the moderation
queue (chalicelib/api/comments.py).

A secret ballot never shows its choice next to its voter: a voter's own ballot shows only
that and when they voted; choices appear under receipts alone (the receipt check and the
ballot board), which carry no voter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import Field

from chalicelib.api.answers import Answer, Page, PersonOut, Timestamp, absent_unless
from chalicelib.domain.ballot import Ballot
from chalicelib.domain.ballots import Marker
from chalicelib.domain.deliberation import Comment, FlagReason, Stance
from chalicelib.domain.errors import (
    HubError,
)
from chalicelib.domain.model import DecisionFunction, FunctionType
from chalicelib.services import ballots

if TYPE_CHECKING:  # what the ballot services return; only read here
    from chalicelib.services.ballots import Cast, Results


# ---------------------------------------------------------------- ballots

VoteChoice = Literal["yes", "no", "abstain"]

_RECEIPT = "A secret ballot's receipt: 22 to 64 letters, digits, `-` or `_`."
_COUNTED_CHOICES = (
    "The option keys the ballot counted for: `yes`, `no` or `abstain` for a vote, option ids "
    "for a poll, `signed` for a petition."
)


def _shown_choice(function: DecisionFunction, ballot: Ballot) -> dict[str, Any]:
    """A ballot as its voter sent it. Never for secret ballots."""
    if function.type is FunctionType.VOTE:
        return {"choice": ballot.choices[0]}
    if function.type is FunctionType.POLL:
        return {"choices": list(ballot.choices)}
    return {"sign": True}


class CastBallotOut(Answer):
    """A ballot just cast (201) or sent again (200). A secret ballot shows no choice: only
    its receipt."""

    debate_id: str
    cast_at: Timestamp = Field(description="When the caller first voted in this debate.")
    changed_at: Timestamp | None = Field(
        description="When the caller last changed their ballot: this request's time when it "
        "replaced an earlier one; null if never changed."
    )
    secret: bool = Field(description="Whether the debate's ballots are secret.")
    receipt: str = absent_unless(
        "Secret ballots only. The receipt of the ballot just counted, to keep: it is the only "
        "link between the voter and their anonymous ballot, and the Hub does not keep it. "
        "A retry (200) answers the receipt it repeated."
    )
    choice: VoteChoice = absent_unless("Votes that are not secret: the choice counted.")
    choices: list[str] = absent_unless("Polls that are not secret: the option ids counted.")
    sign: Literal[True] = absent_unless("Petitions: the caller's signature is counted.")

    @classmethod
    def of_cast(cls, debate_id: str, cast: Cast) -> Self:
        """A secret ballot shows its receipt, never its choice; any other its choice."""
        if cast.secret:
            return cls.of(cast, debate_id=debate_id, receipt=cast.receipt)
        return cls.of(cast, debate_id=debate_id, **_shown_choice(cast.function, cast.ballot))


class BallotOut(Answer):
    """The caller's own ballot. For a secret ballot only that, and when, they voted."""

    debate_id: str
    cast_at: Timestamp = Field(description="When the caller first voted in this debate.")
    changed_at: Timestamp | None = Field(
        description="When the caller last changed their ballot; null if never."
    )
    secret: bool = Field(description="Whether the debate's ballots are secret.")
    receipt: None = absent_unless(
        "Secret ballots only, and always null: the Hub keeps no link between a voter and "
        "their receipt or choice."
    )
    choice: VoteChoice = absent_unless("Votes that are not secret: the caller's choice.")
    choices: list[str] = absent_unless("Polls that are not secret: the option ids chosen.")
    sign: Literal[True] = absent_unless("Petitions: the caller has signed.")

    @classmethod
    def of_marker(cls, marker: Marker, function: DecisionFunction) -> Self:
        """A secret ballot (its marker holds no ballot) shows only that, and when, the
        caller voted: the Hub keeps no link to the choice or the receipt."""
        if marker.ballot is None:
            return cls.of(marker, secret=True, receipt=None)
        return cls.of(marker, secret=False, **_shown_choice(function, marker.ballot))


# What `PUT .../ballot` may refuse a reader who sees the debate with (services/ballots.py).
VoteRefusal = Literal[tuple(error.code for error in ballots.REFUSALS)]  # type: ignore[valid-type]


class CanVoteOut(Answer):
    """Whether the caller may vote (sign, answer the poll) in this debate now: what
    `PUT .../ballot` would answer them, whatever ballot they send."""

    allowed: bool
    reason: VoteRefusal = absent_unless(
        "When not allowed: the error code `PUT .../ballot` would answer. `unauthenticated` "
        "(no token), `invalid_ballot` (the debate decides nothing), `consultation_closed` "
        "(closed), `not_open` (not open yet), `blocked`, `not_eligible` (may not take "
        "part), `already_voted` (voted, and the ballot may not change)."
    )

    @classmethod
    def of_refusal(cls, refusal: HubError | None) -> Self:
        if refusal is None:
            return cls(allowed=True)
        return cls(allowed=False, reason=refusal.code)


class VoteOutcomeOut(Answer):
    """What a vote decided: adopted when yes outnumbers no and its share of yes + no reaches
    the threshold; a tie is rejected; below the quorum, no decision."""

    result: Literal["adopted", "rejected", "no_quorum"]
    yes_share: float | None = Field(description="yes / (yes + no); null without either.")
    quorum: int | None = Field(description="Ballots needed (abstentions count); null: none.")
    threshold: float | None = Field(description="Share of yes needed; null: a majority.")


class RankOut(Answer):
    """One place of a poll's ranking; options with the same count share it."""

    rank: int = Field(description="1 for the first place; tied options share a rank.")
    count: int
    options: list[str] = Field(description="The option ids at this place.")


class PollOutcomeOut(Answer):
    """What a poll decided: its options ranked by count."""

    result: Literal["decided", "no_quorum"]
    ranking: list[RankOut]
    tie_for_first: bool
    quorum: int | None = Field(description="Ballots needed; null: none.")


class PetitionOutcomeOut(Answer):
    """What a petition reached."""

    signatures: int
    goal: int | None = Field(description="Signatures wanted; null: none.")
    goal_reached: bool


class TallyMismatchOut(Answer):
    """The running tally, kept on a final result when the recount found other figures (the
    recount is what counts)."""

    counts: dict[str, int]
    total: int


class ResultsOut(Answer):
    """A debate's results: the running tally while it is visible, then the final recount."""

    debate_id: str
    counts: dict[str, int] = Field(
        description="Per option, zero included: `yes`, `no`, `abstain` for a vote, option ids "
        "for a poll, `signed` for a petition."
    )
    total: int = Field(description="Ballots cast (a poll ballot may count several options).")
    final: bool = Field(description="True once the consultation is closed and recounted.")
    as_of: Timestamp | None = Field(
        description="When these figures were established: the running tally's last change "
        "(null before any ballot), or the final recount."
    )
    final_expected_at: Timestamp | None = Field(
        description="When the final results are expected: once the consultation is closed "
        "(on schedule or early) and until they are final, the moment ballots stopped (its "
        "`closes_at`) plus the grace period the Hub waits before recounting; they follow "
        "within about a minute of it. Null while it is open, and once final."
    )
    outcome: VoteOutcomeOut | PollOutcomeOut | PetitionOutcomeOut = absent_unless(
        "Final results only: what the count decided."
    )
    closed_at: Timestamp = absent_unless("Final results only: when ballots stopped.")
    tally_mismatch: TallyMismatchOut | None = absent_unless(
        "Final results only: the running tally when it differed from the recount, else null."
    )

    @classmethod
    def of_results(cls, debate_id: str, results: Results) -> Self:
        """The outcome, the closing and any mismatch only once final."""
        final = (
            {
                "outcome": results.outcome,
                "closed_at": results.closed_at,
                "tally_mismatch": results.tally_mismatch,
            }
            if results.final
            else {}
        )
        return cls.of(
            results,
            debate_id=debate_id,
            counts=results.counts.per_option,
            total=results.counts.ballots,
            **final,
        )


class ReceiptOut(Answer):
    """A receipt found on a final secret ballot board: counted, and for what."""

    debate_id: str
    receipt: str = Field(description=_RECEIPT)
    counted: Literal[True]
    choices: list[str] = Field(description=_COUNTED_CHOICES)


class AnonymousBallotOut(Answer):
    """One ballot of a secret debate: its receipt and choice, never its voter."""

    receipt: str = Field(description=_RECEIPT)
    choices: list[str] = Field(description=_COUNTED_CHOICES)


class BallotBoardPage(Page[AnonymousBallotOut]):
    """Every anonymous ballot of a secret debate, by receipt, in one page (`next` is null)."""


# ---------------------------------------------------------------- comments


class CommentVersionOut(Answer):
    """An earlier text of an edited comment."""

    body: str
    written_at: Timestamp


class CommentOut(Answer):
    """A comment (an argument, or a reply to one) as the caller sees it. A deleted comment
    stays as a placeholder without author or text; a hidden one shows others only the
    reason. Its author and its moderators read hidden text; its moderators also see its
    flags and earlier versions."""

    id: str
    debate_id: str
    parent_id: str | None = Field(description="The comment replied to; null for an argument.")
    author: PersonOut | None = Field(description="Who wrote it; null once deleted or erased.")
    stance: Stance
    body: str | None = Field(
        description="Markdown. Null once deleted or erased, and when hidden, except for its "
        "author and moderators."
    )
    created_at: Timestamp
    edited_at: Timestamp | None = Field(description="Null if never edited, or deleted.")
    reactions: int
    replies: int
    reacted: bool = Field(description="Whether the caller reacted to it.")
    hidden: bool = Field(description="Hidden by a moderator, or by flags pending review.")
    hidden_reason: str | None = Field(description="`flagged`, or the moderator's reason.")
    deleted: bool
    author_erased: bool = Field(description="Its author erased their account: a deleted member.")
    flags: int = absent_unless("For its moderators: flags since the last review.")
    flag_reasons: dict[FlagReason, int] = absent_unless(
        "For its moderators: those flags, by reason."
    )
    history: list[CommentVersionOut] = absent_unless(
        "For its moderators: its earlier versions, oldest first."
    )

    @classmethod
    def seen_by(cls, comment: Comment, *, reacted: bool, full: bool, moderator: bool) -> Self:
        """The comment as one caller sees it. `full`: its author, who reads hidden text;
        `moderator`: one of its moderators, who also see flags and earlier versions."""
        shown: dict[str, Any] = {
            "reacted": reacted,
            "author": PersonOut(id=comment.author_id, name=comment.author_name),
        }
        if comment.deleted:
            shown |= {"body": None, "author": None, "edited_at": None}
        elif comment.author_erased:
            shown |= {"body": None, "author": None}
        elif comment.hidden and not (full or moderator):
            shown["body"] = None
        if moderator:
            shown |= {
                "flags": comment.flags,
                "flag_reasons": comment.flag_reasons,
                "history": [CommentVersionOut.of(version) for version in comment.history],
            }
        return cls.of(comment, **shown)


class ModeratedCommentOut(CommentOut):
    """A comment as its moderators see it: hidden text, flags and earlier versions."""

    flags: int = Field(description="Flags since the last review.")
    flag_reasons: dict[FlagReason, int] = Field(description="Those flags, by reason.")
    history: list[CommentVersionOut] = Field(description="Earlier versions, oldest first.")

    @classmethod
    def of_comment(cls, comment: Comment) -> Self:
        return cls.seen_by(comment, reacted=False, full=True, moderator=True)


class CommentPage(Page[CommentOut]):
    """A page of comments."""


class ModerationQueuePage(Page[ModeratedCommentOut]):
    """Comments waiting for the association's moderators: flagged or hidden, not reviewed."""


class ReactionOut(Answer):
    """The caller's reaction to a comment (one per person)."""

    comment_id: str
    reacted: Literal[True]


class FlagOut(Answer):
    """The caller's flag on a comment (one per person)."""

    comment_id: str
    reason: FlagReason


class BlockOut(Answer):
    """A person blocked from taking part in an association's consultations."""

    group_id: str
    user_id: str
    reason: str
    until: Timestamp | None = Field(description="When the block ends; null: until lifted.")
    blocked_by: str = Field(description="The moderator's user id.")
    blocked_at: Timestamp
