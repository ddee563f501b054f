"""/v1/debates/{id}/ballot and /v1/debates/{id}/results."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api.http import no_content, optional_caller, parse_body, require_caller, route
from chalicelib.api.schemas import BallotBody
from chalicelib.domain.ballots import Ballot
from chalicelib.domain.clock import to_iso
from chalicelib.domain.errors import InvalidBallot
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


@route(blueprint, "/debates/{debate_id}/ballot", methods=["PUT"])
def cast_ballot(debate_id: str) -> Response:
    caller = require_caller(request())
    body = parse_body(request(), BallotBody, invalid=InvalidBallot)
    result = ballots.cast(caller, debate_id, **body.model_dump())
    answer: dict[str, Any] = {"debate_id": debate_id, "cast_at": to_iso(result.cast_at)}
    if result.secret:
        answer |= {"secret": True, "receipt": result.receipt}
    else:
        answer |= {"secret": False} | shown_choice(result.function, result.ballot)
    return Response(body=answer, status_code=201 if result.created else 200)


@route(blueprint, "/debates/{debate_id}/ballot", methods=["GET"])
def get_ballot(debate_id: str) -> dict[str, Any]:
    seen, marker = ballots.my_ballot(require_caller(request()), debate_id)
    answer: dict[str, Any] = {
        "debate_id": debate_id,
        "cast_at": to_iso(marker.cast_at),
        "changed_at": to_iso(marker.changed_at) if marker.changed_at else None,
    }
    if marker.ballot is None:  # secret: the Hub keeps no link to the choice or the receipt
        return answer | {"secret": True, "receipt": None}
    return answer | {"secret": False} | shown_choice(seen.debate.function, marker.ballot)


@route(blueprint, "/debates/{debate_id}/ballot", methods=["DELETE"])
def withdraw_ballot(debate_id: str) -> Response:
    ballots.withdraw(require_caller(request()), debate_id)
    return no_content()


@route(blueprint, "/debates/{debate_id}/results", methods=["GET"])
def get_results(debate_id: str) -> dict[str, Any]:
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


@route(blueprint, "/debates/{debate_id}/receipts/{receipt}", methods=["GET"])
def check_receipt(debate_id: str, receipt: str) -> dict[str, Any]:
    ballot = ballots.check_receipt(optional_caller(request()), debate_id, receipt)
    return {"debate_id": debate_id, "receipt": receipt, "counted": True, "choices": ballot.choices}


@route(blueprint, "/debates/{debate_id}/ballots", methods=["GET"])
def ballot_board(debate_id: str) -> dict[str, Any]:
    """The anonymous ballot board of a secret debate, once final: receipts and choices."""
    _, board = ballots.ballot_board(optional_caller(request()), debate_id)
    items = [{"receipt": receipt, "choices": list(b.choices)} for receipt, b in board]
    return {"items": items, "next": None}
