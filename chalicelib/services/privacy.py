"""A person's own data: everything the Hub holds about them (the export), and their
erasure. Only ever the caller's own.

The erasure keeps what others rely on and removes the person from it: a comment stays in
its thread as "deleted member" with no text; a ballot in a closed debate stays counted under
a random pseudonym (the recount still equals the final result); audit entries keep a
pseudonym instead of their id. Everything else of theirs goes: profile, settings,
memberships (through the memberships' own transaction: counts and the last-admin guard
hold), grants, follows, notifications, reactions and flags (with their comments' counts),
ballots in debates still open (the running tally follows from the stream), join requests,
invitations they created, blocks of them.

Each step is idempotent and each write conditional: a second erasure changes nothing and
answers done; one stopped by its budget (202) goes on where it stopped when called again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chalicelib.domain import clock
from chalicelib.domain.ballots import Marker
from chalicelib.domain.deliberation import Block, Comment
from chalicelib.domain.errors import ConcurrentUpdate, LastAdmin, detail
from chalicelib.domain.groups import Invitation, JoinRequest, Membership
from chalicelib.domain.ids import split_debate_id
from chalicelib.domain.model import AuditEvent, Caller, ConsultationStatus, Debate
from chalicelib.domain.notifications import Kind, Notification, Reachability
from chalicelib.domain.privacy import pseudonym
from chalicelib.domain.profiles import Profile
from chalicelib.domain.proxies import Proxy
from chalicelib.domain.roles import Role
from chalicelib.store import ballots as ballot_store
from chalicelib.store import comments as comment_store
from chalicelib.store import debates as debate_store
from chalicelib.store import groups as group_store
from chalicelib.store import inbox as inbox_store
from chalicelib.store import keys
from chalicelib.store import memberships as membership_store
from chalicelib.store import privacy as store
from chalicelib.store import proxies as proxy_store
from chalicelib.store import reactions as reaction_store
from chalicelib.store.consultations import consultation_from_raw
from chalicelib.store.convert import to_domain
from chalicelib.store.debates import debate_from_raw
from chalicelib.store.models.audit import AuditEventItem
from chalicelib.store.models.groups import InvitationItem, JoinRequestItem
from chalicelib.store.moderation import block_from_raw
from chalicelib.store.profiles import profile_from_raw

# An erasure stops after this much work, answers 202, and goes on when called again: an API
# Gateway request lasts at most 29 s.
BUDGET_SECONDS = 15.0
BUDGET_ITEMS = 2000
_ATTEMPTS = 3
_KNOWN_KINDS = frozenset(kind.value for kind in Kind)

# ---------------------------------------------------------------- the export


@dataclass(frozen=True)
class ExportedBallot:
    """One of the person's ballots, with its debate's decision (how the choice shows)."""

    marker: Marker
    debate: Debate | None


@dataclass(frozen=True)
class Export:
    user_id: str
    generated_at: datetime
    profile: Profile | None
    reachability: Reachability | None
    preferences: dict[str, str]
    read_before: str | None
    memberships: list[tuple[Membership, str]]  # with the group's name
    grants: list[dict[str, Any]]
    follows: list[dict[str, Any]]
    invitations_created: list[Invitation]
    join_requests: list[JoinRequest]
    comments: list[Comment]
    reactions: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    ballots: list[ExportedBallot]
    notifications: list[Notification]
    blocks: list[Block]
    audit_entries: list[AuditEvent]
    proxies_given: list[Proxy] = field(default_factory=list)
    proxies_held: list[Proxy] = field(default_factory=list)


def _s(raw: dict, name: str) -> str | None:
    return raw.get(name, {}).get("S")


def export(caller: Caller) -> Export:
    """Everything the Hub holds about the caller: Queries of their partitions (owner index,
    gsi1 `USER#u`, `USER#u`, `NOTIFS#u`) and BatchGetItems of what they point to."""
    user = caller.id
    index = store.user_index(user)
    mine = store.user_partition(user)
    owned = store.owned(user)
    found = store.read([item.key for item in owned])
    by_kind: dict[str, list[dict]] = {}
    for item in owned:
        if item.key in found:
            by_kind.setdefault(item.kind, []).append(found[item.key])

    memberships = [
        membership_store.membership_from_raw(raw)
        for raw in index
        if _s(raw, "kind") == "membership"
    ]
    names = {g.id: g.name for g in group_store.get_groups(m.group_id for m in memberships).values()}
    profile = next((profile_from_raw(raw) for raw in mine if _s(raw, "sk") == keys.PROFILE), None)
    notify = next((raw for raw in mine if _s(raw, "sk") == keys.NOTIFY), None)
    settings = inbox_store.settings_from_raw(user, notify) if notify is not None else None
    markers = [ballot_store.marker_from_raw(raw) for raw in by_kind.get("ballot_marker", [])]
    debates = _debates(m.debate_id for m in markers)
    return Export(
        user_id=user,
        generated_at=clock.now(),
        profile=profile,
        reachability=settings.reachability if settings else None,
        preferences={
            inbox_store.choice_name(group, kind): delivery.value
            for (group, kind), delivery in (settings.choices.items() if settings else ())
        },
        read_before=settings.read_before if settings else None,
        memberships=[(m, names.get(m.group_id, "")) for m in memberships],
        grants=[
            {
                "consultation_id": _s(raw, "consultation_id"),
                "role": _s(raw, "role"),
                "granted_at": clock.from_iso(_s(raw, "granted_at")),
            }
            for raw in index
            if _s(raw, "kind") == "grant"
        ],
        follows=[
            {"group_id": _s(raw, "group_id"), "followed_at": clock.from_iso(_s(raw, "followed_at"))}
            for raw in index
            if _s(raw, "kind") == "follow"
        ],
        invitations_created=[
            to_domain(InvitationItem.from_raw_data(raw), Invitation)
            for raw in by_kind.get("invitation", [])
        ],
        join_requests=[
            to_domain(JoinRequestItem.from_raw_data(raw), JoinRequest)
            for raw in by_kind.get("join_request", [])
        ],
        comments=[comment_store.from_raw(raw) for raw in by_kind.get("comment", [])],
        reactions=[
            {
                "comment_id": _s(raw, "pk").removeprefix("COMMENT#"),
                "reacted_at": clock.from_iso(_s(raw, "reacted_at")),
            }
            for raw in by_kind.get("reaction", [])
        ],
        flags=[
            {
                "comment_id": _s(raw, "pk").removeprefix("COMMENT#"),
                "reason": _s(raw, "reason"),
                "flagged_at": clock.from_iso(_s(raw, "flagged_at")),
            }
            for raw in by_kind.get("flag", [])
        ],
        ballots=[ExportedBallot(m, debates.get(m.debate_id)) for m in markers],
        notifications=[
            inbox_store._notification(raw, settings.read_before if settings else None)
            for raw in store.notifications(user)
            if (_s(raw, "sk") or "").startswith(keys.NOTIFICATION_PREFIX)
            and _s(raw, "event_kind") in _KNOWN_KINDS  # one a newer pipeline wrote: not shown
        ],
        blocks=[block_from_raw(raw) for raw in by_kind.get("block", [])],
        proxies_given=[proxy_store.proxy_from_raw(raw) for raw in by_kind.get("proxy", [])],
        proxies_held=proxy_store.all_held_by(user),
        audit_entries=[
            to_domain(AuditEventItem.from_raw_data(raw), AuditEvent)
            for raw in by_kind.get("audit_event", [])
        ],
    )


def _debates(debate_ids: Iterable[str]) -> dict[str, Debate]:
    """These debates, by id: one BatchGetItem per 100."""
    wanted = {}
    for debate_id in set(debate_ids):
        ids = split_debate_id(debate_id)
        if ids is not None:
            wanted[(keys.consultation_pk(ids[0]), keys.debate_sk(ids[1]))] = debate_id
    found = store.read(list(wanted))
    return {wanted[key]: debate_from_raw(raw) for key, raw in found.items()}


# ---------------------------------------------------------------- the erasure


@dataclass
class _Budget:
    items: int = BUDGET_ITEMS
    seconds: float = BUDGET_SECONDS
    started: float = field(default_factory=time.monotonic)
    done: int = 0

    def spend(self) -> bool:
        """One more item; False once the budget is spent (stop before it)."""
        if self.done >= self.items or time.monotonic() - self.started >= self.seconds:
            return False
        self.done += 1
        return True


class _OutOfBudget(Exception):
    """The budget is spent: the erasure answers 202 and goes on at the next call."""


def erase(caller: Caller) -> bool:
    """Erase the caller (see the module's docstring). True when everything is erased;
    False when the budget ran out first (call again to go on). 409 `last_admin`, with
    nothing changed, when they are the only admin of an association."""
    user = caller.id
    budget = _Budget(BUDGET_ITEMS, BUDGET_SECONDS)
    alias = pseudonym()  # one per erasure: its audit entries and comments

    def spend() -> None:
        if not budget.spend():
            raise _OutOfBudget()

    try:
        _leave_everything(user, alias, spend)
        _erase_owned(user, alias, spend)
    except _OutOfBudget:
        return False
    return True


def _leave_everything(user: str, alias: str, spend: Callable[[], None]) -> None:
    index = store.user_index(user)
    memberships = [
        membership_store.membership_from_raw(raw)
        for raw in index
        if _s(raw, "kind") == "membership"
    ]
    administered = [m.group_id for m in memberships if m.role is Role.ADMIN]
    if administered:
        groups = group_store.get_groups(administered)
        sole = sorted(
            (g for g in groups.values() if g.admin_count <= 1), key=lambda g: g.name.casefold()
        )
        if sole:
            raise LastAdmin(
                "erasure",
                details=[detail(g.id, "sole_admin", group=g.name) for g in sole],
            )
    for membership in memberships:
        spend()
        # Audited without their id: the pseudonym is the actor and the subject.
        event = AuditEvent(
            group_id=membership.group_id,
            action="member_erased",
            actor_id=alias,
            actor_name="",
            at=clock.now(),
            subject_id=alias,
        )
        try:
            membership_store.remove_member(membership, event, erasure=True)
        except ConcurrentUpdate:
            # Their role changed meanwhile: leave with the role they hold now.
            current = membership_store.get_membership(membership.group_id, user, consistent=True)
            if current is not None:
                membership_store.remove_member(current, event, erasure=True)
    for raw in index:
        kind = _s(raw, "kind")
        if kind == "grant":
            spend()
            store.delete((_s(raw, "pk"), _s(raw, "sk")))
        elif kind == "follow":
            spend()
            inbox_store.unfollow(_s(raw, "group_id"), user)
    for raw in [*store.user_partition(user), *store.notifications(user)]:
        spend()
        store.delete((_s(raw, "pk"), _s(raw, "sk")))


def _erase_proxies(user: str, alias: str, spend: Callable[[], None]) -> None:
    """The proxies they gave go (their holders' counts with them); those they hold are
    taken back from them. A used proxy's ballots stay the givers': the `by` of each names a
    pseudonym instead of them."""
    for proxy in [*proxy_store.given_by(user), *proxy_store.all_held_by(user)]:
        spend()
        if proxy.holder_id == user and proxy.used_at is not None:
            for debate in debate_store.all_debates(proxy.consultation_id):
                proxy_store.rename_holder(debate, proxy.giver_id, user, alias)
        proxy_store.drop(proxy)


def _erase_owned(user: str, alias: str, spend: Callable[[], None]) -> None:
    _erase_proxies(user, alias, spend)
    owned = store.owned(user)
    steps = (
        ("ballot_marker",),
        ("comment",),
        ("reaction", "flag"),
        ("join_request",),
        ("invitation",),
        ("block",),
    )
    for kinds in steps:
        items = [item for item in owned if item.kind in kinds]
        if not items:
            continue
        if kinds == ("ballot_marker",):
            _erase_ballots(user, items, spend)
        elif kinds in (("comment",), ("reaction", "flag")):
            _erase_deliberation(user, alias, items, spend)
        else:
            for item in items:
                spend()
                store.delete_owned(item, user)
    entries = [item for item in owned if item.kind == "audit_event"]
    found = store.read([item.key for item in entries])
    for raw in found.values():
        spend()
        store.pseudonymise_entry(raw, user, alias)
    for raw in store.entries_about(user):
        spend()
        store.pseudonymise_entry(raw, user, alias)


def _erase_ballots(user: str, items: list[store.Owned], spend: Callable[[], None]) -> None:
    """A ballot in a debate still open is withdrawn (plain); one in a closed debate moves
    to a pseudonym of its own, still counted. A secret ballot in a debate still open stays
    as it is: its anonymous ballot cannot be told from the others, so it stays counted, and
    its marker, which holds no choice, keeps their id until the debate closes, or the same
    sign-in could vote a second time (one person, one ballot). It keeps its owner keys: an
    erasure asked again after the close moves it to a pseudonym."""
    found = store.read([item.key for item in items])
    markers = {
        item: ballot_store.marker_from_raw(found[item.key]) for item in items if item.key in found
    }
    debates = _debates(m.debate_id for m in markers.values())
    consultation_keys = {
        (keys.consultation_pk(d.consultation_id), keys.META) for d in debates.values()
    }
    consultations = {
        c.id: c
        for c in (
            consultation_from_raw(raw) for raw in store.read(list(consultation_keys)).values()
        )
    }
    for item, marker in markers.items():
        spend()
        debate = debates.get(marker.debate_id)
        consultation = consultations.get(debate.consultation_id) if debate else None
        if debate is None or consultation is None:  # nothing counts it any more
            store.delete_owned(item, user)
            continue
        for _ in range(_ATTEMPTS):
            if marker is None:
                break
            is_open = consultation.status_at(clock.now()) is not ConsultationStatus.CLOSED
            try:
                if is_open and marker.ballot is None:
                    break  # secret, still open: kept until the close (docstring)
                if is_open:
                    ballot_store.withdraw(debate, user, marker.ballot)
                else:
                    store.move_marker(debate, marker, pseudonym())
                break
            except (ballot_store.BallotMoved, ConcurrentUpdate):
                marker = ballot_store.get_marker(debate, user)
        else:
            raise ConcurrentUpdate()


def _erase_deliberation(
    user: str, alias: str, items: list[store.Owned], spend: Callable[[], None]
) -> None:
    """Their comments, or their reactions and flags: the comments (and the reactions and
    flags) read at once, strongly consistent (one BatchGetItem per 100), then one
    transaction each, on the version read (read again only when it changed meanwhile)."""
    comment_ids = {_comment_id(item) for item in items}
    wanted = [comment_store.comment_key(c) for c in sorted(comment_ids)]
    wanted += [item.key for item in items if item.kind != "comment"]
    found = store.read(wanted, consistent=True)
    comments = {
        c: comment_store.from_raw(found[key])
        for c in comment_ids
        if (key := comment_store.comment_key(c)) in found
    }
    for item in items:
        spend()
        if item.kind == "comment":
            _erase_comment(_comment_id(item), user, alias, comments)
        elif item.key in found:
            _take_back(item, user, comments, found[item.key])


def _erase_comment(comment_id: str, user: str, alias: str, comments: dict[str, Comment]) -> None:
    """The comment stays where it is, its counts and replies too, without text or name."""
    comment = comments.get(comment_id)
    for _ in range(_ATTEMPTS):
        if comment is None or comment.author_erased or comment.author_id != user:
            return
        after = replace(
            comment, body="", history=(), author_name="", author_id=alias, author_erased=True
        )
        try:
            comments[comment_id] = comment_store.save(comment, after)
            return
        except ConcurrentUpdate:
            comment = comment_store.get(comment_id, consistent=True)
    raise ConcurrentUpdate()


def _comment_id(item: store.Owned) -> str:
    """The comment an item is about, from its key: a reaction's or a flag's partition
    (`COMMENT#<id>`); a comment's own id is its debate's id, then its parent's local id for
    a reply (`R#<parent>#<local>`), then its own (`T#<local>`)."""
    if item.kind != "comment":
        return item.pk.removeprefix("COMMENT#")
    debate_id = item.pk.removeprefix("COMMENTS#")
    return debate_id + "".join(item.sk.split("#")[1:])


def _take_back(
    item: store.Owned, user: str, comments: dict[str, Comment], raw: dict | None
) -> None:
    """A reaction or a flag goes with its comment's counts (reactions, and its top-order
    key; flags and their reason), as unreacting does: one transaction, on the version read."""
    comment_id = _comment_id(item)
    comment = comments.get(comment_id)
    for _ in range(_ATTEMPTS):
        if raw is None:
            return
        if comment is None:
            store.delete_owned(item, user)
            return
        if item.kind == "reaction":
            after = replace(comment, reactions=max(0, comment.reactions - 1))

            def extra(t: Any) -> None:
                reaction_store.remove_reaction(t, comment_id, user)
        else:
            reason = _s(raw, "reason") or ""
            reasons = dict(comment.flag_reasons)
            if reasons.get(reason, 0) > 1:
                reasons[reason] -= 1
            else:
                reasons.pop(reason, None)
            after = replace(comment, flags=max(0, comment.flags - 1), flag_reasons=reasons)

            def extra(t: Any) -> None:
                store.remove_flag(t, comment_id, user)

        try:
            comments[comment_id] = comment_store.save(comment, after, extra=extra)
            return
        except ConcurrentUpdate:
            comment_key = comment_store.comment_key(comment_id)
            found = store.read([comment_key, item.key], consistent=True)
            raw = found.get(item.key)
            comment = comment_store.from_raw(found[comment_key]) if comment_key in found else None
    raise ConcurrentUpdate()
