"""The Hub's vocabulary as plain data, no AWS, no HTTP: the caller, consultations, debates
and their decisions, audit events. Beside it: groups.py (associations, members, invitations),
deliberation.py (arguments, blocks), profiles.py, idempotency.py; split so that a job loads
only the vocabulary it uses (chalicelib/jobs/)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.roles import Role


@dataclass(frozen=True)
class Caller:
    """Who is calling, from a verified token."""

    id: str
    name: str = ""
    email: str | None = None
    email_verified: bool = False
    identity_verified: bool = False

    @property
    def display_name(self) -> str:
        """The token's name, else the id; the name the Hub shows is `shown_name`'s."""
        return self.name or self.id

    @property
    def verified_email(self) -> str | None:
        """The token's email, only when the identity provider verified it."""
        return self.email if self.email_verified else None


@dataclass(frozen=True)
class AuditEvent:
    """One entry of a group's audit log: who did what to whom."""

    group_id: str
    action: str
    actor_id: str
    actor_name: str
    at: datetime
    subject_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: str = ""


# ---------------------------------------------------------------- consultations


class ConsultationVisibility(StrEnum):
    RESTRICTED = "restricted"  # the audience roles of the host group, plus grants
    MEMBERS = "members"  # members of the host group and of accepted partner groups
    PUBLIC = "public"  # anyone reads; `participation` says who takes part


class Participation(StrEnum):
    """Who may take part in a public consultation."""

    MEMBERS = "members"
    SIGNED_IN = "signed_in"
    VERIFIED = "verified"  # email_verified or identity_verified


class ConsultationStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"


class Phase(StrEnum):
    """How far the closer has taken a consultation (its status is computed from the dates;
    the phase records which transitions were processed and their events recorded)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"  # closed, results not yet final
    FINALISED = "finalised"  # recounted; final results written


class ConsultationContext(StrEnum):
    """The column of the permission table a consultation falls under."""

    DRAFT = "draft"
    RESTRICTED = "restricted"
    MEMBERS = "members"
    PUBLIC_MEMBERS = "public:members"
    PUBLIC_SIGNED_IN = "public:signed_in"
    PUBLIC_VERIFIED = "public:verified"


class PartnerStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class Proxies:
    """Whether members may give their proxy for a consultation, and how many proxies one
    person may hold in it (statutes often say one or two)."""

    allowed: bool = False
    max_per_holder: int = 1


@dataclass(frozen=True)
class Consultation:
    id: str
    group_id: str  # the host
    title: str
    description: str
    visibility: ConsultationVisibility
    audience: tuple[Role, ...]  # restricted only
    participation: Participation
    opens_at: datetime | None  # None: opens when published
    closes_at: datetime
    created_at: datetime
    created_by: str
    created_by_name: str = ""  # the name its creator chose, when they created it
    published_at: datetime | None = None
    closed_at: datetime | None = None  # closed early, by an admin
    partners: dict[str, PartnerStatus] = field(default_factory=dict)
    version: int = 0  # optimistic concurrency: each write is conditioned on it
    phase: Phase = Phase.DRAFT
    due_at: datetime | None = None  # when the closer should next look at it
    closed_by: str | None = None  # who closed it early
    finalised_at: datetime | None = None
    debate_count: int = 0  # kept by the transaction that creates a debate, never by a save
    proxies: Proxies = Proxies()  # may change until it opens

    @property
    def ends_at(self) -> datetime:
        """When ballots stopped (or stop): an early close, else the closing date."""
        return self.closed_at or self.closes_at

    def status_at(self, now: datetime) -> ConsultationStatus:
        """Computed from the dates: past `closes_at` reads as closed before any job ran."""
        if self.published_at is None:
            return ConsultationStatus.DRAFT
        if self.closed_at is not None or now >= self.closes_at:
            return ConsultationStatus.CLOSED
        if self.opens_at is not None and now < self.opens_at:
            return ConsultationStatus.SCHEDULED
        return ConsultationStatus.OPEN

    @property
    def context(self) -> ConsultationContext:
        if self.published_at is None:
            return ConsultationContext.DRAFT
        if self.visibility is ConsultationVisibility.PUBLIC:
            return ConsultationContext(f"public:{self.participation.value}")
        return ConsultationContext(self.visibility.value)

    @property
    def accepted_partners(self) -> list[str]:
        return [g for g, status in self.partners.items() if status is PartnerStatus.ACCEPTED]

    def admits_host_role(self, role: Role) -> bool:
        """A restricted consultation admits only its audience roles (and always admins)."""
        if self.visibility is not ConsultationVisibility.RESTRICTED:
            return True
        return role is Role.ADMIN or role in self.audience


@dataclass(frozen=True)
class Grant:
    """One person's role in one consultation, member of the host group or not."""

    consultation_id: str
    user_id: str
    role: Role
    granted_at: datetime
    granted_by: str


# ---------------------------------------------------------------- debates


class FunctionType(StrEnum):
    NONE = "none"
    VOTE = "vote"  # yes / no / abstain
    POLL = "poll"  # options, single or multiple choice
    PETITION = "petition"
    RANKED = "ranked"  # options ranked, best first: instant-runoff
    MAJORITY_JUDGMENT = "majority_judgment"  # every option graded: the majority grade
    SCORE = "score"  # every option scored 0..max_score: the mean
    DOT = "dot"  # points_per_voter spread over the options: the total


class ResultsVisibility(StrEnum):
    LIVE = "live"
    AFTER_VOTE = "after_vote"
    AFTER_CLOSE = "after_close"


@dataclass(frozen=True)
class PollOption:
    id: str
    label: str


@dataclass(frozen=True)
class DecisionFunction:
    """What a debate decides, and how. Made and checked by
    `chalicelib.domain.decisions.decision_function`; the store rebuilds it as it was saved."""

    type: FunctionType
    options: tuple[PollOption, ...] = ()
    min_choices: int | None = None
    max_choices: int | None = None
    secret: bool = False
    results_visibility: ResultsVisibility | None = None
    allow_change: bool | None = None
    quorum: int | None = None
    threshold: float | None = None
    goal: int | None = None
    max_ranks: int | None = None  # ranked: options a ballot may rank (default: all)
    grades: tuple[str, ...] = ()  # majority judgment: the scale's grade ids, best first
    max_score: int | None = None  # score: the highest score (the lowest is 0)
    points_per_voter: int | None = None  # dot: the points each voter spreads


@dataclass(frozen=True)
class Addendum:
    """A correction or precision added to a debate once its question is frozen: shown under
    it, never changing it."""

    body: str
    author_id: str
    author_name: str
    added_at: datetime


@dataclass(frozen=True)
class Debate:
    id: str
    consultation_id: str
    title: str
    body: str
    function: DecisionFunction
    created_at: datetime
    created_by: str
    created_by_name: str = ""  # the name its creator chose, when they created it
    updated_at: datetime | None = None
    version: int = 0
    ballot_shards: int = 1  # partitions its ballots spread over (domain/ballots.py)
    addenda: tuple[Addendum, ...] = ()  # oldest first
    # Whether readers see how many ballots were cast while it is open (never their split).
    # Decided at creation from its consultation's visibility unless set (on when public).
    show_turnout: bool = False


# ---------------------------------------------------------------- deliberation
