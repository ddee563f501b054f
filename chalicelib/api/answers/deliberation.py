"""What the ballot and deliberation routes answer: ballots, results, receipts, the ballot
board (chalicelib/api/ballots.py); comments, reactions, flags, blocks and the moderation
queue (chalicelib/api/comments.py).

A secret ballot never shows its choice next to its voter: a voter's own ballot shows only
that and when they voted; choices appear under receipts alone (the receipt check and the
ballot board), which carry no voter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import ConfigDict, Field

from chalicelib.api.answers import Answer, Page, PersonOut, Timestamp, _no_default, absent_unless
from chalicelib.domain import outcomes
from chalicelib.domain.ballot import Ballot
from chalicelib.domain.ballots import Marker, ballot_fields, shown_ballot
from chalicelib.domain.decisions import GRADES
from chalicelib.domain.deliberation import Comment, FlagReason, Stance
from chalicelib.domain.errors import (
    HubError,
)
from chalicelib.domain.model import DecisionFunction
from chalicelib.services import ballots

if TYPE_CHECKING:  # what the ballot services return; only read here
    from chalicelib.services.ballots import Cast, Results


# ---------------------------------------------------------------- ballots

VoteChoice = Literal["yes", "no", "abstain"]
Grade = Literal[GRADES]  # type: ignore[valid-type]

_RECEIPT = "A secret ballot's receipt: 22 to 64 letters, digits, `-` or `_`."
_COUNTED_CHOICES = (
    "The option keys the ballot counted for: `yes`, `no` or `abstain` for a vote, option ids "
    "for a poll (best first for a ranked choice; every option of a majority judgment or a "
    "score; those given points in a dot vote), `signed` for a petition."
)


def _for(why: str) -> Any:
    """The `for` key (a Python keyword: the field is `for_`), sent only by proxy ballots."""
    return Field(default=None, alias="for", description=why, json_schema_extra=_no_default)


class _Marks(Answer):
    """A ranked, graded, scored or dotted ballot's own field, as its voter sent it."""

    model_config = ConfigDict(**Answer.model_config, serialize_by_alias=True)

    ranking: list[str] = absent_unless("Ranked choices: the option ids, best first.")
    grades: dict[str, Grade] = absent_unless("Majority judgments: each option's grade.")
    scores: dict[str, int] = absent_unless("Scores: each option's score.")
    points: dict[str, int] = absent_unless(
        "Dot votes: the points given, by option (options given none are left out)."
    )


class CastBallotOut(_Marks):
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
    for_: str = _for(
        "Proxy ballots only: the member (user id) whose proxy the caller used. The ballot "
        "is theirs; a secret one's receipt is answered to the caller, who may pass it on."
    )

    @classmethod
    def of_cast(cls, debate_id: str, cast: Cast) -> Self:
        """A secret ballot shows its receipt, never its choice; any other its choice."""
        proxy = {"for": cast.for_} if cast.for_ is not None else {}
        if cast.secret:
            return cls.of(cast, debate_id=debate_id, receipt=cast.receipt, **proxy)
        return cls.of(
            cast, debate_id=debate_id, **shown_ballot(cast.function, cast.ballot), **proxy
        )


class BallotOut(_Marks):
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
    for_: str = _for("`?for=`: the member (user id) the caller cast this ballot for.")
    by: str = absent_unless("Your ballot cast by your proxy's holder: their user id.")

    @classmethod
    def of_marker(cls, marker: Marker, function: DecisionFunction, for_: str | None = None) -> Self:
        """A secret ballot (its marker holds no ballot) shows only that, and when, the
        caller voted: the Hub keeps no link to the choice or the receipt."""
        proxy = {"for": for_} if for_ is not None else {}
        if for_ is None and marker.by is not None:
            proxy = {"by": marker.by}
        if marker.ballot is None:
            return cls.of(marker, secret=True, receipt=None, **proxy)
        return cls.of(marker, secret=False, **shown_ballot(function, marker.ballot), **proxy)


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


class RunoffRoundOut(Answer):
    """One round of an instant runoff."""

    counts: dict[str, int] = Field(
        description="The ballots each option still running holds: each ballot counts for "
        "its best-ranked option still running."
    )
    exhausted: int = Field(description="Ballots ranking no option still running.")
    elected: str = absent_unless("The last round: the option elected.")
    eliminated: str = absent_unless("Every other round: the option eliminated.")
    tie_break: Literal["earlier_rounds", "option_order"] = absent_unless(
        "When options tied for elimination: `earlier_rounds`, the one with fewer ballots in "
        "the latest earlier round where they differ went; `option_order`, they tied in "
        "every round and the one listed last went."
    )


class RankedOutcomeOut(Answer):
    """What a ranked choice decided, by instant runoff."""

    result: Literal["decided", "no_quorum"]
    winner: str | None = Field(description="The option elected; null without ballots.")
    rounds: list[RunoffRoundOut] = Field(description="Every round, the first one first.")
    condorcet_winner: str | None = Field(
        description="The option more ballots rank above each other option than below it, "
        "if one does (the pairwise matrix shows why); else null."
    )
    quorum: int | None = Field(description="Ballots needed; null: none.")


class GaugeOut(Answer):
    """Balinski & Laraki's majority gauge: beyond the majority grade, `+` with the share of
    grades above it when more than the share below, else `-` with the share below."""

    sign: Literal["+", "-"]
    share: float


class JudgmentPlaceOut(Answer):
    """One place of a majority judgment's ranking."""

    rank: int
    options: list[str] = Field(description="The option ids at this place (a tie shares it).")
    majority_grade: Grade | None = Field(
        description="The lower median grade: the best grade more than half the ballots "
        "give the option, or better; null without ballots."
    )
    gauge: GaugeOut | None


class MajorityJudgmentOutcomeOut(Answer):
    """What a majority judgment decided: options ranked by majority grade, ties broken by
    the majority gauge, then by taking the majority grade away one grade at a time."""

    result: Literal["decided", "no_quorum"]
    ranking: list[JudgmentPlaceOut]
    winner: str | None = Field(description="The first option; null if tied or no ballots.")
    quorum: int | None = Field(description="Ballots needed; null: none.")


class ScorePlaceOut(Answer):
    """One place of a score vote's ranking."""

    rank: int
    options: list[str]
    mean: float | None = Field(description="The mean score; null without ballots.")
    total: int = Field(description="The sum of the scores.")


class ScoreOutcomeOut(Answer):
    """What a score vote decided: options ranked by mean score."""

    result: Literal["decided", "no_quorum"]
    ranking: list[ScorePlaceOut]
    tie_for_first: bool
    max_score: int
    quorum: int | None = Field(description="Ballots needed; null: none.")


class DotOutcomeOut(PollOutcomeOut):
    """What a dot vote decided: options ranked by points (`count`)."""

    points_per_voter: int


# What a final result decided, by the debate's kind of decision.
Outcome = (
    VoteOutcomeOut
    | PollOutcomeOut
    | PetitionOutcomeOut
    | RankedOutcomeOut
    | MajorityJudgmentOutcomeOut
    | ScoreOutcomeOut
    | DotOutcomeOut
)


class BreakdownOut(Answer):
    """What a ranked choice, a majority judgment or a score shows beside one figure per
    option, from the same counts."""

    pairwise: dict[str, dict[str, int]] = absent_unless(
        "Ranked choices: `pairwise[a][b]` ballots rank a above b (an option ranked above "
        "every option left unranked)."
    )
    grades: dict[str, dict[str, int]] = absent_unless(
        "Majority judgments: per option, how many ballots gave each grade."
    )
    distribution: dict[str, dict[str, int]] = absent_unless(
        "Scores: per option, how many ballots gave each score."
    )
    mean: dict[str, float | None] = absent_unless(
        "Scores: per option, the mean score (null without ballots)."
    )


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
        "for the others, `signed` for a petition. A ranked choice counts first preferences, "
        "a majority judgment the grades each option received, a score the sum of its "
        "scores, a dot vote its points."
    )
    total: int = Field(description="Ballots cast (a poll ballot may count several options).")
    breakdown: BreakdownOut = absent_unless(
        "Ranked choices, majority judgments and scores: the pairwise matrix, the grades, the "
        "scores' distribution, live as final."
    )
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
    outcome: Outcome = absent_unless("Final results only: what the count decided.")
    closed_at: Timestamp = absent_unless("Final results only: when ballots stopped.")
    tally_mismatch: TallyMismatchOut | None = absent_unless(
        "Final results only: the running tally when it differed from the recount, else null."
    )
    by_proxy: int = absent_unless(
        "Final results only: how many of the ballots counted a proxy's holder cast for its "
        "giver (0 where proxies are not allowed)."
    )

    @classmethod
    def of_results(cls, debate_id: str, results: Results) -> Self:
        """The outcome, the closing and any mismatch only once final."""
        final = (
            {
                "outcome": results.outcome,
                "closed_at": results.closed_at,
                "tally_mismatch": results.tally_mismatch,
                "by_proxy": results.proxy_ballots,
            }
            if results.final
            else {}
        )
        function = results.function
        assert function is not None
        breakdown = outcomes.breakdown(function, results.counts)
        if breakdown is not None:
            final["breakdown"] = breakdown
        return cls.of(
            results,
            debate_id=debate_id,
            counts=outcomes.shown_counts(function, results.counts),
            total=results.counts.ballots,
            **final,
        )


class _Counted(_Marks):
    """A secret ballot as counted: the option keys, and a ranked, graded, scored or dotted
    ballot's own field."""

    choices: list[str] = Field(description=_COUNTED_CHOICES)

    @classmethod
    def of_ballot(cls, ballot: Ballot, **computed: Any) -> Self:
        marks = ballot_fields(ballot) if ballot.form else {}
        return cls.of(ballot, **marks, **computed)


class ReceiptOut(_Counted):
    """A receipt found on a final secret ballot board: counted, and for what."""

    debate_id: str
    receipt: str = Field(description=_RECEIPT)
    counted: Literal[True]


class AnonymousBallotOut(_Counted):
    """One ballot of a secret debate: its receipt and choice, never its voter."""

    receipt: str = Field(description=_RECEIPT)


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
