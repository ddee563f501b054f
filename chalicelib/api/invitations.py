"""/v1/invitations/{code}: see where an invitation leads, and accept it."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import representations as show
from chalicelib.api.answers.groups import InvitationAcceptanceOut, InvitationPreviewOut
from chalicelib.api.http import require_caller, route
from chalicelib.domain.errors import (
    AlreadyMember,
    ConcurrentUpdate,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
)
from chalicelib.services import invitations

blueprint = Blueprint(__name__)


@route(
    blueprint,
    "/invitations/{code}",
    methods=["GET"],
    answers={200: InvitationPreviewOut},
    errors=(InvitationNotFound, InvitationExpired, InvitationRevoked),
)
def preview_invitation(code: str) -> dict[str, Any]:
    """See where an invitation leads: the association's name and the role (anyone signed in
    who holds the code)."""
    require_caller(blueprint.current_request)
    view = invitations.preview(code)
    return show.invitation(view.invitation, group_name=view.group.name)


@route(
    blueprint,
    "/invitations/{code}/accept",
    methods=["POST"],
    answers={200: InvitationAcceptanceOut, 201: InvitationAcceptanceOut},
    errors=(
        InvitationNotFound,
        InvitationExpired,
        InvitationRevoked,
        AlreadyMember,
        ConcurrentUpdate,
    ),
)
def accept_invitation(code: str) -> Response:
    """Join an association with an invitation code, with the role it carries (anyone signed
    in who holds the code).

    201 when you joined; 200, with your membership unchanged, when you already were a member
    (the code is not used up then). `invitation_revoked` when an admin revoked it or its
    creator no longer holds the role it gives (removed, or demoted below it)."""
    acceptance = invitations.accept(require_caller(blueprint.current_request), code)
    body = show.membership(acceptance.membership) | {"group_name": acceptance.group.name}
    return Response(body=body, status_code=201 if acceptance.joined else 200)
