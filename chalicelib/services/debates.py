"""Use cases of a debate: create, read, list, change. A debate inherits its consultation's
dates and visibility; its decision function is frozen once the consultation opens."""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.domain import clock
from chalicelib.domain.ballots import shards_for
from chalicelib.domain.errors import ConsultationClosed, DebateLocked, DebateNotFound
from chalicelib.domain.ids import new_debate_id, split_debate_id
from chalicelib.domain.model import (
    Caller,
    Consultation,
    ConsultationStatus,
    Debate,
    DecisionFunction,
)
from chalicelib.domain.permissions import Action, authorize
from chalicelib.domain.roles import Standing
from chalicelib.services.consultations import consultation_access, standings_for
from chalicelib.services.groups import audit_event
from chalicelib.store import consultations as store
from chalicelib.store.table import Page


@dataclass(frozen=True)
class DebateAccess:
    consultation: Consultation
    debate: Debate
    standings: frozenset[Standing]


def debate_access(
    debate_id: str, caller: Caller | None, action: Action, *, consistent: bool = False
) -> DebateAccess:
    """The debate, its consultation and the caller's standings (the debate's creator counts
    as creator), once `action` is allowed. Two round trips."""
    ids = split_debate_id(debate_id)
    consultation, debate = (
        store.get_consultation_and_debate(*ids, consistent=consistent) if ids else (None, None)
    )
    if consultation is None or debate is None:
        raise DebateNotFound()
    held = standings_for(consultation, caller, creators=(debate.created_by,), consistent=consistent)
    authorize(action, held, consultation.context, not_found=DebateNotFound)
    return DebateAccess(consultation, debate, held)


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
    return debate_access(debate_id, caller, Action.DEBATE_READ)


@dataclass(frozen=True)
class DebateChanges:
    title: str | None = None
    body: str | None = None
    function: DecisionFunction | None = None


def update(caller: Caller, debate_id: str, changes: DebateChanges) -> DebateAccess:
    """Title and body stay editable until the consultation closes; the decision function
    only until it opens (409 debate_locked)."""
    access = debate_access(debate_id, caller, Action.DEBATE_UPDATE, consistent=True)
    status = access.consultation.status_at(clock.now())
    if status is ConsultationStatus.CLOSED:
        raise ConsultationClosed()
    before = access.debate
    wanted = {name: value for name, value in vars(changes).items() if value is not None}
    after = replace(before, **wanted)
    changed = sorted(name for name in wanted if getattr(before, name) != getattr(after, name))
    if not changed:
        return access
    if "function" in changed and status is ConsultationStatus.OPEN:
        raise DebateLocked()
    event = audit_event(
        access.consultation.group_id,
        caller,
        "debate_updated",
        consultation_id=before.consultation_id,
        debate_id=before.id,
        fields=changed,
    )
    # Ballots only exist once open, so the partition count may still follow the visibility.
    shards = shards_for(access.consultation.visibility)
    stored = store.save_debate(
        before, replace(after, updated_at=clock.now(), ballot_shards=shards), event
    )
    return replace(access, debate=stored)
