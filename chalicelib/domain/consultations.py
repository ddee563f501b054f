"""The rules of a consultation's life: dates, what may change when, publishing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import (
    AlreadyPublished,
    ConsultationClosed,
    ConsultationLocked,
    NotOpen,
    detail,
    invalid,
)
from chalicelib.domain.model import (
    Caller,
    Consultation,
    ConsultationStatus,
    ConsultationVisibility,
    Participation,
    Phase,
    Proxies,
)
from chalicelib.domain.roles import GrantRole, Outsider, PartnerRole, Relation, Role, Standing

# While published, these may change (closes_at only later); the rest is frozen.
EDITABLE_WHEN_PUBLISHED = frozenset({"description", "closes_at"})
EDITABLE_UNTIL_OPEN = frozenset({"proxies"})  # while scheduled too


def check_dates(opens_at: datetime | None, closes_at: datetime, now: datetime) -> None:
    """`closes_at` must come after `opens_at`, or after now when it opens on publication."""
    if opens_at is not None and closes_at <= opens_at:
        raise invalid("closes_at", "before_opening")
    if closes_at <= now:
        raise invalid("closes_at", "in_the_past")


def check_shape(
    visibility: ConsultationVisibility,
    audience: tuple[Role, ...],
    participation: Participation,
) -> None:
    if audience and visibility is not ConsultationVisibility.RESTRICTED:
        raise invalid("audience", "restricted_only")
    if visibility is ConsultationVisibility.RESTRICTED and not audience:
        raise invalid("audience", "missing.audience")
    if participation is not Participation.MEMBERS and visibility is not (
        ConsultationVisibility.PUBLIC
    ):
        raise invalid("participation", "public_only")


def check_shaper_inside(consultation: Consultation, held: Iterable[Standing]) -> None:
    """Whoever creates or reshapes a restricted consultation stays inside it: an audience
    that leaves out their own host role (and no grant keeps them in) is refused, since they
    would lose at once what they made (creator rights need a way in; see `standings_of`)."""
    held = set(held)
    if any(isinstance(standing, GrantRole) for standing in held):
        return
    roles = [standing for standing in held if isinstance(standing, Role)]
    if roles and not any(consultation.admits_host_role(role) for role in roles):
        raise invalid("audience", "excludes_you")


@dataclass(frozen=True)
class ConsultationChanges:
    title: str | None = None
    description: str | None = None
    visibility: ConsultationVisibility | None = None
    audience: tuple[Role, ...] | None = None
    participation: Participation | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    clear_opens_at: bool = False  # "opens_at": null: open on publication
    proxies: Proxies | None = None

    def wanted(self) -> dict[str, Any]:
        fields = {k: v for k, v in vars(self).items() if v is not None and k != "clear_opens_at"}
        if self.clear_opens_at:
            fields["opens_at"] = None
        return fields


def apply_changes(
    consultation: Consultation, changes: ConsultationChanges, now: datetime
) -> Consultation:
    """The consultation after `changes`, or the rule they break.

    A draft may change entirely. Once published, only the description may change and
    `closes_at` may move later (closing early is a separate act). Nothing changes once closed.
    """
    wanted = changes.wanted()
    status = consultation.status_at(now)
    if status is ConsultationStatus.CLOSED:
        raise ConsultationClosed()
    if status is not ConsultationStatus.DRAFT:
        frozen = {
            name
            for name, value in wanted.items()
            if name not in EDITABLE_WHEN_PUBLISHED
            and not (name in EDITABLE_UNTIL_OPEN and status is ConsultationStatus.SCHEDULED)
            and getattr(consultation, name) != value
        }
        if frozen:
            raise ConsultationLocked(
                details=[detail(name, "locked", field=name) for name in sorted(frozen)]
            )
        if "closes_at" in wanted and wanted["closes_at"] < consultation.closes_at:
            raise ConsultationLocked(
                "closing_date", details=[detail("closes_at", "locked.closes_at")]
            )
        # Proxies may be given while scheduled: a lower limit would leave a holder more
        # givers than the statutes allow (raising it, or turning proxies off, never does).
        lowered = wanted.get("proxies")
        if lowered is not None and lowered.max_per_holder < consultation.proxies.max_per_holder:
            raise ConsultationLocked(
                "max_per_holder", details=[detail("proxies", "locked.max_per_holder")]
            )
    after = replace(consultation, **wanted)
    if after.phase is Phase.OPEN and after.closes_at != consultation.closes_at:
        after = replace(after, due_at=after.closes_at)
    # Leaving restricted (public) drops the audience (participation) it had, unless this
    # very change sends one: then the shape check refuses it.
    if after.visibility is not ConsultationVisibility.RESTRICTED and "audience" not in wanted:
        after = replace(after, audience=())
    if after.visibility is not ConsultationVisibility.PUBLIC and "participation" not in wanted:
        after = replace(after, participation=Participation.MEMBERS)
    check_shape(after.visibility, after.audience, after.participation)
    if status is ConsultationStatus.DRAFT:
        check_dates(after.opens_at, after.closes_at, now)
    elif after.closes_at != consultation.closes_at:
        check_dates(None, after.closes_at, now)
    return after


def publish(consultation: Consultation, now: datetime) -> Consultation:
    """Published now: scheduled if it opens later, else open at once. The closer is due at
    the next transition."""
    if consultation.published_at is not None:
        raise AlreadyPublished()
    check_dates(consultation.opens_at, consultation.closes_at, now)
    published = replace(consultation, published_at=now)
    if published.opens_at is not None and now < published.opens_at:
        return replace(published, phase=Phase.SCHEDULED, due_at=published.opens_at)
    return replace(published, phase=Phase.OPEN, due_at=published.closes_at)


def close_early(
    consultation: Consultation, now: datetime, actor_id: str, grace: timedelta
) -> Consultation:
    """Closing before the date is a separate act: ballots stop now; results follow after the
    grace period, by the same path as a scheduled close."""
    status = consultation.status_at(now)
    if status is ConsultationStatus.CLOSED:
        raise ConsultationClosed()
    if status is not ConsultationStatus.OPEN:  # a draft, or scheduled: not open yet
        raise NotOpen()
    return replace(
        consultation, closed_at=now, closed_by=actor_id, phase=Phase.CLOSED, due_at=now + grace
    )


def advance(consultation: Consultation, now: datetime, grace: timedelta) -> Consultation | None:
    """The closer's next step for a due consultation, or None when nothing is due: a
    scheduled one opens at `opens_at`; an open one closes at `closes_at`; a closed one is
    due for finalisation `grace` after it closed (done by the closer, not here)."""
    if consultation.phase is Phase.SCHEDULED and consultation.opens_at <= now:
        return replace(consultation, phase=Phase.OPEN, due_at=consultation.closes_at)
    if consultation.phase is Phase.OPEN and consultation.ends_at <= now:
        return replace(consultation, phase=Phase.CLOSED, due_at=consultation.ends_at + grace)
    return None


def standings_of(
    consultation: Consultation,
    caller: Caller | None,
    group_roles: Mapping[str, Role],
    grant: Role | None,
    creators: Iterable[str] = (),
) -> frozenset[Standing]:
    """Every standing the caller holds towards the consultation.

    `group_roles` are the caller's roles in the host and partner groups (others are ignored);
    `creators` are the user ids that count as creator (of the consultation, or the debate).
    A restricted consultation admits host members of its audience only, and no partner.
    Creator rights hold only while the creator is inside on some other ground: a host role
    the consultation admits (its audience, when restricted), an accepted partner's role (not
    when restricted), or a grant. Demoted out of the audience, removed from the host, or
    their partnership withdrawn, a creator is an outsider like any other; so is the creator
    of a draft who no longer holds the author role (or an author's grant).
    """
    if caller is None:
        return frozenset({Outsider.ANONYMOUS})
    held: set[Standing] = {Outsider.SIGNED_IN}
    if caller.email_verified or caller.identity_verified:
        held.add(Outsider.VERIFIED)
    host_role = group_roles.get(consultation.group_id)
    if host_role is not None and consultation.admits_host_role(host_role):
        held.add(host_role)
    partner_roles = [
        group_roles[group_id]
        for group_id in consultation.accepted_partners
        if group_id in group_roles
    ]
    if consultation.visibility is not ConsultationVisibility.RESTRICTED:
        held.update(PartnerRole.of(role) for role in partner_roles)
    if grant is not None:
        held.add(GrantRole.of(grant))
    inside = any(not isinstance(standing, Outsider) for standing in held)
    if consultation.published_at is None:
        # A draft is seen only by those who may author one: demoted below author, its
        # creator no longer holds it (an admin or a granted author publishes or drops it).
        inside = any(isinstance(s, Role) and s.at_least(Role.AUTHOR) for s in held) or (
            grant is not None and grant.at_least(Role.AUTHOR)
        )
    if caller.id in creators and inside:
        held.add(Relation.CREATOR)
    return frozenset(held)
