"""What the fuzz test puts into each case schemathesis generates, so that it reaches the code
behind the checks and probes its edges: ids of the seeded world in the path, values that fit
the world in the body, awkward query values, real and tampered cursors, and languages.

Every choice is drawn through hypothesis (`draw`), so a seed replays the same cases.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy
from schemathesis import Case

from tests.fuzz.harness import World

Draw = Callable[[SearchStrategy[Any]], Any]

# Where a path parameter's value comes from: mostly ids that fit it (a join request's user,
# a grant's neighbour), sometimes any id of its kind, or of another kind (a consultation id
# where a group id goes), sometimes whatever schemathesis made.
PATH_AIMS = ("fitting",) * 5 + ("kind",) * 2 + ("foreign",) + ("generated",) * 2

# Query values a client may well send: a digit Python reads as a digit but not as a number
# (superscript two), other scripts' digits (full-width one, Arabic-Indic three), signs,
# spaces, exponents, nothing, words, a lone percent sign.
AWKWARD_QUERY_VALUES = ["²", "\uff11", "٣", "-1", "0", " 1", "1e2", "1.0", "", "null", "true", "%"]

# Accept-Language as browsers send it, and as nobody should.
LANGUAGES = [
    "fr-FR,fr;q=0.9,en;q=0.8",
    "en-GB,en;q=0.9",
    "de",
    "*",
    "en;q=0, fr;q=0",
    "fr;q=abc",
    "q=1",
    ";;,,",
    "en-" + "x" * 300,
]


def aim_path(case: Case, draw: Draw, world: World) -> None:
    for name in case.path_parameters:
        fitting, kind = world.ids_for(case.path, name)
        how = draw(st.sampled_from(PATH_AIMS))
        if how == "fitting" and fitting:
            case.path_parameters[name] = draw(st.sampled_from(fitting))
        elif how == "kind" and kind:
            case.path_parameters[name] = draw(st.sampled_from(kind))
        elif how == "foreign":
            case.path_parameters[name] = draw(st.sampled_from(world.every_id()))


def aim_body(case: Case, draw: Draw, world: World) -> None:
    """Half the time, a field the world has values for takes one (a real parent comment, a
    poll's options, a closing date in the future, or one at the edge of the calendar); now
    and then a body the world knows the operation takes replaces the generated one."""
    if not isinstance(case.body, dict):
        return
    known = world.bodies.get(f"{case.method} {case.path}")
    if known and draw(st.integers(0, 3)) == 0:  # 0 first: a first case that gets through
        case.body = dict(draw(st.sampled_from(known)))
        return
    for name, values in world.body_values.items():
        if name in case.body and draw(st.booleans()):
            case.body[name] = draw(st.sampled_from(values))


def aim_query(case: Case, draw: Draw, world: World, parameters: list[str]) -> None:
    """Now and then an awkward value for a query parameter; for a listing's `cursor`, mostly
    one the API gave out (mostly by this listing), as it is or tampered with."""
    label = f"{case.method} {case.path}"
    for name in parameters:
        if name == "cursor" and draw(st.integers(0, 3)) > 0:
            own = world.cursors.get(label, [])
            others = [c for listing in world.cursors.values() for c in listing if c not in own]
            pool = own if own and draw(st.integers(0, 3)) < 3 else others
            if pool:
                case.query["cursor"] = draw(cursors(pool))
        elif draw(st.integers(0, 5)) == 5:
            case.query[name] = draw(st.sampled_from(AWKWARD_QUERY_VALUES))


def aim_language(case: Case, draw: Draw) -> None:
    language = draw(st.none() | st.sampled_from(LANGUAGES))
    if language is not None:
        case.headers["Accept-Language"] = language


@st.composite
def cursors(draw: Draw, real: list[str]) -> str:
    """A cursor of a real listing, maybe from another listing than the one it is sent to,
    maybe tampered with: cursors are sealed, so a bit flipped, a cut or an addition anywhere
    must be refused (400 `invalid_cursor`), never reach DynamoDB."""
    cursor = draw(st.sampled_from(real))
    how = draw(st.sampled_from(TAMPERINGS))
    if how == "as_given":
        return cursor
    data = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    if how == "flip":
        at, bit = draw(st.integers(0, len(data) - 1)), draw(st.integers(0, 7))
        data = data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]
    elif how == "cut":
        data = data[: draw(st.integers(0, len(data) - 1))]
    else:
        data += draw(st.binary(min_size=1, max_size=16))
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# How a cursor is sent back: as given (twice as likely: a real next page), or with a bit
# flipped, cut short, or lengthened.
TAMPERINGS = ("as_given", "as_given", "flip", "cut", "extend")


def authorize(case: Case, token: str | None) -> None:
    """The caller's bearer token, or none."""
    for name in [name for name in case.headers if name.lower() == "authorization"]:
        del case.headers[name]
    if token:
        case.headers["Authorization"] = f"Bearer {token}"
