"""The Hub's vocabulary as plain data: no AWS, no HTTP."""

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
class Profile:
    """What a person chose on the Hub (PATCH /v1/me): the name shown beside what they write,
    the language they prefer. Absent (no item), or a field None: the token's."""

    user_id: str
    display_name: str | None = None
    locale: str | None = None
    updated_at: datetime | None = None


def shown_name(caller: Caller, profile: Profile | None) -> str:
    """The name the Hub shows for the caller: the one they chose, else their token's."""
    if profile is not None and profile.display_name:
        return profile.display_name
    return caller.display_name


class Language(StrEnum):
    """A language the Hub speaks (chalicelib/messages/): a person's preferred one."""

    FR = "fr"
    EN = "en"


class JoinPolicy(StrEnum):
    INVITE = "invite"  # only with an invitation code
    REQUEST = "request"  # anyone may ask; an admin approves
    OPEN = "open"  # anyone signed in joins at once, as participant


class GroupVisibility(StrEnum):
    LISTED = "listed"  # in the directory; anyone may read the group's page
    UNLISTED = "unlisted"  # invisible (404) to everyone but its members


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    description: str
    listed: bool
    join_policy: JoinPolicy
    created_at: datetime
    created_by: str
    admin_count: int = 1
    member_count: int = 1  # kept by every transaction that admits or removes a member

    @property
    def visibility(self) -> GroupVisibility:
        return GroupVisibility.LISTED if self.listed else GroupVisibility.UNLISTED


@dataclass(frozen=True)
class Membership:
    group_id: str
    user_id: str
    name: str
    role: Role
    joined_at: datetime


@dataclass(frozen=True)
class JoinRequest:
    group_id: str
    user_id: str
    name: str
    requested_at: datetime


class InvitationStatus(StrEnum):
    USABLE = "usable"
    EXPIRED = "expired"
    USED_UP = "used_up"
    VOID = "void"  # its creator no longer holds the role it gives, or left (even if back)
    REVOKED = "revoked"  # withdrawn by an admin


@dataclass(frozen=True)
class Invitation:
    """A code that admits whoever holds it with `role`. It carries no more than its creator
    holds when it is accepted: a removed admin's invitations admit nobody (even once they
    are back: it rests on the membership they had), a demoted one's only up to their new
    role."""

    code: str
    group_id: str
    role: Role
    max_uses: int | None
    uses: int
    expires_at: datetime
    created_at: datetime
    created_by: str
    created_by_name: str = ""
    revoked_at: datetime | None = None
    # When the creator's membership began: the membership the invitation rests on (None for
    # invitations made before this was recorded).
    creator_joined_at: datetime | None = None

    def usable_at(self, now: datetime) -> bool:
        within_uses = self.max_uses is None or self.uses < self.max_uses
        return within_uses and now < self.expires_at and self.revoked_at is None

    @property
    def backing_roles(self) -> tuple[Role, ...]:
        """The roles its creator must still hold for it to admit anyone."""
        return tuple(role for role in Role if role.at_least(self.role))

    def backed_by(self, creator: Membership | None) -> bool:
        """Whether the creator's membership, as it stands, still backs the invitation."""
        return (
            creator is not None
            and creator.role in self.backing_roles
            and self.creator_joined_at in (None, creator.joined_at)
        )

    def status_at(self, now: datetime, creator: Membership | None) -> InvitationStatus:
        """What it does now, given its creator's membership in the group (None: none)."""
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if now >= self.expires_at:
            return InvitationStatus.EXPIRED
        if self.max_uses is not None and self.uses >= self.max_uses:
            return InvitationStatus.USED_UP
        if not self.backed_by(creator):
            return InvitationStatus.VOID
        return InvitationStatus.USABLE


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


class Stance(StrEnum):
    PRO = "pro"
    CON = "con"
    NEUTRAL = "neutral"


class FlagReason(StrEnum):
    SPAM = "spam"
    OFFENSIVE = "offensive"
    OFF_TOPIC = "off_topic"
    PERSONAL_DATA = "personal_data"


@dataclass(frozen=True)
class CommentVersion:
    body: str
    written_at: datetime


@dataclass(frozen=True)
class Comment:
    """An argument in a debate (or a reply to one: one level deep)."""

    id: str
    debate_id: str
    parent_id: str | None
    author_id: str
    author_name: str
    author_group: str | None  # the partner group the author spoke from, for its moderators
    body: str
    stance: Stance
    created_at: datetime
    edited_at: datetime | None = None
    history: tuple[CommentVersion, ...] = ()  # earlier versions, for moderators
    reactions: int = 0
    replies: int = 0
    flags: int = 0
    flag_reasons: dict[str, int] = field(default_factory=dict)
    hidden: bool = False
    hidden_reason: str | None = None
    deleted: bool = False
    version: int = 0


@dataclass(frozen=True)
class Block:
    group_id: str
    user_id: str
    reason: str
    until: datetime | None
    blocked_by: str
    blocked_at: datetime

    def active_at(self, now: datetime) -> bool:
        return self.until is None or now < self.until


@dataclass(frozen=True)
class IdempotentRequest:
    """A request made under a caller's Idempotency-Key, as its key's record holds it: what
    the request was (`fingerprint`) and, once it answered, its first answer (`status`, and
    `answer`, the JSON body)."""

    fingerprint: str
    status: int | None = None
    answer: str | None = None

    @property
    def answered(self) -> bool:
        return self.status is not None and self.answer is not None
