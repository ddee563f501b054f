"""Consultations, their links into groups' partitions, grants and debates in the table.

Every write to a consultation's META item is conditioned on the version the service read,
and carries its audit event in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, replace
from datetime import datetime

from chalicelib.domain import clock
from chalicelib.domain.errors import (
    ConcurrentUpdate,
    ConsultationNotFound,
    GrantNotFound,
)
from chalicelib.domain.model import (
    Addendum,
    AuditEvent,
    Consultation,
    ConsultationVisibility,
    Debate,
    DecisionFunction,
    FunctionType,
    Grant,
    Participation,
    PartnerStatus,
    Phase,
    PollOption,
    ResultsVisibility,
)
from chalicelib.domain.roles import Role
from chalicelib.store import keys
from chalicelib.store.groups import record_in
from chalicelib.store.models import (
    ConsultationItem,
    ConsultationLinkItem,
    DebateItem,
    GrantItem,
    MembershipItem,
    TableMeta,
)
from chalicelib.store.table import (
    Page,
    Transaction,
    connection,
    decode_cursor,
    encode_cursor,
    get_many,
    query_page,
    transact,
)

# ---------------------------------------------------------------- conversions


def _time(text: str | None) -> datetime | None:
    return clock.from_iso(text) if text else None


def _iso(moment: datetime | None) -> str | None:
    return clock.to_iso(moment) if moment else None


def _consultation(item: ConsultationItem) -> Consultation:
    partners = item.partners.as_dict() if hasattr(item.partners, "as_dict") else item.partners
    return Consultation(
        id=item.consultation_id,
        group_id=item.group_id,
        title=item.title,
        description=item.description,
        visibility=ConsultationVisibility(item.visibility),
        audience=tuple(Role(r) for r in item.audience or ()),
        participation=Participation(item.participation),
        opens_at=_time(item.opens_at),
        closes_at=clock.from_iso(item.closes_at),
        created_at=clock.from_iso(item.created_at),
        created_by=item.created_by,
        published_at=_time(item.published_at),
        closed_at=_time(item.closed_at),
        partners={g: PartnerStatus(s) for g, s in (partners or {}).items()},
        version=int(item.version),
        phase=Phase(item.phase),
        due_at=_time(item.due_at),
        closed_by=item.closed_by,
        finalised_at=_time(item.finalised_at),
    )


def _consultation_item(c: Consultation) -> ConsultationItem:
    item = ConsultationItem(
        keys.consultation_pk(c.id),
        keys.META,
        consultation_id=c.id,
        group_id=c.group_id,
        title=c.title,
        description=c.description,
        visibility=c.visibility.value,
        audience=[r.value for r in c.audience],
        participation=c.participation.value,
        opens_at=_iso(c.opens_at),
        closes_at=clock.to_iso(c.closes_at),
        created_at=clock.to_iso(c.created_at),
        created_by=c.created_by,
        published_at=_iso(c.published_at),
        closed_at=_iso(c.closed_at),
        partners={g: s.value for g, s in c.partners.items()},
        version=c.version,
        phase=c.phase.value,
        closed_by=c.closed_by,
        finalised_at=_iso(c.finalised_at),
    )
    if c.due_at is not None:
        item.due_pk = keys.DUE
        item.due_at = clock.to_iso(c.due_at)
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


def _grant(item: GrantItem) -> Grant:
    return Grant(
        consultation_id=item.consultation_id,
        user_id=item.user_id,
        role=Role(item.role),
        granted_at=clock.from_iso(item.granted_at),
        granted_by=item.granted_by,
    )


def _function_json(function: DecisionFunction) -> str:
    return json.dumps(asdict(function), separators=(",", ":"))


def _function(text: str) -> DecisionFunction:
    raw = json.loads(text)
    return DecisionFunction(
        type=FunctionType(raw["type"]),
        options=tuple(PollOption(**option) for option in raw.get("options", ())),
        min_choices=raw.get("min_choices"),
        max_choices=raw.get("max_choices"),
        secret=raw.get("secret", False),
        results_visibility=(
            ResultsVisibility(raw["results_visibility"]) if raw.get("results_visibility") else None
        ),
        allow_change=raw.get("allow_change"),
        quorum=raw.get("quorum"),
        threshold=raw.get("threshold"),
        goal=raw.get("goal"),
    )


def _addenda_json(addenda: tuple[Addendum, ...]) -> str | None:
    if not addenda:
        return None
    return json.dumps(
        [
            {
                "body": a.body,
                "author_id": a.author_id,
                "author_name": a.author_name,
                "added_at": clock.to_iso(a.added_at),
            }
            for a in addenda
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _addenda(text: str | None) -> tuple[Addendum, ...]:
    return tuple(
        Addendum(
            body=raw["body"],
            author_id=raw["author_id"],
            author_name=raw["author_name"],
            added_at=clock.from_iso(raw["added_at"]),
        )
        for raw in json.loads(text or "[]")
    )


def _debate(item: DebateItem) -> Debate:
    return Debate(
        id=item.debate_id,
        consultation_id=item.consultation_id,
        title=item.title,
        body=item.body,
        function=_function(item.function),
        created_at=clock.from_iso(item.created_at),
        created_by=item.created_by,
        updated_at=_time(item.updated_at),
        version=int(item.version),
        ballot_shards=int(item.ballot_shards),
        addenda=_addenda(item.addenda),
    )


def _debate_item(debate: Debate) -> DebateItem:
    return DebateItem(
        keys.consultation_pk(debate.consultation_id),
        keys.debate_sk(debate.id[12:]),
        debate_id=debate.id,
        consultation_id=debate.consultation_id,
        title=debate.title,
        body=debate.body,
        function=_function_json(debate.function),
        created_at=clock.to_iso(debate.created_at),
        created_by=debate.created_by,
        updated_at=_iso(debate.updated_at),
        version=debate.version,
        ballot_shards=debate.ballot_shards,
        addenda=_addenda_json(debate.addenda),
    )


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
) -> Consultation:
    """Write `after` if the item still has `before`'s version; optionally add a group link
    (group id, relation) or remove one. Returns the consultation as stored."""
    stored = replace(after, version=before.version + 1)

    def build(transaction: Transaction) -> None:
        transaction.save(
            _consultation_item(stored),
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
        for event in events:
            record_in(transaction, event)

    transact(build)
    return stored


def group_consultation_ids(group_id: str, limit: int, cursor: str | None) -> Page[str]:
    """The consultations a group hosts or shares, newest first: one Query per page."""
    return query_page(
        ConsultationLinkItem,
        keys.group_pk(group_id),
        keys.CONSULTATION_LINK_PREFIX,
        lambda link: link.consultation_id,
        limit,
        cursor,
        newest_first=True,
    )


def public_consultations(limit: int, cursor: str | None) -> Page[Consultation]:
    """Published public consultations of every group, newest first (a sparse index)."""
    start = decode_cursor(cursor, partition=("gsi1pk", keys.PUBLIC_CONSULTATIONS))
    results = ConsultationItem.gsi1.query(
        keys.PUBLIC_CONSULTATIONS,
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=start,
    )
    items = [_consultation(item) for item in results]
    return Page(items, encode_cursor(results.last_evaluated_key))


# ---------------------------------------------------------------- who is inside


def roles_and_grant(
    user_id: str, group_ids: list[str], consultation_id: str, *, consistent: bool = False
) -> tuple[dict[str, Role], Role | None]:
    """The user's role in each of `group_ids` and their grant in the consultation, in one
    round trip."""
    roles, grants = roles_and_grants(user_id, group_ids, [consultation_id], consistent=consistent)
    return roles, grants.get(consultation_id)


def roles_and_grants(
    user_id: str,
    group_ids: Iterable[str],
    consultation_ids: Iterable[str],
    *,
    consistent: bool = False,
) -> tuple[dict[str, Role], dict[str, Role]]:
    """The user's role in each of these groups and their grant in each of these
    consultations: one BatchGetItem per 100 keys."""
    members = {(keys.group_pk(g), keys.member_sk(user_id)): g for g in sorted(set(group_ids))}
    grants = {
        (keys.consultation_pk(c), keys.grant_sk(user_id)): c for c in sorted(set(consultation_ids))
    }
    found = get_many([*members, *grants], consistent=consistent)
    roles = {
        group_id: Role(MembershipItem.from_raw_data(found[key]).role)
        for key, group_id in members.items()
        if key in found
    }
    granted = {
        consultation_id: Role(GrantItem.from_raw_data(found[key]).role)
        for key, consultation_id in grants.items()
        if key in found
    }
    return roles, granted


def everything_of_user(user_id: str) -> tuple[dict[str, Role], dict[str, Role]]:
    """All the user's group roles and consultation grants: one Query of their partition."""
    roles: dict[str, Role] = {}
    grants: dict[str, Role] = {}
    client = connection().client
    request = {
        "TableName": TableMeta.table_name,
        "IndexName": "gsi1",
        "KeyConditionExpression": "gsi1pk = :user",
        "ExpressionAttributeValues": {":user": {"S": keys.user_pk(user_id)}},
    }
    while True:
        response = client.query(**request)
        for item in response.get("Items", []):
            kind = item.get("kind", {}).get("S")
            if kind == "membership":
                roles[item["group_id"]["S"]] = Role(item["role"]["S"])
            elif kind == "grant":
                grants[item["consultation_id"]["S"]] = Role(item["role"]["S"])
        if "LastEvaluatedKey" not in response:
            return roles, grants
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


# ---------------------------------------------------------------- grants


def put_grant(grant: Grant, event: AuditEvent) -> None:
    item = GrantItem(
        keys.consultation_pk(grant.consultation_id),
        keys.grant_sk(grant.user_id),
        consultation_id=grant.consultation_id,
        user_id=grant.user_id,
        role=grant.role.value,
        granted_at=clock.to_iso(grant.granted_at),
        granted_by=grant.granted_by,
        gsi1pk=keys.user_pk(grant.user_id),
        gsi1sk=keys.user_grant_sk(grant.consultation_id),
    )

    def build(transaction: Transaction) -> None:
        transaction.save(item, condition=None, on_fail=ConcurrentUpdate())
        transaction.check(
            ConsultationItem,
            keys.consultation_pk(grant.consultation_id),
            keys.META,
            condition=ConsultationItem.pk.exists(),
            on_fail=ConsultationNotFound(),
        )
        record_in(transaction, event)

    transact(build)


def get_grant(consultation_id: str, user_id: str) -> Grant | None:
    try:
        item = GrantItem.get(keys.consultation_pk(consultation_id), keys.grant_sk(user_id))
    except GrantItem.DoesNotExist:
        return None
    return _grant(item)


def delete_grant(consultation_id: str, user_id: str, event: AuditEvent) -> None:
    item = GrantItem(keys.consultation_pk(consultation_id), keys.grant_sk(user_id))

    def build(transaction: Transaction) -> None:
        transaction.delete(item, condition=GrantItem.pk.exists(), on_fail=GrantNotFound())
        record_in(transaction, event)

    transact(build)


def list_grants(consultation_id: str, limit: int, cursor: str | None) -> Page[Grant]:
    return query_page(
        GrantItem, keys.consultation_pk(consultation_id), keys.GRANT_PREFIX, _grant, limit, cursor
    )


# ---------------------------------------------------------------- debates


def create_debate(debate: Debate, event: AuditEvent) -> None:
    def build(transaction: Transaction) -> None:
        transaction.save(
            _debate_item(debate),
            condition=DebateItem.pk.does_not_exist(),
            on_fail=ConcurrentUpdate(),
        )
        record_in(transaction, event)

    transact(build)


def get_consultation_and_debate(
    consultation_id: str, local_id: str, *, consistent: bool = False
) -> tuple[Consultation | None, Debate | None]:
    """A debate and its consultation, in one round trip."""
    meta = (keys.consultation_pk(consultation_id), keys.META)
    debate_key = (keys.consultation_pk(consultation_id), keys.debate_sk(local_id))
    found = get_many([meta, debate_key], consistent=consistent)
    consultation = found.get(meta)
    debate = found.get(debate_key)
    return (
        _consultation(ConsultationItem.from_raw_data(consultation)) if consultation else None,
        _debate(DebateItem.from_raw_data(debate)) if debate else None,
    )


def list_debates(consultation_id: str, limit: int, cursor: str | None) -> Page[Debate]:
    return query_page(
        DebateItem,
        keys.consultation_pk(consultation_id),
        keys.DEBATE_PREFIX,
        _debate,
        limit,
        cursor,
    )


class ConsultationMoved(ConcurrentUpdate):
    """The consultation is no longer as the service read it (or its opening came too close):
    decide again on a fresh read."""


def save_debate(
    before: Debate,
    after: Debate,
    event: AuditEvent,
    *,
    consultation: Consultation,
    opens_after: datetime | None = None,
) -> Debate:
    """Write `after` if the debate still has `before`'s version and its consultation still
    has `consultation`'s version (ConsultationMoved otherwise): publishing, closing early
    or any change in between makes the service decide again. With `opens_after`, a
    published consultation must also open after that moment, so that no ballot can exist
    when the write lands (ballots are cast only once it is open)."""
    stored = replace(after, version=before.version + 1)
    still = ConsultationItem.version == consultation.version
    if opens_after is not None and consultation.published_at is not None:
        still &= ConsultationItem.opens_at > clock.to_iso(opens_after)

    def build(transaction: Transaction) -> None:
        transaction.check(
            ConsultationItem,
            keys.consultation_pk(consultation.id),
            keys.META,
            condition=still,
            on_fail=ConsultationMoved(),
        )
        transaction.save(
            _debate_item(stored),
            condition=DebateItem.version == before.version,
            on_fail=ConcurrentUpdate(),
        )
        record_in(transaction, event)

    transact(build)
    return stored


# ---------------------------------------------------------------- the closer


def due_consultations(now: datetime) -> Iterator[Consultation]:
    """Consultations with a transition due by `now`: a Query of the sparse due index, whose
    cost grows with what is due, never with how many consultations exist."""
    for item in ConsultationItem.due.query(keys.DUE, ConsultationItem.due_at <= clock.to_iso(now)):
        yield _consultation(item)


def all_debates(consultation_id: str) -> list[Debate]:
    return [
        _debate(item)
        for item in DebateItem.query(
            keys.consultation_pk(consultation_id),
            DebateItem.sk.startswith(keys.DEBATE_PREFIX),
            consistent_read=True,
        )
    ]


def consultation_from_raw(raw: dict) -> Consultation:
    return _consultation(ConsultationItem.from_raw_data(raw))


def debate_from_raw(raw: dict) -> Debate:
    return _debate(DebateItem.from_raw_data(raw))
