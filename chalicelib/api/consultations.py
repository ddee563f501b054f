"""/v1/consultations and /v1/groups/{id}/consultations: consultations, their partner
associations and grants."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib.api import representations as show
from chalicelib.api.http import (
    created,
    no_content,
    optional_caller,
    page,
    paging,
    parse_body,
    require_caller,
    route,
)
from chalicelib.api.schemas import (
    CloseRequest,
    ConsultationCreate,
    ConsultationUpdate,
    PartnerInvite,
    RoleChange,
)
from chalicelib.domain import clock
from chalicelib.domain.consultations import ConsultationChanges, invalid
from chalicelib.domain.model import Participation
from chalicelib.services import closing, consultations
from chalicelib.services.consultations import NewConsultation

blueprint = Blueprint(__name__)


def request() -> Request:
    return blueprint.current_request


@route(blueprint, "/groups/{group_id}/consultations", methods=["POST"])
def create_consultation(group_id: str) -> Response:
    caller = require_caller(request())
    body = parse_body(request(), ConsultationCreate)
    new = NewConsultation(
        **body.model_dump(exclude={"audience", "participation"}),
        audience=tuple(body.audience or ()),
        participation=body.participation or Participation.MEMBERS,
    )
    return created(show.consultation(consultations.create(caller, group_id, new), clock.now()))


@route(blueprint, "/groups/{group_id}/consultations", methods=["GET"])
def list_group_consultations(group_id: str) -> dict[str, Any]:
    caller = optional_caller(request())
    result = consultations.list_for_group(caller, group_id, *paging(request()))
    now = clock.now()
    return page([show.consultation(c, now) for c in result.items], result.next)


@route(blueprint, "/consultations", methods=["GET"])
def list_public_consultations() -> dict[str, Any]:
    optional_caller(request())
    if (request().query_params or {}).get("scope") != "public":
        raise invalid("scope", "unsupported", "list with ?scope=public")
    result = consultations.list_public(*paging(request()))
    now = clock.now()
    return page([show.consultation(c, now) for c in result.items], result.next)


@route(blueprint, "/consultations/{consultation_id}", methods=["GET"])
def get_consultation(consultation_id: str) -> dict[str, Any]:
    access = consultations.get(optional_caller(request()), consultation_id)
    return show.consultation(access.consultation, clock.now())


@route(blueprint, "/consultations/{consultation_id}", methods=["PATCH"])
def update_consultation(consultation_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    body = parse_body(request(), ConsultationUpdate)
    sent = body.model_dump(exclude_unset=True)
    changes = ConsultationChanges(
        **{k: v for k, v in sent.items() if k != "audience"},
        audience=tuple(body.audience) if body.audience is not None else None,
        clear_opens_at="opens_at" in sent and sent["opens_at"] is None,
    )
    updated = consultations.update(caller, consultation_id, changes)
    return show.consultation(updated, clock.now())


@route(blueprint, "/consultations/{consultation_id}/publish", methods=["POST"])
def publish_consultation(consultation_id: str) -> dict[str, Any]:
    published = consultations.publish(require_caller(request()), consultation_id)
    return show.consultation(published, clock.now())


@route(blueprint, "/consultations/{consultation_id}/close", methods=["POST"])
def close_consultation(consultation_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    body = parse_body(request(), CloseRequest)
    closed = closing.close(caller, consultation_id, body.reason)
    return show.consultation(closed, clock.now())


@route(blueprint, "/consultations/{consultation_id}/partners", methods=["POST"])
def invite_partner(consultation_id: str) -> Response:
    caller = require_caller(request())
    body = parse_body(request(), PartnerInvite)
    status, new = consultations.invite_partner(caller, consultation_id, body.group_id)
    answer = {"consultation_id": consultation_id, "group_id": body.group_id, "status": status}
    return Response(body=answer, status_code=201 if new else 200)


@route(blueprint, "/consultations/{consultation_id}/partners/{group_id}/accept", methods=["POST"])
def accept_partnership(consultation_id: str, group_id: str) -> Response:
    new = consultations.accept_partnership(require_caller(request()), consultation_id, group_id)
    answer = {"consultation_id": consultation_id, "group_id": group_id, "status": "accepted"}
    return Response(body=answer, status_code=201 if new else 200)


@route(blueprint, "/consultations/{consultation_id}/partners/{group_id}", methods=["DELETE"])
def withdraw_partner(consultation_id: str, group_id: str) -> Response:
    consultations.withdraw_partner(require_caller(request()), consultation_id, group_id)
    return no_content()


@route(blueprint, "/consultations/{consultation_id}/grants", methods=["GET"])
def list_grants(consultation_id: str) -> dict[str, Any]:
    caller = require_caller(request())
    result = consultations.list_grants(caller, consultation_id, *paging(request()))
    return page([show.grant(g) for g in result.items], result.next)


@route(blueprint, "/consultations/{consultation_id}/grants/{user_id}", methods=["PUT"])
def set_grant(consultation_id: str, user_id: str) -> Response:
    caller = require_caller(request())
    body = parse_body(request(), RoleChange)
    grant, new = consultations.set_grant(caller, consultation_id, user_id, body.role)
    return Response(body=show.grant(grant), status_code=201 if new else 200)


@route(blueprint, "/consultations/{consultation_id}/grants/{user_id}", methods=["DELETE"])
def remove_grant(consultation_id: str, user_id: str) -> Response:
    consultations.remove_grant(require_caller(request()), consultation_id, user_id)
    return no_content()
