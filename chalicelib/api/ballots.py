"""/v1/debates/{id}/ballot and /v1/debates/{id}/results."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.answers.deliberation import (
    BallotBoardPage,
    BallotOut,
    CastBallotOut,
    ReceiptOut,
    ResultsOut,
)
from chalicelib.api.contract import Auth
from chalicelib.api.http import no_content, optional_caller, parse_body, require_caller, route
from chalicelib.api.schemas import BallotBody
from chalicelib.domain.ballots import Ballot
from chalicelib.domain.clock import to_iso
from chalicelib.domain.errors import (
    AlreadyVoted,
    BallotNotFound,
    Blocked,
    ConcurrentUpdate,
    DebateNotFound,
    InvalidBallot,
    NotEligible,
    NotOpen,
    NotSecret,
    ReceiptNotFound,
    ResultsHidden,
)
from chalicelib.domain.model import DecisionFunction, FunctionType
from chalicelib.services import ballots

blueprint = Blueprint(__name__)


def request() -> Request:
    return blueprint.current_request


def shown_choice(function: DecisionFunction, ballot: Ballot) -> dict[str, Any]:
    """A ballot as its voter sent it. Never used for secret ballots."""
    if function.type is FunctionType.VOTE:
        return {"choice": ballot.choices[0]}
    if function.type is FunctionType.POLL:
        return {"choices": list(ballot.choices)}
    return {"sign": True}


@route(
    blueprint,
    "/debates/{debate_id}/ballot",
    methods=["PUT"],
    body=BallotBody,
    answers={200: CastBallotOut, 201: CastBallotOut},
    errors=(
        DebateNotFound,
        InvalidBallot,
        NotOpen,
        Blocked,
        NotEligible,
        AlreadyVoted,
        ConcurrentUpdate,
    ),
)
def cast_ballot(debate_id: str) -> Response:
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
    `receipt`): send another."""
    caller = require_caller(request())
    body = parse_body(request(), BallotBody, invalid=InvalidBallot)
    result = ballots.cast(caller, debate_id, **body.model_dump())
    answer: dict[str, Any] = {"debate_id": debate_id, "cast_at": to_iso(result.cast_at)}
    if result.secret:
        answer |= {"secret": True, "receipt": result.receipt}
    else:
        answer |= {"secret": False} | shown_choice(result.function, result.ballot)
    return Response(body=answer, status_code=201 if result.created else 200)


@route(
    blueprint,
    "/debates/{debate_id}/ballot",
    methods=["GET"],
    answers={200: BallotOut},
    errors=(DebateNotFound, BallotNotFound),
)
def get_ballot(debate_id: str) -> dict[str, Any]:
    """Your own ballot in a debate (anyone who sees the debate; 404 if you cast none).

    For a secret ballot, only that and when you voted: the Hub keeps no link between you
    and your receipt or choice."""
    seen, marker = ballots.my_ballot(require_caller(request()), debate_id)
    answer: dict[str, Any] = {
        "debate_id": debate_id,
        "cast_at": to_iso(marker.cast_at),
        "changed_at": to_iso(marker.changed_at) if marker.changed_at else None,
    }
    if marker.ballot is None:  # secret: the Hub keeps no link to the choice or the receipt
        return answer | {"secret": True, "receipt": None}
    return answer | {"secret": False} | shown_choice(seen.debate.function, marker.ballot)


@route(
    blueprint,
    "/debates/{debate_id}/ballot",
    methods=["DELETE"],
    answers={204: None},
    errors=(
        DebateNotFound,
        InvalidBallot,
        NotOpen,
        Blocked,
        NotEligible,
        BallotNotFound,
        AlreadyVoted,
        ConcurrentUpdate,
    ),
)
def withdraw_ballot(debate_id: str) -> Response:
    """Withdraw your ballot or signature while the consultation is open, where the debate
    allows changes (voters who may still take part).

    A secret ballot, or one the debate does not let change, cannot be withdrawn (409
    `already_voted`); a debate without a decision answers 422 `invalid_ballot`."""
    ballots.withdraw(require_caller(request()), debate_id)
    return no_content()


@route(
    blueprint,
    "/debates/{debate_id}/results",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: ResultsOut},
    errors=(DebateNotFound, ResultsHidden),
)
def get_results(debate_id: str) -> dict[str, Any]:
    """A debate's results (anyone who sees the debate, when its results are visible).

    The final results, with their outcome, once the consultation is closed and recounted;
    before that the running tally, if the debate shows it: live, after the caller voted, or
    after closing (else 403 `results_hidden`, for admins too). A debate without a decision
    has no results."""
    result = ballots.results(optional_caller(request()), debate_id)
    answer = {
        "debate_id": debate_id,
        "counts": result.counts.per_option,
        "total": result.counts.ballots,
        "final": result.final,
        "as_of": to_iso(result.as_of) if result.as_of else None,
    }
    if result.final:
        answer |= {
            "outcome": result.outcome,
            "closed_at": to_iso(result.closed_at) if result.closed_at else None,
            "tally_mismatch": result.tally_mismatch,
        }
    return answer


@route(
    blueprint,
    "/debates/{debate_id}/receipts/{receipt}",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: ReceiptOut},
    errors=(DebateNotFound, NotSecret, ResultsHidden, ReceiptNotFound),
)
def check_receipt(debate_id: str, receipt: str) -> dict[str, Any]:
    """Check that a secret ballot was counted, by its receipt, once the final results are in
    (anyone who sees the debate).

    Answers the choice counted under this receipt; 404 `receipt_not_found` if none was."""
    ballot = ballots.check_receipt(optional_caller(request()), debate_id, receipt)
    return {"debate_id": debate_id, "receipt": receipt, "counted": True, "choices": ballot.choices}


@route(
    blueprint,
    "/debates/{debate_id}/ballots",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: BallotBoardPage},
    errors=(DebateNotFound, NotSecret, ResultsHidden),
)
def ballot_board(debate_id: str) -> dict[str, Any]:
    """The anonymous ballot board of a secret debate, once the final results are in
    (anyone who sees the debate).

    Every ballot counted, as its receipt and choice, ordered by receipt; never its voter.
    One page: `next` is always null."""
    _, board = ballots.ballot_board(optional_caller(request()), debate_id)
    items = [{"receipt": receipt, "choices": list(b.choices)} for receipt, b in board]
    return {"items": items, "next": None}
