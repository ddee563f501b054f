"""Proxies in the table: `CONSULT#c` / `PROXY#giver` (the proxy) and `CONSULT#c` /
`PROXYHOLDER#holder` (how many the holder holds there).

Giving is one transaction (the proxy, the new holder's count + 1 conditioned on staying
within the consultation's `max_per_holder`, the former holder's count - 1 when it replaces
a proxy, the audit entry); revoking is one (the proxy deleted if still unused and held by
the same person, the count - 1, the audit entry). A proxy ballot is the giver's marker
written together with `used_at` on the proxy, conditioned on the writer still holding it:
a revocation racing the vote leaves either no proxy and no ballot, or both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from pynamodb.exceptions import UpdateError

from chalicelib.domain import clock
from chalicelib.domain.ballot import Ballot
from chalicelib.domain.ballots import Marker
from chalicelib.domain.deliberation import Block
from chalicelib.domain.errors import ConcurrentUpdate, ProxyLimit
from chalicelib.domain.model import AuditEvent, Consultation, Debate
from chalicelib.domain.proxies import Proxy
from chalicelib.domain.roles import Role
from chalicelib.store import ballots, keys
from chalicelib.store.audit import record_in
from chalicelib.store.ballots import marker_from_raw, marker_key
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.cursors import Listing, decode_cursor, encode_cursor
from chalicelib.store.memberships import membership_from_raw
from chalicelib.store.models.ballots import BallotMarkerItem
from chalicelib.store.models.consultations import GrantItem
from chalicelib.store.models.proxies import ProxyHolderItem, ProxyItem
from chalicelib.store.moderation import block_from_raw, block_key
from chalicelib.store.profiles import profile_from_raw, profile_key
from chalicelib.store.table import Page, Transaction, get_many, transact


class ProxyMoved(Exception):
    """The proxy changed (given, replaced, revoked or used) between the read and the write."""


class NotHeld(Exception):
    """The proxy is no longer the writer's (revoked or replaced) when their ballot lands."""


class _Moved(ConcurrentUpdate):
    pass


class _NotHeld(ConcurrentUpdate):
    pass


def proxy_key(consultation_id: str, giver_id: str) -> tuple[str, str]:
    return keys.consultation_pk(consultation_id), keys.proxy_sk(giver_id)


def _proxy(item: ProxyItem) -> Proxy:
    return to_domain(item, Proxy)


def proxy_from_raw(raw: dict) -> Proxy:
    return _proxy(ProxyItem.from_raw_data(raw))


def _proxy_item(proxy: Proxy) -> ProxyItem:
    item = to_item(
        proxy,
        ProxyItem,
        *proxy_key(proxy.consultation_id, proxy.giver_id),
        gsi1pk=keys.held_proxies_pk(proxy.holder_id),
        gsi1sk=keys.held_proxy_sk(
            clock.to_iso(proxy.given_at), proxy.consultation_id, proxy.giver_id
        ),
    )
    item.owned_by(proxy.giver_id)
    return item


def _holder_item(consultation_id: str, holder_id: str) -> ProxyHolderItem:
    return ProxyHolderItem(keys.consultation_pk(consultation_id), keys.proxy_holder_sk(holder_id))


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class Person:
    """Someone other than the caller, towards a consultation: what the permission table
    needs to say whether they may take part, and the name the Hub shows for them."""

    user_id: str
    name: str
    roles: dict[str, Role] = field(default_factory=dict)  # in the host and accepted partners
    grant: Role | None = None
    block: Block | None = None


@dataclass(frozen=True)
class GiverFound:
    proxy: Proxy | None
    person: Person
    marker: Marker | None = None  # the giver's, in the debate asked for


def get_proxy(consultation_id: str, giver_id: str) -> Proxy | None:
    try:
        item = ProxyItem.get(*proxy_key(consultation_id, giver_id), consistent_read=True)
    except ProxyItem.DoesNotExist:
        return None
    return _proxy(item)


def read_person(
    consultation: Consultation,
    user_id: str,
    *,
    proxy_of: str | None = None,
    debate: Debate | None = None,
) -> GiverFound:
    """`user_id`'s roles in the host and accepted partners, grant, block and profile (for
    their name), with the proxy `proxy_of` gave (when asked) and `user_id`'s ballot marker
    in `debate` (when asked): one BatchGetItem, strongly consistent."""
    groups = [consultation.group_id, *consultation.accepted_partners]
    members = {(keys.group_pk(g), keys.member_sk(user_id)): g for g in groups}
    grant_key = (keys.consultation_pk(consultation.id), keys.grant_sk(user_id))
    blocked_key = block_key(consultation.group_id, user_id)
    chosen_key = profile_key(user_id)
    given_key = proxy_key(consultation.id, proxy_of) if proxy_of is not None else None
    marked_key = marker_key(debate, user_id) if debate is not None else None
    wanted = [*members, grant_key, blocked_key, chosen_key]
    wanted += [key for key in (given_key, marked_key) if key is not None]
    held = get_many(wanted, consistent=True)
    memberships = {g: membership_from_raw(held[key]) for key, g in members.items() if key in held}
    profile = profile_from_raw(held[chosen_key]) if chosen_key in held else None
    names = [profile.display_name if profile else None]
    names += [m.name for g, m in sorted(memberships.items(), key=lambda x: x[0] != groups[0])]
    person = Person(
        user_id=user_id,
        name=next((name for name in names if name), user_id),
        roles={g: m.role for g, m in memberships.items()},
        grant=Role(GrantItem.from_raw_data(held[grant_key]).role) if grant_key in held else None,
        block=block_from_raw(held[blocked_key]) if blocked_key in held else None,
    )
    proxy = (
        _proxy(ProxyItem.from_raw_data(held[given_key]))
        if given_key is not None and given_key in held
        else None
    )
    marker = (
        marker_from_raw(held[marked_key]) if marked_key is not None and marked_key in held else None
    )
    return GiverFound(proxy, person, marker)


def held_by(
    holder_id: str, consultation_id: str | None, limit: int, cursor: str | None
) -> Page[Proxy]:
    """The proxies `holder_id` holds, newest first: one Query of their gsi1 partition
    (filtered to one consultation when asked: a holder holds few proxies)."""
    pk = keys.held_proxies_pk(holder_id)
    listing = Listing("held_proxies", ("gsi1pk", pk), (consultation_id or "",))
    results = ProxyItem.gsi1.query(
        pk,
        filter_condition=(ProxyItem.consultation_id == consultation_id)
        if consultation_id
        else None,
        scan_index_forward=False,
        limit=limit,
        page_size=limit if consultation_id is None else None,
        last_evaluated_key=decode_cursor(listing, cursor),
    )
    items = [_proxy(item) for item in results]
    return Page(items, encode_cursor(listing, results.last_evaluated_key))


def all_held_by(holder_id: str) -> list[Proxy]:
    """Every proxy `holder_id` holds (their export and erasure): their gsi1 partition."""
    return [_proxy(item) for item in ProxyItem.gsi1.query(keys.held_proxies_pk(holder_id))]


def given_by(giver_id: str) -> list[Proxy]:
    """Every proxy `giver_id` gave (their export and erasure), through the owner index."""
    found = [
        (item.pk, item.sk)
        for item in ProxyItem.owner.query(
            keys.owner_pk(giver_id), ProxyItem.owner_sk.startswith("proxy#")
        )
    ]
    raw = get_many(found, consistent=True) if found else {}
    return [_proxy(ProxyItem.from_raw_data(item)) for item in raw.values()]


# ---------------------------------------------------------------- giving and revoking


def give(proxy: Proxy, before: Proxy | None, max_per_holder: int, event: AuditEvent) -> None:
    """Give `proxy` (replacing `before`, the giver's proxy as read, if any). ProxyMoved if
    the giver's proxy changed since it was read; ProxyLimit if the holder holds as many as
    allowed."""
    consultation_id = proxy.consultation_id

    def build(transaction: Transaction) -> None:
        if before is None:
            still = ProxyItem.pk.does_not_exist()
        else:
            still = (ProxyItem.holder_id == before.holder_id) & ProxyItem.used_at.does_not_exist()
        transaction.save(_proxy_item(proxy), condition=still, on_fail=_Moved())
        transaction.update(
            _holder_item(consultation_id, proxy.holder_id),
            [
                ProxyHolderItem.kind.set("proxy_holder"),
                ProxyHolderItem.consultation_id.set(consultation_id),
                ProxyHolderItem.holder_id.set(proxy.holder_id),
                ProxyHolderItem.count.add(1),
            ],
            condition=ProxyHolderItem.count.does_not_exist()
            | (ProxyHolderItem.count < max_per_holder),
            on_fail=ProxyLimit(),
        )
        if before is not None:
            _count_down(transaction, consultation_id, before.holder_id)
        record_in(transaction, event)

    try:
        transact(build)
    except _Moved:
        raise ProxyMoved() from None


def _count_down(transaction: Transaction, consultation_id: str, holder_id: str) -> None:
    transaction.update(
        _holder_item(consultation_id, holder_id),
        [ProxyHolderItem.count.add(-1)],
        condition=ProxyHolderItem.count > 0,
        on_fail=ConcurrentUpdate(),
    )


def revoke(proxy: Proxy, event: AuditEvent | None) -> None:
    """Delete `proxy` if its holder is still the one read and has not used it. ProxyMoved
    otherwise (read it again to tell why)."""

    def build(transaction: Transaction) -> None:
        transaction.delete(
            ProxyItem(*proxy_key(proxy.consultation_id, proxy.giver_id)),
            condition=(ProxyItem.holder_id == proxy.holder_id) & ProxyItem.used_at.does_not_exist(),
            on_fail=_Moved(),
        )
        _count_down(transaction, proxy.consultation_id, proxy.holder_id)
        if event is not None:
            record_in(transaction, event)

    try:
        transact(build)
    except _Moved:
        raise ProxyMoved() from None


def drop(proxy: Proxy) -> None:
    """An erasure takes the proxy away, used or not, with its holder's count: one
    transaction, conditioned on the proxy being there still (else nothing to do)."""

    def build(transaction: Transaction) -> None:
        transaction.delete(
            ProxyItem(*proxy_key(proxy.consultation_id, proxy.giver_id)),
            condition=ProxyItem.holder_id == proxy.holder_id,
            on_fail=_Moved(),
        )
        _count_down(transaction, proxy.consultation_id, proxy.holder_id)

    with contextlib.suppress(_Moved):  # gone or replaced meanwhile: nothing of it is left
        transact(build)


def rename_holder(debate: Debate, giver_id: str, holder_id: str, alias: str) -> None:
    """The giver's marker in `debate`, if `holder_id` cast it, names `alias` instead."""
    try:
        BallotMarkerItem(*marker_key(debate, giver_id)).update(
            actions=[BallotMarkerItem.by.set(alias)],
            condition=BallotMarkerItem.by == holder_id,
        )
    except UpdateError as error:
        if getattr(error, "cause_response_code", None) != "ConditionalCheckFailedException":
            raise


def holder_count(consultation_id: str, holder_id: str) -> int:
    try:
        item = ProxyHolderItem.get(
            keys.consultation_pk(consultation_id),
            keys.proxy_holder_sk(holder_id),
            consistent_read=True,
        )
    except ProxyHolderItem.DoesNotExist:
        return 0
    return int(item.count or 0)


def any_unmarked(debate: Debate, voter_ids: list[str]) -> bool:
    """Whether any of `voter_ids` has no ballot marker in `debate`: one BatchGetItem."""
    wanted = [marker_key(debate, voter_id) for voter_id in voter_ids]
    found = get_many(wanted, consistent=True)
    return any(key not in found for key in wanted)


# ---------------------------------------------------------------- voting with a proxy


def _use(transaction: Transaction, debate: Debate, giver_id: str, holder_id: str, now: str) -> None:
    transaction.update(
        ProxyItem(*proxy_key(debate.consultation_id, giver_id)),
        [ProxyItem.used_at.set(ProxyItem.used_at | now)],
        condition=ProxyItem.holder_id == holder_id,
        on_fail=_NotHeld(),
    )


def cast_for_first(
    debate: Debate, giver_id: str, holder_id: str, ballot: Ballot, event: AuditEvent
) -> None:
    """The holder's first ballot for the giver: the giver's marker (with `by`), the proxy
    marked used, the audit entry, in one transaction. BallotExists if the giver's marker
    exists; NotHeld if the holder no longer holds the proxy."""
    marker = ballots.new_marker(debate, giver_id, ballot, event.at, by=holder_id)

    def build(transaction: Transaction) -> None:
        ballots.file_first(transaction, marker)
        _use(transaction, debate, giver_id, holder_id, marker.cast_at)
        record_in(transaction, event)

    _send(build)


def cast_secret_for(
    debate: Debate, giver_id: str, holder_id: str, ballot: Ballot, receipt: str, event: AuditEvent
) -> None:
    """As `cast_for_first`, for a secret ballot: the marker holds no choice, the anonymous
    ballot is filed under the receipt (ReceiptTaken if another holds it)."""
    marker = ballots.new_marker(debate, giver_id, None, event.at, by=holder_id)

    def build(transaction: Transaction) -> None:
        ballots.file_secret(transaction, debate, marker, ballot, receipt)
        _use(transaction, debate, giver_id, holder_id, marker.cast_at)
        record_in(transaction, event)

    _send(build)


def _send(build: Callable[[Transaction], None]) -> None:
    try:
        ballots.send(build)
    except _NotHeld:
        raise NotHeld() from None
