"""Which stream records are events people hear about, and who hears: pure functions of a
record (Lambda's DynamoDB stream shape, NEW_AND_OLD_IMAGES).

`happenings(records)` reads each record on its own: what happened (a kind), when, in
which group, the ids it concerns, and its audiences (who hears, still to be resolved
into people page by page). The notifier (services/notifications.py) then reads the names
and titles it shows, in one BatchGetItem for the whole batch, and makes the `Event`s.
The same record always makes the same happening, with the same id source: a batch read
twice makes the same events.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.domain import clock
from chalicelib.domain.notifications import Event, Kind, event_id

# Audiences: "<what>:<id>", resolved into recipients by the deliverer, page by page.
USER = "user"  # one person
ADDRESS = "address"  # an email address, no account (an invitation)
ADMINS = "admins"  # a group's admins
MODERATORS = "moderators"  # a group's moderators and admins
ELIGIBLE = "eligible"  # who may take part in a consultation
NOT_VOTED = "not_voted"  # the eligible who have no ballot in any of its debates yet
FOLLOWERS = "followers"  # a group's followers (public consultations only)
VOTERS = "voters"  # who took part in a consultation (its ballot markers)
PARENT_AUTHOR = "parent_author"  # a comment's author (resolved by the notifier)


def audience(what: str, of: str) -> str:
    return f"{what}:{of}"


def split_audience(value: str) -> tuple[str, str]:
    what, _, of = value.partition(":")
    return what, of


@dataclass(frozen=True)
class Happening:
    """An event read from one record, before the notifier adds names and titles."""

    kind: Kind
    at: datetime
    group_id: str | None
    source: str  # the same for the same record: the event id is made from it
    data: dict[str, str] = field(default_factory=dict)
    audiences: tuple[str, ...] = ()

    def event(self, shown: dict[str, str] | None = None) -> Event:
        data = {k: v for k, v in {**self.data, **(shown or {})}.items() if v}
        return Event(event_id(self.at, self.source), self.kind, self.at, self.group_id, data)


def happenings(records: Iterable[dict[str, Any]]) -> list[Happening]:
    return [h for record in records if (h := happening(record)) is not None]


# The partitions whose new items are events: audit entries, invitations, a group's join
# requests, comments, moderation queues. The notifier's trigger lets only their INSERTs
# through (infra/template.yaml's FilterCriteria, checked against this), so ballots,
# tallies and the notifications themselves never start it.
EVENT_PARTITIONS = ("AUDIT#", "INVITE#", "GROUP#", "COMMENTS#", "MODQ#")


def happening(record: dict[str, Any]) -> Happening | None:
    """The event a stream record is, if it is one. Only new items (INSERT) are events:
    every change people hear about writes a new audit entry, request, comment or queue
    entry."""
    if record.get("eventName") != "INSERT":
        return None
    data = record.get("dynamodb") or {}
    image = plain(data.get("NewImage"))
    pk, sk = image.get("pk", ""), image.get("sk", "")
    if not isinstance(pk, str) or not isinstance(sk, str) or not pk.startswith(EVENT_PARTITIONS):
        return None
    source = f"{pk}|{sk}"
    if pk.startswith("AUDIT#"):
        return _audited(image, source)
    if pk.startswith("INVITE#") and sk == "META" and image.get("email"):
        return Happening(
            Kind.INVITATION,
            _at(image.get("created_at")),
            image.get("group_id"),
            source,
            {
                "code": image.get("code", ""),
                "email": image["email"],
                "actor_id": image.get("created_by", ""),
                "actor_name": image.get("created_by_name") or "",
            },
            (audience(ADDRESS, image["email"]),),
        )
    if pk.startswith("GROUP#") and sk.startswith("REQUEST#"):
        at = _at(image.get("requested_at"))
        user = image.get("user_id", "")
        return Happening(
            Kind.JOIN_REQUESTED,
            at,
            image.get("group_id"),
            f"{source}|{image.get('requested_at', '')}",  # asked again after a refusal
            {"user_id": user, "actor_id": user, "actor_name": image.get("name") or user},
            (audience(ADMINS, image.get("group_id", "")),),
        )
    if pk.startswith("COMMENTS#") and sk.startswith("R#") and image.get("parent_id"):
        return Happening(
            Kind.REPLY,
            _at(image.get("created_at")),
            None,  # the host's: the notifier reads it with the consultation
            source,
            {
                "comment_id": image.get("comment_id", ""),
                "parent_id": image["parent_id"],
                "debate_id": image.get("debate_id", ""),
                "consultation_id": image.get("debate_id", "")[:12],
                "actor_id": image.get("author_id", ""),
                "actor_name": image.get("author_name") or "",
            },
            (audience(PARENT_AUTHOR, image["parent_id"]),),
        )
    if pk.startswith("MODQ#") and sk.startswith("COMMENT#"):
        group = pk.removeprefix("MODQ#")
        debate = image.get("debate_id", "")
        return Happening(
            Kind.FLAGS_WAITING,
            _at(image.get("since")),
            group,
            f"{source}|{image.get('since', '')}",
            {
                "comment_id": image.get("comment_id", ""),
                "debate_id": debate,
                "consultation_id": debate[:12],
            },
            (audience(MODERATORS, group),),
        )
    return None


def _audited(image: dict[str, Any], source: str) -> Happening | None:
    action = image.get("action")
    group = image.get("group_id", "")
    details = image.get("details") or {}
    if not isinstance(details, dict):
        details = {}
    at = _at(image.get("at"))
    subject = image.get("subject_id") or ""
    actor = {"actor_id": image.get("actor_id", ""), "actor_name": image.get("actor_name", "")}
    consultation = str(details.get("consultation_id") or "")

    def made(kind: Kind, *audiences: str, group_id: str = group, **data: str) -> Happening:
        return Happening(kind, at, group_id, source, {**actor, **data}, audiences)

    if action == "member_joined" and details.get("via") == "request":
        return made(Kind.JOIN_APPROVED, audience(USER, subject), user_id=subject)
    if action == "join_request_rejected":
        return made(Kind.JOIN_DECLINED, audience(USER, subject), user_id=subject)
    opened = action == "consultation_opened" or (
        action == "consultation_published" and details.get("status") == "open"
    )
    if opened and consultation:
        # Followers hear of it too when it is public: the notifier knows once it read it.
        return made(
            Kind.CONSULTATION_OPENED,
            audience(ELIGIBLE, consultation),
            consultation_id=consultation,
        )
    if action == "consultation_finalised" and consultation:
        return made(Kind.RESULTS, audience(VOTERS, consultation), consultation_id=consultation)
    if action in ("comment_hidden", "comment_restored") and subject:
        kind = Kind.COMMENT_HIDDEN if action == "comment_hidden" else Kind.COMMENT_RESTORED
        debate = str(details.get("debate_id") or "")
        return made(
            kind,
            audience(USER, subject),
            comment_id=str(details.get("comment_id") or ""),
            debate_id=debate,
            consultation_id=debate[:12],
            reason=str(details.get("reason") or ""),
        )
    partner = str(details.get("partner") or "")
    if action == "partner_invited" and partner and partner == group and consultation:
        # Recorded in both groups' logs: the partner's copy is the event, to its admins.
        return made(
            Kind.PARTNER_INVITATION,
            audience(ADMINS, partner),
            consultation_id=consultation,
        )
    return None


def _at(value: Any) -> datetime:
    if isinstance(value, str) and value:
        try:
            return clock.from_iso(value)
        except ValueError:
            pass
    return clock.now()


# ---------------------------------------------------------------- stream images


def plain(raw: dict[str, Any] | None) -> dict[str, Any]:
    """A DynamoDB item (or a stream image) as plain values: strings, numbers, booleans,
    lists and maps."""
    return {name: _plain(value) for name, value in (raw or {}).items()}


def _plain(value: dict[str, Any]) -> Any:
    (kind, inner), *_ = value.items()
    if kind == "S":
        return inner
    if kind == "N":
        return float(inner) if "." in inner else int(inner)
    if kind == "BOOL":
        return bool(inner)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: _plain(v) for k, v in inner.items()}
    if kind == "L":
        return [_plain(v) for v in inner]
    if kind in ("SS", "NS"):
        return list(inner)
    return json.dumps(inner)


# ---------------------------------------------------------------- events in messages


def event_to_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind.value,
        "at": clock.to_iso(event.at),
        "group_id": event.group_id,
        "data": dict(event.data),
    }


def event_from_json(value: dict[str, Any]) -> Event:
    return Event(
        value["id"],
        Kind(value["kind"]),
        clock.from_iso(value["at"]),
        value.get("group_id"),
        dict(value.get("data") or {}),
    )
