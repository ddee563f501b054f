"""/v1/consultations and /v1/groups/{id}/consultations: consultations, their partner
associations and grants."""

from __future__ import annotations

from typing import Any, Literal

from chalice import Blueprint, Response
from pydantic import BaseModel, Field

from chalicelib.api.answers.consultations import (
    ConsultationOut,
    ConsultationPage,
    GrantOut,
    GrantPage,
    PartnershipOut,
)
from chalicelib.api.answers.results_export import (
    ARGUMENTS_HEADER,
    CSV_HEADER,
    ConsultationResultsOut,
    OpenDataOut,
    argument_rows,
    csv_rows,
)
from chalicelib.api.contract import Auth
from chalicelib.api.http import Answered, Paging, route
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
    NotPublic,
    PartnershipNotFound,
    ResultsNotFinal,
    ValidationFailed,
)
from chalicelib.domain.groups import Group
from chalicelib.domain.model import Caller, Participation, PartnerStatus, Proxies
from chalicelib.domain.open_data import csv_document
from chalicelib.services import consultations, grants, publication
from chalicelib.services.access import ConsultationAccess
from chalicelib.services.consultations import NewConsultation

blueprint = Blueprint(__name__)


def _answer(access: ConsultationAccess) -> ConsultationOut:
    """One consultation, with its host association (read now unless the access holds it)
    and what the caller may do to it."""
    known = [access.host] if access.host is not None else []
    consultation = access.consultation
    found = consultations.hosts([consultation], known=known)[consultation.group_id]
    return ConsultationOut.at(consultation, clock.now(), found, access)


def _page(result: Any, hosts: dict[str, Group]) -> ConsultationPage:
    """A page of consultations (`result.items`, `result.next`), each with its host."""
    now = clock.now()
    items = [ConsultationOut.at(c, now, hosts[c.group_id]) for c in result.items]
    return ConsultationPage.of(result, items=items)


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
def create_consultation(caller: Caller, group_id: str, body: ConsultationCreate) -> ConsultationOut:
    """Prepare a consultation in an association (its authors and above).

    It stays a draft, seen by its editors only, until published. A restricted consultation
    names its `audience`; `participation` applies to public ones."""
    new = NewConsultation(
        **body.model_dump(exclude={"audience", "participation", "proxies"}),
        audience=tuple(body.audience or ()),
        participation=body.participation or Participation.MEMBERS,
        proxies=Proxies(**body.proxies.model_dump()) if body.proxies else Proxies(),
    )
    return _answer(consultations.create(caller, group_id, new))


@route(
    blueprint,
    "/groups/{group_id}/consultations",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    paged=True,
    answers={200: ConsultationPage},
    errors=(GroupNotFound,),
)
def list_group_consultations(
    caller: Caller | None, group_id: str, paging: Paging
) -> ConsultationPage:
    """The consultations an association hosts or shares as a partner, as far as you may see.

    Newest first. Drafts appear to their editors only; restricted and members-only
    consultations to those inside."""
    result, hosts = consultations.list_for_group(caller, group_id, paging.limit, paging.cursor)
    return _page(result, hosts)


@route(
    blueprint,
    "/consultations",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    query=PublicListing,
    paged=True,
    answers={200: ConsultationPage},
)
def list_public_consultations(
    caller: Caller | None, query: PublicListing, paging: Paging
) -> ConsultationPage:
    """The open and scheduled public consultations of every association (anyone).

    Newest first; `?scope=public` is required."""
    del caller, query  # the same for everyone; `scope` has one value for now
    result, hosts = consultations.list_public(paging.limit, paging.cursor)
    return _page(result, hosts)


@route(
    blueprint,
    "/consultations/{consultation_id}",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: ConsultationOut},
    errors=(ConsultationNotFound,),
)
def get_consultation(caller: Caller | None, consultation_id: str) -> ConsultationOut:
    """A consultation, for whoever may see it (anyone, if it is public and published)."""
    access = consultations.get(caller, consultation_id)
    return _answer(access)


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
def update_consultation(
    caller: Caller, consultation_id: str, body: ConsultationUpdate
) -> ConsultationOut:
    """Change a consultation (its creator, the host's admins, granted admins).

    A draft may change entirely; `"opens_at": null` makes it open on publication. Once
    published, only the description may change and `closes_at` move later (409
    consultation_locked), and `proxies` until it opens; nothing changes once closed."""
    sent = body.model_dump(exclude_unset=True)
    changes = ConsultationChanges(
        **{k: v for k, v in sent.items() if k not in ("audience", "proxies")},
        audience=tuple(body.audience) if body.audience is not None else None,
        proxies=Proxies(**body.proxies.model_dump()) if body.proxies is not None else None,
        clear_opens_at="opens_at" in sent and sent["opens_at"] is None,
    )
    updated = consultations.update(caller, consultation_id, changes)
    return _answer(updated)


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
def publish_consultation(caller: Caller, consultation_id: str) -> ConsultationOut:
    """Publish a draft (its creator, the host's admins, granted admins).

    It opens at once, or is scheduled until `opens_at`. Refused (422) when its dates have
    passed."""
    published = consultations.publish(caller, consultation_id)
    return _answer(published)


@route(
    blueprint,
    "/consultations/{consultation_id}/close",
    methods=["POST"],
    body=CloseRequest,
    answers={200: ConsultationOut},
    errors=(ConsultationNotFound, Forbidden, ConsultationClosed, NotOpen, ConcurrentUpdate),
)
def close_consultation(caller: Caller, consultation_id: str, body: CloseRequest) -> ConsultationOut:
    """Close an open consultation now, with a reason (the host's admins).

    Ballots stop at once; the final results follow after a grace period."""
    closed = consultations.close(caller, consultation_id, body.reason)
    return _answer(closed)


@route(
    blueprint,
    "/consultations/{consultation_id}/partners",
    methods=["POST"],
    body=PartnerInvite,
    answers={201: PartnershipOut, 200: PartnershipOut},
    errors=(ConsultationNotFound, Forbidden, GroupNotFound, ConcurrentUpdate),
)
def invite_partner(caller: Caller, consultation_id: str, body: PartnerInvite) -> Answered:
    """Invite another association to share the consultation (the host's admins).

    201 when newly invited; 200 with its current status when it already was."""
    status, new = consultations.invite_partner(caller, consultation_id, body.group_id)
    answer = PartnershipOut(
        consultation_id=consultation_id, group_id=body.group_id, status=PartnerStatus(status)
    )
    return Answered(201 if new else 200, answer)


@route(
    blueprint,
    "/groups/{group_id}/partner-invitations",
    methods=["GET"],
    paged=True,
    answers={200: ConsultationPage},
    errors=(GroupNotFound, Forbidden),
)
def list_partner_invitations(caller: Caller, group_id: str, paging: Paging) -> ConsultationPage:
    """The consultations your association is invited to share, not yet answered (its admins).

    Newest first, each as its host shows it, so the admins can decide: accept with
    `POST /consultations/{id}/partners/{group_id}/accept`, decline with `DELETE`. Its
    members see a consultation only once accepted."""
    result, hosts = consultations.pending_partnerships(
        caller, group_id, paging.limit, paging.cursor
    )
    return _page(result, hosts)


@route(
    blueprint,
    "/consultations/{consultation_id}/partners/{group_id}/accept",
    methods=["POST"],
    answers={201: PartnershipOut, 200: PartnershipOut},
    errors=(GroupNotFound, Forbidden, PartnershipNotFound, ConcurrentUpdate),
)
def accept_partnership(caller: Caller, consultation_id: str, group_id: str) -> Answered:
    """Accept an invitation to share a consultation (the invited association's admins).

    Its members are then inside, as partners. 201 when accepted now; 200 when it already
    was."""
    new = consultations.accept_partnership(caller, consultation_id, group_id)
    answer = PartnershipOut(
        consultation_id=consultation_id, group_id=group_id, status=PartnerStatus.ACCEPTED
    )
    return Answered(201 if new else 200, answer)


@route(
    blueprint,
    "/consultations/{consultation_id}/partners/{group_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(ConsultationNotFound, Forbidden, PartnershipNotFound, ConcurrentUpdate),
)
def withdraw_partner(caller: Caller, consultation_id: str, group_id: str) -> None:
    """End a partnership, pending or accepted (the host's admins, or the partner's admins)."""
    consultations.withdraw_partner(caller, consultation_id, group_id)


@route(
    blueprint,
    "/consultations/{consultation_id}/grants",
    methods=["GET"],
    paged=True,
    answers={200: GrantPage},
    errors=(ConsultationNotFound, Forbidden),
)
def list_grants(caller: Caller, consultation_id: str, paging: Paging) -> GrantPage:
    """The roles given to people in this consultation (the host's admins)."""
    result = grants.list_grants(caller, consultation_id, paging.limit, paging.cursor)
    return GrantPage.of(result, items=[GrantOut.of(g) for g in result.items])


@route(
    blueprint,
    "/consultations/{consultation_id}/grants/{user_id}",
    methods=["PUT"],
    body=RoleChange,
    answers={201: GrantOut, 200: GrantOut},
    errors=(ConsultationNotFound, Forbidden, ConcurrentUpdate),
)
def set_grant(caller: Caller, consultation_id: str, user_id: str, body: RoleChange) -> Answered:
    """Give one person a role in this consultation (the host's admins).

    Member of the host association or not. 201 when newly granted; 200 when their grant
    changed or already had this role."""
    grant, new = grants.set_grant(caller, consultation_id, user_id, body.role)
    return Answered(201 if new else 200, GrantOut.of(grant))


@route(
    blueprint,
    "/consultations/{consultation_id}/grants/{user_id}",
    methods=["DELETE"],
    answers={204: None},
    errors=(ConsultationNotFound, Forbidden, GrantNotFound, ConcurrentUpdate),
)
def remove_grant(caller: Caller, consultation_id: str, user_id: str) -> None:
    """Take back a person's role in this consultation (the host's admins)."""
    grants.remove_grant(caller, consultation_id, user_id)


CSV = "text/csv"


@route(
    blueprint,
    "/consultations/{consultation_id}/results",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: ConsultationResultsOut},
    formats=(CSV,),
    errors=(ConsultationNotFound, ResultsNotFinal),
)
def get_consultation_results(
    caller: Caller | None, consultation_id: str, media_type: str
) -> ConsultationResultsOut | Response:
    """Every decision's final result, once finalised (whoever may read the consultation).

    As a spreadsheet with `?format=csv` or `Accept: text/csv`: one row per debate and
    option."""
    answer = ConsultationResultsOut.of_results(publication.results(caller, consultation_id))
    if media_type != CSV:
        return answer
    return _spreadsheet(f"results-{answer.consultation.id}.csv", CSV_HEADER, csv_rows(answer))


@route(
    blueprint,
    "/consultations/{consultation_id}/open-data",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: OpenDataOut},
    formats=(CSV,),
    errors=(ConsultationNotFound, NotPublic),
)
def get_open_data(
    caller: Caller | None, consultation_id: str, media_type: str
) -> OpenDataOut | Response:
    """A public consultation as open data: debates, results and arguments (anyone).

    Names nobody: authors are pseudonyms. `?format=csv`: its arguments alone."""
    answer = OpenDataOut.of_open_data(publication.open_data(caller, consultation_id))
    if media_type != CSV:
        return answer
    return _spreadsheet(
        f"arguments-{answer.consultation.id}.csv", ARGUMENTS_HEADER, argument_rows(answer)
    )


def _spreadsheet(filename: str, header: tuple[str, ...], rows: list[list[Any]]) -> Response:
    return Response(
        body=csv_document(header, rows),
        headers={
            "Content-Type": f"{CSV}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"',
        },
    )
