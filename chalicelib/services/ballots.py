"""Use cases of ballots: cast (or change) one, read one's own, withdraw it, see results.

The vote path makes at most two reads (the debate with its consultation; the voter's
roles, grant, block and marker: services/access.py) and one write. Concurrency is settled
by the write's condition: when it fails, the voter's marker is read again and the request
decided anew.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain import clock
from chalicelib.domain.audit import audit_event
from chalicelib.domain.ballot import Ballot
from chalicelib.domain.ballots import (
    Counts,
    Marker,
    ballot_for,
    looks_like_receipt,
    may_change,
    new_receipt,
    options_of,
    refused,
)
from chalicelib.domain.errors import (
    AlreadyVoted,
    BallotNotFound,
    Blocked,
    ConcurrentUpdate,
    ConsultationClosed,
    HubError,
    InvalidBallot,
    NotEligible,
    NotOpen,
    NotProxyHolder,
    NotSecret,
    ReceiptNotFound,
    ResultsHidden,
    Unauthenticated,
)
from chalicelib.domain.ids import looks_like_code, looks_like_user_id
from chalicelib.domain.model import (
    AuditEvent,
    Caller,
    ConsultationStatus,
    Debate,
    DecisionFunction,
    FunctionType,
    Phase,
    ResultsVisibility,
)
from chalicelib.domain.permissions import Action
from chalicelib.domain.proxies import MAX_PER_HOLDER
from chalicelib.services import closing
from chalicelib.services.access import DebateAccess, debate_access
from chalicelib.services.proxies import may_take_part
from chalicelib.store import ballots as store
from chalicelib.store import proxies as proxy_store
from chalicelib.store import results as result_store
from chalicelib.store import tallies
from chalicelib.telemetry import Metric, count

_ATTEMPTS = 3


def voting(caller: Caller | None, debate_id: str) -> DebateAccess:
    """The debate with its consultation, then the caller's roles, grant, block and marker:
    two reads, strongly consistent for a caller (they decide a write). 404 if the caller
    may not see the debate."""
    return debate_access(debate_id, caller, consistent=caller is not None, marker=True)


@dataclass(frozen=True)
class Cast:
    created: bool  # a first ballot (201), else the same or a changed one (200)
    function: DecisionFunction
    ballot: Ballot
    cast_at: datetime
    receipt: str | None = None  # secret ballots only: the voter's proof, kept by them alone
    changed_at: datetime | None = None  # when the ballot last replaced an earlier one
    for_: str | None = None  # a proxy ballot: the giver it was cast for

    @property
    def secret(self) -> bool:
        return self.function.secret


def cast(
    caller: Caller,
    debate_id: str,
    *,
    receipt: str | None = None,
    for_: str | None = None,
    **sent: Any,
) -> Cast:
    """One person, one ballot. Sending the same ballot again is harmless (200); changing it
    needs `allow_change` (else 409 already_voted). `sent` holds the ballot's fields, None
    when not sent (`choice`, `choices`, `sign`, `ranking`, `grades`, `scores`, `points`:
    domain/ballots.py `ballot_for`). `for_` names the giver of a proxy the caller holds:
    the ballot is then the giver's (`cast_for`).

    A ballot a proxy's holder cast for the caller is replaced by the caller's own, whatever
    `allow_change` says (not a secret one: the Hub cannot tell which anonymous ballot it is)."""
    seen = voting(caller, debate_id)
    _require_open_and_eligible(seen)
    function = seen.debate.function
    ballot = ballot_for(function, **sent)
    if for_ is not None and for_ != caller.id:
        return cast_for(caller, seen, for_, ballot, receipt)
    if function.secret:
        return _cast_secret(caller, seen, ballot, receipt)
    if receipt is not None:
        raise refused("receipt", "not_secret")
    marker = seen.marker
    for _ in range(_ATTEMPTS):
        now = clock.now()
        try:
            if marker is None:
                store.cast_first(seen.debate, caller.id, ballot, now)
                count(Metric.BALLOTS_CAST, DecisionType=function.type.value)
                return Cast(True, function, ballot, now)
            if marker.by is not None and marker.ballot is not None:
                store.reclaim(seen.debate, caller.id, marker.by, marker.ballot, ballot, now)
                count(Metric.BALLOTS_CHANGED, DecisionType=function.type.value)
                return Cast(False, function, ballot, marker.cast_at, changed_at=now)
            if marker.ballot == ballot:
                return Cast(False, function, ballot, marker.cast_at, changed_at=marker.changed_at)
            if not may_change(function):
                raise AlreadyVoted()
            store.change(seen.debate, caller.id, marker.ballot, ballot, now)
            count(Metric.BALLOTS_CHANGED, DecisionType=function.type.value)
            return Cast(False, function, ballot, marker.cast_at, changed_at=now)
        except (store.BallotExists, store.BallotMoved):
            marker = store.get_marker(seen.debate, caller.id)
    raise ConcurrentUpdate()


def _cast_secret(caller: Caller, seen: DebateAccess, ballot: Ballot, receipt: str | None) -> Cast:
    """A secret ballot is cast once and never changes (whatever `allow_change` says: the
    Hub cannot tell a secret ballot's choice from its voter, so it could not change it).

    The receipt is the Hub's (128 random bits) unless the client brings its own, so that a
    retried request keeps the receipt it already holds. The Hub never stores which voter
    holds which receipt."""
    if receipt is not None and not looks_like_receipt(receipt):
        raise refused("receipt", "receipt_format")
    if seen.marker is not None:
        return _secret_again(seen, seen.marker, ballot, receipt)
    now = clock.now()
    code = receipt or new_receipt()
    try:
        store.cast_secret(seen.debate, caller.id, ballot, code, now)
    except store.BallotExists:
        marker = store.get_marker(seen.debate, caller.id)
        if marker is None:  # withdrawn in between: secret ballots never are
            raise ConcurrentUpdate() from None
        return _secret_again(seen, marker, ballot, receipt)
    except store.ReceiptTaken:
        # Only someone else's ballot can hold it (a voter's own comes with their marker,
        # which is checked first): it can never be the caller's, and who holds it is not said.
        raise refused("receipt", "receipt_taken") from None
    count(Metric.BALLOTS_CAST, DecisionType=seen.debate.function.type.value)
    return Cast(True, seen.debate.function, ballot, now, receipt=code)


def _secret_again(seen: DebateAccess, marker: Marker, ballot: Ballot, receipt: str | None) -> Cast:
    """A voter who has cast their secret ballot sends one again. Only the honest retry, the
    same choice under the receipt the first request carried, answers 200 with that receipt;
    anything else is 409 already_voted, so that nobody believes their ballot changed.

    The Hub keeps no link between voter and receipt: it checks that an anonymous ballot
    under this receipt holds this choice. Someone else's receipt (which only its holder
    knows) therefore gets the very answer the caller's own would.

    A secret ballot a proxy's holder cast for the caller cannot be replaced (the one
    exception to "the giver's own ballot wins"): 409 already_voted, saying so."""
    if marker.by is not None:
        raise AlreadyVoted("proxy_secret")
    filed = store.get_secret_ballot(seen.debate, receipt, consistent=True) if receipt else None
    if filed == ballot:
        return Cast(False, seen.debate.function, ballot, marker.cast_at, receipt=receipt)
    raise AlreadyVoted()


def cast_for(
    caller: Caller, seen: DebateAccess, giver_id: str, ballot: Ballot, receipt: str | None
) -> Cast:
    """The holder of `giver_id`'s proxy votes for them: the ballot is the giver's (their
    marker's key, so one person one ballot still holds), written with `by` = the holder and
    together with the proxy marked used, on condition the caller still holds it. The
    giver's own ballot wins: once they voted, the holder's is 409 already_voted."""
    function = seen.debate.function
    if not looks_like_user_id(giver_id) or not seen.consultation.proxies.allowed:
        raise NotProxyHolder()
    found = proxy_store.read_person(
        seen.consultation, giver_id, proxy_of=giver_id, debate=seen.debate
    )
    proxy = found.proxy
    if proxy is None or proxy.holder_id != caller.id:
        raise NotProxyHolder()
    if not may_take_part(seen.consultation, found.person, verified=proxy.giver_verified):
        raise NotEligible()
    if function.secret:
        return _cast_secret_for(caller, seen, giver_id, found.marker, ballot, receipt)
    if receipt is not None:
        raise refused("receipt", "not_secret")
    marker = found.marker
    for _ in range(_ATTEMPTS):
        now = clock.now()
        try:
            if marker is None:
                event = _proxy_used(seen, caller, giver_id)
                proxy_store.cast_for_first(seen.debate, giver_id, caller.id, ballot, event)
                count(Metric.BALLOTS_CAST, DecisionType=function.type.value)
                return Cast(True, function, ballot, event.at, for_=giver_id)
            if marker.by != caller.id:
                raise AlreadyVoted("by_giver")
            if marker.ballot == ballot:
                return Cast(
                    False,
                    function,
                    ballot,
                    marker.cast_at,
                    changed_at=marker.changed_at,
                    for_=giver_id,
                )
            if marker.ballot is None or not may_change(function):
                raise AlreadyVoted()
            store.change(seen.debate, giver_id, marker.ballot, ballot, now, cast_by=caller.id)
            count(Metric.BALLOTS_CHANGED, DecisionType=function.type.value)
            return Cast(False, function, ballot, marker.cast_at, changed_at=now, for_=giver_id)
        except (store.BallotExists, store.BallotMoved):
            marker = store.get_marker(seen.debate, giver_id)
        except proxy_store.NotHeld:
            raise NotProxyHolder() from None
    raise ConcurrentUpdate()


def _proxy_used(seen: DebateAccess, holder: Caller, giver_id: str) -> AuditEvent:
    """The audit entry of a proxy ballot: who, for whom, in which debate; never the choice."""
    return audit_event(
        seen.consultation.group_id,
        holder,
        "proxy_used",
        giver_id,
        consultation_id=seen.consultation.id,
        debate_id=seen.debate.id,
    )


def _cast_secret_for(
    caller: Caller,
    seen: DebateAccess,
    giver_id: str,
    marker: Marker | None,
    ballot: Ballot,
    receipt: str | None,
) -> Cast:
    """A secret ballot for the giver: cast once, its receipt answered to the holder (who
    may pass it on)."""
    function = seen.debate.function
    if receipt is not None and not looks_like_receipt(receipt):
        raise refused("receipt", "receipt_format")
    if marker is None:
        code = receipt or new_receipt()
        event = _proxy_used(seen, caller, giver_id)
        try:
            proxy_store.cast_secret_for(seen.debate, giver_id, caller.id, ballot, code, event)
            count(Metric.BALLOTS_CAST, DecisionType=function.type.value)
            return Cast(True, function, ballot, event.at, receipt=code, for_=giver_id)
        except store.BallotExists:
            marker = store.get_marker(seen.debate, giver_id)
            if marker is None:
                raise ConcurrentUpdate() from None
        except store.ReceiptTaken:
            raise refused("receipt", "receipt_taken") from None
        except proxy_store.NotHeld:
            raise NotProxyHolder() from None
    if marker.by != caller.id:
        raise AlreadyVoted("by_giver")
    filed = store.get_secret_ballot(seen.debate, receipt, consistent=True) if receipt else None
    if filed == ballot:
        return Cast(False, function, ballot, marker.cast_at, receipt=receipt, for_=giver_id)
    raise AlreadyVoted()


# Every refusal `refusal` may answer, in the order it checks them (debates document them as
# `can_vote.reason`): change one, change the other.
REFUSALS: tuple[type[HubError], ...] = (
    Unauthenticated,
    InvalidBallot,
    ConsultationClosed,
    NotOpen,
    Blocked,
    NotEligible,
    AlreadyVoted,
)


def refusal(seen: DebateAccess) -> HubError | None:
    """What `PUT .../ballot` would be refused with now, whatever ballot the caller sent; None
    when they may vote (or change their vote). The vote path applies these very rules
    (`cast`); a debate shows the answer as `can_vote`. A voter who may not change their
    ballot is `already_voted` (sending the same ballot again is still harmless)."""
    if seen.caller is None:
        return Unauthenticated()
    refused_now = _not_open_or_eligible(seen)
    marker, function = seen.marker, seen.debate.function
    # A ballot a proxy cast for the caller gives way to theirs (not a secret one).
    final = marker is not None and (marker.by is None or function.secret)
    if refused_now is None and final and not may_change(function):
        return AlreadyVoted()
    return refused_now


def _not_open_or_eligible(seen: DebateAccess) -> HubError | None:
    """Why the caller may not take part in this debate's decision now, in the order the
    ballot routes check it; None if they may."""
    if seen.debate.function.type is FunctionType.NONE:
        return refused("body", "no_ballot")
    if seen.closed:  # as for comments: one code says the consultation is closed
        return ConsultationClosed("ballots")
    if seen.status is not ConsultationStatus.OPEN:
        return NotOpen()
    if seen.blocked:
        return Blocked()
    if not seen.can(Action.PARTICIPATE):
        return NotEligible()
    return None


def _require_open_and_eligible(seen: DebateAccess) -> None:
    refused_now = _not_open_or_eligible(seen)
    if refused_now is not None:
        raise refused_now


def my_ballot(
    caller: Caller, debate_id: str, for_: str | None = None
) -> tuple[DebateAccess, Marker]:
    """The caller's own ballot; or, `for_` a giver whose proxy they hold, the ballot they
    cast for them (not the giver's own: 404)."""
    seen = voting(caller, debate_id)
    if for_ is not None and for_ != caller.id:
        if not looks_like_user_id(for_):
            raise NotProxyHolder()
        found = proxy_store.read_person(seen.consultation, for_, proxy_of=for_, debate=seen.debate)
        if found.proxy is None or found.proxy.holder_id != caller.id:
            raise NotProxyHolder()
        if found.marker is None or found.marker.by != caller.id:
            raise BallotNotFound()
        return seen, found.marker
    if seen.marker is None:
        raise BallotNotFound()
    return seen, seen.marker


def withdraw(caller: Caller, debate_id: str) -> None:
    """Withdraw one's ballot (or signature) while open, when changing is allowed."""
    seen = voting(caller, debate_id)
    _require_open_and_eligible(seen)
    marker = seen.marker
    for _ in range(_ATTEMPTS):
        if marker is None:
            raise BallotNotFound()
        if marker.ballot is None or not may_change(seen.debate.function):
            raise AlreadyVoted("not_withdrawable")
        try:
            store.withdraw(seen.debate, caller.id, marker.ballot)
            return
        except store.BallotMoved:
            marker = store.get_marker(seen.debate, caller.id)
    raise ConcurrentUpdate()


@dataclass(frozen=True)
class Results:
    counts: Counts
    final: bool
    as_of: datetime | None
    outcome: dict | None = None
    closed_at: datetime | None = None
    tally_mismatch: dict | None = None
    final_expected_at: datetime | None = None  # closed, not yet final (closing.py)
    function: DecisionFunction | None = None  # what the counts are of
    proxy_ballots: int = 0  # final results: how many ballots a proxy's holder cast


def results(caller: Caller | None, debate_id: str) -> Results:
    """Final results once the closer has recounted (visible to everyone who sees the
    debate); before that the running tally, when the debate's results visibility lets the
    caller see it. Admins follow the same rule: no peeking."""
    seen = voting(caller, debate_id)
    if seen.debate.function.type is FunctionType.NONE:
        raise ResultsHidden("no_decision")
    final = _final(seen)
    if final is not None:
        return Results(
            final.counts,
            final=True,
            as_of=final.finalised_at,
            outcome=final.outcome,
            closed_at=final.closed_at,
            tally_mismatch=final.tally_mismatch,
            function=seen.debate.function,
            proxy_ballots=final.proxy_ballots,
        )
    if not tally_visible(seen) or _holds_uncast_proxies(seen):
        raise ResultsHidden()
    tally = tallies.get_tally(seen.debate.id)
    return Results(
        Counts.of_tally(tally.counts, tally.ballots, options_of(seen.debate.function)),
        final=False,
        as_of=tally.updated_at,
        final_expected_at=closing.final_expected_at(seen.consultation, clock.now()),
        function=seen.debate.function,
    )


def tally_visible(seen: DebateAccess) -> bool:
    """Whether the caller sees the running tally before the final results: once the
    consultation has opened, if the debate shows it live, after the caller voted, or once
    closed. A ballot a proxy's holder cast for the caller counts as their vote only once
    they could not replace it anyway (secret, or changes allowed): else they would cast
    their own knowing the tally."""
    if seen.status in (ConsultationStatus.DRAFT, ConsultationStatus.SCHEDULED):
        return False
    function = seen.debate.function
    marker = seen.marker
    voted = marker is not None and (marker.by is None or function.secret or may_change(function))
    return (
        function.results_visibility is ResultsVisibility.LIVE
        or seen.closed
        or (function.results_visibility is ResultsVisibility.AFTER_VOTE and voted)
    )


def _holds_uncast_proxies(seen: DebateAccess) -> bool:
    """Whether the caller, shown the tally after their vote where ballots are final, still
    holds a proxy whose giver has no ballot in the debate: they would cast it knowing the
    tally. A Query of the proxies they hold, and one BatchGetItem of their givers' markers
    when they hold any (only then, and only in such a debate of a consultation allowing
    proxies)."""
    function = seen.debate.function
    if (
        seen.caller is None
        or seen.closed
        or function.results_visibility is not ResultsVisibility.AFTER_VOTE
        or may_change(function)
        or not seen.consultation.proxies.allowed
    ):
        return False
    held = proxy_store.held_by(seen.caller.id, seen.consultation.id, MAX_PER_HOLDER, None)
    givers = [proxy.giver_id for proxy in held.items]
    return bool(givers) and proxy_store.any_unmarked(seen.debate, givers)


def turnout_shown(seen: DebateAccess) -> bool:
    """Whether the caller sees how many ballots were cast (never their split): once open,
    when the debate shows its turnout, or whenever its running tally is visible to them.
    A petition's count of signatures is its result: it shows only when results do."""
    if seen.debate.function.type is FunctionType.NONE:
        return False
    if seen.debate.function.type is FunctionType.PETITION:
        return tally_visible(seen)
    opened = seen.status in (ConsultationStatus.OPEN, ConsultationStatus.CLOSED)
    return (seen.debate.show_turnout and opened) or tally_visible(seen)


def _final(seen: DebateAccess) -> result_store.FinalResult | None:
    if seen.consultation.phase is not Phase.FINALISED:
        return None
    return result_store.get_result(seen.consultation.id, seen.debate.id)


def _secret_and_final(seen: DebateAccess) -> None:
    if not seen.debate.function.secret:
        raise NotSecret()
    if _final(seen) is None:
        raise ResultsHidden("board_closed")


def check_receipt(caller: Caller | None, debate_id: str, receipt: str) -> Ballot:
    """After finalisation: was this receipt counted, and for what?"""
    seen = voting(caller, debate_id)
    _secret_and_final(seen)
    ballot = store.get_secret_ballot(seen.debate, receipt) if looks_like_code(receipt) else None
    if ballot is None:
        raise ReceiptNotFound()
    return ballot


def ballot_board(
    caller: Caller | None, debate_id: str
) -> tuple[DebateAccess, list[tuple[str, Ballot]]]:
    """After finalisation: every anonymous ballot (receipt, choice), by receipt."""
    seen = voting(caller, debate_id)
    _secret_and_final(seen)
    return seen, sorted(store.secret_ballots(seen.debate))


def recount(debate: Debate) -> Counts:
    """Count every ballot from the items themselves (the tally's check)."""
    options = options_of(debate.function)
    if debate.function.secret:
        return Counts.of((ballot for _, ballot in store.secret_ballots(debate)), options)
    return Counts.of((m.ballot for m in store.markers(debate) if m.ballot), options)
