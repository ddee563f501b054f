"""/v1/me: who the token says you are, your associations with your role in each, and the
consultations you were given a role in (grants)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.answers.groups import MeOut
from chalicelib.api.http import require_caller, route
from chalicelib.services import grants, memberships

blueprint = Blueprint(__name__)


@route(blueprint, "/me", methods=["GET"], answers={200: MeOut})
def me() -> dict[str, Any]:
    """Who you are, as your token says, your associations with your role in each, and the
    consultations you hold a grant in (those you can open)."""
    caller = require_caller(blueprint.current_request)
    return {
        "id": caller.id,
        "name": caller.display_name,
        "email": caller.email,
        "email_verified": caller.email_verified,
        "identity_verified": caller.identity_verified,
        "groups": [
            {"id": group.id, "name": group.name, "role": membership.role.value}
            for membership, group in memberships.my_groups(caller)
        ],
        "grants": [
            {"consultation_id": consultation.id, "title": consultation.title, "role": role.value}
            for role, consultation in grants.my_grants(caller)
        ],
    }
