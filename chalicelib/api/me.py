"""/v1/me: who the token says you are, your associations with your role in each, and the
consultations you were given a role in (grants)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.answers.groups import MeOut
from chalicelib.api.http import route
from chalicelib.domain.model import Caller
from chalicelib.services import grants, memberships

blueprint = Blueprint(__name__)


@route(blueprint, "/me", methods=["GET"], answers={200: MeOut})
def me(caller: Caller) -> MeOut:
    """Who you are, as your token says, your associations with your role in each, and the
    consultations you hold a grant in (those you can open)."""
    return MeOut.of_caller(caller, memberships.my_groups(caller), grants.my_grants(caller))
