"""Use cases of a debate: create, read, list, change. A debate inherits its consultation's
dates and visibility; its decision function is frozen once the consultation opens."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chalicelib.domain import clock
from chalicelib.domain.audit import audit_event
from chalicelib.domain.ballots import describe, shards_for
from chalicelib.domain.deliberation import Stance
from chalicelib.domain.errors import (
    ConcurrentUpdate,
    ConsultationClosed,
    DebateLocked,
    HubError,
    TooManyAddenda,
)
from chalicelib.domain.ids import new_debate_id
from chalicelib.domain.model import (
    Addendum,
    Caller,
    Consultation,
    ConsultationStatus,
    ConsultationVisibility,
    Debate,
    DecisionFunction,
    FunctionType,
)
from chalicelib.domain.permissions import Action
from chalicelib.services import ballots
from chalicelib.services.access import (
    ConsultationAccess,
    DebateAccess,
    consultation_access,
    debate_access,
)
from chalicelib.store import access as access_store
from chalicelib.store import debates as store
from chalicelib.store.access import AroundDebate
from chalicelib.store.table import Page


@dataclass(frozen=True)
class DebateSeen:
    """A debate as one reader sees it: what they hold in it (their ballot marker included),
    its comment counts, its turnout when it is shown to them, and what a ballot they sent
    now would be refused with."""

    access: DebateAccess
    comments: dict[str, int]  # per stance
    turnout: int | None  # ballots cast so far (the running tally); None when not shown
    refusal: HubError | None  # what PUT .../ballot would answer now; None: they may vote

    @property
    def debate(self) -> Debate:
        return self.access.debate


def _seen(access: DebateAccess, around: AroundDebate) -> DebateSeen:
    turnout = None
    if ballots.turnout_shown(access):
        turnout = around.tally.ballots if around.tally is not None else 0
    return DebateSeen(access, around.comments, turnout, ballots.refusal(access))


def _tallied(access: ConsultationAccess, debate: Debate) -> bool:
    """Whether a debate's running tally may be shown (so is worth reading): it decides
    something, and its consultation has opened."""
    opened = access.status in (ConsultationStatus.OPEN, ConsultationStatus.CLOSED)
    return opened and debate.function.type is not FunctionType.NONE


def _seen_now(access: DebateAccess) -> DebateSeen:
    """One debate, its caller's marker already read with it: its comment counts and running
    tally in one more read."""
    debate = access.debate
    tallies = {debate.id} if _tallied(access, debate) else set()
    around = access_store.read_around([debate], tallies=tallies)[debate.id]
    return _seen(access, around)


def create(
    caller: Caller,
    consultation_id: str,
    *,
    title: str,
    body: str,
    function: DecisionFunction,
    show_turnout: bool | None = None,
) -> DebateSeen:
    """A new debate, signed with the name its creator chose (read with their standings),
    else their token's. Its turnout shows while open if `show_turnout` says so; unset, when
    its consultation is public."""
    access = consultation_access(
        consultation_id, caller, Action.DEBATE_CREATE, consistent=True, profile=True
    )
    if access.consultation.status_at(clock.now()) is ConsultationStatus.CLOSED:
        raise ConsultationClosed()
    if show_turnout is None:
        show_turnout = access.consultation.visibility is ConsultationVisibility.PUBLIC
    debate = Debate(
        id=new_debate_id(consultation_id),
        consultation_id=consultation_id,
        title=title,
        body=body,
        function=function,
        created_at=clock.now(),
        created_by=caller.id,
        created_by_name=access.caller_name,  # the name they chose, read with their standings
        ballot_shards=shards_for(access.consultation.visibility),
        show_turnout=show_turnout,
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
    nothing_yet = AroundDebate(comments={stance.value: 0 for stance in Stance}, tally=None)
    return _seen(access.with_debate(debate), nothing_yet)


def list_debates(
    caller: Caller | None, consultation_id: str, limit: int, cursor: str | None
) -> Page[DebateSeen]:
    """A page of debates, each as the caller sees it. However long the page (up to 33), four
    round trips: the consultation, the caller's standing in it (none without a token), the
    page, then one BatchGetItem for every debate's comment counts, running tally and the
    caller's ballot marker."""
    access = consultation_access(consultation_id, caller, Action.DEBATE_READ)
    page = store.list_debates(consultation_id, limit, cursor)
    # Strongly consistent for a caller: a ballot they just cast shows on their next read.
    around = access_store.read_around(
        page.items,
        tallies={debate.id for debate in page.items if _tallied(access, debate)},
        voter_id=caller.id if caller is not None else None,
        consistent=caller is not None,
    )
    items = [
        _seen(access.with_debate(debate, around[debate.id].marker), around[debate.id])
        for debate in page.items
    ]
    return Page(items, page.next)


def get(caller: Caller | None, debate_id: str) -> DebateSeen:
    """The debate with the caller's ballot (read as the ballot routes read it), its comment
    counts and its turnout: three round trips."""
    return _seen_now(ballots.voting(caller, debate_id))


@dataclass(frozen=True)
class DebateChanges:
    title: str | None = None
    body: str | None = None
    function: DecisionFunction | None = None
    show_turnout: bool | None = None


# What people vote on: frozen from EDIT_MARGIN before the opening. Whether the turnout shows
# is not, and may change until the consultation closes.
_QUESTION = frozenset({"title", "body", "function"})


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


def update(caller: Caller, debate_id: str, changes: DebateChanges) -> DebateSeen:
    """Title, body and decision function change until the consultation opens (409
    debate_locked from EDIT_MARGIN before); a correction after that is an addendum.
    `show_turnout` changes until it closes. Each change is audited with what it was and
    what it became."""
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
            return _seen_now(access)
        question = not _QUESTION.isdisjoint(changed)
        if question:
            require_editable(access.consultation, now)
        event = audit_event(
            access.consultation.group_id,
            caller,
            "debate_updated",
            consultation_id=before.consultation_id,
            debate_id=before.id,
            **changed,
        )
        if question:
            # No ballot exists yet, so the partition count may still follow the visibility.
            shards = shards_for(access.consultation.visibility)
            after = replace(after, updated_at=now, ballot_shards=shards)
        try:
            stored = store.save_debate(
                before,
                after,
                event,
                consultation=access.consultation,
                opens_after=now + EDIT_MARGIN if question else None,
            )
        except ConcurrentUpdate:
            continue  # the consultation or the debate moved meanwhile: decide again
        return _seen_now(replace(access, debate=stored))
    raise ConcurrentUpdate()


def add_addendum(caller: Caller, debate_id: str, body: str) -> DebateSeen:
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
        return _seen_now(replace(access, debate=stored))
    raise ConcurrentUpdate()


def _editing(
    caller: Caller, debate_id: str, *, profile: bool = False
) -> tuple[DebateAccess, datetime]:
    """The debate, for one who may edit it (with their ballot marker, for the answer, and
    their profile if `profile`), and now, unless its consultation has closed."""
    access = debate_access(
        debate_id, caller, Action.DEBATE_UPDATE, consistent=True, marker=True, profile=profile
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
