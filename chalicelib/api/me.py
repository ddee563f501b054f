"""/v1/me: who the token says you are, and your associations with your role in each."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.answers.groups import MeOut
from chalicelib.api.http import require_caller, route
from chalicelib.services import members

blueprint = Blueprint(__name__)


@route(blueprint, "/me", methods=["GET"], answers={200: MeOut})
def me() -> dict[str, Any]:
    """Who you are, as your token says, and your associations with your role in each."""
    caller = require_caller(blueprint.current_request)
    return {
        "id": caller.id,
        "name": caller.display_name,
        "email": caller.email,
        "email_verified": caller.email_verified,
        "identity_verified": caller.identity_verified,
        "groups": [
            {"id": group.id, "name": group.name, "role": membership.role.value}
            for membership, group in members.my_groups(caller)
        ],
    }
