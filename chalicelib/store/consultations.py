"""Consultations and their links into groups' partitions in the table.

Every write to a consultation's META item is conditioned on the version the service read,
and carries its audit event in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from datetime import datetime

from pynamodb.expressions.update import Action

from chalicelib.domain import clock
from chalicelib.domain.errors import ConcurrentUpdate
from chalicelib.domain.model import (
    AuditEvent,
    Consultation,
    ConsultationVisibility,
    Phase,
    Proxies,
)
from chalicelib.store import due, keys
from chalicelib.store.audit import record_in
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.cursors import Listing, decode_cursor, encode_cursor
from chalicelib.store.models.consultations import ConsultationItem, ConsultationLinkItem
from chalicelib.store.table import (
    Page,
    Transaction,
    query_page,
    transact,
)

# ---------------------------------------------------------------- conversions


def _consultation(item: ConsultationItem) -> Consultation:
    # Consultations made before their creator's name was recorded show their id.
    return to_domain(
        item,
        Consultation,
        created_by_name=item.created_by_name or item.created_by,
        proxies=Proxies(**json.loads(item.proxies)) if item.proxies else Proxies(),
    )


def _consultation_item(c: Consultation) -> ConsultationItem:
    # `due_at` is a field; its partition key is present only with it (a sparse index).
    due_pk = keys.DUE if c.due_at is not None else None
    proxies = json.dumps(asdict(c.proxies)) if c.proxies != Proxies() else None
    item = to_item(
        c, ConsultationItem, keys.consultation_pk(c.id), keys.META, due_pk=due_pk, proxies=proxies
    )
    if c.visibility is ConsultationVisibility.PUBLIC and c.phase in (Phase.SCHEDULED, Phase.OPEN):
        item.gsi1pk = keys.PUBLIC_CONSULTATIONS
        item.gsi1sk = keys.public_sk(clock.to_iso(c.published_at), c.id)
    return item


def _link_item(group_id: str, c: Consultation, relation: str) -> ConsultationLinkItem:
    return ConsultationLinkItem(
        keys.group_pk(group_id),
        keys.consultation_link_sk(clock.to_iso(c.created_at), c.id),
        group_id=group_id,
        consultation_id=c.id,
        relation=relation,
    )


def _invitation_item(group_id: str, c: Consultation) -> ConsultationLinkItem:
    return ConsultationLinkItem(
        keys.group_pk(group_id),
        keys.partner_invitation_sk(clock.to_iso(c.created_at), c.id),
        group_id=group_id,
        consultation_id=c.id,
        relation="invited",
    )


# Kept by their own writes (ADD), never by a save of the consultation.
_COUNTERS = frozenset({"debate_count"})


def _every_attribute_but_counters(item: ConsultationItem) -> list[Action]:
    """SET each attribute the item holds, REMOVE each it lacks (a field set to None, a
    sparse index left), keys and counters aside."""
    actions: list[Action] = []
    for name, attribute in ConsultationItem.get_attributes().items():
        if attribute.is_hash_key or attribute.is_range_key or name in _COUNTERS:
            continue
        value = getattr(item, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))
    return actions


def consultation_from_raw(raw: dict) -> Consultation:
    return _consultation(ConsultationItem.from_raw_data(raw))


# ---------------------------------------------------------------- consultations


def create_consultation(consultation: Consultation, event: AuditEvent) -> None:
    def build(transaction: Transaction) -> None:
        transaction.save(
            _consultation_item(consultation),
            condition=ConsultationItem.pk.does_not_exist(),
            on_fail=ConcurrentUpdate(),
        )
        transaction.save(
            _link_item(consultation.group_id, consultation, "host"),
            condition=None,
            on_fail=ConcurrentUpdate(),
        )
        record_in(transaction, event)

    transact(build)


def get_consultation(consultation_id: str, *, consistent: bool = False) -> Consultation | None:
    try:
        item = ConsultationItem.get(
            keys.consultation_pk(consultation_id), keys.META, consistent_read=consistent
        )
    except ConsultationItem.DoesNotExist:
        return None
    return _consultation(item)


def get_consultations(ids: Iterable[str]) -> dict[str, Consultation]:
    wanted = [(keys.consultation_pk(i), keys.META) for i in set(ids)]
    return {
        item.consultation_id: _consultation(item) for item in ConsultationItem.batch_get(wanted)
    }


def save_consultation(
    before: Consultation,
    after: Consultation,
    events: list[AuditEvent],
    *,
    link: tuple[str, str] | None = None,
    unlink: str | None = None,
    invite: str | None = None,
    uninvite: str | None = None,
) -> Consultation:
    """Write `after` if the item still has `before`'s version; optionally add a group link
    (group id, relation) or remove one, and add or remove a pending partnership's entry in
    the invited group's partition (`invite`, `uninvite`: its id). Returns the
    consultation as stored.

    An update of every attribute but the debate count, not a put: creating a debate adds
    to the count without changing the version, and a save must not put back the count it
    read."""
    stored = replace(after, version=before.version + 1)

    def build(transaction: Transaction) -> None:
        item = _consultation_item(stored)
        transaction.update(
            item,
            _every_attribute_but_counters(item),
            condition=ConsultationItem.version == before.version,
            on_fail=ConcurrentUpdate(),
        )
        if link is not None:
            transaction.save(
                _link_item(link[0], stored, link[1]), condition=None, on_fail=ConcurrentUpdate()
            )
        if unlink is not None:
            transaction.delete(
                _link_item(unlink, stored, "partner"), condition=None, on_fail=ConcurrentUpdate()
            )
        if invite is not None:
            transaction.save(
                _invitation_item(invite, stored), condition=None, on_fail=ConcurrentUpdate()
            )
        if uninvite is not None:
            transaction.delete(
                _invitation_item(uninvite, stored), condition=None, on_fail=ConcurrentUpdate()
            )
        for event in events:
            record_in(transaction, event)

    transact(build)
    return stored


def group_consultation_ids(group_id: str, limit: int, cursor: str | None) -> Page[str]:
    """The consultations a group hosts or shares, newest first: one Query per page."""
    return query_page(
        "group_consultations",
        ConsultationLinkItem,
        keys.group_pk(group_id),
        keys.CONSULTATION_LINK_PREFIX,
        lambda link: link.consultation_id,
        limit,
        cursor,
        newest_first=True,
    )


def group_partner_invitation_ids(group_id: str, limit: int, cursor: str | None) -> Page[str]:
    """The consultations a group is invited to share and has not answered, newest first:
    one Query per page."""
    return query_page(
        "partner_invitations",
        ConsultationLinkItem,
        keys.group_pk(group_id),
        keys.PARTNER_INVITATION_PREFIX,
        lambda link: link.consultation_id,
        limit,
        cursor,
        newest_first=True,
    )


def public_consultations(limit: int, cursor: str | None) -> Page[Consultation]:
    """Published public consultations of every group, newest first (a sparse index)."""
    listing = Listing("public_consultations", ("gsi1pk", keys.PUBLIC_CONSULTATIONS))
    results = ConsultationItem.gsi1.query(
        keys.PUBLIC_CONSULTATIONS,
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_cursor(listing, cursor),
    )
    items = [_consultation(item) for item in results]
    return Page(items, encode_cursor(listing, results.last_evaluated_key))


# ---------------------------------------------------------------- the closer


def due_consultations(now: datetime) -> Iterator[Consultation]:
    """Consultations with a transition due by `now` (`due.due_items`)."""
    for item in due.due_items(now):
        yield _consultation(item)
