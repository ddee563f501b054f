"""Use cases of proxies (procurations): give one's proxy for a consultation, read it,
revoke it; list the proxies one holds. Voting with a proxy is services/ballots.py's.

Who may give: anyone who may take part in the consultation, while it allows proxies and
is not closed. Who may hold: someone else who may take part too (the permission table's
PARTICIPATE, read for them: their roles, grant and block), within the consultation's
`max_per_holder`, which the holder's counter enforces under concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain import clock
from chalicelib.domain.audit import audit_event
from chalicelib.domain.consultations import standings_of
from chalicelib.domain.errors import (
    Blocked,
    ConcurrentUpdate,
    ConsultationClosed,
    NotEligible,
    NotOpen,
    ProxiesNotAllowed,
    ProxyNotFound,
    ProxyUsed,
    invalid,
)
from chalicelib.domain.ids import looks_like_user_id
from chalicelib.domain.model import Caller, Consultation, ConsultationStatus
from chalicelib.domain.permissions import Action, allows
from chalicelib.domain.proxies import Proxy
from chalicelib.services.access import ConsultationAccess, consultation_access
from chalicelib.store import proxies as store
from chalicelib.store.table import Page

_ATTEMPTS = 3


def may_take_part(consultation: Consultation, person: store.Person, *, verified: bool) -> bool:
    """Whether someone other than the caller may take part in the consultation now, by
    the permission table (as `verified`: the Hub knows a person's verification only from
    their own token)."""
    if person.block is not None and person.block.active_at(clock.now()):
        return False
    them = Caller(id=person.user_id, email_verified=verified)
    held = standings_of(consultation, them, person.roles, person.grant, ())
    return allows(Action.PARTICIPATE, held, consultation.context)


def _giving(caller: Caller, consultation_id: str) -> ConsultationAccess:
    """The consultation, once the caller may give (or take back) a proxy in it."""
    access = consultation_access(
        consultation_id, caller, Action.CONSULTATION_READ, consistent=True, profile=True
    )
    if not access.consultation.proxies.allowed:
        raise ProxiesNotAllowed()
    if access.closed:
        raise ConsultationClosed()
    if access.status is ConsultationStatus.DRAFT:
        raise NotOpen()
    return access


@dataclass(frozen=True)
class Given:
    created: bool  # a first proxy (201), else a replacement or the same again (200)
    proxy: Proxy


def give(caller: Caller, consultation_id: str, holder_id: str) -> Given:
    """Give (or replace) the caller's proxy for the consultation to `holder_id`."""
    access = _giving(caller, consultation_id)
    consultation = access.consultation
    if access.blocked:
        raise Blocked()
    if not access.can(Action.PARTICIPATE):
        raise NotEligible()
    if holder_id == caller.id:
        raise invalid("holder", "invalid.holder_self")
    if not looks_like_user_id(holder_id):
        raise invalid("holder", "invalid.holder")
    found = store.read_person(consultation, holder_id, proxy_of=caller.id)
    if not may_take_part(consultation, found.person, verified=False):
        raise invalid("holder", "invalid.holder")
    before = found.proxy
    for _ in range(_ATTEMPTS):
        if before is not None and before.holder_id == holder_id:
            return Given(False, before)
        if before is not None and before.used_at is not None:
            raise ProxyUsed()
        proxy = Proxy(
            consultation_id=consultation.id,
            giver_id=caller.id,
            giver_name=access.caller_name,
            holder_id=holder_id,
            holder_name=found.person.name,
            given_at=clock.now(),
            giver_verified=caller.email_verified or caller.identity_verified,
            consultation_title=consultation.title,
        )
        event = audit_event(
            consultation.group_id,
            caller,
            "proxy_given",
            holder_id,
            consultation_id=consultation.id,
            replaced=before is not None,
        )
        try:
            store.give(proxy, before, consultation.proxies.max_per_holder, event)
            return Given(before is None, proxy)
        except store.ProxyMoved:
            before = store.get_proxy(consultation.id, caller.id)
    raise ConcurrentUpdate()


def given(caller: Caller, consultation_id: str) -> Proxy:
    """The proxy the caller gave for the consultation."""
    consultation_access(consultation_id, caller, Action.CONSULTATION_READ)
    proxy = store.get_proxy(consultation_id, caller.id)
    if proxy is None:
        raise ProxyNotFound()
    return proxy


def revoke(caller: Caller, consultation_id: str) -> None:
    """Take back the caller's proxy, unless its holder has voted with it. A giver who may no
    longer see the consultation (they left the association) may still take back the proxy
    they gave, which would otherwise keep a place of its holder's taken for good."""
    _take_away(caller, consultation_id, caller.id, "proxy_revoked")


def decline(caller: Caller, consultation_id: str, giver_id: str) -> None:
    """The holder gives back a proxy they hold, until they have voted with it or the
    consultation closes: nobody holds a place of theirs against their will. The giver may
    then give it to someone else. A holder who may no longer see the consultation may
    still give it back; anyone else is told there is no such proxy (404)."""
    _take_away(caller, consultation_id, giver_id, "proxy_declined")


def _take_away(caller: Caller, consultation_id: str, giver_id: str, action: str) -> None:
    """Delete the proxy `giver_id` gave, for its giver (`proxy_revoked`) or its holder
    (`proxy_declined`), until used or closed. Someone who is neither, and may not see the
    consultation, is not told it exists."""
    access = consultation_access(consultation_id, caller, None, consistent=True)
    consultation = access.consultation
    declining = action == "proxy_declined"

    def theirs() -> Proxy | None:
        found = store.get_proxy(consultation.id, giver_id) if looks_like_user_id(giver_id) else None
        mine = found is not None and caller.id == (found.holder_id if declining else giver_id)
        return found if mine else None

    proxy = theirs()
    if proxy is None:
        access.require(Action.CONSULTATION_READ)
    for _ in range(_ATTEMPTS):
        if proxy is None:
            raise ProxyNotFound()
        if proxy.used_at is not None:
            raise ProxyUsed()
        if access.closed:
            raise ConsultationClosed()
        other = proxy.giver_id if declining else proxy.holder_id
        event = audit_event(
            consultation.group_id, caller, action, other, consultation_id=consultation.id
        )
        try:
            store.revoke(proxy, event)
            return
        except store.ProxyMoved:
            proxy = theirs()
    raise ConcurrentUpdate()


def held(
    caller: Caller, consultation_id: str | None, limit: int, cursor: str | None
) -> Page[Proxy]:
    """The proxies the caller holds, newest first (in one consultation when asked)."""
    return store.held_by(caller.id, consultation_id, limit, cursor)
