"""/v1/invitations/{code}: see where an invitation leads, and accept it."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib.api import representations as show
from chalicelib.api.http import require_caller, route
from chalicelib.services import invitations

blueprint = Blueprint(__name__)


@route(blueprint, "/invitations/{code}", methods=["GET"])
def preview_invitation(code: str) -> dict[str, Any]:
    require_caller(blueprint.current_request)
    view = invitations.preview(code)
    return show.invitation(view.invitation, group_name=view.group.name)


@route(blueprint, "/invitations/{code}/accept", methods=["POST"])
def accept_invitation(code: str) -> Response:
    acceptance = invitations.accept(require_caller(blueprint.current_request), code)
    body = show.membership(acceptance.membership) | {"group_name": acceptance.group.name}
    return Response(body=body, status_code=201 if acceptance.joined else 200)
