"""What a consultation publishes (chalicelib/services/publication.py): its final results, as
JSON or as a spreadsheet's rows, and a public consultation's open data. No answer here names
a person: no id, no name, no email (authors are pseudonyms)."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import Field

from chalicelib.api.answers import Answer, Timestamp, absent_unless
from chalicelib.api.answers.deliberation import (
    BreakdownOut,
    Outcome,
    TallyMismatchOut,
)
from chalicelib.domain import outcomes
from chalicelib.domain.ballots import SIGNATURE, VOTE_CHOICES
from chalicelib.domain.deliberation import Stance
from chalicelib.domain.model import (
    ConsultationStatus,
    ConsultationVisibility,
    Debate,
    DecisionFunction,
    FunctionType,
)
from chalicelib.domain.open_data import close_reason, method_rows, outcome_word, winner_of
from chalicelib.services.publication import ConsultationResults, OpenData
from chalicelib.store.results import FinalResult

DecisionType = Literal["vote", "poll", "petition", "ranked", "majority_judgment", "score", "dot"]
_COUNTS = (
    "One figure per option key, zero included, as `GET /debates/{id}/results` shows it: a "
    "vote's, a poll's or a petition's ballots, a ranked choice's first preferences, the "
    "grades a majority judgment's option received, a score's sum, a dot vote's points."
)
_BREAKDOWN = (
    "Ranked choices, majority judgments and scores: the pairwise matrix, the grades per "
    "option, the scores' distribution and means, as `GET /debates/{id}/results` shows them."
)


class OptionOut(Answer):
    """One option a debate counts."""

    key: str = Field(description="As in `counts`.")
    label: str = Field(description="An option's label; a vote's or a petition's: the key.")


def options_of(function: DecisionFunction) -> list[OptionOut]:
    if function.type is FunctionType.VOTE:
        return [OptionOut(key=choice, label=choice) for choice in VOTE_CHOICES]
    if function.type is FunctionType.PETITION:
        return [OptionOut(key=SIGNATURE, label=SIGNATURE)]
    return [OptionOut(key=option.id, label=option.label) for option in function.options]


def figures(function: DecisionFunction, result: FinalResult) -> dict[str, Any]:
    """A final result's `counts` (one figure per option) and `breakdown`, when its method
    has one: what the debate's own results show (`ResultsOut`), from the same recount."""
    shown: dict[str, Any] = {"counts": outcomes.shown_counts(function, result.counts)}
    breakdown = outcomes.breakdown(function, result.counts)
    if breakdown is not None:
        shown["breakdown"] = breakdown
    return shown


class ResultsConsultationOut(Answer):
    """The consultation whose results these are."""

    id: str
    title: str
    host_group_id: str
    host_group_name: str
    visibility: ConsultationVisibility
    opens_at: Timestamp | None
    closes_at: Timestamp
    closed_at: Timestamp = Field(description="When ballots stopped.")
    close_reason: Literal["schedule", "closed_early"]
    finalised_at: Timestamp


class DebateResultOut(Answer):
    """One decision's final result: the recount the closer wrote."""

    id: str
    title: str
    type: DecisionType
    secret: bool
    options: list[OptionOut]
    counts: dict[str, int] = Field(description=_COUNTS)
    breakdown: BreakdownOut = absent_unless(_BREAKDOWN)
    ballots: int = Field(description="The turnout.")
    outcome: Outcome
    tally_mismatch: TallyMismatchOut | None

    @classmethod
    def of_result(cls, debate: Debate, result: FinalResult) -> Self:
        return cls(
            id=debate.id,
            title=debate.title,
            type=debate.function.type.value,  # type: ignore[arg-type]
            secret=debate.function.secret,
            options=options_of(debate.function),
            **figures(debate.function, result),
            ballots=result.counts.ballots,
            outcome=result.outcome,  # type: ignore[arg-type]
            tally_mismatch=result.tally_mismatch,  # type: ignore[arg-type]
        )


class ConsultationResultsOut(Answer):
    """A finalised consultation's results: every debate that decided something."""

    consultation: ResultsConsultationOut
    debates: list[DebateResultOut] = Field(description="Those that decide something.")

    @classmethod
    def of_results(cls, found: ConsultationResults) -> Self:
        c = found.consultation
        assert c.finalised_at is not None
        return cls(
            consultation=ResultsConsultationOut(
                id=c.id,
                title=c.title,
                host_group_id=c.group_id,
                host_group_name=found.host.name if found.host else c.group_id,
                visibility=c.visibility,
                opens_at=c.opens_at,
                closes_at=c.closes_at,
                closed_at=c.ends_at,
                close_reason=close_reason(c),  # type: ignore[arg-type]
                finalised_at=c.finalised_at,
            ),
            debates=[DebateResultOut.of_result(d.debate, d.result) for d in found.debates],
        )


CSV_HEADER = (
    "consultation_id",
    "consultation_title",
    "debate_id",
    "debate_title",
    "decision_type",
    "option",
    "option_label",
    "count",
    "ballots",
    "outcome",
    "quorum",
    "threshold",
    "closed_at",
    "close_reason",
    "finalised_at",
    "tally_mismatch",
    # Added with the decision methods of issue 19, after the columns above, which keep their
    # place (see `domain.open_data.method_rows`).
    "figure",
    "round_result",
    "tie_break",
    "exhausted",
    "rank",
    "majority_grade",
    "mean",
    "winner",
)


def csv_rows(answer: ConsultationResultsOut) -> list[list[Any]]:
    """Rows per debate, from the JSON answer, so both say the same figures: one per option,
    then a ranked choice's rounds and each breakdown's figures (`method_rows`)."""
    c = answer.consultation
    data = answer.model_dump(mode="json")
    rows = []
    for debate, shown in zip(answer.debates, data["debates"], strict=True):
        outcome = shown["outcome"]
        labels = {option.key: option.label for option in debate.options}
        winner = winner_of(debate.type, outcome)
        for row in method_rows(debate.type, list(labels), shown):
            rows.append(
                [
                    c.id,
                    c.title,
                    debate.id,
                    debate.title,
                    debate.type,
                    row.option,
                    labels[row.option],
                    row.count,
                    debate.ballots,
                    outcome_word(outcome),
                    outcome.get("quorum"),
                    outcome.get("threshold"),
                    data["consultation"]["closed_at"],
                    c.close_reason,
                    data["consultation"]["finalised_at"],
                    debate.tally_mismatch is not None,
                    row.figure,
                    row.round_result,
                    row.tie_break,
                    row.exhausted,
                    row.rank,
                    row.majority_grade,
                    row.mean,
                    labels[winner] if winner is not None else None,
                ]
            )
    return rows


# ---------------------------------------------------------------- open data


class LicenceOut(Answer):
    name: str
    url: str


class OpenConsultationOut(Answer):
    id: str
    title: str
    description: str
    host_group_name: str
    opens_at: Timestamp | None
    closes_at: Timestamp
    closed_at: Timestamp | None = Field(description="An early close.")
    status: ConsultationStatus


class PublishedResultOut(Answer):
    """A decision's final result."""

    counts: dict[str, int] = Field(description=_COUNTS)
    breakdown: BreakdownOut = absent_unless(_BREAKDOWN)
    ballots: int
    outcome: Outcome
    tally_mismatch: TallyMismatchOut | None


class OpenDebateOut(Answer):
    id: str
    title: str
    body: str
    type: DecisionType | Literal["none"]
    options: list[OptionOut]
    result: PublishedResultOut | None = Field(description="Null until final.")


class ArgumentOut(Answer):
    """An argument or a reply, its author a pseudonym."""

    id: str
    debate_id: str
    parent_id: str | None
    stance: Stance
    body: str
    created_at: Timestamp
    author: str = Field(description="A pseudonym, the same within this consultation.")


class OpenDataOut(Answer):
    """A public consultation as open data: what was debated and decided, by whom never."""

    format: Literal["hub-open-data-1"]
    licence: LicenceOut
    generated_at: Timestamp
    consultation: OpenConsultationOut
    debates: list[OpenDebateOut]
    arguments: list[ArgumentOut]
    truncated: bool = Field(description="True: over 5,000 comments, `arguments` is cut.")

    @classmethod
    def of_open_data(cls, found: OpenData) -> Self:
        c = found.consultation
        return cls(
            format="hub-open-data-1",
            licence=LicenceOut(name=found.licence, url=found.licence_url),
            generated_at=found.generated_at,
            consultation=OpenConsultationOut(
                id=c.id,
                title=c.title,
                description=c.description,
                host_group_name=found.host.name if found.host else c.group_id,
                opens_at=c.opens_at,
                closes_at=c.closes_at,
                closed_at=c.closed_at,
                status=c.status_at(found.generated_at),
            ),
            debates=[
                OpenDebateOut(
                    id=d.debate.id,
                    title=d.debate.title,
                    body=d.debate.body,
                    type=d.debate.function.type.value,
                    options=options_of(d.debate.function),
                    result=_published(d.debate.function, d.result),
                )
                for d in found.debates
            ],
            arguments=[
                ArgumentOut(
                    id=a.comment.id,
                    debate_id=a.comment.debate_id,
                    parent_id=a.comment.parent_id,
                    stance=a.comment.stance,
                    body=a.comment.body,
                    created_at=a.comment.created_at,
                    author=a.author,
                )
                for a in found.arguments
            ],
            truncated=found.truncated,
        )


ARGUMENTS_HEADER = (
    "consultation_id",
    "debate_id",
    "argument_id",
    "parent_id",
    "stance",
    "created_at",
    "author",
    "body",
)


def argument_rows(answer: OpenDataOut) -> list[list[Any]]:
    """Open data's arguments, one row each, from the JSON document: the same values."""
    data = answer.model_dump(mode="json")
    return [
        [
            answer.consultation.id,
            a["debate_id"],
            a["id"],
            a["parent_id"],
            a["stance"],
            a["created_at"],
            a["author"],
            a["body"],
        ]
        for a in data["arguments"]
    ]


def _published(function: DecisionFunction, result: FinalResult | None) -> PublishedResultOut | None:
    if result is None:
        return None
    return PublishedResultOut(
        **figures(function, result),
        ballots=result.counts.ballots,
        outcome=result.outcome,  # type: ignore[arg-type]
        tally_mismatch=result.tally_mismatch,  # type: ignore[arg-type]
    )
