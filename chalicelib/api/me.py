"""/v1/me: who you are on the Hub (your token's identity and the name and language you
chose), your associations with your role in each, and the consultations you were given a
role in (grants). Only ever the caller's own: no route reads or changes someone else's."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.answers.groups import MeOut, ProfileOut
from chalicelib.api.http import route
from chalicelib.api.schemas import MeUpdate
from chalicelib.domain.model import Caller
from chalicelib.services import profiles

blueprint = Blueprint(__name__)


@route(blueprint, "/me", methods=["GET"], answers={200: MeOut}, locale=True)
def me(caller: Caller, locale: str) -> MeOut:
    """Who you are: your token's identity, the name and language you chose, your
    associations with your role in each, and the consultations you hold a grant in (those
    you can open).

    It also records how the Hub reaches you by email: your token's address (written to
    only once verified) and your language (the one you chose, else your browser's)."""
    mine = profiles.me(caller, locale)
    return MeOut.of_me(caller, mine.profile, mine.groups, mine.grants)


@route(blueprint, "/me", methods=["PATCH"], body=MeUpdate, answers={200: ProfileOut})
def update_me(caller: Caller, body: MeUpdate) -> ProfileOut:
    """Choose the name shown beside what you write from now on (`display_name`, null: your
    token's name) and your language (`locale`, null: none). Only the fields sent change."""
    return ProfileOut.of_profile(caller, profiles.update(caller, body.changes()))
