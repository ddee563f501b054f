"""Use cases of a debate: create, read, list, change. A debate inherits its consultation's
dates and visibility; its decision function is frozen once the consultation opens."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chalicelib.domain import clock
from chalicelib.domain.ballots import describe, shards_for
from chalicelib.domain.errors import (
    ConcurrentUpdate,
    ConsultationClosed,
    DebateLocked,
    TooManyAddenda,
)
from chalicelib.domain.ids import new_debate_id
from chalicelib.domain.model import (
    Addendum,
    Caller,
    Consultation,
    ConsultationStatus,
    Debate,
    DecisionFunction,
)
from chalicelib.domain.permissions import Action
from chalicelib.services.access import DebateAccess, consultation_access, debate_access
from chalicelib.services.audit import audit_event
from chalicelib.store import debates as store
from chalicelib.store.table import Page


def create(
    caller: Caller, consultation_id: str, *, title: str, body: str, function: DecisionFunction
) -> tuple[Debate, Consultation]:
    access = consultation_access(consultation_id, caller, Action.DEBATE_CREATE, consistent=True)
    if access.consultation.status_at(clock.now()) is ConsultationStatus.CLOSED:
        raise ConsultationClosed()
    debate = Debate(
        id=new_debate_id(consultation_id),
        consultation_id=consultation_id,
        title=title,
        body=body,
        function=function,
        created_at=clock.now(),
        created_by=caller.id,
        ballot_shards=shards_for(access.consultation.visibility),
    )
    event = audit_event(
        access.consultation.group_id,
        caller,
        "debate_created",
        consultation_id=consultation_id,
        debate_id=debate.id,
        title=title,
        function=function.type.value,
    )
    store.create_debate(debate, event)
    return debate, access.consultation


def list_debates(
    caller: Caller | None, consultation_id: str, limit: int, cursor: str | None
) -> tuple[Consultation, Page[Debate]]:
    access = consultation_access(consultation_id, caller, Action.DEBATE_READ)
    return access.consultation, store.list_debates(consultation_id, limit, cursor)


def get(caller: Caller | None, debate_id: str) -> DebateAccess:
    return debate_access(debate_id, caller)


@dataclass(frozen=True)
class DebateChanges:
    title: str | None = None
    body: str | None = None
    function: DecisionFunction | None = None


# Ballots are cast from the instant the consultation opens, and a request that read it
# before may write after (an API call runs up to 15 s): the question stops changing a
# margin ahead of the opening, checked by the write's condition. Clocks of the functions
# agree far closer than that.
EDIT_MARGIN = timedelta(minutes=1)
MAX_ADDENDA = 10
_ATTEMPTS = 3


def require_editable(consultation: Consultation, now: datetime) -> None:
    """Title, body and function change only while no ballot can exist: in draft, and while
    scheduled until EDIT_MARGIN before the opening."""
    if consultation.status_at(now) is ConsultationStatus.CLOSED:
        raise ConsultationClosed()
    if consultation.status_at(now + EDIT_MARGIN) not in (
        ConsultationStatus.DRAFT,
        ConsultationStatus.SCHEDULED,
    ):
        raise DebateLocked()


def update(caller: Caller, debate_id: str, changes: DebateChanges) -> DebateAccess:
    """Title, body and decision function change until the consultation opens (409
    debate_locked from EDIT_MARGIN before); a correction after that is an addendum. Each
    change is audited with what it was and what it became."""
    for _ in range(_ATTEMPTS):
        access, now = _editing(caller, debate_id)
        before = access.debate
        wanted = {name: value for name, value in vars(changes).items() if value is not None}
        after = replace(before, **wanted)
        changed = {
            name: {"from": _plain(getattr(before, name)), "to": _plain(getattr(after, name))}
            for name in sorted(wanted)
            if getattr(before, name) != getattr(after, name)
        }
        if not changed:
            return access
        require_editable(access.consultation, now)
        event = audit_event(
            access.consultation.group_id,
            caller,
            "debate_updated",
            consultation_id=before.consultation_id,
            debate_id=before.id,
            **changed,
        )
        # No ballot exists yet, so the partition count may still follow the visibility.
        shards = shards_for(access.consultation.visibility)
        try:
            stored = store.save_debate(
                before,
                replace(after, updated_at=now, ballot_shards=shards),
                event,
                consultation=access.consultation,
                opens_after=now + EDIT_MARGIN,
            )
        except ConcurrentUpdate:
            continue  # the consultation or the debate moved meanwhile: decide again
        return replace(access, debate=stored)
    raise ConcurrentUpdate()


def add_addendum(caller: Caller, debate_id: str, body: str) -> DebateAccess:
    """Whoever may edit the debate adds a correction under it, until the consultation
    closes: shown to every reader with its author and time, audited, never changing the
    question. At most MAX_ADDENDA per debate."""
    for _ in range(_ATTEMPTS):
        access, now = _editing(caller, debate_id, profile=True)
        before = access.debate
        if len(before.addenda) >= MAX_ADDENDA:
            raise TooManyAddenda()
        addendum = Addendum(body, caller.id, access.caller_name, now)
        event = audit_event(
            access.consultation.group_id,
            caller,
            "debate_addendum_added",
            consultation_id=before.consultation_id,
            debate_id=before.id,
            body=body,
        )
        after = replace(before, addenda=(*before.addenda, addendum))
        try:
            stored = store.save_debate(before, after, event, consultation=access.consultation)
        except ConcurrentUpdate:
            continue  # another addendum, an edit, or the consultation moved: read again
        return replace(access, debate=stored)
    raise ConcurrentUpdate()


def _editing(
    caller: Caller, debate_id: str, *, profile: bool = False
) -> tuple[DebateAccess, datetime]:
    """The debate, for one who may edit it (with their profile if `profile`), and now,
    unless its consultation has closed."""
    access = debate_access(
        debate_id, caller, Action.DEBATE_UPDATE, consistent=True, profile=profile
    )
    now = clock.now()
    if access.consultation.status_at(now) is ConsultationStatus.CLOSED:
        raise ConsultationClosed()
    return access, now


def _plain(value: object) -> object:
    """A field's value as the audit log keeps it."""
    if isinstance(value, DecisionFunction):
        return describe(value)
    return value
