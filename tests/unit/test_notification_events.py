"""Which stream records are events, of which kind, for whom: pure reads of a record, the
same record always making the same event."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.notification_events import (
    event_from_json,
    event_to_json,
    happening,
    happenings,
    plain,
)
from chalicelib.domain.notifications import Kind

GROUP = "g0000000000a"
CONSULTATION = "c0000000000a"
DEBATE = CONSULTATION + "d0000000000a"
AT = "2026-12-02T10:00:00.000Z"


def image(values: dict[str, Any]) -> dict[str, Any]:
    def typed(value: Any) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"BOOL": value}
        if isinstance(value, int):
            return {"N": str(value)}
        if isinstance(value, dict):
            return {"M": {k: typed(v) for k, v in value.items()}}
        return {"S": value}

    return {name: typed(value) for name, value in values.items()}


def record(new: dict[str, Any], event: str = "INSERT", old: dict | None = None) -> dict:
    data: dict[str, Any] = {
        "Keys": image({"pk": new["pk"], "sk": new["sk"]}),
        "NewImage": image(new),
        "SequenceNumber": "1",
    }
    if old is not None:
        data["OldImage"] = image(old)
    return {"eventName": event, "dynamodb": data}


def audit(action: str, subject: str | None = None, **details: Any) -> dict[str, Any]:
    item = {
        "pk": f"AUDIT#{GROUP}",
        "sk": f"EVENT#{AT}#abc123",
        "group_id": GROUP,
        "action": action,
        "actor_id": "admin",
        "actor_name": "Admin",
        "at": AT,
        "details": details,
    }
    if subject:
        item["subject_id"] = subject
    return item


@pytest.mark.parametrize(
    ("item", "kind", "audiences"),
    [
        (
            audit("consultation_published", consultation_id=CONSULTATION, status="open"),
            Kind.CONSULTATION_OPENED,
            (f"eligible:{CONSULTATION}",),
        ),
        (
            audit("consultation_opened", consultation_id=CONSULTATION),
            Kind.CONSULTATION_OPENED,
            (f"eligible:{CONSULTATION}",),
        ),
        (
            audit("consultation_finalised", consultation_id=CONSULTATION),
            Kind.RESULTS,
            (f"voters:{CONSULTATION}",),
        ),
        (
            audit("member_joined", "dan", via="request", role="participant"),
            Kind.JOIN_APPROVED,
            ("user:dan",),
        ),
        (audit("join_request_rejected", "eve"), Kind.JOIN_DECLINED, ("user:eve",)),
        (
            audit("comment_hidden", "bob", comment_id="x", debate_id=DEBATE, reason="Spam"),
            Kind.COMMENT_HIDDEN,
            ("user:bob",),
        ),
        (
            audit("comment_restored", "bob", comment_id="x", debate_id=DEBATE),
            Kind.COMMENT_RESTORED,
            ("user:bob",),
        ),
        (
            audit("partner_invited", consultation_id=CONSULTATION, partner=GROUP),
            Kind.PARTNER_INVITATION,
            (f"admins:{GROUP}",),
        ),
        (
            {
                "pk": f"GROUP#{GROUP}",
                "sk": "REQUEST#dan",
                "group_id": GROUP,
                "user_id": "dan",
                "name": "Dan",
                "requested_at": AT,
            },
            Kind.JOIN_REQUESTED,
            (f"admins:{GROUP}",),
        ),
        (
            {
                "pk": "INVITE#code1",
                "sk": "META",
                "code": "code1",
                "group_id": GROUP,
                "email": "new@example.org",
                "created_at": AT,
                "created_by": "admin",
            },
            Kind.INVITATION,
            ("address:new@example.org",),
        ),
        (
            {
                "pk": f"COMMENTS#{DEBATE}",
                "sk": "R#p0000000000a#r0000000000a",
                "comment_id": DEBATE + "p0000000000ar0000000000a",
                "parent_id": DEBATE + "p0000000000a",
                "debate_id": DEBATE,
                "author_id": "carol",
                "created_at": AT,
            },
            Kind.REPLY,
            (f"parent_author:{DEBATE}p0000000000a",),
        ),
        (
            {
                "pk": f"MODQ#{GROUP}",
                "sk": "COMMENT#x",
                "comment_id": "x",
                "debate_id": DEBATE,
                "since": AT,
            },
            Kind.FLAGS_WAITING,
            (f"moderators:{GROUP}",),
        ),
    ],
)
def test_each_event_kind_is_read_from_its_record(item, kind, audiences):
    found = happening(record(item))
    assert found is not None
    assert found.kind is kind
    assert found.audiences == audiences


@pytest.mark.parametrize(
    "item",
    [
        audit("consultation_published", consultation_id=CONSULTATION, status="scheduled"),
        audit("member_joined", "dan", via="invitation", role="participant"),
        audit("member_joined", "dan", via="open", role="participant"),
        audit("consultation_created", consultation_id=CONSULTATION),
        # The host's copy of a partner invitation: the partner's copy is the event.
        {
            **audit("partner_invited", consultation_id=CONSULTATION, partner="other"),
            "group_id": GROUP,
        },
        {"pk": "INVITE#code1", "sk": "META", "code": "code1", "group_id": GROUP},  # no email
        {"pk": f"COMMENTS#{DEBATE}", "sk": "T#a0000000000a", "debate_id": DEBATE},  # no parent
        {"pk": "BALLOTS#x#0", "sk": "VOTER#bob", "debate_id": "x"},
    ],
)
def test_other_records_are_no_event(item):
    assert happening(record(item)) is None


def test_only_new_items_are_events():
    item = audit("consultation_opened", consultation_id=CONSULTATION)
    assert happening(record(item, "MODIFY", old=item)) is None
    assert happening(record(item, "REMOVE")) is None


def test_the_same_record_makes_the_same_event_and_another_record_another():
    item = audit("consultation_opened", consultation_id=CONSULTATION)
    first, again = happenings([record(item), record(item)])
    assert first.event().id == again.event().id
    other = happening(record({**item, "sk": f"EVENT#{AT}#def456"}))
    assert other is not None and other.event().id != first.event().id


def test_a_join_request_made_again_after_a_refusal_is_another_event():
    asked = {
        "pk": f"GROUP#{GROUP}",
        "sk": "REQUEST#dan",
        "group_id": GROUP,
        "user_id": "dan",
        "requested_at": AT,
    }
    again = {**asked, "requested_at": "2026-12-03T10:00:00.000Z"}
    assert happening(record(asked)).event().id != happening(record(again)).event().id


def test_what_an_event_shows_names_its_actor_and_the_reason():
    item = audit("comment_hidden", "bob", comment_id="x", debate_id=DEBATE, reason="Spam")
    event = happening(record(item)).event({"group_name": "Club"})
    assert event.data["reason"] == "Spam"
    assert event.data["actor_id"] == "admin"
    assert event.data["consultation_id"] == CONSULTATION
    assert event.group_id == GROUP
    assert event_from_json(event_to_json(event)) == event


def test_stream_images_read_as_plain_values():
    raw = image({"s": "x", "n": 3, "b": True, "m": {"k": "v"}})
    raw["l"] = {"L": [{"S": "a"}, {"N": "1.5"}]}
    raw["z"] = {"NULL": True}
    assert plain(raw) == {"s": "x", "n": 3, "b": True, "m": {"k": "v"}, "l": ["a", 1.5], "z": None}
