"""Debates in their consultation's partition: the question, its decision function, the
addenda. A debate's writes are conditioned on its version and on its consultation's.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import datetime

from chalicelib.domain import clock
from chalicelib.domain.errors import ConcurrentUpdate, ConsultationClosed
from chalicelib.domain.model import (
    Addendum,
    AuditEvent,
    Consultation,
    Debate,
    DecisionFunction,
    FunctionType,
    Phase,
    PollOption,
    ResultsVisibility,
)
from chalicelib.store import keys
from chalicelib.store.audit import record_in
from chalicelib.store.convert import to_domain, to_item
from chalicelib.store.models.consultations import ConsultationItem, DebateItem
from chalicelib.store.table import Page, Transaction, query_page, transact

# ---------------------------------------------------------------- conversions


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
        max_ranks=raw.get("max_ranks"),
        grades=tuple(raw.get("grades", ())),
        max_score=raw.get("max_score"),
        points_per_voter=raw.get("points_per_voter"),
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
    return to_domain(
        item,
        Debate,
        function=_function(item.function),
        addenda=_addenda(item.addenda),
        # Debates made before their creator's name was recorded show their id.
        created_by_name=item.created_by_name or item.created_by,
    )


def _debate_item(debate: Debate) -> DebateItem:
    return to_item(
        debate,
        DebateItem,
        keys.consultation_pk(debate.consultation_id),
        keys.debate_sk(debate.id[12:]),
        function=_function_json(debate.function),
        addenda=_addenda_json(debate.addenda),
    )


def debate_from_raw(raw: dict) -> Debate:
    return _debate(DebateItem.from_raw_data(raw))


# ---------------------------------------------------------------- debates


def create_debate(debate: Debate, event: AuditEvent) -> None:
    """The debate, its consultation's `debate_count` + 1 (an ADD: debates created at once
    are all counted) and the audit event, in one transaction. The consultation must not
    have been closed since it was read (an early close, or the closer): a debate that lands
    after it would never get a final result."""

    def build(transaction: Transaction) -> None:
        transaction.save(
            _debate_item(debate),
            condition=DebateItem.pk.does_not_exist(),
            on_fail=ConcurrentUpdate(),
        )
        transaction.update(
            ConsultationItem(keys.consultation_pk(debate.consultation_id), keys.META),
            [ConsultationItem.debate_count.add(1)],
            condition=ConsultationItem.pk.exists()
            & ~ConsultationItem.phase.is_in(Phase.CLOSED.value, Phase.FINALISED.value),
            on_fail=ConsultationClosed(),
        )
        record_in(transaction, event)

    transact(build)


def list_debates(consultation_id: str, limit: int, cursor: str | None) -> Page[Debate]:
    return query_page(
        "debates",
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


def all_debates(consultation_id: str) -> list[Debate]:
    return [
        _debate(item)
        for item in DebateItem.query(
            keys.consultation_pk(consultation_id),
            DebateItem.sk.startswith(keys.DEBATE_PREFIX),
            consistent_read=True,
        )
    ]
