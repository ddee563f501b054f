"""/v1/debates/{id}/ballot and /v1/debates/{id}/results."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.answers.deliberation import (
    AnonymousBallotOut,
    BallotBoardPage,
    BallotOut,
    CastBallotOut,
    ReceiptOut,
    ResultsOut,
)
from chalicelib.api.contract import Auth
from chalicelib.api.http import Answered, route
from chalicelib.api.schemas import BallotBody, BallotQuery
from chalicelib.domain.errors import (
    AlreadyVoted,
    BallotNotFound,
    Blocked,
    ConcurrentUpdate,
    ConsultationClosed,
    DebateNotFound,
    InvalidBallot,
    NotEligible,
    NotOpen,
    NotProxyHolder,
    NotSecret,
    ReceiptNotFound,
    ResultsHidden,
)
from chalicelib.domain.model import Caller
from chalicelib.services import ballots

blueprint = Blueprint(__name__)


@route(
    blueprint,
    "/debates/{debate_id}/ballot",
    methods=["PUT"],
    body=BallotBody,
    invalid=InvalidBallot,
    answers={200: CastBallotOut, 201: CastBallotOut},
    errors=(
        DebateNotFound,
        InvalidBallot,
        NotOpen,
        ConsultationClosed,
        Blocked,
        NotEligible,
        NotProxyHolder,
        AlreadyVoted,
        ConcurrentUpdate,
    ),
)
def cast_ballot(caller: Caller, debate_id: str, body: BallotBody) -> Answered:
    """Vote, answer a poll or sign a petition, while the consultation is open (those who
    may take part in it).

    One person, one ballot: the first answers 201; sending the same ballot again answers
    200 and changes nothing; a different one changes the ballot when the debate allows
    changes (else 409 `already_voted`). The body must fit the debate's decision (422
    `invalid_ballot`, naming the field).

    A secret ballot is cast once and never changes, whatever `allow_change` says: the
    answer carries its receipt (128 random bits; or send your own in `receipt`, 22 to 64 of
    `A-Z a-z 0-9 - _`, so that a retry keeps it) and never the choice. Sent again, only the
    same choice with the same receipt answers 200 with that receipt; anything else is 409
    `already_voted`. A receipt another ballot already holds is 422 `invalid_ballot` (field
    `receipt`): send another.

    With `"for": a giver's id`, the holder of their proxy for this consultation votes for
    them (403 `not_proxy_holder` otherwise; 403 `not_eligible` if the giver may no longer
    take part): the ballot is the giver's, and the answer says `for`. The giver's own
    ballot always wins: once they voted, the holder's is 409 `already_voted`, and their
    own replaces the holder's whatever `allow_change` says; except in a secret debate,
    where the Hub cannot tell which anonymous ballot was the proxy's (their own is then 409
    `already_voted`)."""
    result = ballots.cast(caller, debate_id, **body.model_dump())
    return Answered(201 if result.created else 200, CastBallotOut.of_cast(debate_id, result))


@route(
    blueprint,
    "/debates/{debate_id}/ballot",
    methods=["GET"],
    query=BallotQuery,
    answers={200: BallotOut},
    errors=(DebateNotFound, BallotNotFound, NotProxyHolder),
)
def get_ballot(caller: Caller, debate_id: str, query: BallotQuery) -> BallotOut:
    """Your own ballot in a debate (anyone who sees the debate; 404 if you cast none).

    For a secret ballot, only that and when you voted: the Hub keeps no link between you
    and your receipt or choice. `?for=` a giver whose proxy you hold: the ballot you cast
    for them (404 if none; not theirs, once they voted themselves)."""
    seen, marker = ballots.my_ballot(caller, debate_id, query.for_)
    return BallotOut.of_marker(
        marker, seen.debate.function, query.for_ if query.for_ != caller.id else None
    )


@route(
    blueprint,
    "/debates/{debate_id}/ballot",
    methods=["DELETE"],
    answers={204: None},
    errors=(
        DebateNotFound,
        InvalidBallot,
        NotOpen,
        ConsultationClosed,
        Blocked,
        NotEligible,
        BallotNotFound,
        AlreadyVoted,
        ConcurrentUpdate,
    ),
)
def withdraw_ballot(caller: Caller, debate_id: str) -> None:
    """Withdraw your ballot or signature while the consultation is open, where the debate
    allows changes (voters who may still take part).

    A secret ballot, or one the debate does not let change, cannot be withdrawn (409
    `already_voted`); a debate without a decision answers 422 `invalid_ballot`."""
    ballots.withdraw(caller, debate_id)


@route(
    blueprint,
    "/debates/{debate_id}/results",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: ResultsOut},
    errors=(DebateNotFound, ResultsHidden),
)
def get_results(caller: Caller | None, debate_id: str) -> ResultsOut:
    """A debate's results (anyone who sees the debate, when its results are visible).

    The final results, with their outcome, once the consultation is closed and recounted;
    before that the running tally, if the debate shows it: live, after the caller voted, or
    after closing (else 403 `results_hidden`, for admins too). A debate without a decision
    has no results."""
    return ResultsOut.of_results(debate_id, ballots.results(caller, debate_id))


@route(
    blueprint,
    "/debates/{debate_id}/receipts/{receipt}",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: ReceiptOut},
    errors=(DebateNotFound, NotSecret, ResultsHidden, ReceiptNotFound),
)
def check_receipt(caller: Caller | None, debate_id: str, receipt: str) -> ReceiptOut:
    """Check that a secret ballot was counted, by its receipt, once the final results are in
    (anyone who sees the debate).

    Answers the choice counted under this receipt; 404 `receipt_not_found` if none was."""
    ballot = ballots.check_receipt(caller, debate_id, receipt)
    return ReceiptOut.of_ballot(ballot, debate_id=debate_id, receipt=receipt, counted=True)


@route(
    blueprint,
    "/debates/{debate_id}/ballots",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: BallotBoardPage},
    errors=(DebateNotFound, NotSecret, ResultsHidden),
)
def ballot_board(caller: Caller | None, debate_id: str) -> BallotBoardPage:
    """The anonymous ballot board of a secret debate, once the final results are in
    (anyone who sees the debate).

    Every ballot counted, as its receipt and choice, ordered by receipt; never its voter.
    One page: `next` is always null."""
    _, board = ballots.ballot_board(caller, debate_id)
    items = [AnonymousBallotOut.of_ballot(ballot, receipt=receipt) for receipt, ballot in board]
    return BallotBoardPage(items=items, next=None)
