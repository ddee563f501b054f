"""store/convert.py: a stored field is declared in the dataclass and the item model, and
nowhere else; the stored format is the one docs/data.md documents. No table is touched:
items are built and serialised in memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.domain.deliberation import Comment, CommentVersion, Stance
from chalicelib.domain.groups import Group, Invitation, JoinPolicy
from chalicelib.domain.model import (
    AuditEvent,
    Consultation,
    ConsultationVisibility,
    Participation,
    PartnerStatus,
    Phase,
    Proxies,
)
from chalicelib.domain.roles import Role
from chalicelib.store.convert import NoConversion, to_domain, to_item
from chalicelib.store.models import TableItem, TableMeta
from chalicelib.store.models.audit import AuditEventItem
from chalicelib.store.models.comments import CommentItem
from chalicelib.store.models.consultations import ConsultationItem
from chalicelib.store.models.groups import GroupItem, InvitationItem

AT = datetime(2026, 11, 27, 2, 19, 43, 123000, tzinfo=UTC)
LATER = datetime(2026, 12, 24, 18, 0, tzinfo=UTC)


def stored(item: TableItem) -> dict[str, Any]:
    """The attributes as DynamoDB receives them, keys left out."""
    return {k: v for k, v in item.serialize().items() if k not in ("pk", "sk")}


def reread(item: TableItem) -> TableItem:
    """The item as a read gives it back: from its DynamoDB form."""
    return type(item).from_raw_data(item.serialize())


def test_group_is_stored_as_documented_and_reads_back() -> None:
    group = Group(
        "g1", "Vélo", "", True, JoinPolicy.REQUEST, AT, "u1", admin_count=2, member_count=5
    )
    item = to_item(group, GroupItem, "GROUP#g1", "META")
    assert stored(item) == {
        "kind": {"S": "group"},
        "group_id": {"S": "g1"},
        "name": {"S": "Vélo"},
        "description": {"S": ""},
        "listed": {"BOOL": True},
        "join_policy": {"S": "request"},
        "created_at": {"S": "2026-11-27T02:19:43.123Z"},
        "created_by": {"S": "u1"},
        "admin_count": {"N": "2"},
        "member_count": {"N": "5"},
    }
    assert to_domain(reread(item), Group) == group


def test_consultation_enums_tuples_maps_and_absent_dates() -> None:
    consultation = Consultation(
        id="c1",
        group_id="g1",
        title="Budget",
        description="d",
        visibility=ConsultationVisibility.RESTRICTED,
        audience=(Role.AUTHOR, Role.MODERATOR),
        participation=Participation.MEMBERS,
        opens_at=None,
        closes_at=LATER,
        created_at=AT,
        created_by="u1",
        published_at=AT,
        partners={"g2": PartnerStatus.ACCEPTED, "g3": PartnerStatus.PENDING},
        version=3,
        phase=Phase.OPEN,
    )
    # Its proxies setting is a JSON document: an override (store/consultations.py).
    item = to_item(consultation, ConsultationItem, "CONSULT#c1", "META", proxies=None)
    raw = stored(item)
    assert raw["consultation_id"] == {"S": "c1"}
    assert raw["audience"] == {"L": [{"S": "author"}, {"S": "moderator"}]}
    assert raw["partners"] == {"M": {"g2": {"S": "accepted"}, "g3": {"S": "pending"}}}
    assert raw["closes_at"] == {"S": "2026-12-24T18:00:00.000Z"}
    assert raw["version"] == {"N": "3"}
    # None is not stored: the attribute is absent (sparse indexes rely on it).
    assert not {"opens_at", "closed_at", "due_at", "closed_by", "finalised_at"} & raw.keys()
    assert to_domain(reread(item), Consultation, proxies=Proxies()) == consultation


def test_overrides_carry_what_has_no_default_conversion() -> None:
    comment = Comment(
        id="c",
        debate_id="d",
        parent_id=None,
        author_id="u",
        author_name="Ana",
        author_group=None,
        body="now",
        stance=Stance.PRO,
        created_at=AT,
        history=(CommentVersion("before", AT),),
        flag_reasons={"spam": 2},
    )
    # A tuple of dataclasses has no default conversion: refused rather than stored wrong.
    with pytest.raises(NoConversion):
        to_item(comment, CommentItem, "pk", "sk")
    item = to_item(comment, CommentItem, "pk", "sk", history="[]")
    assert stored(item)["flag_reasons"] == {"M": {"spam": {"N": "2"}}}
    assert to_domain(reread(item), Comment, history=comment.history) == comment


def test_renamed_fields_and_old_items() -> None:
    event = AuditEvent("g1", "member.added", "u1", "Ana", AT, details={"role": "admin"}, id="e1")
    item = to_item(event, AuditEventItem, "AUDIT#g1", "x")
    assert stored(item)["event_id"] == {"S": "e1"}
    assert to_domain(reread(item), AuditEvent) == event
    # An invitation written before `creator_joined_at` existed reads with None.
    raw = {
        "pk": {"S": "INVITE#k"},
        "sk": {"S": "META"},
        "code": {"S": "k"},
        "group_id": {"S": "g1"},
        "role": {"S": "participant"},
        "uses": {"N": "1"},
        "expires_at": {"S": "2026-12-24T18:00:00.000Z"},
        "created_at": {"S": "2026-11-27T02:19:43.123Z"},
        "created_by": {"S": "u1"},
    }
    invitation = to_domain(InvitationItem.from_raw_data(raw), Invitation)
    assert invitation.creator_joined_at is None and invitation.max_uses is None
    assert invitation.uses == 1 and isinstance(invitation.uses, int)
    assert invitation.expires_at == LATER


# ---------------------------------------------------------------- a new field


@dataclass(frozen=True)
class Sample:
    id: str
    at: datetime
    role: Role
    website: str | None = None
    tags: tuple[str, ...] = ()
    score: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class SampleItem(TableItem):
    Meta = TableMeta
    renames: ClassVar[dict[str, str]] = {"id": "sample_id"}

    kind = UnicodeAttribute(default="sample")
    sample_id = UnicodeAttribute()
    at = UnicodeAttribute()
    role = UnicodeAttribute()
    website = UnicodeAttribute(null=True)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    score = NumberAttribute(default=0)
    extra = MapAttribute(default=dict)


def test_a_new_field_is_the_dataclass_field_and_the_attribute() -> None:
    sample = Sample("s", AT, Role.OBSERVER, website="https://x.org", tags=("a",), score=4)
    item = to_item(sample, SampleItem, "pk", "sk")
    assert stored(item)["website"] == {"S": "https://x.org"}
    back = to_domain(reread(item), Sample)
    assert back == sample and isinstance(back.score, int)


def test_a_field_the_item_does_not_store_is_refused() -> None:
    @dataclass(frozen=True)
    class Wider(Sample):
        forgotten: str = ""

    with pytest.raises(NoConversion, match="forgotten"):
        to_item(Wider("s", AT, Role.OBSERVER), SampleItem, "pk", "sk")
