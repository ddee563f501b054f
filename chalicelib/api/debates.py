"""/v1/consultations/{id}/debates and /v1/debates/{id}."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api import representations as show
from chalicelib.api.http import (
    created,
    optional_caller,
    page,
    paging,
    parse_body,
    require_caller,
    route,
)
from chalicelib.api.schemas import DebateCreate, DebateUpdate, to_function
from chalicelib.domain import clock
from chalicelib.domain.model import Stance
from chalicelib.services import comments, debates

blueprint = Blueprint(__name__)


def request() -> Request:
    return blueprint.current_request


@route(blueprint, "/consultations/{consultation_id}/debates", methods=["POST"])
def create_debate(consultation_id: str) -> Response:
    caller = require_caller(request())
    body = parse_body(request(), DebateCreate)
    debate, parent = debates.create(
        caller,
        consultation_id,
        title=body.title,
        body=body.body,
        function=to_function(body.function),
    )
    no_comments = {stance.value: 0 for stance in Stance}
    return created(show.debate(debate, parent, clock.now()) | {"comments": no_comments})


@route(blueprint, "/consultations/{consultation_id}/debates", methods=["GET"])
def list_debates(consultation_id: str) -> dict[str, Any]:
    caller = optional_caller(request())
    parent, result = debates.list_debates(caller, consultation_id, *paging(request()))
    now = clock.now()
    counts = comments.stance_counts([d.id for d in result.items])
    items = [show.debate(d, parent, now) | {"comments": counts[d.id]} for d in result.items]
    return page(items, result.next)


@route(blueprint, "/debates/{debate_id}", methods=["GET"])
def get_debate(debate_id: str) -> dict[str, Any]:
    access = debates.get(optional_caller(request()), debate_id)
    counts = comments.stance_counts([debate_id])[debate_id]
    return show.debate(access.debate, access.consultation, clock.now()) | {"comments": counts}


@route(blueprint, "/debates/{debate_id}", methods=["PATCH"])
def update_debate(debate_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    body = parse_body(request(), DebateUpdate)
    changes = debates.DebateChanges(
        title=body.title,
        body=body.body,
        function=to_function(body.function) if body.function is not None else None,
    )
    access = debates.update(caller, debate_id, changes)
    counts = comments.stance_counts([debate_id])[debate_id]
    return show.debate(access.debate, access.consultation, clock.now()) | {"comments": counts}
