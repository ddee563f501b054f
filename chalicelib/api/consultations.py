"""/v1/consultations and /v1/groups/{id}/consultations: consultations, their partner
associations and grants."""

from __future__ import annotations

from typing import Any, Literal

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, Field

from chalicelib.api import representations as show
from chalicelib.api.answers.consultations import (
    ConsultationOut,
    ConsultationPage,
    GrantOut,
    GrantPage,
    PartnershipOut,
)
from chalicelib.api.contract import Auth
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
from chalicelib.domain.consultations import ConsultationChanges
from chalicelib.domain.errors import (
    AlreadyPublished,
    ConcurrentUpdate,
    ConsultationClosed,
    ConsultationLocked,
    ConsultationNotFound,
    Forbidden,
    GrantNotFound,
    GroupNotFound,
    NotOpen,
    PartnershipNotFound,
    ValidationFailed,
    invalid,
)
from chalicelib.domain.model import Participation
from chalicelib.services import closing, consultations, grants
from chalicelib.services.consultations import NewConsultation

blueprint = Blueprint(__name__)


def request() -> Request:
    return blueprint.current_request


class PublicListing(BaseModel):
    scope: Literal["public"] = Field(
        description="`public`: the open and scheduled public consultations of every "
        "association (the only listing for now)."
    )


@route(
    blueprint,
    "/groups/{group_id}/consultations",
    methods=["POST"],
    body=ConsultationCreate,
    answers={201: ConsultationOut},
    errors=(GroupNotFound, Forbidden, ConcurrentUpdate),
)
def create_consultation(group_id: str) -> Response:
    """Prepare a consultation in an association (its authors and above).

    It stays a draft, seen by its editors only, until published. A restricted consultation
    names its `audience`; `participation` applies to public ones."""
    caller = require_caller(request())
    body = parse_body(request(), ConsultationCreate)
    new = NewConsultation(
        **body.model_dump(exclude={"audience", "participation"}),
        audience=tuple(body.audience or ()),
        participation=body.participation or Participation.MEMBERS,
    )
    return created(show.consultation(consultations.create(caller, group_id, new), clock.now()))


@route(
    blueprint,
    "/groups/{group_id}/consultations",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    paged=True,
    answers={200: ConsultationPage},
    errors=(GroupNotFound,),
)
def list_group_consultations(group_id: str) -> dict[str, Any]:
    """The consultations an association hosts or shares as a partner, as far as you may see.

    Newest first. Drafts appear to their editors only; restricted and members-only
    consultations to those inside."""
    caller = optional_caller(request())
    result = consultations.list_for_group(caller, group_id, *paging(request()))
    now = clock.now()
    return page([show.consultation(c, now) for c in result.items], result.next)


@route(
    blueprint,
    "/consultations",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    query=PublicListing,
    paged=True,
    answers={200: ConsultationPage},
)
def list_public_consultations() -> dict[str, Any]:
    """The open and scheduled public consultations of every association (anyone).

    Newest first; `?scope=public` is required."""
    optional_caller(request())
    if (request().query_params or {}).get("scope") != "public":
        raise invalid("scope", "unsupported.scope")
    result = consultations.list_public(*paging(request()))
    now = clock.now()
    return page([show.consultation(c, now) for c in result.items], result.next)


@route(
    blueprint,
    "/consultations/{consultation_id}",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: ConsultationOut},
    errors=(ConsultationNotFound,),
)
def get_consultation(consultation_id: str) -> dict[str, Any]:
    """A consultation, for whoever may see it (anyone, if it is public and published)."""
    access = consultations.get(optional_caller(request()), consultation_id)
    return show.consultation(access.consultation, clock.now())


@route(
    blueprint,
    "/consultations/{consultation_id}",
    methods=["PATCH"],
    body=ConsultationUpdate,
    answers={200: ConsultationOut},
    errors=(
        ConsultationNotFound,
        Forbidden,
        ConsultationClosed,
        ConsultationLocked,
        ConcurrentUpdate,
    ),
)
def update_consultation(consultation_id: str) -> dict[str, Any]:
    """Change a consultation (its creator, the host's admins, granted admins).

    A draft may change entirely; `"opens_at": null` makes it open on publication. Once
    published, only the description may change and `closes_at` move later (409
    consultation_locked); nothing changes once closed."""
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


@route(
    blueprint,
    "/consultations/{consultation_id}/publish",
    methods=["POST"],
    answers={200: ConsultationOut},
    errors=(
        ConsultationNotFound,
        Forbidden,
        AlreadyPublished,
        ValidationFailed,
        ConcurrentUpdate,
    ),
)
def publish_consultation(consultation_id: str) -> dict[str, Any]:
    """Publish a draft (its creator, the host's admins, granted admins).

    It opens at once, or is scheduled until `opens_at`. Refused (422) when its dates have
    passed."""
    published = consultations.publish(require_caller(request()), consultation_id)
    return show.consultation(published, clock.now())


@route(
    blueprint,
    "/consultations/{consultation_id}/close",
    methods=["POST"],
    body=CloseRequest,
    answers={200: ConsultationOut},
    errors=(ConsultationNotFound, Forbidden, ConsultationClosed, NotOpen, ConcurrentUpdate),
)
def close_consultation(consultation_id: str) -> dict[str, Any]:
    """Close an open consultation now, with a reason (the host's admins).

    Ballots stop at once; the final results follow after a grace period."""
    caller = require_caller(request())
    body = parse_body(request(), CloseRequest)
    closed = closing.close(caller, consultation_id, body.reason)
    return show.consultation(closed, clock.now())


@route(
    blueprint,
    "/consultations/{consultation_id}/partners",
    methods=["POST"],
    body=PartnerInvite,
    answers={201: PartnershipOut, 200: PartnershipOut},
    errors=(ConsultationNotFound, Forbidden, GroupNotFound, ConcurrentUpdate),
)
def invite_partner(consultation_id: str) -> Response:
    """Invite another association to share the consultation (the host's admins).

    201 when newly invited; 200 with its current status when it already was."""
    caller = require_caller(request())
    body = parse_body(request(), PartnerInvite)
    status, new = consultations.invite_partner(caller, consultation_id, body.group_id)
    answer = {"consultation_id": consultation_id, "group_id": body.group_id, "status": status}
    return Response(body=answer, status_code=201 if new else 200)


@route(
    blueprint,
    "/consultations/{consultation_id}/partners/{group_id}/accept",
    methods=["POST"],
    answers={201: PartnershipOut, 200: PartnershipOut},
    errors=(GroupNotFound, Forbidden, PartnershipNotFound, ConcurrentUpdate),
)
def accept_partnership(consultation_id: str, group_id: str) -> Response:
    """Accept an invitation to share a consultation (the invited association's admins).

    Its members are then inside, as partners. 201 when accepted now; 200 when it already
    was."""
    new = consultations.accept_partnership(require_caller(request()), consultation_id, group_id)
    answer = {"consultation_id": consultation_id, "group_id": group_id, "status": "accepted"}
    return Response(body=answer, status_code=201 if new else 200)


@route(
    blueprint,
    "/consultations/{consultation_id}/partners/{group_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(ConsultationNotFound, Forbidden, PartnershipNotFound, ConcurrentUpdate),
)
def withdraw_partner(consultation_id: str, group_id: str) -> Response:
    """End a partnership, pending or accepted (the host's admins, or the partner's admins)."""
    consultations.withdraw_partner(require_caller(request()), consultation_id, group_id)
    return no_content()


@route(
    blueprint,
    "/consultations/{consultation_id}/grants",
    methods=["GET"],
    paged=True,
    answers={200: GrantPage},
    errors=(ConsultationNotFound, Forbidden),
)
def list_grants(consultation_id: str) -> dict[str, Any]:
    """The roles given to people in this consultation (the host's admins)."""
    caller = require_caller(request())
    result = grants.list_grants(caller, consultation_id, *paging(request()))
    return page([show.grant(g) for g in result.items], result.next)


@route(
    blueprint,
    "/consultations/{consultation_id}/grants/{user_id}",
    methods=["PUT"],
    body=RoleChange,
    answers={201: GrantOut, 200: GrantOut},
    errors=(ConsultationNotFound, Forbidden, ConcurrentUpdate),
)
def set_grant(consultation_id: str, user_id: str) -> Response:
    """Give one person a role in this consultation (the host's admins).

    Member of the host association or not. 201 when newly granted; 200 when their grant
    changed or already had this role."""
    caller = require_caller(request())
    body = parse_body(request(), RoleChange)
    grant, new = grants.set_grant(caller, consultation_id, user_id, body.role)
    return Response(body=show.grant(grant), status_code=201 if new else 200)


@route(
    blueprint,
    "/consultations/{consultation_id}/grants/{user_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(ConsultationNotFound, Forbidden, GrantNotFound, ConcurrentUpdate),
)
def remove_grant(consultation_id: str, user_id: str) -> Response:
    """Take back a person's role in this consultation (the host's admins)."""
    grants.remove_grant(require_caller(request()), consultation_id, user_id)
    return no_content()
