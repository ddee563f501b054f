"""/v1/consultations/{id}/debates and /v1/debates/{id}: a consultation's debates, each with
its decision (none, a vote, a poll or a petition)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.api.answers.consultations import DebateOut, DebatePage
from chalicelib.api.contract import Auth
from chalicelib.api.http import Paging, route
from chalicelib.api.schemas import AddendumCreate, DebateCreate, DebateUpdate, to_function
from chalicelib.domain import clock
from chalicelib.domain.errors import (
    ConcurrentUpdate,
    ConsultationClosed,
    ConsultationNotFound,
    DebateLocked,
    DebateNotFound,
    Forbidden,
    TooManyAddenda,
)
from chalicelib.domain.model import Caller
from chalicelib.services import debates

blueprint = Blueprint(__name__)


@route(
    blueprint,
    "/consultations/{consultation_id}/debates",
    methods=["POST"],
    body=DebateCreate,
    answers={201: DebateOut},
    errors=(ConsultationNotFound, Forbidden, ConsultationClosed, ConcurrentUpdate),
)
def create_debate(caller: Caller, consultation_id: str, body: DebateCreate) -> DebateOut:
    """Add a debate to a consultation (its editors while a draft; its authors once published).

    `function` says what it decides: nothing (`none`, the default), a `vote`, a `poll` or a
    `petition`. `show_turnout` says whether readers see how many ballots were cast while it
    is open (by default when the consultation is public). Refused once the consultation is
    closed."""
    seen = debates.create(
        caller,
        consultation_id,
        title=body.title,
        body=body.body,
        function=to_function(body.function),
        show_turnout=body.show_turnout,
    )
    return DebateOut.seen(seen, clock.now())


@route(
    blueprint,
    "/consultations/{consultation_id}/debates",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    paged=True,
    answers={200: DebatePage},
    errors=(ConsultationNotFound,),
)
def list_debates(caller: Caller | None, consultation_id: str, paging: Paging) -> DebatePage:
    """A consultation's debates, oldest first, for whoever may see the consultation.

    Each carries what the caller's screen needs: their ballot (`my_ballot`), whether they
    may vote now (`can_vote`) and the turnout when shown, in this one request."""
    result = debates.list_debates(caller, consultation_id, paging.limit, paging.cursor)
    now = clock.now()
    return DebatePage.of(result, items=[DebateOut.seen(seen, now) for seen in result.items])


@route(
    blueprint,
    "/debates/{debate_id}",
    methods=["GET"],
    auth=Auth.OPTIONAL,
    answers={200: DebateOut},
    errors=(DebateNotFound,),
)
def get_debate(caller: Caller | None, debate_id: str) -> DebateOut:
    """A debate, with its comment counts per stance, the caller's ballot, whether they may
    vote now and its turnout when shown, for whoever may see its consultation."""
    return DebateOut.seen(debates.get(caller, debate_id), clock.now())


@route(
    blueprint,
    "/debates/{debate_id}",
    methods=["PATCH"],
    body=DebateUpdate,
    answers={200: DebateOut},
    errors=(DebateNotFound, Forbidden, ConsultationClosed, DebateLocked, ConcurrentUpdate),
)
def update_debate(caller: Caller, debate_id: str, body: DebateUpdate) -> DebateOut:
    """Change a debate (its creator, or whoever manages its consultation).

    Managers are the consultation's creator, the host's admins and granted admins. Title,
    body and decision `function` change in draft and while scheduled, until a minute before
    the consultation opens (409 `debate_locked`; 409 `consultation_closed` once closed):
    what people vote on is what they read. Corrections after that are addenda.
    `show_turnout` changes until the consultation closes. Every change is audited with what
    it was and what it became."""
    changes = debates.DebateChanges(
        title=body.title,
        body=body.body,
        function=to_function(body.function) if body.function is not None else None,
        show_turnout=body.show_turnout,
    )
    return DebateOut.seen(debates.update(caller, debate_id, changes), clock.now())


@route(
    blueprint,
    "/debates/{debate_id}/addenda",
    methods=["POST"],
    body=AddendumCreate,
    answers={201: DebateOut},
    errors=(DebateNotFound, Forbidden, ConsultationClosed, TooManyAddenda, ConcurrentUpdate),
)
def add_addendum(caller: Caller, debate_id: str, body: AddendumCreate) -> DebateOut:
    """Add a correction under a debate (those who may change it), until the consultation
    closes.

    The question stays as people read it; the addendum shows under it to everyone who
    reads the debate, with its author and time, and goes to the audit log. At most 10 per
    debate (409 `too_many_addenda`). Answers the debate as it now reads."""
    return DebateOut.seen(debates.add_addendum(caller, debate_id, body.body), clock.now())
