"""/v1/invitations/{code}: see where an invitation leads, and accept it."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.answers.groups import InvitationAcceptanceOut, InvitationPreviewOut
from chalicelib.api.http import Answered, route
from chalicelib.domain.errors import (
    AlreadyMember,
    ConcurrentUpdate,
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
)
from chalicelib.domain.model import Caller
from chalicelib.services import invitations

blueprint = Blueprint(__name__)


@route(
    blueprint,
    "/invitations/{code}",
    methods=["GET"],
    answers={200: InvitationPreviewOut},
    errors=(InvitationNotFound, InvitationExpired, InvitationRevoked),
)
def preview_invitation(caller: Caller, code: str) -> InvitationPreviewOut:
    """See where an invitation leads: the association's name and the role (anyone signed in
    who holds the code)."""
    del caller  # anyone signed in: the code is the secret
    view = invitations.preview(code)
    return InvitationPreviewOut.of(view.invitation, group_name=view.group.name)


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
def accept_invitation(caller: Caller, code: str) -> Answered:
    """Join an association with an invitation code, with the role it carries (anyone signed
    in who holds the code).

    201 when you joined; 200, with your membership unchanged, when you already were a member
    (the code is not used up then). `invitation_revoked` when an admin revoked it or its
    creator no longer holds the role it gives (removed, or demoted below it)."""
    acceptance = invitations.accept(caller, code)
    answer = InvitationAcceptanceOut.of(acceptance.membership, group_name=acceptance.group.name)
    return Answered(201 if acceptance.joined else 200, answer)
