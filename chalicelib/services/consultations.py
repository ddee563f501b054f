"""Use cases of a consultation: create, read, list, change, publish; its partner
associations. (Its grants: services/grants.py; who may do what in it: services/access.py.)"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime

from chalicelib.domain import clock
from chalicelib.domain.audit import audit_event
from chalicelib.domain.consultations import (
    ConsultationChanges,
    apply_changes,
    check_dates,
    check_shape,
    check_shaper_inside,
    close_early,
    standings_of,
)
from chalicelib.domain.consultations import (
    publish as published,
)
from chalicelib.domain.errors import (
    AlreadyPublished,
    Forbidden,
    GroupNotFound,
    NotFound,
    PartnershipNotFound,
    invalid,
)
from chalicelib.domain.groups import Group
from chalicelib.domain.ids import looks_like_id, new_id
from chalicelib.domain.model import (
    Caller,
    Consultation,
    ConsultationStatus,
    ConsultationVisibility,
    Participation,
    PartnerStatus,
    Proxies,
)
from chalicelib.domain.permissions import Action, allows
from chalicelib.domain.profiles import shown_name
from chalicelib.domain.roles import Role
from chalicelib.services import closing
from chalicelib.services.access import ConsultationAccess, consultation_access, group_access
from chalicelib.store import consultations as store
from chalicelib.store import grants as grant_store
from chalicelib.store import groups as group_store
from chalicelib.store.table import Page

# ---------------------------------------------------------------- consultations


@dataclass(frozen=True)
class NewConsultation:
    title: str
    description: str
    visibility: ConsultationVisibility
    audience: tuple[Role, ...]
    participation: Participation
    opens_at: datetime | None
    closes_at: datetime
    proxies: Proxies = field(default_factory=Proxies)


def create(caller: Caller, group_id: str, new: NewConsultation) -> ConsultationAccess:
    """An author prepares a consultation; it stays a draft until published. Answers it seen
    by its creator, with its host association (as read to authorise the caller), signed with
    the name the caller chose (read in the same round trip), else their token's."""
    access = group_access(group_id, caller, Action.CONSULTATION_CREATE, profile=True)
    now = clock.now()
    check_shape(new.visibility, new.audience, new.participation)
    check_dates(new.opens_at, new.closes_at, now)
    consultation = Consultation(
        id=new_id(),
        group_id=group_id,
        title=new.title,
        description=new.description,
        visibility=new.visibility,
        audience=new.audience,
        participation=new.participation,
        opens_at=new.opens_at,
        closes_at=new.closes_at,
        created_at=now,
        created_by=caller.id,
        created_by_name=shown_name(caller, access.profile),
        proxies=new.proxies,
    )
    check_shaper_inside(consultation, [access.standing])
    event = audit_event(
        group_id,
        caller,
        "consultation_created",
        consultation_id=consultation.id,
        title=new.title,
        visibility=new.visibility.value,
    )
    store.create_consultation(consultation, event)
    roles = {group_id: access.role} if access.role is not None else {}
    return ConsultationAccess(
        consultation=consultation,
        caller=caller,
        roles=roles,
        standings=standings_of(consultation, caller, roles, None, (caller.id,)),
        host=access.group,
        profile=access.profile,
    )


def get(caller: Caller | None, consultation_id: str) -> ConsultationAccess:
    """The consultation, with its host association (read with the caller's roles)."""
    return consultation_access(consultation_id, caller, Action.CONSULTATION_READ, host=True)


def update(
    caller: Caller, consultation_id: str, changes: ConsultationChanges
) -> ConsultationAccess:
    """The change, audited; the answer is the consultation as stored, with its host."""
    access = consultation_access(
        consultation_id, caller, Action.CONSULTATION_UPDATE, consistent=True, host=True
    )
    before = access.consultation
    after = apply_changes(before, changes, clock.now())
    check_shaper_inside(after, access.standings)
    changed = {
        name: {"from": _plain(getattr(before, name)), "to": _plain(getattr(after, name))}
        for name in EDITABLE_FIELDS
        if getattr(before, name) != getattr(after, name)
    }
    if not changed:
        return access
    event = audit_event(
        before.group_id, caller, "consultation_updated", consultation_id=before.id, **changed
    )
    return replace(access, consultation=store.save_consultation(before, after, [event]))


EDITABLE_FIELDS = (
    "title",
    "description",
    "visibility",
    "audience",
    "participation",
    "opens_at",
    "closes_at",
    "proxies",
)


def _plain(value: object) -> object:
    if isinstance(value, Proxies):
        return asdict(value)
    if isinstance(value, datetime):
        return clock.to_iso(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value.value if hasattr(value, "value") else value


def publish(caller: Caller, consultation_id: str) -> ConsultationAccess:
    """Publish; the answer is the consultation as stored, with its host."""
    access = consultation_access(
        consultation_id, caller, Action.CONSULTATION_READ, consistent=True, host=True
    )
    if access.consultation.published_at is not None:
        raise AlreadyPublished()
    access.require(Action.CONSULTATION_PUBLISH)
    before = access.consultation
    after = published(before, clock.now())
    event = audit_event(
        before.group_id,
        caller,
        "consultation_published",
        consultation_id=before.id,
        status=after.status_at(clock.now()).value,
    )
    return replace(access, consultation=store.save_consultation(before, after, [event]))


def close(caller: Caller, consultation_id: str, reason: str) -> ConsultationAccess:
    """A host admin closes now, with a reason; the closer finalises it after the grace, as
    on schedule (chalicelib/services/closing.py). The answer is the consultation as stored,
    with its host."""
    access = consultation_access(
        consultation_id, caller, Action.CONSULTATION_CLOSE, consistent=True, host=True
    )
    before = access.consultation
    after = close_early(before, clock.now(), caller.id, closing.grace())
    event = audit_event(
        before.group_id,
        caller,
        "consultation_closed",
        consultation_id=before.id,
        by="admin",
        reason=reason,
    )
    return replace(access, consultation=store.save_consultation(before, after, [event]))


def hosts(consultations: Iterable[Consultation], known: Iterable[Group] = ()) -> dict[str, Group]:
    """The host associations of `consultations`, by id: those not `known` already are read
    in one BatchGetItem (none when all are known), however many consultations share them.
    Read, not copied onto each consultation: an association may be renamed."""
    found = {group.id: group for group in known}
    missing = {c.group_id for c in consultations} - found.keys()
    if missing:
        found |= group_store.get_groups(missing)
    return found


def list_for_group(
    caller: Caller | None, group_id: str, limit: int, cursor: str | None
) -> tuple[Page[Consultation], dict[str, Group]]:
    """Consultations the group hosts or shares, newest first, as far as the caller may see,
    and their hosts by id. A page holds at most `limit` and may hold fewer (those hidden
    from the caller)."""
    listing = group_access(group_id, caller, Action.GROUP_READ)
    page = store.group_consultation_ids(group_id, limit, cursor)
    found = store.get_consultations(page.items)
    roles, grants = grant_store.everything_of_user(caller.id) if caller else ({}, {})
    visible = []
    for consultation_id in page.items:
        consultation = found.get(consultation_id)
        if consultation is None:
            continue
        held = standings_of(
            consultation, caller, roles, grants.get(consultation.id), (consultation.created_by,)
        )
        if allows(Action.CONSULTATION_READ, held, consultation.context):
            visible.append(consultation)
    return Page(visible, page.next), hosts(visible, known=[listing.group])


def list_public(limit: int, cursor: str | None) -> tuple[Page[Consultation], dict[str, Group]]:
    """Open and scheduled public consultations of every group, newest first, and their
    hosts by id."""
    page = store.public_consultations(limit, cursor)
    now = clock.now()
    current = [
        c
        for c in page.items
        if c.status_at(now) in (ConsultationStatus.OPEN, ConsultationStatus.SCHEDULED)
    ]
    return Page(current, page.next), hosts(current)


# ---------------------------------------------------------------- partner associations


def invite_partner(caller: Caller, consultation_id: str, group_id: str) -> tuple[str, bool]:
    """The host's admins invite another association. Returns (status, newly invited)."""
    access = consultation_access(consultation_id, caller, Action.PARTNERS_MANAGE, consistent=True)
    before = access.consultation
    if group_id == before.group_id:
        raise invalid("group_id", "host")
    if before.visibility is ConsultationVisibility.RESTRICTED:  # a board meeting: no partner
        raise invalid("group_id", "restricted_partner")
    if not looks_like_id(group_id) or group_store.get_group(group_id) is None:
        raise GroupNotFound()
    if group_id in before.partners:
        return before.partners[group_id].value, False
    after = replace(before, partners={**before.partners, group_id: PartnerStatus.PENDING})
    events = [
        audit_event(g, caller, "partner_invited", consultation_id=before.id, partner=group_id)
        for g in (before.group_id, group_id)
    ]
    store.save_consultation(before, after, events, invite=group_id)
    return PartnerStatus.PENDING.value, True


def accept_partnership(caller: Caller, consultation_id: str, group_id: str) -> bool:
    """An admin of the invited association accepts; its members are then inside.
    Returns True if it was accepted now, False if it already was."""
    group_access(group_id, caller, Action.PARTNERSHIP_ACCEPT, consistent=True)
    before = (
        store.get_consultation(consultation_id, consistent=True)
        if looks_like_id(consultation_id)
        else None
    )
    if before is None or group_id not in before.partners:
        raise PartnershipNotFound()
    if before.partners[group_id] is PartnerStatus.ACCEPTED:
        return False
    after = replace(before, partners={**before.partners, group_id: PartnerStatus.ACCEPTED})
    events = [
        audit_event(g, caller, "partner_accepted", consultation_id=before.id, partner=group_id)
        for g in (before.group_id, group_id)
    ]
    store.save_consultation(before, after, events, link=(group_id, "partner"), uninvite=group_id)
    return True


def withdraw_partner(caller: Caller, consultation_id: str, group_id: str) -> None:
    """The host's admins withdraw an invitation or a partnership; or the partner's admins
    leave it."""
    host = consultation_access(consultation_id, caller, None, consistent=True)
    consultation = host.consultation
    # Only an actual partner's admins may leave (the table's partnership action, on their
    # group): anyone else is judged by the consultation alone, so that a hidden
    # consultation stays indistinguishable from a missing one.
    partner_admin = group_id in consultation.partners and _may_answer_for(caller, group_id)
    if not host.can(Action.PARTNERS_MANAGE) and not partner_admin:
        host.require(Action.CONSULTATION_READ)
        raise Forbidden()
    if group_id not in consultation.partners:
        raise PartnershipNotFound()
    was = consultation.partners[group_id]
    after = replace(
        consultation, partners={g: s for g, s in consultation.partners.items() if g != group_id}
    )
    events = [
        audit_event(
            g, caller, "partner_withdrawn", consultation_id=consultation.id, partner=group_id
        )
        for g in (consultation.group_id, group_id)
    ]
    accepted = was is PartnerStatus.ACCEPTED
    store.save_consultation(
        consultation,
        after,
        events,
        unlink=group_id if accepted else None,
        uninvite=None if accepted else group_id,
    )


def pending_partnerships(
    caller: Caller, group_id: str, limit: int, cursor: str | None
) -> tuple[Page[Consultation], dict[str, Group]]:
    """The consultations the group is invited to share and has not yet answered (its
    admins: they decide), newest first, and their hosts by id. What the host shows them
    to decide: the consultation as its own answer carries it."""
    group_access(group_id, caller, Action.PARTNERSHIP_ACCEPT)
    page = store.group_partner_invitation_ids(group_id, limit, cursor)
    found = store.get_consultations(page.items)
    pending = [  # not a board meeting made restricted since: partners are never inside
        found[i]
        for i in page.items
        if i in found
        and found[i].partners.get(group_id) is PartnerStatus.PENDING
        and found[i].visibility is not ConsultationVisibility.RESTRICTED
    ]
    return Page(pending, page.next), hosts(pending)


def _may_answer_for(caller: Caller, group_id: str) -> bool:
    """Whether the caller may accept or leave a partnership for this group."""
    try:
        group_access(group_id, caller, Action.PARTNERSHIP_ACCEPT, consistent=True)
    except (NotFound, Forbidden):
        return False
    return True
